"""bench [--rows N] [--db PATH] [--repeat K] [--json]: time the pages' queries and the imports."""
from __future__ import annotations

import argparse
import json

from analytics import bench


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench", help="time every page query and the imports on a demo of N spend lines",
        description="Build (once, under data/bench/) a demo company with about N spend lines, then print the "
                    "median time of every query the pages run (each domain module's bench_cases), the import "
                    "throughput of a spend CSV and XLSX, and the peak memory. With --db, benchmark that "
                    "database as it is instead.")
    parser.add_argument("--rows", type=_positive, default=1_000_000, metavar="N",
                        help="spend lines of the bench database (default 1,000,000)")
    parser.add_argument("--db", metavar="PATH", help="benchmark this existing database instead of a demo")
    parser.add_argument("--repeat", type=_positive, default=5, metavar="K", help="runs per query (default 5)")
    parser.add_argument("--csv-rows", type=_positive, default=100_000, metavar="N",
                        help="rows of the spend CSV import (default 100,000)")
    parser.add_argument("--xlsx-rows", type=_positive, default=10_000, metavar="N",
                        help="rows of the spend XLSX import (default 10,000)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def _positive(text: str) -> int:
    if not text.replace("_", "").isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def run(args) -> int:
    report = bench.run(rows=args.rows, db=args.db, repeat=args.repeat, csv_rows=args.csv_rows,
                       xlsx_rows=args.xlsx_rows)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(bench.format_report(report))
    return 1 if any(c.error for c in report.cases) else 0
