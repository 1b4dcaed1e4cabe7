"""loadtest [--db PATH | --rows N] [--sessions N] [--browsers K] [--rounds R] [--import-rows M] [--minutes T] [--markdown]: the
team server under load, on 127.0.0.1, bounded."""
from __future__ import annotations

import sys

from analytics import bench, cli, loadtest, store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "loadtest", help="sessions on every page while an editor imports (127.0.0.1 only, bounded)",
        description="Serves a copy of the database on a free loopback port, opens N sessions (K of them in "
                    "headless Chromium, the others at the protocol level) that visit every page R times while M "
                    "generated spend lines are imported through the API, then reports the in-app page time per page (median, p95), failures, and lines lost. "
                    "The issue's run: --rows 1000000 --sessions 20 --rounds 2 --import-rows 500000 --markdown.")
    parser.add_argument("--rows", type=cli.positive_int, metavar="N",
                        help="use the bench demo of about N spend lines (built once under data/bench/, its jobs "
                             "run) instead of --db")
    parser.add_argument("--sessions", type=cli.positive_int, default=20, help="sessions (default 20)")
    parser.add_argument("--browsers", type=int, default=None,
                        help="how many of the sessions are headless Chromium tabs (default 2); the others speak "
                             "Streamlit's websocket protocol as the browser does")
    parser.add_argument("--rounds", type=cli.positive_int, default=2, help="visits of every page per session (2)")
    parser.add_argument("--import-rows", type=int, default=500_000, help="spend lines imported meanwhile (500000)")
    parser.add_argument("--minutes", type=float, default=90,
                        help=f"stop after this many minutes, counting what is not done as failed (90; at most "
                             f"{loadtest.MAX_MINUTES})")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the run as the README shows it (a sentence and a table per page)")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.rows:
        db, _, _ = bench.ensure_db(args.rows)
        bench.ready_for_pages(db)
    else:
        db = store.db_path(args.db)
    if not db.exists():
        print(f"error: no database at {db}", file=sys.stderr)
        return 1
    try:
        report = loadtest.run(db, sessions=args.sessions, rounds=args.rounds, import_rows=args.import_rows,
                              minutes=args.minutes, browsers=args.browsers)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(loadtest.format_report(report))
    if args.markdown:
        print()
        print(loadtest.markdown(report))
    return 0 if not report.failures and report.import_error is None and report.lost_rows == 0 else 1
