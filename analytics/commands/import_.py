"""import DATASET FILE...: validate each file completely, then load it all or nothing."""
from __future__ import annotations

import sys
from types import SimpleNamespace

from analytics import activity, cli, cloud, datasets, i18n, store
from analytics.i18n import N_
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


class UsageError(ValueError):
    """An option written the wrong way (NAME=VALUE expected)."""


def _pairs(items: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        if "=" not in item:
            raise UsageError(i18n.t("usage error: {flag} expects NAME=VALUE, got {item}", flag=flag, item=repr(item)))
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
    "decimal": N_("use --decimal , or --decimal ."),
    "mapping": N_("map them with --map COLUMN=HEADER or give a value for every row with --set COLUMN=VALUE "
                  "(--auto-map tries synonyms such as Supplier Name or Lieferant)"),
    "replace": N_("use --replace to replace that batch, or `undo BATCH` first"),
    "strict": N_("without --strict, blank names are imported as a placeholder"),
}


def refusal(message, setting: str | None) -> str:
    """The refusal's line: its reason and, when a flag settles it, how (in the current language)."""
    hint = SETTLE.get(setting or "")
    if not hint:
        return i18n.t("error: {problem}", problem=message)
    return i18n.t("error: {problem} ({hint})", problem=message, hint=i18n.t(hint))


def more_errors(count: int) -> str:
    return i18n.n("  ... and {count} more error", "  ... and {count} more errors", count)


def _print_refused(exc: ImportRefused) -> None:
    print(refusal(exc, exc.setting), file=sys.stderr)
    for error in exc.errors[:MAX_ERRORS_SHOWN]:
        print(f"  {error}", file=sys.stderr)
    if len(exc.errors) > MAX_ERRORS_SHOWN:
        print(more_errors(len(exc.errors) - MAX_ERRORS_SHOWN), file=sys.stderr)


def import_path(con, args, path: str, *, user: str | None = None, display_name: str | None = None) -> list[dict]:
    """Import one file as the CLI's arguments (or the API's fields, same names) say; one dict per batch:
    batch_id, dataset, file, rows, rejected, replaced_batch, notices, mapping, errors (the first rejected rows)."""
    if args.dataset == "focus":
        result = cloud.import_focus(con, path, replace=args.replace, cost_center_tag=args.cost_center_tag,
                                    category_from_service=args.category_from_service, display_name=display_name,
                                    user=user)
        return [{"batch_id": result.batch_id, "dataset": "focus", "file": result.file_name, "rows": result.rows,
                 "detail_rows": result.detail_rows, "rejected": 0, "replaced_batch": None,
                 "notices": list(result.notices), "mapping": [], "errors": []}]
    explicit, constants = _pairs(args.map, "--map"), _pairs(args.set, "--set")
    options = _options(args, explicit, constants)
    prepared = load.prepare_file(con, args.dataset, path, sheet=None if args.sheet == "*" else args.sheet,
                                 all_sheets=args.sheet == "*", replace=args.replace, options=options,
                                 display_name=display_name)
    results = load.commit_many(con, prepared, user=user)
    done = []
    for item, result in zip(prepared, results):
        saved = bool(args.profile and mapping.get_profile(con, args.profile) is None and item.columns)
        if saved:
            mapping.save_profile(con, args.profile, args.dataset, item.headers, item.columns.source,
                                 item.columns.constants, options.formats.as_dict())
        done.append({"saved_profile": args.profile if saved else None, "batch_id": result.batch_id, "dataset": args.dataset, "file": result.file_name,
                     "rows": result.rows, "rejected": result.rejected, "replaced_batch": result.replaced_batch,
                     "notices": list(item.notices),
                     "mapping": mapping.describe(item.columns) if args.auto_map and item.columns else [],
                     "errors": [str(e) for e in item.errors[:MAX_ERRORS_SHOWN]]})
    return done


