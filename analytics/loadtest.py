"""A bounded load test of the team server, on 127.0.0.1 only: sessions going round every page while an editor
imports spend lines through the API.

`python -m analytics loadtest [--db PATH | --rows N] [--sessions N] [--browsers K] [--rounds R] [--import-rows M]
[--minutes T]` copies the database (or the bench demo of about N spend lines, built once under data/bench/),
serves the copy (`python -m analytics serve` on a free loopback port) and opens N Streamlit sessions that each
go round every page R times (and on while the import runs, until one whole round began after it landed), while
it POSTs a generated file of M spend lines to /api/v1/import/spend with the
server's owner token (an admin, so an editor's rights).

K of the sessions are headless Chromium tabs clicking the sidebar (what a person sees: click to the script run
finished with the page's title on screen); the other N - K speak Streamlit's own websocket protocol, as the
browser does (a `rerun_script` message naming the page, then the server's elements up to `script_finished`),
so twenty sessions load the server, not the test machine's cores with twenty renderers. Both kinds count a
page as failed when it shows an exception, another title, or is not finished within 300 s.

It reports per page the times at the median and the 95th percentile (protocol sessions and browser sessions
apart), the failures, the import's time, and whether every imported line is there afterwards. It stops by
itself: bounded sessions, rounds and lines, and after T minutes the visits not made yet count as failures and
the server is stopped.
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
MAX_BROWSERS = 20
PAGE_TIMEOUT_S = 300


@dataclass
class LoadReport:
    spend_lines: int
    sessions: int
    rounds: int
    import_rows: int
    browsers: int = 0
    page_times: dict[str, list[float]] = field(default_factory=dict)  # the protocol sessions' visits
    browser_times: dict[str, list[float]] = field(default_factory=dict)  # the Chromium sessions' visits
    after_import: list[float] = field(default_factory=list)  # every visit begun after the import had landed
    import_landed: float | None = None  # time.monotonic() when the import returned (None: running, or none)
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


def _visits(pages: list[tuple[str, str]], rounds: int, report: LoadReport):
    """The pages a session visits, round after round through the sidebar (the Overview last, as it opened on it):
    at least `rounds` rounds, and while an import runs more, until one whole round began after it landed, so
    pages are measured during the import and on the new data it leaves."""
    order, done = [*pages[1:], pages[0]], 0
    while True:
        began = time.monotonic()
        yield from order
        done += 1
        landed = report.import_landed
        if done >= rounds and (not report.import_rows or (landed is not None and began >= landed)):
            return


def _timed(report: LoadReport, times: dict[str, list[float]], title: str, began: float, seconds: float) -> None:
    times.setdefault(title, []).append(seconds)
    if report.import_landed is not None and began >= report.import_landed:
        report.after_import.append(seconds)


async def _protocol_session(url: str, pages: list[tuple[str, str]], rounds: int, report: LoadReport, n: int,
                            deadline: float) -> None:
    """One Streamlit session without a browser: the messages Chromium sends when the app opens and when a
    sidebar link is clicked, timed from sending to the server's `script_finished`."""
    import websockets
    host = url.removeprefix("http://")
    try:
        async with websockets.connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], origin=url,
                                      max_size=None, open_timeout=_timeout_ms(deadline) / 1000) as ws:
            try:
                _, _, hashes = await asyncio.wait_for(_run_page(ws, "", ""), _timeout_ms(deadline) / 1000)
            except Exception as exc:  # the session never opened: all its visits fail, the other sessions go on
                report.failures.append(f"session {n}: first load: {type(exc).__name__}; no visit made")
                return
            for path, title in _visits(pages, rounds, report):
                if time.monotonic() >= deadline:
                    report.failures.append(f"session {n}: the rest of its visits not made: time bound reached")
                    break
                began, at = time.perf_counter(), time.monotonic()
                try:
                    heading, exceptions, _ = await asyncio.wait_for(_run_page(ws, path, hashes.get(path, "")),
                                                                    _timeout_ms(deadline) / 1000)
                except Exception as exc:  # a timeout or a closed connection: a failure, then the session ends
                    report.failures.append(f"session {n}: {title}: {type(exc).__name__}; the rest of its visits "
                                           "not made")
                    return
                _timed(report, report.page_times, title, at, time.perf_counter() - began)
                if exceptions:
                    report.failures.append(f"session {n}: {title}: exception on the page")
                elif not heading.startswith(title):
                    report.failures.append(f"session {n}: {title}: the page showed {heading!r}")
    except Exception as exc:  # the connection itself failed
        report.failures.append(f"session {n}: connection: {type(exc).__name__}: {exc}")


