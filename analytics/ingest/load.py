"""Stage 4 of an import: write a validated file in one transaction, or nothing at all.

The pipeline, each stage a function of its own:
    read (read.py: encoding, delimiter, header row, sheets)
    -> layout (wide.py: months across -> long budget; itsm.py: ticket event log -> one row per ticket)
    -> map (mapping.py: headers -> canonical columns; profiles)
    -> normalise (normalise.py: numbers and dates -> canonical text, ambiguities reported)
    -> stage and validate (validate.py: every rule over the whole file in DuckDB)
    -> load (here).
Any invalid row stops the import before anything is written, unless the caller asked to
import the valid rows only (skip_invalid): then the others are recorded in import_rejects
with their reasons. A killed process leaves no partial rows because the batch record and
every row are committed together.
"""
from __future__ import annotations

import contextlib
import ctypes
import gc
import getpass
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from analytics import datasets, i18n, settings, store
from analytics.ingest import coverage as ingest_coverage
from analytics.ingest import itsm, mapping, normalise, read, text, validate, wide


class ImportRefused(ValueError):
    """The file was not imported; `errors` lists every row problem when there are any.

    `setting` names the choice that would settle it ('decimal', 'mapping', 'replace', 'strict'), so
    each interface can say how in its own words (a CLI flag, a field on the Data page)."""

    def __init__(self, message: str, errors: list[validate.RowError] | None = None, *, setting: str | None = None):
        super().__init__(message)
        self.errors = errors or []
        self.setting = setting


@dataclass
class ImportResult:
    batch_id: int
    dataset: str
    file_name: str
    rows: int
    notices: list[str] = field(default_factory=list)
    replaced_batch: int | None = None
    rejected: int = 0


@dataclass
class PreparedImport:
    """A file read, mapped, staged and validated, ready to load (or to show its errors)."""
    dataset: datasets.Dataset
    file_name: str
    sha256: str
    staged: str
    rows: int
    errors: list[validate.RowError]
    notices: list[str]
    replaced_batch: int | None
    source_format: str = "csv"
    sheet: str | None = None
    profile: str | None = None
    columns: mapping.ColumnMapping | None = None
    formats: dict[str, str] = field(default_factory=dict)
    skip_invalid: bool = False
    headers: list[str] = field(default_factory=list)
    coverage: ingest_coverage.Coverage = field(default_factory=ingest_coverage.Coverage)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def loadable(self) -> bool:
        return not self.errors or (self.skip_invalid and len(self.rejected_rows) < self.rows)


@dataclass
class ImportOptions:
    """How to read and map a file; every field is optional."""
    explicit_map: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    auto_map: bool = False
    profile: str | None = None            # use this saved profile (or save the mapping under this name)
    formats: normalise.FormatOptions = field(default_factory=normalise.FormatOptions)
    skip_invalid: bool = False
    fiscal_year: int | None = None        # for wide budget sheets whose months carry no year
    layout: str = "auto"                  # auto, long, wide (budget); auto, events, tickets (incidents)
    strict: bool = False                  # refuse blank names instead of importing them as "(not stated)"


# DuckDB's memory for an import (its default is 80% of the machine): the normalised and staged copies of a
# big file spill to the database's temporary directory beyond it, so a 10M-line file fits the stated budget
IMPORT_MEMORY_LIMIT = "1GB"
# A file of more rows than this is moved into DuckDB right after mapping, and Python's copy released, so the
# text is held once (by DuckDB, which spills) and not twice; while both exist DuckDB gets TRANSFER_MEMORY_LIMIT.
TRANSFER_ROWS = 1_000_000
TRANSFER_MEMORY_LIMIT = "256MB"


def bound_memory(con) -> None:
    """Cap DuckDB's memory on this database for importing (CLI import, the benchmark)."""
    con.execute("set memory_limit = ?", [IMPORT_MEMORY_LIMIT])


