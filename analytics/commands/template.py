"""template DATASET --out FILE: an import template (header, example row, column guide)."""
from __future__ import annotations

import sys

from analytics import datasets, exchange, i18n


def register(subparsers) -> None:
    parser = subparsers.add_parser("template", help="write an import template for a dataset",
                                   description="Write a CSV or XLSX template (by --out's extension): header row, "
                                               "one example row and, in XLSX, a sheet describing each column. "
                                               "Without --out the CSV template goes to standard output.")
    parser.add_argument("dataset", choices=list(datasets.DATASETS))
    parser.add_argument("--out", metavar="FILE", help="file to write (.csv or .xlsx)")
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.out:
        path = exchange.write_template(args.dataset, args.out)
        print(i18n.t("wrote {file}", file=path))
    else:
        sys.stdout.write(exchange.template_bytes(args.dataset, "csv").decode())
    return 0
