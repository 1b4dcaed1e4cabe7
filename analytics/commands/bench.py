"""bench [--rows N] [--db PATH] [--repeat K] [--json]: time the pages' queries and the imports."""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from analytics import bench, cli


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench", help="time every page query and the imports on a demo of N spend lines",
        description="Build (once, under data/bench/) a demo company with about N spend lines, then print the "
                    "median time of every query the pages run (each domain module's bench_cases), the import "
                    "throughput of a spend CSV and XLSX, and the peak memory. With --db, benchmark that "
                    "database as it is instead.")
    parser.add_argument("--rows", type=cli.positive_int, default=1_000_000, metavar="N",
                        help="spend lines of the bench database (default 1,000,000)")
    parser.add_argument("--db", metavar="PATH", help="benchmark this existing database instead of a demo")
    parser.add_argument("--repeat", type=cli.positive_int, default=5, metavar="K", help="runs per query (default 5)")
    parser.add_argument("--csv-rows", type=cli.positive_int, default=100_000, metavar="N",
                        help="rows of the spend CSV import (default 100,000)")
    parser.add_argument("--xlsx-rows", type=cli.positive_int, default=10_000, metavar="N",
                        help="rows of the spend XLSX import (default 10,000)")
    parser.add_argument("--only", metavar="MODULES", help="time only these domain modules' cases, comma-separated "
                                                       "(like budget,audit)")
    parser.add_argument("--pages", action="store_true",
                        help="time every page in headless Chromium instead: a new session's first load and in-app "
                             "navigation through the sidebar (needs Debian's chromium)")
    parser.add_argument("--list", action="store_true", help="list the cases of the bench database and stop")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args) -> int:
    only = {name.strip() for name in args.only.split(",") if name.strip()} if args.only else None
    unknown = sorted((only or set()) - set(bench.module_names()))
    if unknown:
        print(f"error: no bench cases in module(s) {', '.join(unknown)}; "
              f"modules with cases: {', '.join(bench.module_names())}", file=sys.stderr)
        return 2
    if args.pages:
        return run_pages(args)
    if args.list:
        path = args.db or bench.ensure_db(args.rows)[0]
        cases = [{"module": m, "case": c} for m, c in bench.list_cases(path)]
        print(json.dumps(cases, indent=2) if args.json else "\n".join(f"{c['module']}: {c['case']}" for c in cases))
        return 0
    report = bench.run(rows=args.rows, db=args.db, repeat=args.repeat, csv_rows=args.csv_rows,
                       xlsx_rows=args.xlsx_rows, only=only)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(bench.format_report(report))
    return 1 if any(c.error for c in report.cases) else 0


def run_pages(args) -> int:
    from analytics import bench_pages
    path = Path(args.db) if args.db else bench.ensure_db(args.rows)[0]
    report = bench_pages.run(path, bench.ready_for_pages(path))
    if args.json:
        print(json.dumps(dataclasses.asdict(report), indent=2))
    else:
        print(bench_pages.format_report(report))
    return 1 if any(t.errors for t in report.pages) else 0
