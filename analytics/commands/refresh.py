"""refresh: compute the stored results (forecast, audit, scorecards) for the current data version now."""
from __future__ import annotations

from analytics import cli, i18n, jobs, store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "refresh", help="recompute derived results (forecast, audit, scorecards) if the data changed",
        description="Imports, undo, demo and settings run this by themselves; use it after changing the "
                    "database by other means. Prints each job that had to compute and how long it took.")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    con = store.connect(args.db)
    took = jobs.refresh(con)
    if not took:
        print(i18n.t("stored results are current"))
    for name, seconds in took.items():
        print(i18n.t("{job}: computed in {seconds}s", job=name, seconds=i18n.number(seconds, 1)))
    return 0
