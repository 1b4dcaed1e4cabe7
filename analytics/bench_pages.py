"""The page benchmark: every page timed in a real browser (headless Chromium through Playwright).

`python -m analytics bench --pages --rows N` starts the server (`python -m analytics serve`) on a free
loopback port over the bench database of N spend lines (its jobs run first, as after an import), then for
every page:
- cold: a new browser session opens the page's URL on the freshly started server, with nothing remembered
  from an earlier run (the worst case: the first visitor after the very first start);
- warm: the page is reached through the sidebar: its first visit in a new session that has shown only the
  landing page (no code of that page's elements loaded yet), and a revisit inside one session that has visited
  every page (after another page);
- after warm-up: the server is restarted, does its warm-up (it replays the page queries the first run made,
  analytics.warm) and a new browser session opens each page's URL again (what people see after a restart,
  an import or any other write), twice:
  - in a new browser profile each time (no cached or compiled frontend code: someone's first visit ever);
  - in a new tab of a browser that has opened the app once before (a new Streamlit session, with the
    frontend's code in the browser's cache as the files are served immutable: someone coming back).
A page counts as shown when it is drawn (DONE_JS): its script run is over, its title is on screen and the
charts and tables in the window are drawn. Requests leaving the machine are counted (there should be none:
the app works offline).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import urlopen

from analytics import store, warm

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# A page counts as shown when its script run is over, its title is on screen and what the window shows is drawn: no
# element still waiting for its code (Streamlit shows a skeleton until the module of that kind of element has
# loaded), every chart in the window drawn (its canvas or svg: ECharts draws at once, without animation) and every table
# in the window drawn (the data grid's canvas; a table in a closed expander or below the window is drawn when it
# comes into view). Without the last three, a new session's page counted as shown about a second before its charts
# and tables appeared.
DONE_JS = ("() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
           " const h1 = document.querySelector('h1');"
           " const shown = (id) => [...document.querySelectorAll(`[data-testid=\"${id}\"]`)]"
           ".filter(e => e.checkVisibility() && e.getBoundingClientRect().top < window.innerHeight);"
           " const drawn = shown('stSkeleton').length === 0"
           " && shown('stEChartsChart').every(e => e.querySelector(':is(canvas, svg)'))"
           " && shown('stDataFrame').every(e => e.querySelector('canvas'));"
           " return app && app.getAttribute('data-test-script-state') === 'notRunning' && drawn && h1 && h1.innerText; }")


@dataclass
class PageTiming:
    page: str
    cold_s: float
    first_visit_s: float
    revisit_s: float
    errors: int = 0
    after_warm_up_s: float | None = None
    returning_s: float | None = None


@dataclass
class PagesReport:
    db: str
    spend_lines: int
    server_start_s: float
    pages: list[PageTiming] = field(default_factory=list)
    warm_up_s: float | None = None
    warm_up_queries: int | None = None
    outside_requests: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, log: Path) -> tuple[subprocess.Popen, float]:
    """`python -m analytics serve` on 127.0.0.1:port over `db`, its output in `log`; returns (process, seconds
    until healthy)."""
    began = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "analytics", "serve", "--port", str(port), "--db", str(db)],
                                cwd=store.PROJECT_ROOT, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT)
    for _ in range(480):
        try:
            if urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                return proc, time.perf_counter() - began
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise RuntimeError(f"the app did not start within two minutes (see {log})")


WARMED = re.compile(r"warm-up of data version \d+: (\d+) page queries in ([\d.]+) s")


def wait_warm_up(log: Path, timeout_s: float = 600.0) -> tuple[int, float]:
    """Until the server reports its first warm-up pass: (queries replayed, seconds it took)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        found = WARMED.search(log.read_text(errors="replace"))
        if found:
            return int(found.group(1)), float(found.group(2))
        time.sleep(0.5)
    raise RuntimeError(f"no warm-up within {timeout_s:.0f} s (see {log})")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def wait_shown(page, title: str, timeout_s: float = 180.0) -> None:
    """Until the script run is over, the page's title is on screen and its elements are drawn (DONE_JS)."""
    page.wait_for_function(DONE_JS.replace("h1.innerText;", f"h1.innerText.startsWith({title!r});"),
                           timeout=timeout_s * 1000)


def _errors(page) -> int:
    return len(page.query_selector_all("[data-testid='stException']"))


def time_new_sessions(url: str, pages: list[tuple[str, str]], *, returning: bool = False
                      ) -> dict[str, tuple[float, int]]:
    """Each page opened by its URL in a new Streamlit session: {path: (seconds, errors)}. Each in a new browser
    profile (an empty cache), or with `returning` in a new tab of one profile that has opened the landing page
    once before (its cache holds the frontend's code, as a returning user's browser does)."""
    from playwright.sync_api import sync_playwright
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        profile = browser.new_context(viewport={"width": 1400, "height": 1000}) if returning else None
        if profile is not None:
            tab = profile.new_page()
            tab.goto(url)
            wait_shown(tab, pages[0][1])
            tab.close()
        for path, title in pages:
            tab = profile.new_page() if profile is not None else browser.new_page(viewport={"width": 1400,
                                                                                             "height": 1000})
            began = time.perf_counter()
            tab.goto(f"{url}/{path}")
            wait_shown(tab, title)
            out[path] = (time.perf_counter() - began, _errors(tab))
            tab.close()
        browser.close()
    return out


