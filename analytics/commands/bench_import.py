"""bench-import [--rows N] [--xlsx-rows N]: import throughput per file format (CSV variants and XLSX)."""
from __future__ import annotations

import json
import os

from analytics import cli
from analytics.ingest import throughput


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench-import", help="time importing a spend file in each supported format",
        description="Generate the same spend data as a canonical CSV, a European CSV (cp1252, semicolons, "
                    "1.234,56, dd.mm.yyyy, German headers), a US CSV ($1,234.56, (negatives), mm/dd/yyyy), a "
                    "tab-separated file with CR line ends and an XLSX; import each through the full pipeline "
                    "into a scratch database and print the seconds.")
    parser.add_argument("--rows", type=cli.positive_int, default=1_000_000, metavar="N", help="CSV rows (default 1,000,000)")
    parser.add_argument("--xlsx-rows", type=cli.positive_int, default=100_000, metavar="N",
                        help="XLSX rows (default 100,000)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args) -> int:
    timings = throughput.measure(rows=args.rows, xlsx_rows=args.xlsx_rows)
    if args.json:
        print(json.dumps([{"format": t.format, "rows": t.rows, "seconds": round(t.seconds, 2),
                           "cpu_seconds": round(t.cpu_seconds, 2), "rows_per_s": round(t.rows_per_s)}
                          for t in timings], indent=2))
        return 0
    load = os.getloadavg()[0]
    print(f"(load average {load:.1f} on {os.cpu_count()} cores; CPU s = this process's CPU time, all threads)")
    for t in timings:
        print(f"{t.format:<48} {t.rows:>10,} rows  {t.seconds:7.2f} s wall  {t.cpu_seconds:7.2f} s CPU  "
              f"{t.rows_per_s:>10,.0f} rows/s")
    return 0
