"""import DATASET FILE...: validate each file completely, then load it all or nothing."""
from __future__ import annotations

import sys

from analytics import cli, datasets, store
from analytics.ingest import ImportRefused, import_file

MAX_ERRORS_SHOWN = 50


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="import CSV/XLSX files into a dataset",
        description="Validate every row of each file, then load the whole file in one transaction. "
                    "A file with any invalid row is not imported (exit 1) and its errors are printed "
                    "as file:row:column: reason.")
    parser.add_argument("dataset", choices=list(datasets.DATASETS), help="canonical dataset")
    parser.add_argument("files", nargs="+", metavar="FILE", help=".csv or .xlsx files")
    parser.add_argument("--replace", action="store_true",
                        help="replace the batch of a file already imported (same sha256)")
    parser.add_argument("--sheet", help="sheet to read in an .xlsx file (default: the first)")
    parser.add_argument("--map", action="append", default=[], metavar="CANONICAL=SOURCE",
                        help="map a file column to a canonical column (repeatable)")
    parser.add_argument("--set", action="append", default=[], metavar="COLUMN=VALUE",
                        help="use a constant value for a column missing from the file (repeatable)")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def _pairs(items: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        if "=" not in item:
            raise SystemExit(f"usage error: {flag} expects NAME=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        pairs[key.strip()] = value.strip()
    return pairs


def run(args) -> int:
    try:
        explicit, constants = _pairs(args.map, "--map"), _pairs(args.set, "--set")
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    con = store.connect(args.db)
    status = 0
    for path in args.files:
        try:
            result = import_file(con, args.dataset, path, replace=args.replace, sheet=args.sheet,
                                 explicit_map=explicit, constants=constants)
        except FileNotFoundError:
            print(f"error: {path}: no such file", file=sys.stderr)
            status = 1
            continue
        except ImportRefused as exc:
            print(f"error: {exc}", file=sys.stderr)
            for error in exc.errors[:MAX_ERRORS_SHOWN]:
                print(f"  {error}", file=sys.stderr)
            if len(exc.errors) > MAX_ERRORS_SHOWN:
                print(f"  ... and {len(exc.errors) - MAX_ERRORS_SHOWN} more errors", file=sys.stderr)
            status = 1
            continue
        verb = f"replaced batch {result.replaced_batch} as" if result.replaced_batch else "imported as"
        print(f"{result.file_name}: {result.rows} {args.dataset} rows {verb} batch {result.batch_id}")
        for notice in result.notices:
            print(f"  note: {notice}")
    con.close()
    return status