@contextlib.contextmanager
def memory_limit(con, limit: str):
    """DuckDB's memory limit set to `limit` inside the block, then back to what it was."""
    before = con.execute("select current_setting('memory_limit')").fetchone()[0]
    con.execute("set memory_limit = ?", [limit])
    try:
        yield
    finally:
        con.execute("set memory_limit = ?", [before])


def _return_freed_memory() -> None:
    """Give the memory of a released file back to the system: Arrow's allocator and glibc's malloc (which
    DuckDB's reader allocated the cells with) keep freed pages for reuse, so the process would stay at the
    file's size while DuckDB fills its own limit on top (10M rows: 2.0 GB peak instead of 1.8)."""
    gc.collect()   # pandas frames can sit in reference cycles
    pa.default_memory_pool().release_unused()
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:   # not glibc (macOS, Windows): their allocators return large blocks themselves
        return
    libc.malloc_trim(0)


def _move_into_duckdb(con, frame: pd.DataFrame, table: str) -> None:
    """Copy the mapped text frame into the temporary table `table` (the caller then drops the frame)."""
    con.complete()  # DuckDB 2.0 refuses register() while a fetchone() result is open
    con.register("import_text_frame", pa.Table.from_pandas(frame, preserve_index=False))
    try:
        with memory_limit(con, TRANSFER_MEMORY_LIMIT):
            con.execute('create or replace temp table "' + table + '" as select * from import_text_frame')
    finally:
        con.unregister("import_text_frame")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prepare(con, dataset_name: str, path: str | Path, *, replace: bool = False, display_name: str | None = None,
            explicit_map: dict[str, str] | None = None, constants: dict[str, str] | None = None,
            sheet: str | None = None, options: ImportOptions | None = None) -> PreparedImport:
    """Read, map, stage and validate one file (one sheet); raises ImportRefused for whole-file problems."""
    options = options or ImportOptions()
    if explicit_map:
        options.explicit_map = {**options.explicit_map, **explicit_map}
    if constants:
        options.constants = {**options.constants, **constants}
    name = display_name or Path(path).name
    try:
        raw = read.read_table(path, sheet=sheet, display_name=name)
    except read.ReadError as exc:
        raise ImportRefused(str(exc)) from None
    # the table read here is handed over: its cells are released once mapped (memory bounded by one copy)
    return prepare_table(con, dataset_name, raw, file_sha256(path), replace=replace, options=options, release=True)


def prepare_file(con, dataset_name: str, path: str | Path, *, sheet: str | None = None, all_sheets: bool = False,
                 display_name: str | None = None, replace: bool = False,
                 options: ImportOptions | None = None) -> list[PreparedImport]:
    """One PreparedImport per sheet asked for (every sheet with all_sheets, else the one named or the first)."""
    sheets = read.sheet_names(path) if all_sheets else []
    if not sheets:
        return [prepare(con, dataset_name, path, replace=replace, display_name=display_name, sheet=sheet,
                        options=options)]
    name = display_name or Path(path).name
    return [prepare(con, dataset_name, path, replace=replace, display_name=f"{name}[{s}]", sheet=s,
                    options=options) for s in sheets]


def _previous_batch(con, dataset: str, sha: str, sheet: str | None) -> int | None:
    row = con.execute(
        "select batch_id from import_batches where dataset = ? and sha256 = ? and sheet is not distinct from ? "
        "order by batch_id desc limit 1", [dataset, sha, sheet]).fetchall()
    return row[0][0] if row else None


def _profile_mapping(con, dataset: datasets.Dataset, headers: list[str], options: ImportOptions,
                     notices: list[str]) -> mapping.Profile | None:
    """The profile to map with: the one named, else one saved for files with exactly these headers."""
    profile = mapping.get_profile(con, options.profile) if options.profile else None
    if profile and profile.dataset != dataset.name:
        raise ImportRefused(i18n.t("profile {profile} is for {dataset}, not {wanted}", profile=repr(profile.name),
                                   dataset=profile.dataset, wanted=dataset.name))
    if profile is None and not options.profile:
        profile = mapping.find_profile(con, dataset.name, headers)
        if profile:
            notices.append(i18n.t("mapped with the saved profile {profile} (same headers)", profile=repr(profile.name)))
    if profile is None:
        return None
    by_norm = {mapping.normalise_header(h): h for h in headers}
    source = {c: by_norm.get(mapping.normalise_header(h), h) for c, h in profile.source.items()}
    options.explicit_map = {**source, **options.explicit_map}
    options.constants = {**profile.constants, **options.constants}
    saved = normalise.FormatOptions(**profile.options)
    options.formats = normalise.FormatOptions(options.formats.date_order or saved.date_order,
                                              options.formats.decimal or saved.decimal)
    return profile


