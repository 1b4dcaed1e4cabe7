"""A bounded load test of the team server, on 127.0.0.1 only: browser sessions going round every page while an
editor imports spend lines through the API.

`python -m analytics loadtest [--db PATH | --rows N] [--sessions N] [--rounds R] [--import-rows M] [--minutes T]`
copies the database (or the bench demo of about N spend lines, built once under data/bench/), serves the copy
(`python -m analytics serve` on a free loopback port), opens N sessions in one headless Chromium (one browser
context each, so N Streamlit sessions) that each visit every page R times through the sidebar, and meanwhile
POSTs a generated file of M spend lines to /api/v1/import/spend with the server's owner token (an admin, so
an editor's rights). It reports per page the in-app page time (click to the script run finished with the
page's title shown) at the median and the 95th percentile, the pages that showed an exception or did not
finish, the import's time, and whether every imported line is there afterwards. It stops by itself: bounded
sessions, rounds and lines, and after T minutes the visits not made yet count as failures and the server is
stopped.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.request import Request, urlopen

from analytics import bench_pages, owner, store, warm

MAX_SESSIONS, MAX_ROUNDS, MAX_IMPORT_ROWS = 50, 10, 2_000_000  # bounds: it is a test, not an attack
MAX_MINUTES = 240
PAGE_TIMEOUT_S = 300


@dataclass
class LoadReport:
    spend_lines: int
    sessions: int
    rounds: int
    import_rows: int
    page_times: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    import_s: float | None = None
    import_error: str | None = None
    spend_after: int = 0
    minutes: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average at the start and the end

    @property
    def lost_rows(self) -> int:
        return self.spend_lines + self.import_rows - self.spend_after if self.import_error is None else 0


def spend_file(rows: int, folder: Path) -> Path:
    """A spend CSV of `rows` lines in the reporting currency's first fiscal month of the data."""
    path = folder / f"load-{rows}.csv"
    with path.open("w") as out:
        out.write("date,vendor,amount,currency,cost_center,category,invoice_id\n")
        for i in range(rows):
            out.write(f"2026-{1 + i % 12:02d}-{1 + i % 28:02d},Load Vendor {i % 50},{(i % 997) + 0.25},USD,"
                      f"Load Center {i % 7},Software,LT-{i}\n")
    return path


def _post_file(url: str, token: str, path: Path) -> dict:
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode()
    body = head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = Request(url + "/api/v1/import/spend", data=body, method="POST",
                      headers={"Authorization": f"Bearer {token}",
                               "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urlopen(request, timeout=3600) as response:
        return json.loads(response.read())


def _get_json(url: str, token: str, path: str) -> dict:
    request = Request(url + path, headers={"Authorization": f"Bearer {token}"})
    with urlopen(request, timeout=600) as response:
        return json.loads(response.read())


def _timeout_ms(deadline: float) -> float:
    """A visit waits PAGE_TIMEOUT_S at most, and never past the run's deadline (time.monotonic())."""
    return max(1.0, min(PAGE_TIMEOUT_S, deadline - time.monotonic())) * 1000


async def _session(browser, url: str, pages: list[tuple[str, str]], rounds: int, report: LoadReport, n: int,
                   deadline: float):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = await context.new_page()
    visits = [page for _ in range(rounds) for page in [*pages[1:], pages[0]]]
    try:
        try:
            await tab.goto(url, timeout=_timeout_ms(deadline))
            await tab.wait_for_function(bench_pages.DONE_JS, timeout=_timeout_ms(deadline))
        except Exception as exc:  # the session never opened: all its visits fail, the other sessions go on
            report.failures.append(f"session {n}: first load: {type(exc).__name__}; {len(visits)} visits not made")
            return
        for done, (_path, title) in enumerate(visits):
            if time.monotonic() >= deadline:
                report.failures.append(f"session {n}: {len(visits) - done} visits not made: time bound reached")
                break
            began = time.perf_counter()
            try:
                await tab.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
                await tab.wait_for_function(bench_pages.DONE_JS.replace(
                    "h1.innerText;", f"h1.innerText.startsWith({title!r});"), timeout=_timeout_ms(deadline))
            except Exception as exc:  # a timeout or a closed page: counted as a failure, the round goes on
                report.failures.append(f"session {n}: {title}: {type(exc).__name__}")
                continue
            report.page_times.setdefault(title, []).append(time.perf_counter() - began)
            if await tab.locator("[data-testid='stException']").count():
                report.failures.append(f"session {n}: {title}: exception on the page")
    finally:
        await context.close()


async def _browse(url: str, pages, sessions: int, rounds: int, report: LoadReport, deadline: float) -> None:
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=bench_pages.CHROMIUM, args=bench_pages.CHROMIUM_ARGS)
        try:
            await asyncio.gather(*(_session(browser, url, pages, rounds, report, n, deadline)
                                   for n in range(sessions)))
        finally:
            await browser.close()


def run(db: Path, *, sessions: int, rounds: int, import_rows: int, minutes: float = 90) -> LoadReport:
    """Serve a copy of `db` on 127.0.0.1, browse with `sessions` while importing `import_rows` lines; everything
    not done after `minutes` counts as failed and the server is stopped."""
    if not (1 <= sessions <= MAX_SESSIONS and 1 <= rounds <= MAX_ROUNDS and 0 <= import_rows <= MAX_IMPORT_ROWS
            and 0 < minutes <= MAX_MINUTES):
        raise ValueError(f"bounded: 1-{MAX_SESSIONS} sessions, 1-{MAX_ROUNDS} rounds, "
                         f"0-{MAX_IMPORT_ROWS:,} import rows, at most {MAX_MINUTES} minutes")
    began = time.monotonic()
    deadline = began + minutes * 60
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="outlay-load-") as folder:
        copy = Path(folder) / "outlay.duckdb"
        shutil.copy(db, copy)
        port = bench_pages.free_port()
        remembered = warm.calls_file(db)
        if remembered.exists():  # the page queries the source database's server was asked for (warm-up replays them)
            shutil.copy(remembered, warm.calls_file(copy))
        log = Path(folder) / "server.log"
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "analytics", "serve", "--port", str(port), "--address",
                                     "127.0.0.1", "--db", str(copy)], cwd=store.PROJECT_ROOT,
                                    stdout=out, stderr=subprocess.STDOUT)
        try:
            state = _wait_for(copy, proc)
            # people arrive at a started server: its first warm-up pass (the jobs a new Outlay must compute
            # again, the remembered page queries) is over before the sessions open
            bench_pages.wait_warm_up(log, timeout_s=max(1.0, deadline - time.monotonic()))
            url = f"http://127.0.0.1:{port}"
            before = _get_json(url, state.token, "/api/v1/status")["datasets"]["spend"]
            report = LoadReport(before, sessions, rounds, import_rows)
            upload = spend_file(import_rows, Path(folder)) if import_rows else None
            importer = threading.Thread(target=_import, args=(url, state.token, upload, report), daemon=True)
            if upload:
                importer.start()
            asyncio.run(_browse(url, bench_pages.app_pages(), sessions, rounds, report, deadline))
            if upload:
                importer.join(timeout=max(0.0, deadline - time.monotonic()))
                if importer.is_alive():
                    report.import_error = f"not finished within {minutes:g} minutes"
            if report.import_error is None:
                report.spend_after = _get_json(url, state.token, "/api/v1/status")["datasets"]["spend"]
            report.minutes = round((time.monotonic() - began) / 60, 1)
            report.load = (load_start, os.getloadavg()[0])
            return report
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:  # an import still writing when the time bound came
                proc.kill()
                proc.wait()


