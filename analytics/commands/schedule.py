"""schedule add|list|remove|run-due: reports built on a cron schedule and sent by e-mail (SMTP settings)."""
from __future__ import annotations

import datetime as dt
import json
import sys

from analytics import cli, schedule, store


def register(subparsers) -> None:
    parser = subparsers.add_parser("schedule", help="send report packs by e-mail on a cron schedule",
                                   description="Schedules are stored in the database. `run-due` (from cron, or "
                                               "the team server's timer) sends every report whose time has come.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    add = actions.add_parser("add", help="add a schedule")
    add.add_argument("name")
    add.add_argument("--report", required=True, choices=schedule.REPORTS)
    add.add_argument("--cron", required=True, help='five-field cron expression, e.g. "0 7 2 * *" (07:00 on the 2nd)')
    add.add_argument("--to", required=True, action="append", metavar="ADDRESS",
                     help="recipient (repeat, or separate with commas)")
    add.add_argument("--format", choices=("xlsx", "pdf"), help="xlsx for the packs, pdf for the board pack")
    listing = actions.add_parser("list", help="the schedules and their last run")
    listing.add_argument("--json", action="store_true")
    remove = actions.add_parser("remove", help="remove a schedule")
    remove.add_argument("name")
    due = actions.add_parser("run-due", help="build and send every due report (for cron: run it every few minutes)")
    due.add_argument("--now", metavar="ISO", type=dt.datetime.fromisoformat, help="the time to act as (default: now)")
    for sub, func in ((add, run_add), (listing, run_list), (remove, run_remove), (due, run_due)):
        cli.add_db_argument(sub)
        sub.set_defaults(func=func)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def run_add(args) -> int:
    recipients = [a.strip() for item in args.to for a in item.split(",") if a.strip()]
    con = store.connect(args.db)
    try:
        added = schedule.add(con, name=args.name, report=args.report, cron=args.cron, recipients=recipients,
                             fmt=args.format)
    except schedule.ScheduleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"added {added.name}: {added.report} ({added.format}) at '{added.cron}' to {', '.join(added.recipients)}")
    return 0


def run_list(args) -> int:
    con = store.connect(args.db, read_only=True)
    try:
        frame = schedule.schedules(con)
    finally:
        con.close()
    if args.json:
        print(frame.to_json(orient="records", date_format="iso"))
    elif frame.empty:
        print("no schedules")
    else:
        for r in frame.itertuples(index=False):
            last = "never run" if r.last_result is None or r.last_result != r.last_result else \
                f"last run {r.last_ran_at:%Y-%m-%d %H:%M}: {r.last_result}"
            print(f"{r.name}\t{r.report} ({r.format})\t{r.cron}\t{r.recipients}\t{last}")
    return 0


def run_remove(args) -> int:
    con = store.connect(args.db)
    try:
        schedule.remove(con, name=args.name)
    except schedule.ScheduleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"removed {args.name}")
    return 0


def run_due(args) -> int:
    con = store.connect(args.db)
    try:
        runs = schedule.run_due(con, now=args.now)
    finally:
        con.close()
    for run in runs:
        print(json.dumps({k: str(v) for k, v in run.items()}))
    return 1 if any(r["result"] == "failed" for r in runs) else 0
