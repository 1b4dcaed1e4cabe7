"""The benchmark's public data readers and its scoring."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.forecast import bench, engine


def test_oxford_spend_gives_twelve_months_each_side_per_category():
    data = bench.oxford()
    if data is None:
        pytest.skip("../shared/realdata/oxford_spend is absent")
    hist, fut = data
    assert hist.groupby("series_id")["period"].nunique().eq(12).all()
    assert fut.groupby("series_id")["period"].nunique().eq(12).all()
    assert hist["period"].min() == pd.Timestamp("2014-01-01")
    assert fut["period"].max() == pd.Timestamp("2015-12-01")


def test_elec_equip_origins_forecast_the_following_year():
    hist, fut = bench.elec_equip()
    last = hist.groupby("series_id")["period"].max()
    first_after = fut.groupby("series_id")["period"].min()
    assert ((first_after - last).dt.days.between(28, 31)).all()
    assert len(last) == 11


def test_scoring_a_perfect_forecast_gives_zero_error():
    hist = pd.DataFrame({"series_id": "a", "period": pd.date_range("2020-01-01", periods=24, freq="MS"),
                         "value": np.arange(24.0)})
    fut = pd.DataFrame({"series_id": "a", "period": pd.date_range("2022-01-01", periods=12, freq="MS"),
                        "actual": np.arange(24.0, 36.0)})
    exact = fut.rename(columns={"actual": "forecast"}).assign(lo80=lambda f: f["forecast"] - 1,
                                                              hi80=lambda f: f["forecast"] + 1,
                                                              lo95=lambda f: f["forecast"] - 2,
                                                              hi95=lambda f: f["forecast"] + 2)
    result = engine.EngineResult(exact, pd.DataFrame({"model": ["ETS"]}), {})
    score = bench.score(hist, fut, result)
    assert score["mase"] == 0.0 and score["smape"] == 0.0
    assert score["coverage80"] == 1.0
    assert score["snaive_mase"] == pytest.approx(1.0)


def test_m3_monthly_has_1428_series_with_18_test_months_each():
    hist, fut, horizon = bench.competition("m3")
    assert horizon == 18
    assert hist["series_id"].nunique() == 1428
    assert fut.groupby("series_id").size().eq(18).all()
    first_after = fut.groupby("series_id")["period"].min()
    last = hist.groupby("series_id")["period"].max()
    assert (first_after == last + pd.offsets.MonthBegin(1)).all()


def test_every_kth_series_of_a_competition():
    hist, fut, horizon = bench.competition("tourism", every=50)
    assert hist["series_id"].nunique() == 8 and horizon == 24


def test_seasonal_naive_repeats_the_last_year_with_wider_intervals_each_year():
    hist = pd.DataFrame({"series_id": "a", "period": pd.date_range("2020-01-01", periods=24, freq="MS"),
                         "value": np.tile(np.arange(12.0), 2) + np.repeat([0.0, 1.0], 12)})
    result = bench._snaive_result(hist, 13).forecasts
    assert result["forecast"].tolist() == list(np.arange(12.0) + 1) + [1.0]
    assert result["period"].iloc[0] == pd.Timestamp("2022-01-01")
    half = (result["hi80"] - result["forecast"]).to_numpy()
    assert half[0] == pytest.approx(engine.Z80) and half[12] == pytest.approx(engine.Z80 * np.sqrt(2))