def lay_out(con, dataset: datasets.Dataset, raw: read.RawTable, options: ImportOptions):
    """(frame, source format, notices) after the layout step: wide budgets melted, ticket event logs reduced."""
    notices = list(raw.notices)
    frame, source_format = raw.frame, raw.source_format
    try:
        if dataset.name == "budget" and options.layout in ("auto", "wide"):
            start = int(settings.get(con, "fiscal_year_start_month"))
            reshaped = wide.to_long(raw, fiscal_year=options.fiscal_year, start_month=start,
                                    force=options.layout == "wide")
            if reshaped is not None:
                frame, source_format = reshaped.frame, "wide-budget"
                notices.extend(reshaped.notices)
        if dataset.name == "incidents" and options.layout in ("auto", "events"):
            reduced = itsm.reduce_events(con, raw, options=options.formats, force=options.layout == "events")
            if reduced is not None:
                frame, source_format = reduced.frame, "servicenow-events"
                notices.extend(reduced.notices)
    except (wide.LayoutError, itsm.LayoutError) as exc:
        raise ImportRefused(f"{raw.file_name}: {exc}") from None
    return frame, source_format, notices


def row_counts(con) -> dict[str, int]:
    """Rows per dataset, plus the FOCUS detail rows (cloud_costs)."""
    counts = {}
    for name, dataset in datasets.DATASETS.items():
        sql = 'select count(*) from "' + dataset.table + '"'  # table from the fixed dataset spec
        counts[name] = int(con.execute(sql).fetchall()[0][0])
    counts["cloud billing rows"] = int(con.execute("select count(*) from cloud_costs").fetchall()[0][0])
    return counts


