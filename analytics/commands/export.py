"""export DATASET --out FILE: a dataset in canonical columns, original currency, ISO dates."""
from __future__ import annotations

from analytics import cli, datasets, exchange, i18n, store


def register(subparsers) -> None:
    parser = subparsers.add_parser("export", help="export a dataset to CSV or XLSX",
                                   description="Write every row of a dataset in its canonical columns, amounts in "
                                               "their original currency, ISO dates; CSV or XLSX by --out's extension.")
    parser.add_argument("dataset", choices=list(datasets.DATASETS))
    parser.add_argument("--out", metavar="FILE", required=True)
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    con = store.connect(args.db, read_only=True)
    rows = exchange.write_export(con, args.dataset, args.out)
    print(i18n.n("wrote {count} {dataset} rows to {file}", "wrote {count} {dataset} rows to {file}", rows,
                 dataset=args.dataset, file=args.out))
    return 0