def time_pages(url: str, pages: list[tuple[str, str]]) -> tuple[list[PageTiming], list[str]]:
    """(path, title) pages: cold (new session per page); first visit through the sidebar from the landing page
    in a new session; revisit through the sidebar once every page has been visited in one session."""
    from playwright.sync_api import sync_playwright
    outside: list[str] = []
    timings = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def new_page():
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in
                   ("127.0.0.1", "localhost", None) and not r.url.startswith("data:") else None)
            return tab
        cold = {}
        for path, title in pages:
            tab = new_page()
            began = time.perf_counter()
            tab.goto(f"{url}/{path}")
            wait_shown(tab, title)
            cold[path] = (time.perf_counter() - began, _errors(tab))
            tab.close()
        # a page's first visit: a new session that has shown only the landing page (the worst case: no element
        # code of that page loaded yet; after other pages it was up to 0.6 s less, e.g. Contracts 1.0 vs 1.6 s)
        first = {}
        for i, (path, title) in enumerate(pages):
            landing_path, landing_title = pages[1 if i == 0 else 0]
            tab = new_page()
            tab.goto(f"{url}/{landing_path}")
            wait_shown(tab, landing_title)
            began = time.perf_counter()
            tab.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
            wait_shown(tab, title)
            first[path] = time.perf_counter() - began
            tab.close()
        tab = new_page()
        tab.goto(url)
        wait_shown(tab, pages[0][1])
        visits: dict[str, list[float]] = {path: [] for path, _ in pages}
        for _round in range(2):
            for path, title in [*pages[1:], pages[0]]:
                began = time.perf_counter()
                tab.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
                wait_shown(tab, title)
                visits[path].append(time.perf_counter() - began)
        for path, _title in pages:
            timings.append(PageTiming(path or "overview", round(cold[path][0], 2), round(first[path], 2),
                                      round(visits[path][1], 2), cold[path][1]))
        browser.close()
    return timings, sorted(set(outside))


def app_pages() -> list[tuple[str, str]]:
    """(url path, title) of the app's pages in menu order, read from views/navigation.py (plain data; the
    analytics layer never imports views). The first page lives at the root URL."""
    import runpy
    declared = runpy.run_path(str(store.PROJECT_ROOT / "views" / "navigation.py"))["PAGES"]
    return [("" if i == 0 else Path(path).stem, title) for i, (path, title, _icon) in enumerate(declared)]


def run(db: Path, spend_lines: int, pages: list[tuple[str, str]] | None = None) -> PagesReport:
    pages = pages or app_pages()
    warm.calls_file(db).unlink(missing_ok=True)  # the first start knows nothing of earlier runs
    log = db.with_name(db.name + ".bench-server.log")
    proc, started = start_server(db, port := free_port(), log)
    try:
        timings, outside = time_pages(f"http://127.0.0.1:{port}", pages)
    finally:
        stop_server(proc)
    proc, _ = start_server(db, port := free_port(), log)
    try:
        queries, warm_s = wait_warm_up(log)
        again = time_new_sessions(f"http://127.0.0.1:{port}", pages)
        returning = time_new_sessions(f"http://127.0.0.1:{port}", pages, returning=True)
    finally:
        stop_server(proc)
    for t, (path, _title) in zip(timings, pages):
        t.after_warm_up_s = round(again[path][0], 2)
        t.returning_s = round(returning[path][0], 2)
        t.errors += again[path][1] + returning[path][1]
    return PagesReport(str(db), spend_lines, round(started, 2), timings, outside_requests=outside,
                       warm_up_s=round(warm_s, 1), warm_up_queries=queries)


def format_report(report: PagesReport) -> str:
    lines = [f"pages in Chromium: {report.db} ({report.spend_lines:,} spend lines); server up in "
             f"{report.server_start_s:.1f} s; after a restart its warm-up replayed {report.warm_up_queries} page "
             f"queries in {report.warm_up_s} s",
             "new session: on the fresh server / after warm-up in a new browser profile / after warm-up in a new "
             "tab of a browser that has opened the app before",
             f"{'page':<12}{'new session':>14}{'after warm-up':>15}{'returning':>11}{'first visit':>14}"
             f"{'revisit':>10}{'errors':>8}"]
    for t in report.pages:
        lines.append(f"{t.page:<12}{t.cold_s:>13.2f}s{t.after_warm_up_s:>14.2f}s{t.returning_s:>10.2f}s"
                     f"{t.first_visit_s:>13.2f}s{t.revisit_s:>9.2f}s{t.errors:>8}")
    worst = [max(t.first_visit_s, t.revisit_s) for t in report.pages]
    lines.append(f"median in-app navigation {statistics.median(worst):.2f} s, worst {max(worst):.2f} s; "
                 f"worst new session {max(t.cold_s for t in report.pages):.2f} s on a fresh server, "
                 f"{max(t.after_warm_up_s for t in report.pages):.2f} s after warm-up, "
                 f"{max(t.returning_s for t in report.pages):.2f} s in a returning browser")
    lines.append(f"requests leaving the machine: {len(report.outside_requests)}"
                 + "".join(f"\n  {u}" for u in report.outside_requests[:20]))
    return "\n".join(lines)