def prepare_table(con, dataset_name: str, raw: read.RawTable, sha: str, *, replace: bool = False,
                  explicit_map: dict[str, str] | None = None, constants: dict[str, str] | None = None,
                  options: ImportOptions | None = None, release: bool = False) -> PreparedImport:
    """Lay out, map, normalise, stage and validate a table already read (from a file, an upload or a generator).
    With `release`, raw.frame is dropped once mapped (the caller hands the table over), so a big file is held
    in Python memory once; the normalised and staged copies are DuckDB temporary tables within its memory limit."""
    options = options or ImportOptions()
    if explicit_map:
        options.explicit_map = {**options.explicit_map, **explicit_map}
    if constants:
        options.constants = {**options.constants, **constants}
    dataset = datasets.get(dataset_name)
    name = raw.file_name
    previous = _previous_batch(con, dataset.name, sha, raw.sheet)
    if previous and not replace:
        raise ImportRefused(i18n.t("{file}: this exact file was already imported as batch {batch}; replace that "
                                   "batch, or undo batch {batch} first", file=name, batch=previous),
                            setting="replace")
    frame, source_format, notices = lay_out(con, dataset, raw, options)
    headers = [h for h in frame.columns if h != "_row"]
    profile = _profile_mapping(con, dataset, headers, options, notices)
    try:
        columns = mapping.resolve(list(frame.columns), dataset, explicit=options.explicit_map,
                                  constants=options.constants, file_name=name, auto=options.auto_map, frame=frame)
    except mapping.MappingError as exc:
        raise ImportRefused(str(exc), setting="mapping") from None
    if columns.ignored:
        notices.append(i18n.t("{file}: column(s) not imported (not part of {dataset}): {columns}", file=name,
                              dataset=dataset.name, columns=", ".join(columns.ignored)))
    canonical = mapping.apply(frame, dataset, columns)
    rows = len(canonical)
    del frame
    text_table = f"import_text_{dataset.name}"   # names from the fixed dataset spec
    if release:
        raw.frame = None
        if rows > TRANSFER_ROWS:
            _move_into_duckdb(con, canonical, text_table)
            canonical = text_table   # the frame (and the file's cells it shares) is released here
            _return_freed_memory()
    normalised_table = f"normalised_{dataset.name}"
    try:
        normalised = normalise.normalise(con, dataset, canonical, options=options.formats, delimiter=raw.delimiter,
                                         into=normalised_table)
    except normalise.AmbiguousNumbers as exc:
        header = columns.source.get(exc.column, exc.column)
        raise ImportRefused(f"{name}: {exc.describe(f'{header!r} ({exc.column})')}",
                            setting="decimal") from None
    finally:
        con.execute('drop table if exists "' + text_table + '"')
    del canonical
    notices.extend(normalised.notices)
    try:
        staged = validate.stage(con, dataset, normalised_table, strict=options.strict)
    finally:
        con.execute("drop table if exists " + '"' + normalised_table + '"')   # name from the fixed dataset spec
    errors = validate.validate(con, dataset, staged, name, replaced_batch=previous, strict=options.strict)
    if not errors or options.skip_invalid:
        notices.extend(validate.filled_notices(con, dataset, staged))
        notices.extend(_new_value_notices(con, dataset, staged))
    brought = ingest_coverage.coverage(con, dataset, staged)
    notices.extend(brought.notices(int(settings.get(con, "fiscal_year_start_month"))))
    return PreparedImport(dataset, name, sha, staged, rows, errors, notices, previous, source_format,
                          raw.sheet, profile.name if profile else options.profile, columns, normalised.formats,
                          options.skip_invalid, headers, brought)


def _new_value_notices(con, dataset: datasets.Dataset, staged: str) -> list[str]:
    """Say which vendors, cost centers and categories the file adds (they are accepted, never refused)."""
    notices = []
    for column in ("vendor", "cost_center", "category"):
        if column not in dataset.column_names:
            continue
        sql = (f'select distinct s."{column}" from "{staged}" s where s."{column}" is not null '
               f'and not exists (select 1 from "{dataset.table}" t where t."{column}" = s."{column}") order by 1')
        values = [r[0] for r in con.execute(sql).fetchall()]
        if values:
            if len(values) > 10:
                notices.append(MORE_NEW_VALUES[column](len(values), names=", ".join(values[:10]),
                                                       more=len(values) - 10))
            else:
                notices.append(NEW_VALUES[column](len(values), names=", ".join(values)))
    return notices


# the new names a file adds, a whole sentence for each column and each count (the names are the file's)
NEW_VALUES = {
    "vendor": lambda count, **names: i18n.n("{count} new vendor value(s) added: {names}",
                                            "{count} new vendor value(s) added: {names}", count, **names),
    "cost_center": lambda count, **names: i18n.n("{count} new cost center value(s) added: {names}",
                                                 "{count} new cost center value(s) added: {names}", count, **names),
    "category": lambda count, **names: i18n.n("{count} new category value(s) added: {names}",
                                              "{count} new category value(s) added: {names}", count, **names),
}
MORE_NEW_VALUES = {
    "vendor": lambda count, **names: i18n.n("{count} new vendor value(s) added: {names} and {more} more",
                                            "{count} new vendor value(s) added: {names} and {more} more",
                                            count, **names),
    "cost_center": lambda count, **names: i18n.n("{count} new cost center value(s) added: {names} and {more} more",
                                                 "{count} new cost center value(s) added: {names} and {more} more",
                                                 count, **names),
    "category": lambda count, **names: i18n.n("{count} new category value(s) added: {names} and {more} more",
                                              "{count} new category value(s) added: {names} and {more} more",
                                              count, **names),
}


