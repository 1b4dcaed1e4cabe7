"""Every page in the navigation opens on the demo database without an exception (AppTest)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from views.navigation import PAGES

ROOT = Path(__file__).resolve().parents[1]
PRESENT = [path for path, _, _ in PAGES if (ROOT / path).exists()]


@pytest.fixture
def app_db(demo_copy, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    return demo_copy


def test_core_pages_are_in_the_navigation():
    assert {"views/overview.py", "views/data.py", "views/settings.py"} <= set(PRESENT)


@pytest.mark.parametrize("page", PRESENT)
def test_page_opens_without_exception(app_db, page):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} shows no title"


@pytest.mark.parametrize("page", PRESENT)
def test_page_has_an_empty_state_on_an_empty_database(tmp_path, monkeypatch, page):
    monkeypatch.setenv("OUTLAY_DB", str(tmp_path / "empty.duckdb"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_settings_page_saves_a_setting(app_db):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("views/settings.py")
    at.run()
    at.text_input(key="setting_company_name").set_value("Renamed Ltd")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert any("Saved 1 setting" in s.value for s in at.success)
    assert "Renamed Ltd" in at.caption[0].value
