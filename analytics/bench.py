"""The benchmark: how fast the pages' queries and the imports are on a demo company of N spend lines.

Query cases come from every domain module's `bench_cases(con)` (see registry.py): each is a
zero-argument callable, timed `repeat` times; the median is reported. A case may carry a floor: the same
aggregate written as plain SQL over the same file (a `Floor(sql, params)`), timed the same way, and the
report prints how many times the floor the page's query takes (the target is at most 1.5x). Import throughput is
measured on a spend CSV and a smaller XLSX written with the export code and imported into a
scratch database. The bench database is built once per size under data/bench/ (in a child
process, so this process's peak memory is that of the queries and imports only).
"""
from __future__ import annotations

import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analytics import demo, exchange, ingest, jobs, memo, registry, store
from analytics.reports import xlsx

BENCH_DIR = store.PROJECT_ROOT / "data" / "bench"
BENCH_AS_OF = dt.date(2026, 11, 15)
# measured: the demo makes about FIXED_LINES + LINES_PER_SCALE x scale spend lines (contract
# bills do not scale, purchases and usage do); used to pick the scale for N rows
FIXED_LINES = 1_040
LINES_PER_SCALE = 42_126


@dataclass(frozen=True)
class Floor:
    """The same aggregate as a bench case, as plain SQL with bound parameters."""
    sql: str
    params: dict = field(default_factory=dict)


@dataclass
class CaseTiming:
    module: str
    case: str
    median_s: float | None
    min_s: float | None
    runs: int
    error: str | None = None
    floor_median_s: float | None = None

    @property
    def floor_ratio(self) -> float | None:
        if self.median_s is None or not self.floor_median_s:
            return None
        return self.median_s / self.floor_median_s


@dataclass
class ImportTiming:
    file: str
    rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class BenchReport:
    db: str
    spend_lines: int
    built: bool
    build_s: float | None
    repeat: int
    cases: list[CaseTiming] = field(default_factory=list)
    imports: list[ImportTiming] = field(default_factory=list)
    peak_rss_queries_mb: float = 0.0
    peak_rss_mb: float = 0.0

    def as_dict(self) -> dict:
        out = asdict(self)
        for item, timing in zip(out["imports"], self.imports):
            item["rows_per_s"] = round(timing.rows_per_s)
        return out


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def scale_for(rows: int) -> float:
    return round(max((rows - FIXED_LINES) / LINES_PER_SCALE, 0.001), 6)


def bench_db_path(rows: int, directory: Path | None = None) -> Path:
    """The bench database for `rows` lines; the generator version in the name retires stale ones."""
    return Path(directory or BENCH_DIR) / f"spend-{rows}-demo{demo.GENERATOR_VERSION}.duckdb"


def spend_lines(path: Path) -> int | None:
    """Spend lines of the demo in `path`, or None when it is not a usable bench database."""
    if not path.exists():
        return None
    try:
        con = store.connect(path, read_only=True)
    except store.StoreError:
        return None
    try:
        row = con.execute("select sum(row_count) from import_batches where file_name = 'demo:spend'").fetchone()
        return int(row[0]) if row and row[0] is not None else None
    except Exception:  # an unrelated or damaged file: rebuild it
        return None
    finally:
        con.close()


def ensure_db(rows: int, directory: Path | None = None) -> tuple[Path, bool, float | None]:
    """(path, built now?, build seconds) of a demo database with about `rows` spend lines."""
    path = bench_db_path(rows, directory)
    if spend_lines(path):
        return path, False, None
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "analytics", "demo", "--db", str(path), "--as-of", BENCH_AS_OF.isoformat(),
                    "--scale", repr(scale_for(rows)), "--force"], check=True, stdout=subprocess.DEVNULL,
                   cwd=store.PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(store.PROJECT_ROOT)})
    return path, True, time.perf_counter() - started


def ready_for_pages(path: str | Path) -> int:
    """Run the jobs on the database (as after an import: pages read stored results) and checkpoint it, so a
    copy of the file carries them; returns its spend lines."""
    con = store.connect(path)
    try:
        jobs.refresh(con)
        lines = con.execute("select count(*) from spend").fetchone()[0]
        con.execute("checkpoint")
    finally:
        con.close()
    return lines


def collect_cases(con, *, only: set[str] | None = None) -> list[tuple[str, str, callable, Floor | None]]:
    """(module, case, callable, floor or None) from every domain module that defines bench_cases(con) (or those
    in `only`); a case is (name, callable) or (name, callable, Floor)."""
    cases = []
    for module in registry.domain_modules():
        make = getattr(module, "bench_cases", None)
        short = module.__name__.rsplit(".", 1)[-1]
        if make is None or (only and short not in only):
            continue
        for case in make(con):
            name, func, *floor = case
            cases.append((short, name, func, floor[0] if floor else None))
    return cases


def list_cases(path: str | Path) -> list[tuple[str, str]]:
    """(module, case) of every bench case, without running any."""
    con = store.connect(path, read_only=True)
    try:
        return [(module, name) for module, name, _, _ in collect_cases(con)]
    finally:
        con.close()


def module_names() -> list[str]:
    """Short names of the domain modules that define bench cases."""
    return [m.__name__.rsplit(".", 1)[-1] for m in registry.domain_modules() if hasattr(m, "bench_cases")]


def _timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def _timed_as_page(func) -> float:
    """One run of a page query as a page runs it: inside its own `memo.reads()` block (views.common's cached
    call), where the settings and other reusable reads are read once however often its parts ask."""
    started = time.perf_counter()
    with memo.reads():
        func()
    return time.perf_counter() - started