# Streamlit's websocket messages (protobuf), read and written by field number so that the analytics layer does not
# import Streamlit; tests/test_loadtest.py checks these numbers against the installed Streamlit's own definitions.
WIRE = {
    "BackMsg.rerun_script": 11, "ClientState.widget_states": 2, "ClientState.page_script_hash": 3,
    "ClientState.page_name": 4, "ClientState.context_info": 8,
    "ForwardMsg.delta": 5, "ForwardMsg.script_finished": 6, "ForwardMsg.navigation": 23,
    "Delta.new_element": 3, "Element.exception": 8, "Element.heading": 47, "Heading.body": 3,
    "Navigation.app_pages": 2, "AppPage.page_script_hash": 1, "AppPage.url_pathname": 6,
}
FINISHED_EARLY_FOR_RERUN = 2  # ForwardMsg.ScriptFinishedStatus: the run stopped for another one


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(name: str, payload: bytes) -> bytes:
    """A length-delimited field (string or message)."""
    return _varint(WIRE[name] << 3 | 2) + _varint(len(payload)) + payload


def _fields(buf: bytes) -> dict[int, list]:
    """{field number: [values]} of one message: ints for varints, bytes for strings and messages."""
    found, at = {}, 0

    def varint() -> int:
        nonlocal at
        value, shift = 0, 0
        while True:
            byte = buf[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value
    while at < len(buf):
        key = varint()
        number, kind = key >> 3, key & 7
        if kind == 0:
            value = varint()
        elif kind == 2:
            size = varint()
            value, at = buf[at:at + size], at + size
        else:  # fixed 64 or 32 bits: nothing the load test reads
            value, at = None, at + (8 if kind == 1 else 4)
        found.setdefault(number, []).append(value)
    return found


def _first(message: dict[int, list], name: str):
    values = message.get(WIRE[name])
    return values[0] if values else None


async def _run_page(ws, path: str, page_hash: str) -> tuple[str, int, dict[str, str]]:
    """Ask for one page as the browser does; wait for its run to finish. (first heading, exceptions shown,
    {url path: page hash} from the navigation message when the server sent one)."""
    state = (_field("ClientState.widget_states", b"") + _field("ClientState.page_script_hash", page_hash.encode())
             + _field("ClientState.page_name", path.encode()) + _field("ClientState.context_info", b""))
    await ws.send(_field("BackMsg.rerun_script", state))
    heading, exceptions, hashes = "", 0, {}
    while True:
        msg = _fields(await ws.recv())
        if (navigation := _first(msg, "ForwardMsg.navigation")) is not None:
            pages = [_fields(page) for page in _fields(navigation).get(WIRE["Navigation.app_pages"], [])]
            hashes = {(_first(page, "AppPage.url_pathname") or b"").decode():
                      (_first(page, "AppPage.page_script_hash") or b"").decode() for page in pages}
        elif (delta := _first(msg, "ForwardMsg.delta")) is not None:
            element = _first(_fields(delta), "Delta.new_element")
            if element is not None:
                element = _fields(element)
                if _first(element, "Element.exception") is not None:
                    exceptions += 1
                elif (head := _first(element, "Element.heading")) is not None and not heading:
                    heading = (_first(_fields(head), "Heading.body") or b"").decode()
        elif WIRE["ForwardMsg.script_finished"] in msg:
            if _first(msg, "ForwardMsg.script_finished") != FINISHED_EARLY_FOR_RERUN:
                return heading, exceptions, hashes


async def _session(browser, url: str, pages: list[tuple[str, str]], rounds: int, report: LoadReport, n: int,
                   deadline: float):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = await context.new_page()
    try:
        try:
            await tab.goto(url, timeout=_timeout_ms(deadline))
            await tab.wait_for_function(bench_pages.DONE_JS, timeout=_timeout_ms(deadline))
        except Exception as exc:  # the session never opened: all its visits fail, the other sessions go on
            report.failures.append(f"session {n}: first load: {type(exc).__name__}; no visit made")
            return
        for _path, title in _visits(pages, rounds, report):
            if time.monotonic() >= deadline:
                report.failures.append(f"session {n}: the rest of its visits not made: time bound reached")
                break
            began, at = time.perf_counter(), time.monotonic()
            try:
                await tab.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
                await tab.wait_for_function(bench_pages.DONE_JS.replace(
                    "h1.innerText;", f"h1.innerText.startsWith({title!r});"), timeout=_timeout_ms(deadline))
            except Exception as exc:  # a timeout or a closed page: counted as a failure, the round goes on
                report.failures.append(f"session {n}: {title}: {type(exc).__name__}")
                continue
            _timed(report, report.browser_times, title, at, time.perf_counter() - began)
            if await tab.locator("[data-testid='stException']").count():
                report.failures.append(f"session {n}: {title}: exception on the page")
    finally:
        await context.close()


async def _browse(url: str, pages, sessions: int, browsers: int, rounds: int, report: LoadReport,
                  deadline: float) -> None:
    protocol = [_protocol_session(url, pages, rounds, report, n, deadline) for n in range(browsers, sessions)]
    if not browsers:
        await asyncio.gather(*protocol)
        return
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=bench_pages.CHROMIUM, args=bench_pages.CHROMIUM_ARGS)
        try:
            await asyncio.gather(*(_session(browser, url, pages, rounds, report, n, deadline)
                                   for n in range(browsers)), *protocol)
        finally:
            await browser.close()