def print_batches(done: list[dict]) -> None:
    """What the CLI says about imported batches (the same whether it ran here or through a server)."""
    for batch in done:
        if batch["mapping"]:
            print(i18n.t("{file}: mapping used: {mapping}", file=batch["file"], mapping="; ".join(batch["mapping"])))
        for notice in batch["notices"]:
            print(i18n.t("  note: {notice}", notice=notice))
        if batch["dataset"] == "focus":
            print(i18n.t("{file}: {detail_rows} FOCUS rows and {rows} monthly spend lines imported as batch {batch}",
                         file=batch["file"], detail_rows=batch["detail_rows"], rows=batch["rows"],
                         batch=batch["batch_id"]))
            continue
        if batch["replaced_batch"]:
            print(i18n.n("{file}: {count} {dataset} rows replaced batch {replaced} as batch {batch}",
                         "{file}: {count} {dataset} rows replaced batch {replaced} as batch {batch}", batch["rows"],
                         file=batch["file"], dataset=batch["dataset"], replaced=batch["replaced_batch"],
                         batch=batch["batch_id"]))
        else:
            print(i18n.n("{file}: {count} {dataset} rows imported as batch {batch}",
                         "{file}: {count} {dataset} rows imported as batch {batch}", batch["rows"], file=batch["file"],
                         dataset=batch["dataset"], batch=batch["batch_id"]))
        if batch["rejected"]:
            print(i18n.n("  {count} row(s) not imported (see `import_rejects` or the Data page):",
                         "  {count} row(s) not imported (see `import_rejects` or the Data page):", batch["rejected"]))
            for error in batch["errors"]:
                print(f"    {error}")
        if batch.get("saved_profile"):
            print(i18n.t("  saved the mapping as profile {profile}", profile=repr(batch["saved_profile"])))


def run(args) -> int:
    try:
        _pairs(args.map, "--map"), _pairs(args.set, "--set")
        contract_links = _pairs(args.contract_map, "--contract-map")
    except UsageError as exc:
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
            done = import_path(con, args, path, user=activity.os_actor())
            print_batches(done)
            for batch in done:
                activity.record(con, activity.os_actor(), "import", describe(batch))
        except FileNotFoundError:
            cli.error(i18n.t("{file}: no such file", file=path))
            status = 1
        except (ImportRefused, cloud.FocusError) as exc:
            _print_refused(exc) if isinstance(exc, ImportRefused) else cli.error(exc)
            status = 1
    con.close()
    return status


def describe(batch: dict) -> str:
    """One line for the activity log."""
    return (f"batch {batch['batch_id']}: {batch['rows']} {batch['dataset']} rows from {batch['file']}"
            + (f" (replacing batch {batch['replaced_batch']})" if batch["replaced_batch"] else ""))


# The import's options as fields of the HTTP API (POST /api/v1/import/DATASET), named as the attributes of the
# parsed arguments: the CLI sends its own through a server, and the server reads them back the same way.
FLAG_FIELDS = ("replace", "auto_map", "skip_invalid", "strict", "category_from_service")
LIST_FIELDS = ("map", "set", "contract_map")
TEXT_FIELDS = ("sheet", "profile", "date_order", "decimal", "fiscal_year", "layout", "cost_center_tag")
CHOICES = {"date_order": ("dmy", "mdy"), "decimal": (".", ","), "layout": ("auto", "long", "wide", "events", "tickets")}


def args_to_fields(args) -> list[tuple[str, str]]:
    """The options of a parsed `import` command as (field, value) pairs (only those given)."""
    pairs = [(name, "true") for name in FLAG_FIELDS if getattr(args, name)]
    pairs += [(name, value) for name in LIST_FIELDS for value in getattr(args, name)]
    pairs += [(name, str(getattr(args, name))) for name in TEXT_FIELDS if getattr(args, name) not in (None, "auto")]
    return pairs


def fields_to_args(dataset: str, fields) -> SimpleNamespace:
    """Arguments as `import` parses them from the API's fields (a multi-dict: getlist); UsageError when a value
    is not allowed."""
    if dataset not in list(datasets.DATASETS) + ["focus"]:
        raise UsageError(f"no dataset {dataset!r}; datasets: {', '.join(list(datasets.DATASETS) + ['focus'])}")
    args = {"dataset": dataset, "layout": "auto"}
    for name in FLAG_FIELDS:
        args[name] = str(fields.get(name, "")).lower() in ("1", "true", "yes", "on")
    for name in LIST_FIELDS:
        args[name] = [str(v) for v in fields.getlist(name)]
    for name in TEXT_FIELDS:
        value = fields.get(name)
        if value not in (None, ""):
            if name in CHOICES and value not in CHOICES[name]:
                raise UsageError(f"{name} must be one of {', '.join(CHOICES[name])}, not {value!r}")
            args[name] = value
        else:
            args.setdefault(name, None)
    if args["fiscal_year"] is not None:
        if not str(args["fiscal_year"]).isdigit():
            raise UsageError(f"fiscal_year must be a year, not {args['fiscal_year']!r}")
        args["fiscal_year"] = int(args["fiscal_year"])
    for name in LIST_FIELDS:
        _pairs(args[name], "--" + name.replace("_", "-"))
    return SimpleNamespace(**args)