def time_case(module: str, name: str, func, repeat: int, floor: Floor | None = None, con=None) -> CaseTiming:
    """The case's median and minimum over `repeat` runs, and its floor's median. The page query and the floor
    take turns run by run, so both see the same machine (on two shared cores, a burst of load that hit all
    the case's runs and none of the floor's moved a ratio by 2x)."""
    run_floor = None
    if floor is not None and con is not None:
        used = {k: v for k, v in floor.params.items() if f"${k}" in floor.sql}  # DuckDB refuses unused ones

        def run_floor():
            con.execute(floor.sql, used).fetchall()
    case_s, floor_s, floor_error = [], [], None
    for _ in range(repeat):
        try:
            case_s.append(_timed_as_page(func))
        except Exception as exc:  # report the failing case and carry on with the others
            return CaseTiming(module, name, None, None, 0, f"{type(exc).__name__}: {exc}")
        if run_floor is not None and floor_error is None:
            try:
                floor_s.append(_timed(run_floor))
            except Exception as exc:  # a broken floor is a bench bug: say so, keep the case's own timing
                floor_error = f"floor query: {type(exc).__name__}: {exc}"
    timing = CaseTiming(module, name, statistics.median(case_s), min(case_s), repeat, floor_error)
    if floor_s and floor_error is None:
        timing.floor_median_s = statistics.median(floor_s)
    return timing


def time_imports(csv_rows: int, xlsx_rows: int) -> list[ImportTiming]:
    """Write a spend CSV and XLSX with the export code from a scratch demo; time importing each."""
    source = store.connect(":memory:")
    try:
        demo.build(source, as_of=BENCH_AS_OF, scale=scale_for(int(csv_rows * 1.05) + 200))  # a little over, then cut
        frame = exchange.export_frame(source, "spend").head(csv_rows)
    finally:
        source.close()
    timings = []
    with tempfile.TemporaryDirectory(prefix="outlay-bench-") as tmp:
        csv_path = Path(tmp) / f"spend-{len(frame)}.csv"
        frame.to_csv(csv_path, index=False)
        xlsx_frame = frame.head(xlsx_rows)
        xlsx_path = Path(tmp) / f"spend-{len(xlsx_frame)}.xlsx"
        workbook = xlsx.new_workbook()
        xlsx.write_frame(workbook.create_sheet("spend"), xlsx_frame)
        workbook.save(xlsx_path)
        for path, rows in ((csv_path, len(frame)), (xlsx_path, len(xlsx_frame))):
            target = store.connect(Path(tmp) / f"{path.suffix[1:]}.duckdb")
            try:
                started = time.perf_counter()
                ingest.import_file(target, "spend", path)
                timings.append(ImportTiming(path.name, rows, time.perf_counter() - started))
            finally:
                target.close()
    return timings


def run(*, rows: int = 1_000_000, db: str | Path | None = None, repeat: int = 5, directory: Path | None = None,
        csv_rows: int = 100_000, xlsx_rows: int = 10_000, only: set[str] | None = None) -> BenchReport:
    """Benchmark the database `db` as it is, or a demo of about `rows` spend lines (built when missing).

    `only` limits the query cases to those domain modules (short names, like {"fx", "audit"}).
    """
    if db is not None:
        path, built, build_s = Path(db), False, None
        if not path.exists():
            raise store.StoreError(f"no database at {path}")
    else:
        path, built, build_s = ensure_db(rows, directory)
    con = store.connect(path)
    try:
        jobs.refresh(con)  # what pages read after any write: the stored results of this data version
        lines = int(con.execute("select count(*) from spend").fetchone()[0])
        report = BenchReport(str(path), lines, built, build_s, repeat)
        for module, name, func, floor in collect_cases(con, only=only):
            report.cases.append(time_case(module, name, func, repeat, floor, con))
    finally:
        con.close()
    report.peak_rss_queries_mb = peak_rss_mb()
    report.imports = time_imports(csv_rows, xlsx_rows)
    report.peak_rss_mb = peak_rss_mb()
    return report


def _label(case: CaseTiming) -> str:
    """'module: case', without repeating a module name the case already starts with."""
    return case.case if case.case.startswith((f"{case.module}:", f"{case.module}.")) else f"{case.module}: {case.case}"


def format_report(report: BenchReport) -> str:
    """A plain-text table of the report."""
    out = [f"database: {report.db} ({report.spend_lines:,} spend lines"
           + (f", built in {report.build_s:.1f}s)" if report.built else ", reused)"),
           f"queries: median of {report.repeat} run(s)", ""]
    width = max([len(_label(c)) for c in report.cases] + [20])
    out.append(f"{'case':<{width}}  {'median ms':>10}  {'min ms':>10}  {'floor ms':>10}  {'x floor':>8}")
    for c in report.cases:
        label = _label(c)
        if c.error:
            out.append(f"{label:<{width}}  ERROR {c.error}")
        else:
            floor = (f"  {c.floor_median_s * 1000:>10.1f}  {c.floor_ratio:>7.2f}x" if c.floor_ratio is not None
                     else "")
            out.append(f"{label:<{width}}  {c.median_s * 1000:>10.1f}  {c.min_s * 1000:>10.1f}{floor}")
    if not report.cases:
        out.append("(no domain module defines bench_cases yet)")
    out += ["", f"{'import':<{width}}  {'rows':>10}  {'seconds':>10}  {'rows/s':>10}"]
    for i in report.imports:
        out.append(f"{i.file:<{width}}  {i.rows:>10,}  {i.seconds:>10.2f}  {i.rows_per_s:>10,.0f}")
    out += ["", f"peak memory: {report.peak_rss_queries_mb:,.0f} MB after the queries, "
                f"{report.peak_rss_mb:,.0f} MB after the imports"]
    return "\n".join(out)
