"""The Forecast page on the demo company (AppTest)."""
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import i18n
from analytics.forecast import yearend

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def forecast_app(demo_copy, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.run()
    at.switch_page("views/forecast.py")
    at.run()
    return at


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def test_forecast_page_opens_and_a_renewal_uplift_moves_the_scenario_landing(forecast_app):
    at = forecast_app
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Year-end landing").value.endswith("USD")
    assert not [m for m in at.metric if m.label == "Landing, scenario"]  # tabs run only when open
    at.session_state["fc_tab"] = "Scenarios"
    at.run()
    before = metric(at, "Landing, scenario").value
    assert before == metric(at, "Landing, baseline").value
    at.number_input(key="fc_uplift").set_value(20.0)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Landing, scenario").delta.startswith("+")
    at.radio(key="fc_level").set_value("category")
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_fan_chart_draws_the_actuals_the_forecast_and_its_intervals_as_bands(forecast_app, demo_con):
    at = forecast_app
    year = at.selectbox(key="fy").value
    fan = yearend.fan(demo_con, fiscal_year=year, level="total", key="Total")
    option = next(json.loads(c.proto.spec) for c in at.get("echarts_chart") if c.proto.id.endswith("-fc_fan"))
    assert option["yAxis"][0]["name"] == "USD (M) per month"
    column = {s["name"]: k for k, s in enumerate(option["series"])}
    rows = option["dataset"]["source"]
    n = len(option["series"])
    assert [r[0] for r in rows] == [i18n.month(p) for p in fan["period"]]
    for r, f in zip(rows, fan.itertuples()):
        if pd.isna(f.forecast):  # a closed month: its actual, no band
            assert r[1 + column["Actual"]] == pytest.approx(f.actual / 1e6)
            assert r[1 + n + column["80% interval"]] == "–"
            continue
        # the band: an invisible line at the lower bound with the width stacked on it, the tooltip low – high
        low, width = r[1 + column["lo80"]], r[1 + column["80% interval"]]
        assert (low, low + width) == (pytest.approx(f.lo80 / 1e6), pytest.approx(f.hi80 / 1e6))
        assert r[1 + n + column["80% interval"]] == f"{i18n.money(f.lo80, 'USD', decimals=0)} – " \
                                                    f"{i18n.money(f.hi80, 'USD', decimals=0)}"
        assert r[1 + column["Forecast"]] == pytest.approx(f.forecast / 1e6)
    stacked = {s["name"]: (s["stack"], s.get("areaStyle")) for s in option["series"] if s.get("stack")}
    assert stacked["lo80"] == ("band1", None) and stacked["80% interval"][0] == "band1"
    assert "lo80" not in option["legend"]["data"] and "lo80" not in option["tooltip"]["formatter"]
    # what the chart draws for the fiscal year adds up to the landing of the table below it
    this_year = rows[-12:]
    drawn = sum((r[1 + column["Actual"]] or 0) + (r[1 + column["Forecast"]] or 0) for r in this_year) * 1e6
    landing = next(d.value for d in at.dataframe if "landing" in d.value.columns)
    assert drawn == pytest.approx(float(landing["landing"].iloc[0]), rel=1e-9)
