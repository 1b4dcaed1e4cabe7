"""demo [--as-of DATE] [--seed N] [--scale N]: replace the database's data with the demo company."""
from __future__ import annotations

import argparse
import datetime as dt

from analytics import cli, demo, fiscal, i18n, store
from analytics.demo import load as demo_load


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="build the demo company (replaces the database's data)",
        description="Replace every dataset in the database with a realistic, fictional IT estate: three fiscal "
                    "years of spend up to the as-of date, budgets to the end of next fiscal year, contracts, fx "
                    "rates, SLA measurements, incidents and licences, loaded as batches named demo:<dataset>. "
                    "The same seed and as-of date always give the same data. Everything is replaced in one "
                    "transaction: a build that fails part-way leaves the previous data. Refuses a database holding "
                    "imported (non-demo) batches unless --force.")
    parser.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                        help="the date the demo treats as today (default: today, so the demo never goes stale)")
    parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help=f"random seed (default {demo.DEFAULT_SEED})")
    parser.add_argument("--scale", type=_scale, default=1.0, metavar="N",
                        help="multiply the spend lines by N (1 gives about 40,000; 25 about 1M; 250 about 10M)")
    parser.add_argument("--fy-start", type=_month, default=1, metavar="N",
                        help="first month of the fiscal year, 1-12 (default 1 = January)")
    parser.add_argument("--force", action="store_true", help="replace imported data too")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value


def _month(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 12:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month number 1-12")
    return int(text)


def run(args) -> int:
    con = store.connect(args.db)
    try:
        # one transaction: a failure (or a kill) part-way leaves the previous data as it was
        result = demo_load.in_one_transaction(con, demo.build, as_of=args.as_of, seed=args.seed, scale=args.scale,
                                              fy_start=args.fy_start, force=args.force)
    except demo.DemoRefused as exc:
        cli.error(exc)
        return 1
    finally:
        con.close()
    year = fiscal.fiscal_year(result.as_of, result.fy_start)
    print(i18n.t("demo company built in {file} in {seconds}s (as of {as_of}, seed {seed}, scale {scale}); the "
                 "previous data was replaced", file=store.db_path(args.db), seconds=i18n.number(result.seconds, 1),
                 as_of=result.as_of, seed=result.seed, scale=f"{result.scale:g}"))
    print(i18n.t("  spend {first} to {as_of}, budget to the end of {last}", first=fiscal.label(year - 2, result.fy_start),
                 as_of=result.as_of, last=fiscal.label(year + 1, result.fy_start)))
    for name, rows in result.rows.items():
        print(i18n.t("  {dataset} {rows} rows", dataset=f"{name:<16}", rows=f"{i18n.number(rows):>10}"))
    print(i18n.t("  planted for the cost audit: {kinds}", kinds=", ".join(a.kind for a in result.anomalies)))
    print(i18n.t("  contracts to cancel or renew within 90 days: {count}", count=len(result.renewals_due)))
    return 0
