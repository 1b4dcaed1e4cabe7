"""Drive the real app in Chromium: every page renders with no Streamlit error element.

Runs against a copy of the demo database on a free port. Needs Debian's chromium
(/usr/bin/chromium; `.ci/run` installs it in CI). Screenshots go to docs/screenshots/ (the README shows them).
"""
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest

from views.navigation import PAGES

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "docs" / "screenshots"
# the first page is the default one and lives at the root URL
PRESENT = [("" if i == 0 else Path(p).stem, title)
           for i, (p, title, _) in enumerate(x for x in PAGES if (ROOT / x[0]).exists())]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI must install it: see .ci/run)")
        pytest.skip("chromium not installed: apt-get install chromium")
    db = tmp_path_factory.mktemp("browser") / "outlay.duckdb"
    shutil.copy(demo_db, db)
    port = _free_port()
    env = dict(os.environ, OUTLAY_DB=str(db))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode()[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


BUSY = '[data-testid="stAppSkeleton"], [data-testid="stStatusWidget"], [data-testid="stSkeleton"]'


def settle(page) -> None:
    """Wait until Streamlit has run the script and drawn every element (no skeletons, no running widget)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=60000)
    page.wait_for_selector('h1, [data-testid="stException"]', timeout=120000)
    quiet = 0
    for _ in range(240):
        page.wait_for_timeout(500)
        quiet = quiet + 1 if page.locator(BUSY).count() == 0 else 0
        if quiet >= 3:
            return


@pytest.mark.parametrize("url_path,title", PRESENT)
def test_page_renders_without_error(server, browser, url_path, title):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/{url_path}")
    settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{url_path or 'overview'}.png"), full_page=True)
    errors = page.locator('[data-testid="stException"]')
    assert "Page not found" not in page.inner_text("body")
    assert errors.count() == 0, errors.first.inner_text()
    assert page.locator("h1").count() >= 1
    page.close()


def test_navigation_links_every_page(server, browser):
    page = browser.new_page()
    page.goto(server)
    settle(page)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    for _, title in PRESENT:
        assert title in nav
    assert "common" not in nav.split()  # Streamlit's file-list navigation never shows
    page.close()


def test_phone_width_overview_renders(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{server}/?fy=2026")
    settle(page)
    page.screenshot(path=str(SHOTS / "overview-phone.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()


def _open_through_sidebar(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    settle(page)


def test_every_page_left_and_reopened_through_the_sidebar_shows_no_error(server, browser):
    """Streamlit drops a page's widget state when another page is shown; coming back must not fail
    (the Vendors page raised a KeyError here)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server)
    settle(page)
    titles = [title for _, title in PRESENT]
    for title, other in zip(titles, titles[1:] + titles[:1]):
        for step in (title, other, title):
            _open_through_sidebar(page, step)
            errors = page.locator('[data-testid="stException"]')
            assert errors.count() == 0, f"{step}: {errors.first.inner_text()}"
    page.close()


@pytest.mark.parametrize("url_path", ["sla", "contracts"])
def test_phone_width_pages_render(server, browser, url_path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{server}/{url_path}")
    settle(page)
    if url_path == "contracts":  # the alerts open first; the timeline has its tab
        page.get_by_role("tab", name="Renewal timeline").click()
        page.locator('[data-testid="stEChartsChart"] :is(canvas, svg)').first.wait_for(
            timeout=60000)
        settle(page)
    page.screenshot(path=str(SHOTS / f"{url_path}-phone.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    charts = page.locator('[data-testid="stEChartsChart"]')
    assert charts.count() >= 1
    widths = [charts.nth(i).bounding_box()["width"] for i in range(charts.count())]
    assert all(w >= 300 for w in widths), widths
    assert all(charts.nth(i).locator(":is(canvas, svg)").count()
               for i in range(charts.count()))  # drawn
    page.close()


def test_forecast_accuracy_tab_explains_the_backtest_with_under_forecasting_in_red(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{server}/forecast")
    settle(page)
    page.get_by_role("tab", name="Accuracy").click()
    page.get_by_text("1.0 would be as good as repeating last year").first.wait_for(timeout=60000)
    text = page.inner_text("body")
    assert "On the last 12 months held back, this method was off by" in text
    assert "because" in text  # the reason for the method
    assert page.locator('[data-testid="stException"]').count() == 0
    # "Under-forecast by ..." / "Over-forecast by ...": the innermost span, coloured by risk
    bias = page.locator('[data-testid="stMarkdownContainer"] span', has_text="forecast by").last
    colour = bias.evaluate("e => getComputedStyle(e).color")
    if "Under-forecast" in bias.inner_text():
        red, green, blue = (int(v) for v in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3])
        assert red > 150 and green < 100 and blue < 100, colour  # red, never green
    page.close()


@pytest.mark.parametrize("url_path", ["cloud", "forecast"])
def test_phone_width_tables_pages_render(server, browser, url_path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{server}/{url_path}")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    page.close()
