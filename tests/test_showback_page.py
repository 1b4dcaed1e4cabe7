"""The Showback page on the demo company: opens with its flow chart, bill and unit costs; empty state."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import i18n, showback

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app(demo_copy, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=240)
    at.run()
    at.switch_page("views/showback.py")
    at.run()
    return at


def open_tab(at, label: str) -> AppTest:
    """Tabs run lazily (only the open one): open one as a click on it would."""
    at.session_state["showback_tab"] = label
    return at.run()


def test_showback_page_opens_with_flow_bill_and_unit_costs(app):
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Showback"
    assert [tab.label for tab in app.tabs] == ["Where the money flows", "Business unit", "Unit costs",
                                               "Budget vs actual by business unit"]
    assert [s.value for s in app.subheader] == ["Bill of IT by business unit (USD)"]  # only the open tab runs
    assert list(charts_on(app)) == ["showback_sankey"]
    assert app.metric[2].label == "Unallocated"
    open_tab(app, "Unit costs")
    assert not app.exception and list(charts_on(app)) == ["showback_unit_trend"]
    open_tab(app, "Budget vs actual by business unit")
    assert not app.exception
    assert any("allocated by the same rules" in c.value for c in app.caption)


def test_choosing_a_business_unit_lists_its_rules_and_spend_lines(app):
    open_tab(app, "Business unit")
    app.selectbox(key="showback_bu").set_value("Warehousing").run()
    assert not app.exception
    assert any(c.value == "Rules that fed Warehousing" for c in app.caption)


def test_empty_database_says_what_to_import(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(tmp_path / "empty.duckdb"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("views/showback.py").run()
    assert not at.exception
    assert "allocation_rules" in at.info[0].value


def charts_on(at) -> dict:
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("echarts_chart")}


def test_the_flow_ends_in_each_business_units_bill_and_keeps_a_name_in_two_columns_apart(app):
    flow = charts_on(app)["showback_sankey"]["series"][0]
    label = {node["name"]: node["label"]["formatter"] for node in flow["data"]}
    tips = {label[node["name"]]: node["tooltip"]["formatter"] for node in flow["data"] if node["name"].startswith("2:")}
    bills = app.dataframe[0].value  # the bill of IT by business unit
    for unit, cost in zip(bills["business_unit"], bills["allocated_cost"]):
        assert tips[unit] == f"{unit}: <b>{i18n.money(cost, 'USD', decimals=0)}</b>".replace("&", "&amp;")
    assert all(link["source"] != link["target"] for link in flow["links"])
    # the demo's cost center Data & Analytics pays into the service of the same name: two nodes, not a loop
    assert [name for name, text in label.items() if text == "Data & Analytics"] == ["0:Data & Analytics",
                                                                                     "1:Data & Analytics"]
    assert any(link["source"] == "0:Data & Analytics" and link["target"] == "1:Data & Analytics"
               for link in flow["links"])


def test_the_unit_cost_lines_are_money_per_driver_unit_to_the_cent(app, demo_con):
    open_tab(app, "Unit costs")
    driver, year = app.selectbox(key="showback_driver").value, app.selectbox(key="fy").value
    expected = showback.unit_costs(demo_con, driver=driver, by="business_unit", fy=year)
    trend = charts_on(app)["showback_unit_trend"]
    assert trend["yAxis"][0]["name"] == f"cost per {driver} (K USD)"
    assert [s["name"] for s in trend["series"]] == sorted(expected["business_unit"].unique())
    tips = {(row[0], s["name"]): row[len(trend["series"]) + 1 + k]
            for row in trend["dataset"]["source"] for k, s in enumerate(trend["series"])}
    for r in expected.itertuples():
        assert tips[(i18n.month(r.period), r.business_unit)] == i18n.money(r.unit_cost, "USD", decimals=2)
