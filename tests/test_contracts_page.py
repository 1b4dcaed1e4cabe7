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



def test_committed_chart_draws_one_bar_per_month_and_kind_of_term_with_the_totals(app, tmp_path):
    """The chart sums the vendors of a month (contracts.committed_totals): same total as the payments it draws."""
    import base64
    import datetime as dt
    import json

    import numpy as np

    from analytics import contracts, fiscal, settings

    def values(array):  # plotly sends numbers as base64 typed arrays
        if isinstance(array, dict):
            return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
        return array

    chart = next(c for c in app.get("plotly_chart") if c.proto.id.endswith("contracts_committed"))
    bars = json.loads(chart.proto.spec)["data"]
    assert [bar["name"] for bar in bars] == ["current terms", "terms it will auto-renew into"]
    assert all(len(bar["x"]) == len(set(bar["x"])) for bar in bars)  # one segment per month, not one per vendor
    con = database(CONTRACTS, path=tmp_path / "same.duckdb")  # the page's database holds its file: a twin
    on = settings.as_of(con)
    first = on.replace(day=1)
    shown = contracts.filter_register(contracts.register(con, on=on), statuses=["active", "not started"])
    expected = contracts.committed_by_month(con, start=first, end=fiscal.add_months(first, 24) - dt.timedelta(days=1),
                                            on=on, contract_ids=tuple(sorted(shown["contract_id"])))
    drawn = sum(float(v) for bar in bars for v in values(bar["y"]))
    assert drawn == pytest.approx(expected["amount_rc"].dropna().astype(float).sum(), abs=0.01)
    assert drawn > 0
