"""The forecast's backtest in sentences: MASE/sMAPE explained for the series, a reason per series, bias as a risk."""
from types import SimpleNamespace

import pandas as pd
import pytest

from analytics.forecast import readout


def row(**values):
    base = {"key": "Total", "n_months": 34, "model": "combination", "reason": "", "mase": 0.44, "smape": 4.53,
            "bias": -97211.76, "snaive_mase": 0.31, "n_holdout": 12}
    return SimpleNamespace(**{**base, **values})


def test_accuracy_sentence_says_what_smape_and_mase_mean_for_the_series():
    text = readout.accuracy_sentence(row())
    assert text.startswith("On the last 12 months held back, this method was off by 4.5% on average.")
    assert "MASE 0.44: its errors were 0.44 times the usual error of repeating last year" in text
    assert "1.0 would be as good as repeating last year" in text and "scored 0.31" in text


@pytest.mark.parametrize("values, expected", [
    ({"model": "none"}, "No forecast: the series has no history."),
    ({"n_holdout": 0}, "Too little history to hold months back and test the method."),
])
def test_accuracy_sentence_without_a_backtest(values, expected):
    assert readout.accuracy_sentence(row(**values)) == expected


def test_reason_names_the_method_and_why():
    assert readout.reason(row()) == ("Combination of ETS, Theta, optimised Theta and ARIMA, because there are 34 "
                                     "months of history with a seasonal pattern, and the average of several models "
                                     "is steadier than any one of them; repeating last year did a little better on "
                                     "the held-back months, but not decisively.")
    assert readout.reason(row(model="seasonal naive", reason="")).startswith("Same month last year (seasonal naive), "
                                                                             "because repeating last year was")
    assert readout.reason(row(reason="level shift 8 months ago: history from then only")).endswith(
        "because level shift 8 months ago: history from then only.")


@pytest.mark.parametrize("bias, risk, colour", [(-1000.0, readout.RISK, "color: #d62728"),
                                                (1000.0, readout.SAFE, "color: #6b7280"),
                                                (0.0, readout.NEUTRAL, ""), (None, readout.NEUTRAL, "")])
def test_under_forecasting_spend_is_a_risk_in_red_never_green(bias, risk, colour):
    assert readout.bias_risk(bias) == risk
    assert readout.bias_colour(bias) == colour


def test_bias_sentence_reads_as_finance_would():
    assert readout.bias_sentence(-97211.76, "USD") == ("Under-forecast by 97,212 USD a month on the held-back months: "
                                                       "the landing may be too low (a risk).")
    assert readout.bias_sentence(5000, "USD").startswith("Over-forecast by 5,000 USD a month")


def test_explained_has_one_row_per_series():
    frame = pd.DataFrame([vars(row()), vars(row(key="Cloud Platform", bias=15085.46))])
    out = readout.explained(frame, "USD")
    assert out["key"].tolist() == ["Total", "Cloud Platform"]
    assert out["bias_risk"].tolist() == [readout.RISK, readout.SAFE]
