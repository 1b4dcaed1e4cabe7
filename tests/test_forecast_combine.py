"""Combination of member forecasts, interval calibration and the accuracy sentence: pure functions."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.forecast import calibrate, combine, explain


def member(mean, below, above):
    mean = np.asarray(mean, dtype=float)
    return {"mean": mean, "lo80": mean - below, "hi80": mean + above, "lo95": mean - 2 * below,
            "hi95": mean + 2 * above}


def test_the_combination_is_the_members_mean_with_averaged_half_widths():
    result = combine.combine([member([10, 20], 1, 2), member([14, 26], 3, 4)])
    np.testing.assert_allclose(result["mean"], [12, 23])
    np.testing.assert_allclose(result["lo80"], [10, 21])
    np.testing.assert_allclose(result["hi80"], [15, 26])
    np.testing.assert_allclose(result["hi95"], [18, 29])


def test_a_combination_without_members_is_refused():
    with pytest.raises(ValueError, match="at least one member"):
        combine.combine([])


@pytest.mark.parametrize(("comb", "alt", "expected"), [(9.0, 2.0, True), (9.0, 3.0, False), (9.0, np.nan, False),
                                                       (np.inf, 5.0, True), (0.0, 0.0, False)])
def test_an_alternative_replaces_the_combination_only_when_decisive(comb, alt, expected):
    assert combine.decisive(comb, alt) is expected


def test_only_a_gross_failure_is_trimmed_from_the_combination():
    assert combine.trim({"ETS": 2.0, "Theta": 6.5, "ARIMA": 5.9}) == ["ETS", "ARIMA"]
    assert combine.trim({"ETS": 0.0, "Theta": 0.0, "ARIMA": 1.0}) == ["ETS", "Theta"]
    assert combine.name(["ETS", "ARIMA"], ("ETS", "Theta", "ARIMA")) == "combination (ETS, ARIMA)"
    assert combine.name(["ETS", "Theta", "ARIMA"], ("ETS", "Theta", "ARIMA")) == "combination"
    assert combine.name(["ETS"], ("ETS", "Theta", "ARIMA")) == "ETS"


def test_calibration_on_gaussian_noise_recovers_the_right_width():
    rng = np.random.default_rng(0)
    # the model claims sigma 1, the errors have sigma 1.5: the factor should be about 1.5
    fit, held = rng.normal(0, 1.5, (200, 12)), rng.normal(0, 1.5, (200, 12))
    cand = member(np.zeros(12), 1.2816, 1.2816)
    cand["lo95"], cand["hi95"] = -1.96 * np.ones(12), 1.96 * np.ones(12)
    k80 = calibrate.factor([calibrate.ratios(a, cand, "80") for a in fit], 0.80)
    k95 = calibrate.factor([calibrate.ratios(a, cand, "95") for a in fit], 0.95)
    assert k80 == pytest.approx(1.5, abs=0.1) and k95 == pytest.approx(1.5, abs=0.1)
    wide = calibrate.scale(cand, k80, k95)
    cover80 = np.mean((held >= wide["lo80"]) & (held <= wide["hi80"]))
    cover95 = np.mean((held >= wide["lo95"]) & (held <= wide["hi95"]))
    assert abs(cover80 - 0.80) < 0.03 and abs(cover95 - 0.95) < 0.02


def test_too_few_errors_leave_the_intervals_as_they_are():
    cand = member(np.zeros(3), 1, 1)
    assert calibrate.factor([calibrate.ratios(np.array([5.0, 5, 5]), cand, "80")], 0.8) == 1.0


def test_the_factor_is_clipped():
    cand = member(np.zeros(40), 1, 1)
    assert calibrate.factor([calibrate.ratios(np.full(40, 100.0), cand, "80")], 0.8) == calibrate.LIMITS[1]


@pytest.mark.parametrize(("row", "expected"), [
    ({"model": "combination", "n_holdout": 12, "smape": 6.2, "mase": 0.78, "snaive_mase": 1.0},
     "Combination of ETS, Theta, optimised Theta and ARIMA; on the last 12 months held out it missed by 6% on "
     "average, 22% better than repeating last year"),
    ({"model": "combination", "n_holdout": 18, "smape": 10.0, "mase": 1.2, "snaive_mase": 1.0},
     "Combination of ETS, Theta, optimised Theta and ARIMA; on the last 18 months held out it missed by 10% on "
     "average, 20% worse than repeating last year"),
    ({"model": "seasonal naive", "n_holdout": 12, "smape": 3.0, "mase": 0.5, "snaive_mase": 0.5},
     "Same month last year (seasonal naive); on the last 12 months held out it missed by 3% on average"),
    ({"model": "mean of history", "n_holdout": 0, "smape": np.nan, "mase": np.nan, "snaive_mase": np.nan},
     "Average of the months seen (too little history for models); too little history to test it on held-out months"),
    ({"model": "combination (ETS, ARIMA)", "n_holdout": 12, "smape": 2.0, "mase": 0.1, "snaive_mase": 0.4},
     "Combination of ETS and ARIMA; on the last 12 months held out it missed by 2% on average, 75% better than "
     "repeating last year"),
    ({"model": "none", "n_holdout": np.nan, "smape": np.nan, "mase": np.nan, "snaive_mase": np.nan},
     "No forecast: no history"),
])
def test_accuracy_in_words(row, expected):
    assert explain.accuracy_in_words(**row) == expected


def test_in_words_keeps_the_frame_index():
    frame = pd.DataFrame({"model": ["ETS", "none"], "n_holdout": [12, 0], "smape": [5.0, np.nan],
                          "mase": [0.5, np.nan], "snaive_mase": [1.0, np.nan]}, index=[7, 9])
    result = explain.in_words(frame)
    assert result.to_dict() == {7: "ETS; on the last 12 months held out it missed by 5% on average, 50% better than "
                                   "repeating last year", 9: "No forecast: no history"}
