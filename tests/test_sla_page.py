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

    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("echarts_chart")}


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


def test_the_heat_map_shows_each_months_attainment_and_marks_the_breached_ones(app):
    heat = charts(app)["sla_heatmap"]
    rows, months = heat["yAxis"]["data"], heat["xAxis"]["data"]
    cells = {(rows[i], months[j]): (value, item["label"]["formatter"], item["tooltip"]["formatter"])
             for item in heat["series"][0]["data"] for j, i, value in [item["value"]]}
    assert cells and all(value <= 100 for value, _, _ in cells.values())
    # Response (the default): a month with a breached clock attains less than 100 % and is marked ✗
    assert all(("✗" in text) == (value < 100) for value, text, _ in cells.values())
    assert any("✗" in text for _, text, _ in cells.values())
    # known answers: the missed months the page lists below, with their response attainment
    missed = next(d.value for d in app.dataframe if "response_attainment_pct" in d.value.columns)
    checked = 0
    for row in missed[missed["response_attainment_pct"] < 100].itertuples():
        month = i18n.month(row.month + "-01").replace(" ", "\n", 1)  # 'Oct\n2026': on two lines
        value, text, tip = cells[(row.contract_id, month)]
        assert value == pytest.approx(row.response_attainment_pct)
        assert text == i18n.number(row.response_attainment_pct) + " ✗"
        assert tip.startswith(f"{row.contract_id} · {row.vendor}<br/>{i18n.month(row.month + '-01')}: <b>")
        checked += 1
    assert checked > 0


def test_the_credit_chart_stacks_each_missed_months_credits_in_time_order(app):
    open_tab(app, "Service credits owed and received (USD)")
    option = charts(app)["sla_credits_chart"]
    assert [(s["name"], s["stack"], s["itemStyle"]["color"]) for s in option["series"]] == [
        ("Received", "credit", "#2ca02c"), ("Outstanding", "credit", "#d62728")]  # outstanding in red
    assert option["yAxis"][0]["name"] == "Credit, USD (K)" and option["xAxis"]["name"] == "Missed month"
    months = [row[0] for row in option["dataset"]["source"]]
    assert months == sorted(months, key=lambda label: pd.Timestamp("1 " + label))
    # known answers: the credits table's amounts (to the cent) summed by month, in thousands
    table = next(d.value for d in app.dataframe if "credit_outstanding_rc" in d.value.columns)
    by_month = table.groupby("month")[["credit_received_rc", "credit_outstanding_rc"]].sum(min_count=1)
    expected = {i18n.month(m + "-01"): [None if pd.isna(v) else pytest.approx(v / 1000, abs=1e-4) for v in r]
                for m, r in zip(by_month.index, by_month.to_numpy())}
    assert {row[0]: row[1:3] for row in option["dataset"]["source"]} == expected


def test_the_availability_chart_marks_the_months_below_target(app, demo_con):
    from analytics import sla

    trend = sla.availability_trend(demo_con)
    contract = sorted(trend.loc[trend["is_missed"], "contract_id"])[0]
    one = trend[trend["contract_id"] == contract]
    open_tab(app, "Availability against target")
    app.selectbox(key="sla_avail_contract").set_value(contract).run()
    option = charts(app)["sla_availability_chart"]
    assert [(s["name"], s["type"]) for s in option["series"]] == [
        ("Availability", "line"), ("Target", "line"), ("Below target", "scatter")]
    rows = option["dataset"]["source"]  # month, availability, target, below target, their tooltip texts
    assert [row[0] for row in rows] == [i18n.month(p) for p in one["period"]]
    assert [row[1] for row in rows] == pytest.approx(one["availability_pct"].astype(float).tolist())
    assert [row[2] for row in rows] == pytest.approx(one["availability_target_pct"].astype(float).tolist())
    below = [row[0] for row in rows if row[3] is not None]
    assert below == [i18n.month(p) for p in one.loc[one["is_missed"], "period"]] and below
    assert all(row[3] == row[1] < row[2] for row in rows if row[3] is not None)
    assert option["series"][2]["itemStyle"]["color"] == "#d62728"
    assert rows[0][4] == i18n.percent(float(one["availability_pct"].iloc[0]) / 100, 3)  # written out, 3 decimals
