"""The SLA page on the demo company: opens cleanly, and its filters and drill-down change the numbers."""
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import i18n

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app(demo_copy, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.run()
    at.switch_page("views/sla.py")
    at.run()
    return at


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def charts(at) -> dict:
    import json

    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def open_tab(at, label: str):
    """Click a tab of the lazy tabs below the heat map (only the open one runs)."""
    at.session_state["sla_tab"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_sla_page_opens_with_heat_map_and_the_missed_months(app):
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "SLA"
    assert [s.value for s in app.subheader] == ["Attainment by contract and month"]
    assert [tab.label for tab in app.tabs] == ["Missed months and their tickets",
                                               "Service credits owed and received (USD)",
                                               "Availability against target"]
    assert set(charts(app)) == {"sla_heatmap"}  # the credits and availability charts wait behind their tabs
    missed, tickets = (d.value for d in app.dataframe)  # the missed months, the tickets of the one picked
    assert {"breaches", "tickets"} <= set(missed.columns) and "ticket_id" in tickets.columns


def test_credits_and_availability_are_one_click_away(app):
    outstanding = metric(app, "Credits outstanding, USD")
    open_tab(app, "Service credits owed and received (USD)")
    assert "sla_credits_chart" in charts(app)
    assert {"sla_credits_csv", "sla_credits_xlsx"} <= {b.key for b in app.get("download_button")}
    credits = next(d.value for d in app.dataframe if "credit_outstanding_rc" in d.value.columns)
    assert outstanding == i18n.short_money(credits["credit_outstanding_rc"].dropna().sum())
    open_tab(app, "Availability against target")
    assert "sla_availability_chart" in charts(app)
    assert app.selectbox(key="sla_avail_contract").options


def test_vendor_filter_changes_the_breach_count(app):
    everyone = metric(app, "Breaches")
    app.selectbox(key="filter_vendor").set_value("Microsoft Ireland Operations Ltd").run()
    assert not app.exception
    assert metric(app, "Breaches") != everyone


def test_drill_down_lists_the_chosen_months_tickets(app):
    drill = app.selectbox(key="sla_drill")
    drill.set_value(drill.options[1]).run()
    contract_id, month = drill.options[1].split(" · ")
    shown = i18n.month(month + "-01")  # the month in words, as the page writes it ('Oct 2026')
    assert any(c.value.endswith(f"of {contract_id} opened in {shown}; hours are counted inside the schedule "
                                "named beside them.") for c in app.caption)


def test_the_figures_are_drawn_and_the_credit_months_in_time_order(app):
    heat = charts(app)["sla_heatmap"]["data"][0]
    assert len(heat["text"]) == len(heat["y"]) and any("✗" in cell for row in heat["text"] for cell in row)
    open_tab(app, "Service credits owed and received (USD)")
    months = [m for bar in charts(app)["sla_credits_chart"]["data"] for m in bar["x"]]
    in_time = sorted(set(months), key=lambda label: pd.Timestamp("1 " + label))
    assert list(dict.fromkeys(months)) == in_time