def _invalid_values(prepared: PreparedImport) -> str:
    return i18n.n("{file}: {count} invalid row value(s); nothing was imported",
                  "{file}: {count} invalid row value(s); nothing was imported", len(prepared.errors),
                  file=prepared.file_name)


def _write(con, prepared: PreparedImport, user: str | None) -> ImportResult:
    """Insert one prepared import as a batch; runs inside the caller's transaction."""
    if not prepared.loadable:
        raise ImportRefused(_invalid_values(prepared), prepared.errors)
    dataset = prepared.dataset
    cols = ", ".join(f'"{c}"' for c in dataset.column_names)
    if prepared.replaced_batch is not None:
        _delete_batch(con, prepared.replaced_batch)
    rejected = prepared.rejected_rows
    batch_id = con.execute(
        "insert into import_batches (dataset, file_name, sha256, row_count, imported_at, imported_by, "
        "source_format, profile, sheet, rejected_rows) "
        "values (?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?) returning batch_id",
        [dataset.name, prepared.file_name, prepared.sha256, prepared.rows - len(rejected), user or _current_user(),
         prepared.source_format, prepared.profile, prepared.sheet, len(rejected)],
    ).fetchall()[0][0]
    if rejected:
        sql = (f'insert into "{dataset.table}" (batch_id, row_no, {cols}) '
               f'select ?, _row, {cols} from "{prepared.staged}" where not list_contains(?, _row) order by _row')
        con.execute(sql, [batch_id, rejected])
    else:
        sql = (f'insert into "{dataset.table}" (batch_id, row_no, {cols}) '
               f'select ?, _row, {cols} from "{prepared.staged}" order by _row')
        con.execute(sql, [batch_id])
    _keep_original_text(con, prepared, batch_id, rejected)
    if prepared.errors:
        problems = pd.DataFrame({"row_no": [e.row for e in prepared.errors],
                                 "column_name": [e.column for e in prepared.errors],
                                 "reason": [e.reason for e in prepared.errors]})
        con.complete()  # DuckDB 2.0 refuses register() while a fetchone() result is open
        con.register("rejected_rows", problems)
        try:
            con.execute("insert into import_rejects select ?, row_no, column_name, reason from rejected_rows",
                        [batch_id])
        finally:
            con.unregister("rejected_rows")
    return ImportResult(batch_id, dataset.name, prepared.file_name, prepared.rows - len(rejected), prepared.notices,
                        prepared.replaced_batch, len(rejected))


def _keep_original_text(con, prepared: PreparedImport, batch_id: int, rejected: list[int]) -> None:
    """Record the file's text of every cell stored differently (a name cleaned or replaced by a placeholder)."""
    staged = '"' + prepared.staged + '"'   # the staging table's name from the fixed dataset spec
    present = {d[0] for d in con.execute("select * from " + staged + " limit 0").description}
    selects = []
    for col in prepared.dataset.columns:
        if col.kind != "text":
            continue
        # column names from the fixed dataset spec; the original text is the cleaned cell's, else the file's
        kept = [f'"{c}"' for c in (text.ORIGINAL_PREFIX + col.name, "raw_" + col.name)
                if c in present and (c.startswith(text.ORIGINAL_PREFIX) or col.placeholder)]
        if not kept:
            continue
        original = kept[0] if len(kept) == 1 else f"coalesce({', '.join(kept)})"
        selects.append(f"select _row, '{col.name}' as column_name, {original} as original from {staged} "
                       f"where {original} <> \"{col.name}\" and not list_contains(?, _row)")
    if selects:
        sql = ("insert into import_original_text (batch_id, row_no, column_name, original) select ?, * from ("
               + " union all ".join(selects) + ")")
        con.execute(sql, [batch_id] + [rejected] * len(selects))


def commit_many(con, prepared: list[PreparedImport], *, user: str | None = None) -> list[ImportResult]:
    """Write several prepared imports (the sheets of a workbook) in one transaction: all or none."""
    for item in prepared:
        if not item.loadable:
            raise ImportRefused(_invalid_values(item), item.errors)
    with store.transaction(con):
        results = [_write(con, item, user) for item in prepared]
        _hold_for_tests()
    for item in prepared:
        drop = 'drop table if exists "' + item.staged + '"'  # name from the fixed dataset spec
        con.execute(drop)
    return results


