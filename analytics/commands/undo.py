"""undo BATCH: remove one import batch and all its rows."""
from __future__ import annotations

from analytics import activity, cli, i18n, store
from analytics.ingest import ImportRefused, undo


def register(subparsers) -> None:
    parser = subparsers.add_parser("undo", help="remove an import batch",
                                   description="Remove one import batch and every row it loaded, in one transaction.")
    parser.add_argument("batch", type=int, metavar="BATCH", help="batch id (see `status`)")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    con = store.connect(args.db)
    try:
        dataset, rows = undo(con, args.batch)
    except ImportRefused as exc:
        cli.error(exc)
        return 1
    activity.record(con, activity.os_actor(), "undo", f"batch {args.batch}: {rows} {dataset} rows removed")
    print(i18n.n("removed batch {batch}: {count} {dataset} rows", "removed batch {batch}: {count} {dataset} rows", rows,
                 batch=args.batch, dataset=dataset))
    return 0
