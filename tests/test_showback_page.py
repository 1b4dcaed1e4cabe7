"""The Showback page on the demo company: opens with its flow chart, bill and unit costs; empty state."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app(demo_copy, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=240)
    at.run()
    at.switch_page("views/showback.py")
    at.run()
    return at


def test_showback_page_opens_with_flow_bill_and_unit_costs(app):
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Showback"
    assert [s.value for s in app.subheader] == ["Where the money flows", "Bill of IT by business unit (USD)",
                                                "Unit costs", "Budget vs actual by business unit"]
    assert app.metric[2].label == "Unallocated"


def test_choosing_a_business_unit_lists_its_rules_and_spend_lines(app):
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