def _wait_for(db: Path, proc: subprocess.Popen) -> owner.ServerState:
    for _ in range(480):
        state = owner.running(db)
        if state is not None and state.pid == proc.pid:
            return state
        if proc.poll() is not None:
            raise RuntimeError("the server stopped before it was up")
        time.sleep(0.5)
    raise RuntimeError("the server did not start within four minutes")


def _import(url: str, token: str, path: Path, report: LoadReport) -> None:
    began = time.perf_counter()
    try:
        _post_file(url, token, path)
    except Exception as exc:  # reported, not raised: the browsing goes on and the report says it
        report.import_error = f"{type(exc).__name__}: {exc}"
    report.import_s = round(time.perf_counter() - began, 1)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def format_report(report: LoadReport) -> str:
    lines = [f"load test: {report.sessions} sessions x {report.rounds} round(s) over {report.spend_lines:,} spend "
             f"lines, importing {report.import_rows:,} lines meanwhile",
             f"{'page':<24}{'visits':>8}{'median':>10}{'p95':>10}"]
    every = []
    for title, times in report.page_times.items():
        every += times
        lines.append(f"{title:<24}{len(times):>8}{statistics.median(times):>9.2f}s{p95(times):>9.2f}s")
    if every:
        lines.append(f"{'all pages':<24}{len(every):>8}{statistics.median(every):>9.2f}s{p95(every):>9.2f}s")
    lines.append(f"failures: {len(report.failures)}" + "".join(f"\n  {f}" for f in report.failures[:20]))
    if report.import_rows:
        lines.append(f"import: {report.import_error or f'{report.import_rows:,} lines in {report.import_s} s'}; "
                     f"spend lines after: {report.spend_after:,} (lost: {report.lost_rows})")
    lines.append(f"{report.minutes} minutes; load average {report.load[0]:.1f} at the start, {report.load[1]:.1f} "
                 "at the end")
    return "\n".join(lines)


def markdown(report: LoadReport) -> str:
    """The run as the README shows it: a sentence of what ran and how it went, then the table per page."""
    every = [t for times in report.page_times.values() for t in times]
    visits = sum(len(times) for times in report.page_times.values())
    imported = (f"the import of {report.import_rows:,} lines took {report.import_s} s and lost {report.lost_rows} "
                "lines" if report.import_rows and report.import_error is None else
                f"the import failed: {report.import_error}" if report.import_rows else "no import")
    head = (f"{report.sessions} sessions × {report.rounds} round{'s' if report.rounds != 1 else ''} of every page over {report.spend_lines:,} spend "
            f"lines while {report.import_rows:,} lines were imported through the API ({report.minutes} minutes, "
            f"load average {report.load[0]:.1f} at the start and {report.load[1]:.1f} at the end): {visits} page "
            f"visits, {len(report.failures)} failures; {imported}.")
    rows = ["| page | visits | median | p95 |", "|---|---:|---:|---:|"]
    rows += [f"| {title} | {len(times)} | {statistics.median(times):.2f} s | {p95(times):.2f} s |"
             for title, times in report.page_times.items()]
    if every:
        rows.append(f"| **all pages** | {len(every)} | {statistics.median(every):.2f} s | {p95(every):.2f} s |")
    return "\n".join([head, "", *rows])
