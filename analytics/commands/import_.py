"""import DATASET FILE...: validate each file completely, then load it all or nothing."""
from __future__ import annotations

import sys

from analytics import cli, cloud, datasets, store
from analytics.ingest import ImportRefused, itsm, load, mapping, normalise

MAX_ERRORS_SHOWN = 50


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="import CSV/XLSX/Parquet files into a dataset (or FOCUS cloud billing)",
        description="Read each file whatever its layout (encoding, delimiter, header row, number and date formats "
                    "are detected and reported), map its columns, validate every row, then load the whole file in "
                    "one transaction. A file with any invalid row is not imported (exit 1) and its errors are "
                    "printed as file:row:column: reason; --skip-invalid imports the valid rows and records the "
                    "others with their reasons. Dataset `focus` imports FinOps FOCUS cloud billing (CSV, CSV.gz, "
                    "Parquet) and derives monthly spend lines.")
    parser.add_argument("dataset", choices=list(datasets.DATASETS) + ["focus"], help="canonical dataset, or focus")
    parser.add_argument("files", nargs="+", metavar="FILE", help=".csv, .xlsx, .xls, .csv.gz, .zip or .parquet files")
    parser.add_argument("--replace", action="store_true",
                        help="replace the batch of a file already imported (same sha256)")
    parser.add_argument("--sheet", help="sheet to read in a workbook (default: the first; '*' for every sheet)")
    parser.add_argument("--map", action="append", default=[], metavar="CANONICAL=SOURCE",
                        help="map a file column to a canonical column (repeatable)")
    parser.add_argument("--set", action="append", default=[], metavar="COLUMN=VALUE",
                        help="use a constant value for a column missing from the file (repeatable)")
    parser.add_argument("--auto-map", action="store_true",
                        help="apply the proposed mapping (synonyms in English and European languages, typos) "
                             "without asking, and print it")
    parser.add_argument("--profile", metavar="NAME",
                        help="map with the saved profile NAME; when none exists yet, save the mapping used as NAME")
    parser.add_argument("--date-order", choices=["dmy", "mdy"], help="day/month order when the data cannot tell")
    parser.add_argument("--decimal", choices=[".", ","], help="decimal mark when the data cannot tell")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="import the valid rows and record the invalid ones with their reasons")
    parser.add_argument("--strict", action="store_true",
                        help="refuse rows with a blank vendor, cost center or category (default: import them as "
                             "'(not stated)', withheld names as '(redacted)', and count them)")
    parser.add_argument("--fiscal-year", type=int, help="fiscal year of a wide budget sheet whose months have no year")
    parser.add_argument("--layout", choices=["auto", "long", "wide", "events", "tickets"], default="auto",
                        help="budget: wide (months across) or long; incidents: events (one row per update) or "
                             "tickets (default: detected)")
    parser.add_argument("--contract-map", action="append", default=[], metavar="GROUP=CONTRACT",
                        help="incidents: save an assignment group (or vendor) -> contract link before importing")
    parser.add_argument("--cost-center-tag", metavar="TAG",
                        help="focus: the Tags key holding the cost center (default: sub-account mapping, then name)")
    parser.add_argument("--category-from-service", action="store_true",
                        help="focus: category from ServiceCategory instead of 'Cloud Services'")
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


def _options(args, explicit: dict[str, str], constants: dict[str, str]) -> load.ImportOptions:
    return load.ImportOptions(
        explicit_map=dict(explicit), constants=dict(constants), auto_map=args.auto_map, profile=args.profile,
        formats=normalise.FormatOptions(args.date_order, args.decimal), skip_invalid=args.skip_invalid,
        fiscal_year=args.fiscal_year, layout=args.layout, strict=args.strict)


# how to settle a refusal with this command's flags (the Data page says the same in its own words)
SETTLE = {
    "decimal": "use --decimal , or --decimal .",
    "mapping": "map them with --map COLUMN=HEADER or give a value for every row with --set COLUMN=VALUE "
               "(--auto-map tries synonyms such as Supplier Name or Lieferant)",
    "replace": "use --replace to replace that batch, or `undo BATCH` first",
    "strict": "without --strict, blank names are imported as a placeholder",
}


def _print_refused(exc: ImportRefused) -> None:
    hint = SETTLE.get(exc.setting or "")
    print(f"error: {exc}" + (f" ({hint})" if hint else ""), file=sys.stderr)
    for error in exc.errors[:MAX_ERRORS_SHOWN]:
        print(f"  {error}", file=sys.stderr)
    if len(exc.errors) > MAX_ERRORS_SHOWN:
        print(f"  ... and {len(exc.errors) - MAX_ERRORS_SHOWN} more errors", file=sys.stderr)


def _import_one(con, args, path: str, explicit: dict, constants: dict) -> int:
    options = _options(args, explicit, constants)
    prepared = load.prepare_file(con, args.dataset, path, sheet=None if args.sheet == "*" else args.sheet,
                                 all_sheets=args.sheet == "*", replace=args.replace, options=options)
    for item in prepared:
        if args.auto_map and item.columns:
            print(f"{item.file_name}: mapping used: {'; '.join(mapping.describe(item.columns))}")
        for notice in item.notices:
            print(f"  note: {notice}")
    results = load.commit_many(con, prepared)
    for item, result in zip(prepared, results):
        verb = f"replaced batch {result.replaced_batch} as" if result.replaced_batch else "imported as"
        print(f"{result.file_name}: {result.rows} {args.dataset} rows {verb} batch {result.batch_id}")
        if result.rejected:
            print(f"  {result.rejected} row(s) not imported (see `import_rejects` or the Data page):")
            for error in item.errors[:MAX_ERRORS_SHOWN]:
                print(f"    {error}")
        if args.profile and mapping.get_profile(con, args.profile) is None and item.columns:
            mapping.save_profile(con, args.profile, args.dataset, item.headers, item.columns.source,
                                 item.columns.constants, options.formats.as_dict())
            print(f"  saved the mapping as profile {args.profile!r}")
    return 0


def _import_focus(con, args, path: str) -> int:
    result = cloud.import_focus(con, path, replace=args.replace, cost_center_tag=args.cost_center_tag,
                                category_from_service=args.category_from_service)
    for notice in result.notices:
        print(f"  note: {notice}")
    print(f"{result.file_name}: {result.detail_rows} FOCUS rows and {result.rows} monthly spend lines "
          f"imported as batch {result.batch_id}")
    return 0


def run(args) -> int:
    try:
        explicit, constants = _pairs(args.map, "--map"), _pairs(args.set, "--set")
        contract_links = _pairs(args.contract_map, "--contract-map")
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    con = store.connect(args.db)
    con.execute("set enable_progress_bar = false")
    load.bound_memory(con)
    if contract_links:
        itsm.save_contract_map(con, contract_links)
    status = 0
    for path in args.files:
        try:
            if args.dataset == "focus":
                _import_focus(con, args, path)
            else:
                _import_one(con, args, path, explicit, constants)
        except FileNotFoundError:
            print(f"error: {path}: no such file", file=sys.stderr)
            status = 1
        except (ImportRefused, cloud.FocusError) as exc:
            _print_refused(exc) if isinstance(exc, ImportRefused) else print(f"error: {exc}", file=sys.stderr)
            status = 1
    con.close()
    return status