def commit(con, prepared: PreparedImport, *, user: str | None = None) -> ImportResult:
    """Write a prepared, valid import as one batch in one transaction."""
    return commit_many(con, [prepared], user=user)[0]


def import_file(con, dataset_name: str, path: str | Path, **options) -> ImportResult:
    """Validate a whole file and load it all, or raise ImportRefused and load nothing."""
    user = options.pop("user", None)
    prepared = prepare(con, dataset_name, path, **options)
    return commit(con, prepared, user=user)


EXTRA_BATCH_TABLES = ("import_rejects", "cloud_costs", "import_original_text")


def _delete_batch(con, batch_id: int) -> str:
    rows = con.execute("select dataset from import_batches where batch_id = ?", [batch_id]).fetchall()
    if not rows:
        raise ImportRefused(i18n.t("no import batch {batch}", batch=batch_id))
    row = rows[0]
    table = datasets.get(row[0]).table
    for target in (table,) + EXTRA_BATCH_TABLES:
        delete = 'delete from "' + target + '" where batch_id = ?'  # tables from the fixed dataset spec
        con.execute(delete, [batch_id])
    con.execute("delete from import_batches where batch_id = ?", [batch_id])
    return row[0]


def undo(con, batch_id: int) -> tuple[str, int]:
    """Remove one import batch and all its rows; returns (dataset, rows removed)."""
    rows = con.execute("select dataset, row_count from import_batches where batch_id = ?", [batch_id]).fetchall()
    row = rows[0] if rows else None
    if row is None:
        raise ImportRefused(i18n.t("no import batch {batch}; `python -m analytics status` lists them", batch=batch_id))
    with store.transaction(con):
        _delete_batch(con, batch_id)
    return row[0], int(row[1])


def batches(con):
    """One row per import batch, newest first: batch_id, dataset, file_name, rows, rejected_rows, format, profile, imported_at, imported_by."""
    return con.execute(
        "select batch_id, dataset, file_name, row_count as rows, coalesce(rejected_rows, 0) as rejected_rows, "
        "source_format as format, profile, imported_at, imported_by from import_batches order by batch_id desc").df()


def rejects(con, *, batch_id: int):
    """One row per problem of a row left out of a batch: row_no, column_name, reason."""
    return con.execute("select row_no, column_name, reason from import_rejects where batch_id = ? "
                       "order by row_no, column_name", [batch_id]).df()


def original_text(con, *, batch_id: int):
    """One row per cell of a batch stored differently from the file (cleaned name, placeholder): row_no,
    column_name, original (the file's text), stored (the dataset's value)."""
    rows = con.execute("select dataset from import_batches where batch_id = ?", [batch_id]).fetchall()
    if not rows:
        raise ImportRefused(i18n.t("no import batch {batch}", batch=batch_id))
    dataset = datasets.get(rows[0][0])
    texts = [c.name for c in dataset.columns if c.kind == "text"]
    # the stored value picked from the dataset's text columns by name (table and names from the fixed spec)
    stored = "case o.column_name " + " ".join(f"when '{c}' then t.\"{c}\"" for c in texts) + " end"
    sql = (f"select o.row_no, o.column_name, o.original, {stored} as stored from import_original_text o "
           f'join "{dataset.table}" t on t.batch_id = o.batch_id and t.row_no = o.row_no '
           "where o.batch_id = ? order by o.row_no, o.column_name")
    return con.execute(sql, [batch_id]).df()


def _current_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:
        return None


def _hold_for_tests() -> None:
    """Test hook: pause inside the open transaction so a test can kill the process there."""
    marker = os.environ.get("OUTLAY_TEST_HOLD_BEFORE_COMMIT")
    if marker:
        Path(marker).write_text("holding")
        time.sleep(60)
