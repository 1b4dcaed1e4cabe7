"""The Vendors page opens and re-scores when a weight changes (AppTest, small inline database)."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.contracts_fixtures import database
from tests.test_vendors_scorecard import CONTRACTS, INCIDENTS, QUIET_AUDIT, SLA, SPEND

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app(tmp_path, monkeypatch):
    path = tmp_path / "vendors.duckdb"
    database(CONTRACTS, spend=SPEND, sla=SLA, incidents=INCIDENTS, settings=QUIET_AUDIT, path=path).close()
    monkeypatch.setenv("OUTLAY_DB", str(path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page("views/vendors.py")
    at.run()
    return at


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_vendors_page_opens(app):
    assert not app.exception, [e.value for e in app.exception]
    assert _metric(app, "Vendors scored") == "2 of 2"
    assert _metric(app, "Average score") == "89.2"  # (100 + 78.5) / 2 = 89.25, shown to one decimal


def open_weights(at) -> AppTest:
    """The weights' box runs lazily (its inputs are drawn while it is open): open it as a click would."""
    at.session_state["vendors_weights_box"] = True
    return at.run()


def test_the_weights_inputs_are_drawn_only_while_their_box_is_open(app):
    assert not app.number_input  # closed: the scores still use the saved weights (the tiles above)
    assert [n.key for n in open_weights(app).number_input][:1] == ["weight_sla_attainment"]
    assert len(app.number_input) == 6
    assert app.dataframe[0].value["weight"].sum() == pytest.approx(100.0)  # the indicators with their weights


def test_changing_a_weight_renormalises_and_rescores(app):
    open_weights(app)
    app.number_input(key="weight_sla_attainment").set_value(100.0).run()
    assert not app.exception
    assert app.number_input(key="weight_spend_trend").value == 0.0
    # Acme: SLA attainment 66.7 only; Globex has no SLA data and every other weight is 0: unscored
    assert _metric(app, "Vendors scored") == "1 of 2"
    assert _metric(app, "Average score") == "66.7"


def test_coming_back_through_the_sidebar_keeps_the_weights(app):
    open_weights(app)
    app.number_input(key="weight_sla_attainment").set_value(100.0).run()
    app.switch_page("views/contracts.py").run()
    assert not app.exception, [e.value for e in app.exception]
    app.switch_page("views/vendors.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert _metric(app, "Average score") == "66.7"  # scored with the weights kept, the box closed
    assert open_weights(app).number_input(key="weight_sla_attainment").value == 100.0


def charts_on(at) -> dict:
    """The page's ECharts options by chart key."""
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("echarts_chart")}


def rows(option) -> list[dict]:
    dims = option["dataset"]["dimensions"]
    return [dict(zip(dims, row)) for row in option["dataset"]["source"]]


def test_the_ranking_stacks_each_vendors_indicator_points_up_to_its_score(app):
    ranking = charts_on(app)["vendors_ranking_chart"]
    parts = [s["name"] for s in ranking["series"]]
    assert parts == ["SLA attainment", "Availability", "Incident volume and severity", "Spend against contract",
                     "Audit findings on its invoices", "Spend trend"]
    totals = {r["c"]: round(sum(r[f"v{k}"] or 0 for k in range(len(parts))), 6) for r in rows(ranking)}
    assert totals == {"Globex Inc (3/6)": 100.0, "Acme Ltd": 78.5}  # best at the top; (100 + 78.5) / 2 = 89.25
    assert list(totals) == ["Globex Inc (3/6)", "Acme Ltd"]


def test_the_vendors_availability_is_drawn_against_its_target(app):
    app.selectbox(key="vendors_detail").set_value("acme").run()
    app.session_state["vendors_detail_tab"] = "SLA history"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    sla = charts_on(app)["vendors_sla_chart"]
    assert [(r["c"], r["v0"], r["t0"]) for r in rows(sla)] == [("Jul 2026", 99.9, "99.90%"), ("Aug 2026", 99.5, "99.50%"),
                                                            ("Sep 2026", 99.9, "99.90%")]
    assert [level["yAxis"] for level in sla["series"][0]["markLine"]["data"]] == [100, 99.9]
    # each month's result in words: August missed both (99.5 % against 99.9 %, 5 h against 4 h)
    table = next(d.value for d in app.dataframe if "measured" in d.value.columns)
    shown = sorted(zip(table["period"].astype(str).str[:7], table["metric"], table["measured"], table["status"]))
    assert [r[2:] for r in shown] == [(99.9, "met"), (3, "met"), (99.5, "missed"), (5, "missed"), (99.9, "met"),
                                      (4, "met")]
