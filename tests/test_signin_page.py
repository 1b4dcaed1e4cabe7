"""Sign-in in the app (AppTest): open without accounts, a sign-in page before any figure once one exists,
sessions that end, sign-out, pages by role, cost-center scope; and a clear message when the store is busy."""
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import accounts, metrics, settings, store
from views import navigation

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app_db(demo_copy, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    return demo_copy


def add_account(db, name: str, role: str, centers=()):
    con = store.connect(db)
    try:
        accounts.add(con, name, role=role, password="password-" + name, cost_centers=centers, actor="test")
    finally:
        con.close()


def opened() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    return at


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").set_value(name)
    at.text_input(key="signin_password").set_value(password)
    at.button[0].click()
    return at.run()


def test_without_accounts_a_local_visitor_sees_the_overview_at_once(app_db):
    at = opened()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert at.metric


def test_once_an_account_exists_nothing_is_shown_before_sign_in(app_db):
    add_account(app_db, "vera", "viewer")
    at = opened()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in to Outlay"]
    assert not at.metric and not at.dataframe
    sign_in(at, "vera", "not her password")
    assert [t.value for t in at.title] == ["Sign in to Outlay"]
    assert "Wrong user name or password." in [w.value for w in at.warning]


def test_signing_in_shows_the_pages_then_signing_out_ends_it(app_db):
    add_account(app_db, "vera", "viewer")
    at = sign_in(opened(), "vera", "password-vera")
    assert not at.exception
    assert at.title[0].value == "Overview" and at.metric
    assert "Signed in as **vera** (viewer)" in [c.value for c in at.sidebar.caption]
    at.sidebar.button(key="signout").click()
    at.run()
    assert [t.value for t in at.title] == ["Sign in to Outlay"]
    assert "You are signed out." in [w.value for w in at.warning]


def test_a_sign_in_opens_a_server_side_session_that_sign_out_ends(app_db):
    add_account(app_db, "vera", "viewer")
    at = sign_in(opened(), "vera", "password-vera")
    con = store.connect(app_db)  # the same process as the app: DuckDB shares its open database
    try:
        assert con.execute("select user_name from sessions").fetchall() == [("vera",)]
        at.sidebar.button(key="signout").click()
        at.run()
        assert con.execute("select count(*) from sessions").fetchone()[0] == 0
    finally:
        con.close()


def test_a_session_ended_elsewhere_signs_the_tab_out(app_db):
    from analytics import sessions
    add_account(app_db, "vera", "viewer")
    at = sign_in(opened(), "vera", "password-vera")
    assert at.title[0].value == "Overview"
    con = store.connect(app_db)
    try:
        (session_id,) = con.execute("select session_id from sessions").fetchone()
        sessions.end(con, session_id)  # as when the account is removed, or its cookie signed out
    finally:
        con.close()
    at.run()
    assert [t.value for t in at.title] == ["Sign in to Outlay"]
    assert "Your session has ended: sign in again." in [w.value for w in at.warning]


def test_a_signed_in_person_reads_the_app_in_their_own_language(app_db):
    add_account(app_db, "vera", "viewer")
    at = sign_in(opened(), "vera", "password-vera")
    assert at.title[0].value == "Overview"
    choice = at.sidebar.selectbox(key="my_language")
    assert choice.value == "" and choice.label == "My language"
    choice.set_value("de")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Übersicht"
    assert at.sidebar.selectbox(key="my_language").label == "Meine Sprache"
    con = store.connect(app_db)
    try:
        assert accounts.get(con, "vera").language == "de"
        assert settings.get(con, "language") == "en"  # the company's is unchanged
    finally:
        con.close()
    at.sidebar.button(key="signout").click()
    at.run()
    assert sign_in(at, "vera", "password-vera").title[0].value == "Übersicht"  # kept with her account


def test_a_session_ends_after_its_hours(app_db, monkeypatch):
    add_account(app_db, "vera", "viewer")
    at = sign_in(opened(), "vera", "password-vera")
    assert at.title[0].value == "Overview"
    monkeypatch.setattr(accounts, "SESSION_HOURS", 0)
    at.run()
    assert [t.value for t in at.title] == ["Sign in to Outlay"]
    assert any("session ended" in w.value for w in at.warning)


def test_a_user_limited_to_a_cost_center_can_only_choose_it_and_sees_no_company_wide_tile(app_db):
    add_account(app_db, "cleo", "editor", ("Cloud Platform",))
    at = sign_in(opened(), "cleo", "password-cleo")
    assert not at.exception
    assert at.sidebar.selectbox(key="filter_cost_center").options == ["Cloud Platform"]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles[metrics.label("cancel_by_due")] == "–"
    assert tiles["YTD actual, USD"] != "–"


@pytest.mark.parametrize("role,centers,hidden", [
    ("viewer", (), {"views/data.py", "views/settings.py", "views/admin.py"}),
    ("editor", (), {"views/settings.py", "views/admin.py"}),
    ("admin", (), set()),
    ("admin", ("Ops",), {p for p, _, _ in navigation.PAGES} - navigation.SCOPED),
])
def test_pages_a_role_cannot_use_are_not_in_the_menu(role, centers, hidden):
    shown = {p for p, _, _ in navigation.pages_for(accounts.User("u", role, centers))}
    assert shown == {p for p, _, _ in navigation.PAGES} - hidden


def test_a_busy_store_shows_who_holds_it_not_a_traceback(tmp_path, monkeypatch):
    db = tmp_path / "held.duckdb"
    store.connect(db).close()
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
                               "print('held', flush=True); time.sleep(120)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("OUTLAY_DB", str(db))
        at = opened()
        assert not at.exception
        assert any(f"in use by process {holder.pid}" in e.value for e in at.error)
    finally:
        holder.kill()
        holder.wait()
