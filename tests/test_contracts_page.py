"""The Contracts page opens, filters and acknowledges alerts (AppTest, small inline database)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.contracts_fixtures import database
from tests.test_contracts_register import CONTRACTS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app(tmp_path, monkeypatch):
    path = tmp_path / "contracts.duckdb"
    database(CONTRACTS, path=path).close()
    monkeypatch.setenv("OUTLAY_DB", str(path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page("views/contracts.py")
    at.run()
    return at


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_contracts_page_opens(app):
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Contracts"
    assert _metric(app, "Contracts shown") == "3"  # active and not started by default; C-4 expired


def test_owner_filter_changes_the_count(app):
    app.multiselect(key="contracts_owner").set_value(["Bob"]).run()
    assert not app.exception
    assert _metric(app, "Contracts shown") == "1"


def test_acknowledging_an_alert_hides_it(app):
    before = len(app.dataframe[0].value)
    app.button(key="contracts_ack").click().run()
    assert not app.exception
    assert len(app.dataframe[0].value) == before - 1


def test_cancel_by_and_ending_tiles_follow_the_window_and_filters(app):
    # C-2 cancel-by in 16 days (tacit); C-3 express ends in 77 days; C-1's cancel-by was missed
    assert _metric(app, "Cancel-by within 90 days") == "1"
    assert _metric(app, "Ending within 90 days") == "1"
    app.select_slider(key="contracts_within").set_value(60).run()
    assert _metric(app, "Cancel-by within 60 days") == "1"
    assert _metric(app, "Ending within 60 days") == "0"
    app.multiselect(key="contracts_owner").set_value(["Ann"]).run()
    assert _metric(app, "Cancel-by within 60 days") == "0"  # C-2 belongs to Bob


def open_tab(at, label: str):
    """Tabs run lazily (only the open one): open one as a click on it would."""
    at.session_state["contracts_tab"] = label
    return at.run()


def test_only_the_open_tab_runs(app):
    """The alerts open first; the register, the timeline and the committed spend run when their tab is opened."""
    assert ["message" in table.value.columns for table in app.dataframe] == [True]  # the alerts' table alone
    assert not app.get("echarts_chart") and "contracts_ics" not in [b.key for b in app.get("download_button")]
    open_tab(app, "Register")
    assert not app.exception
    assert "contracts_ics" in [b.key for b in app.get("download_button")]
    assert list(app.dataframe[0].value["contract_id"]) == ["C-1", "C-2", "C-3"]  # the register: C-4 expired
    open_tab(app, "Renewal timeline")
    assert [c.proto.id.endswith("contracts_timeline") for c in app.get("echarts_chart")] == [True]
    open_tab(app, "Committed spend by month")
    assert [c.proto.id.endswith("contracts_committed") for c in app.get("echarts_chart")] == [True]


def chart(at, key: str) -> dict:
    """The ECharts option a page drew under `key`."""
    import json

    return json.loads(next(c for c in at.get("echarts_chart") if c.proto.id.endswith(key)).proto.spec)


def test_committed_chart_draws_one_bar_per_month_and_kind_of_term_with_the_totals(app, tmp_path):
    """The chart sums the vendors of a month (contracts.committed_totals): same total as the payments it draws."""
    import datetime as dt

    from analytics import contracts, fiscal, settings

    option = chart(open_tab(app, "Committed spend by month"), "contracts_committed")
    assert [s["name"] for s in option["series"]] == ["current terms", "terms it will auto-renew into"]
    assert {s["stack"] for s in option["series"]} == {"committed"} and {s["type"] for s in option["series"]} == {"bar"}
    assert option["yAxis"][0]["name"] == "Committed, USD (K)"  # drawn in thousands: 19.0 is 19,000 USD
    rows = {row[0]: row[1:] for row in option["dataset"]["source"]}  # month: current, renewed, their tooltips
    assert len(rows) == len(option["dataset"]["source"])  # one segment per month and kind, not one per vendor
    # November: C-1 bills 10,000 a month, C-3 9,000 a quarter; January: only C-1's renewal (C-2 bills in EUR, which
    # has no fx rate here: left out, as the page warns)
    assert rows["Nov 2026"] == [19.0, None, "19,000 USD · Vendors: 2 · Top vendors: Acme Ltd, Initech GmbH", "–"]
    assert rows["Jan 2027"] == [None, 10.0, "–", "10,000 USD · Vendors: 1 · Top vendors: Acme Ltd"]
    con = database(CONTRACTS, path=tmp_path / "same.duckdb")  # the page's database holds its file: a twin
    on = settings.as_of(con)
    first = on.replace(day=1)
    shown = contracts.filter_register(contracts.register(con, on=on), statuses=["active", "not started"])
    expected = contracts.committed_by_month(con, start=first, end=fiscal.add_months(first, 24) - dt.timedelta(days=1),
                                            on=on, contract_ids=tuple(sorted(shown["contract_id"])))
    drawn = sum(1000 * v for current, renewed, *_ in rows.values() for v in (current, renewed) if v is not None)
    assert drawn == pytest.approx(expected["amount_rc"].dropna().astype(float).sum(), abs=0.01)
    assert drawn > 0


def test_timeline_draws_each_term_from_its_start_to_its_end_in_the_colour_of_its_kind(app):
    """Bars are stacked on transparent spacers (charts.gantt): read back, each term spans exactly its days."""
    import datetime as dt

    def day(ms: int) -> dt.date:
        return dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc).date()

    option = chart(open_tab(app, "Renewal timeline"), "contracts_timeline")
    rows = option["yAxis"]["data"]
    # the nearest deadline first: C-2's cancel-by in 16 days, C-3's end in 77, C-1's next cancel-by (its current one
    # was missed) next October; C-4 expired: not shown
    assert rows == ["C-2\nGlobex Inc", "C-3\nInitech GmbH", "C-1\nAcme Ltd"]
    assert "dataZoom" not in option  # three rows: all drawn, no scroll bar
    bars = [s for s in option["series"] if s["type"] == "bar"]
    kind = {s["itemStyle"]["color"]: s["name"] for s in bars if not s["data"]}  # the legend's entries
    drawn, ends = [], [0] * len(rows)
    for series in bars:
        for i, item in enumerate(series["data"]):
            if isinstance(item, dict):  # a term
                drawn.append((rows[i][:3], day(ends[i]), day(ends[i] + item["value"]), kind[item["itemStyle"]["color"]]))
                ends[i] += item["value"]
            elif item is not None:  # the gap before it
                assert series["itemStyle"]["color"] == "transparent" and series["silent"]
                ends[i] += item
    D = dt.date
    assert sorted(drawn) == [  # from the window's start (Nov 2025) to 2 years ahead; a term ends the day before the next
        ("C-1", D(2025, 1, 1), D(2026, 1, 1), "past term"), ("C-1", D(2026, 1, 1), D(2027, 1, 1), "current term"),
        ("C-1", D(2027, 1, 1), D(2028, 1, 1), "projected auto-renewal"),
        ("C-1", D(2028, 1, 1), D(2029, 1, 1), "projected auto-renewal"),
        ("C-2", D(2025, 1, 1), D(2026, 1, 1), "past term"), ("C-2", D(2026, 1, 1), D(2027, 1, 1), "current term"),
        ("C-2", D(2027, 1, 1), D(2028, 1, 1), "projected auto-renewal"),
        ("C-2", D(2028, 1, 1), D(2029, 1, 1), "projected auto-renewal"),
        ("C-3", D(2024, 2, 1), D(2027, 2, 1), "current term")]  # express: no renewal, no cancel-by date
    marks = next(s for s in option["series"] if s["type"] == "scatter")
    assert marks["name"] == "cancel-by date"
    cancel_by = [(rows[item["value"][1]][:3], day(item["value"][0])) for item in marks["data"]]
    assert [day for row, day in cancel_by if row == "C-1"][:2] == [D(2025, 10, 2), D(2026, 10, 2)]  # 90 days' notice
    assert ("C-2", D(2026, 12, 1)) in cancel_by and not any(row == "C-3" for row, _ in cancel_by)
    assert {item["tooltip"]["formatter"] for item in marks["data"]} >= {"C-1 · Acme Ltd<br/>cancel by 2026-10-02"}
    assert marks["markLine"]["data"] == [{"xAxis": 1794700800000}]  # today, 2026-11-15
