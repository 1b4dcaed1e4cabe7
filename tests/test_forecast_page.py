"""The Forecast page on the demo company (AppTest)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
