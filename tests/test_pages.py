"""Every page in the navigation opens on the demo database without an exception (AppTest), and
opening pages writes nothing to the database."""
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from views.navigation import PAGES

ROOT = Path(__file__).resolve().parents[1]
PRESENT = [path for path, _, _ in PAGES]


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


def test_settings_tabs_each_hold_their_settings_and_save_them(app_db):
    """General (the company, currencies, fiscal year, language), the rules' thresholds and the table of every setting
    run one at a time; each form saves its own settings."""
    from analytics import settings

    core = {s.name for s in settings.CORE_SETTINGS}
    rules = [s for s in settings.all_settings() if s.name not in core]
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("views/settings.py").run()
    assert {w.key for w in at.text_input} | {"setting_language"} == {f"setting_{name}" for name in core}
    at.session_state["settings_tab"] = "Rules and thresholds"
    at.run()
    assert [w.key for w in at.text_input] == [f"setting_{s.name}" for s in rules]
    numeric = next(s for s in rules if s.default.replace(".", "", 1).isdigit())
    at.text_input(key=f"setting_{numeric.name}").set_value(str(float(numeric.default) + 1))
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved 1 setting" in s.value for s in at.success)
    at.session_state["settings_tab"] = "Every setting with its default"
    at.run()
    table = at.dataframe[0].value
    assert len(table) == len(settings.all_settings())
    assert float(table.set_index("setting").loc[numeric.name, "value"]) == float(numeric.default) + 1


def fingerprint(path) -> dict[str, tuple]:
    """(rows, hash of all rows) per table of the database file."""
    con = duckdb.connect(str(path))
    try:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                            "where table_type = 'BASE TABLE' order by 1").fetchall()]
        return {t: con.execute(f'select count(*), bit_xor(hash(x)) from "{t}" x').fetchone() for t in tables}
    finally:
        con.close()


def test_opening_every_page_writes_nothing(app_db):
    """Pages only read: the forecast, audit findings and scorecards are stored by the jobs after writes."""
    before = fingerprint(app_db)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.run()
    for page in PRESENT:
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
    at.switch_page(PRESENT[0])  # and back, as a person does through the sidebar
    at.run()
    assert not at.exception
    from views import common
    common._connection.clear()  # let go of the app's connection before reading the file again
    assert fingerprint(app_db) == before
