"""A password sign-in in Chromium against the real server: it survives a reload (an HttpOnly, SameSite=Lax cookie
traded for the page's one-time ticket), sign-out ends it and clears the cookie, and a cookie whose session ended
or was revoked lets nobody in."""
import datetime as dt
import shutil
from pathlib import Path

import pytest

from analytics import accounts, sessions, store
from tests.test_browser import CHROMIUM, settle
from tests.test_server_api import start_server, stop_server

pytestmark = pytest.mark.browser

SIGN_IN = "Sign in to Outlay"


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    """(url, cookie tokens made before the server started: one whose session ended, one still standing)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed: apt-get install chromium")
    db = tmp_path_factory.mktemp("signin") / "outlay.duckdb"
    shutil.copy(demo_db, db)
    con = store.connect(db)
    accounts.add(con, "vera", role="viewer", password="password-vera", actor="test")
    long_ago = dt.datetime.now() - dt.timedelta(hours=accounts.SESSION_HOURS + 1)
    _, ticket = sessions.open_session(con, "vera", now=long_ago)
    ended = sessions.trade_ticket(con, ticket, now=long_ago)
    _, ticket = sessions.open_session(con, "vera")
    standing = sessions.trade_ticket(con, ticket)
    con.close()
    proc, url, _ = start_server(db)
    yield url, {"ended": ended, "standing": standing}
    stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def title(page) -> str:
    settle(page)
    return page.locator("h1").first.inner_text()


def session_cookies(context) -> list[dict]:
    return [c for c in context.cookies() if c["name"] == sessions.COOKIE]


def test_a_password_sign_in_survives_a_reload_and_sign_out_ends_it(server, browser):
    url, _ = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    assert title(page) == SIGN_IN
    page.get_by_role("textbox", name="User name").fill("vera")
    page.get_by_role("textbox", name="Password").fill("password-vera")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("text=Signed in as", timeout=120000)
    assert title(page) == "Overview"
    for _ in range(100):  # the page's call for the cookie is under way
        if session_cookies(context):
            break
        page.wait_for_timeout(100)
    (cookie,) = session_cookies(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert page.evaluate("document.cookie").find(sessions.COOKIE) == -1  # scripts cannot read it

    page.reload()
    assert title(page) == "Overview"
    assert "Signed in as vera (viewer)" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector(f"text={SIGN_IN}", timeout=120000)
    for _ in range(100):
        if not session_cookies(context):
            break
        page.wait_for_timeout(100)
    assert session_cookies(context) == []
    page.reload()
    assert title(page) == SIGN_IN

    # the cookie of the session signed out, put back by hand, is refused: the session was ended on the server
    context.add_cookies([{**cookie, "expires": -1}])
    page.reload()
    assert title(page) == SIGN_IN
    context.close()


@pytest.mark.parametrize("which,expected", [("ended", SIGN_IN), ("standing", "Overview"), ("made-up", SIGN_IN)])
def test_a_cookie_lets_in_only_while_its_session_stands(server, browser, which, expected):
    url, tokens = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": sessions.COOKIE, "value": tokens.get(which, "outlay_made-up"),
                          "url": url, "httpOnly": True, "sameSite": "Lax"}])
    page = context.new_page()
    page.goto(url)
    assert title(page) == expected
    if expected == SIGN_IN:
        assert page.locator('[data-testid="stMetric"]').count() == 0
    context.close()