def run(db: Path, *, sessions: int, rounds: int, import_rows: int, minutes: float = 90,
        browsers: int | None = None) -> LoadReport:
    """Serve a copy of `db` on 127.0.0.1, browse with `sessions` (`browsers` of them in Chromium, the others at
    the protocol level) while importing `import_rows` lines; everything not done after `minutes` counts as
    failed and the server is stopped. `browsers` defaults to 2 (or 1 for a single session)."""
    browsers = min(2, sessions) if browsers is None else browsers
    if not (1 <= sessions <= MAX_SESSIONS and 1 <= rounds <= MAX_ROUNDS and 0 <= import_rows <= MAX_IMPORT_ROWS
            and 0 < minutes <= MAX_MINUTES and 0 <= browsers <= min(sessions, MAX_BROWSERS)):
        raise ValueError(f"bounded: 1-{MAX_SESSIONS} sessions (0-{MAX_BROWSERS} of them in Chromium), "
                         f"1-{MAX_ROUNDS} rounds, 0-{MAX_IMPORT_ROWS:,} import rows, at most {MAX_MINUTES} minutes")
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
            report = LoadReport(before, sessions, rounds, import_rows, browsers)
            upload = spend_file(import_rows, Path(folder)) if import_rows else None
            importer = threading.Thread(target=_import, args=(url, state.token, upload, report), daemon=True)
            if upload:
                importer.start()
            asyncio.run(_browse(url, bench_pages.app_pages(), sessions, browsers, rounds, report, deadline))
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
    report.import_landed = time.monotonic()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _stats(times: list[float]) -> str:
    return f"{len(times)}, {statistics.median(times):.2f} s, {p95(times):.2f} s" if times else "–"


def _rows(report: LoadReport) -> list[tuple[str, list[float], list[float]]]:
    """(page, protocol sessions' times, browser sessions' times) per page in the order first visited, then all
    pages."""
    titles = list(dict.fromkeys([*report.page_times, *report.browser_times]))
    rows = [(title, report.page_times.get(title, []), report.browser_times.get(title, [])) for title in titles]
    if titles:
        rows.append(("all pages", [t for _, times, _ in rows for t in times], [t for *_, times in rows for t in times]))
    return rows


def format_report(report: LoadReport) -> str:
    lines = [f"load test: {report.sessions} sessions ({report.browsers} in Chromium) x {report.rounds} round(s) "
             f"over {report.spend_lines:,} spend lines, importing {report.import_rows:,} lines meanwhile",
             f"{'page':<24}{'protocol: visits, median, p95':>32}{'Chromium: visits, median, p95':>32}"]
    for title, protocol, browser in _rows(report):
        lines.append(f"{title:<24}{_stats(protocol):>32}{_stats(browser):>32}")
    lines.append(f"failures: {len(report.failures)}" + "".join(f"\n  {f}" for f in report.failures[:20]))
    if report.import_rows:
        lines.append(f"import: {report.import_error or f'{report.import_rows:,} lines in {report.import_s} s'}; "
                     f"spend lines after: {report.spend_after:,} (lost: {report.lost_rows})")
        lines.append(f"visits begun after the import landed (visits, median, p95): {_stats(report.after_import)}")
    lines.append(f"{report.minutes} minutes; load average {report.load[0]:.1f} at the start, {report.load[1]:.1f} "
                 "at the end")
    return "\n".join(lines)


def markdown(report: LoadReport) -> str:
    """The run as the README shows it: a sentence of what ran and how it went, then the table per page."""
    visits = sum(map(len, report.page_times.values())) + sum(map(len, report.browser_times.values()))
    imported = (f"the import of {report.import_rows:,} lines took {report.import_s} s and lost {report.lost_rows} "
                "lines" if report.import_rows and report.import_error is None else
                f"the import failed: {report.import_error}" if report.import_rows else "no import")
    head = (f"{report.sessions} sessions ({report.sessions - report.browsers} at the protocol level, "
            f"{report.browsers} in Chromium) × {report.rounds} round{'s' if report.rounds != 1 else ''} of every "
            f"page over {report.spend_lines:,} spend lines while {report.import_rows:,} lines were imported through "
            f"the API ({report.minutes} minutes, load average {report.load[0]:.1f} at the start and "
            f"{report.load[1]:.1f} at the end): {visits} page visits, {len(report.failures)} failures; {imported}."
            + (f" Visits begun after the import landed (on the new data): {_stats(report.after_import)} (count, "
               "median, p95)." if report.import_rows and report.after_import else ""))

    def cells(times: list[float]) -> str:
        return (f"{len(times)} | {statistics.median(times):.2f} s | {p95(times):.2f} s" if times else "0 | – | –")
    rows = ["| page | protocol visits | median | p95 | Chromium visits | median | p95 |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    rows += [f"| {'**all pages**' if title == 'all pages' else title} | {cells(protocol)} | {cells(browser)} |"
             for title, protocol, browser in _rows(report)]
    return "\n".join([head, "", *rows])
