"""Stage 4 of an import: write a validated file in one transaction, or nothing at all.

The pipeline: read -> map headers -> stage and validate -> load. Any invalid row stops
the import before anything is written; a killed process leaves no partial rows because
the batch record and every row are committed together.
"""
from __future__ import annotations

import getpass
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from analytics import datasets, store
from analytics.ingest import mapping, read, validate


class ImportRefused(ValueError):
    """The file was not imported; `errors` lists every row problem when there are any."""

    def __init__(self, message: str, errors: list[validate.RowError] | None = None):
        super().__init__(message)
        self.errors = errors or []


@dataclass
class ImportResult:
    batch_id: int
    dataset: str
    file_name: str
    rows: int
    notices: list[str] = field(default_factory=list)
    replaced_batch: int | None = None


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


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prepare(con, dataset_name: str, path: str | Path, *, replace: bool = False, display_name: str | None = None,
            explicit_map: dict[str, str] | None = None, constants: dict[str, str] | None = None,
            sheet: str | None = None) -> PreparedImport:
    """Read, map, stage and validate one file; raises ImportRefused for problems with the whole file."""
    name = display_name or Path(path).name
    try:
        raw = read.read_table(path, sheet=sheet, display_name=name)
    except read.ReadError as exc:
        raise ImportRefused(str(exc)) from None
    return prepare_table(con, dataset_name, raw, file_sha256(path), replace=replace,
                         explicit_map=explicit_map, constants=constants)


def prepare_table(con, dataset_name: str, raw: read.RawTable, sha: str, *, replace: bool = False,
                  explicit_map: dict[str, str] | None = None,
                  constants: dict[str, str] | None = None) -> PreparedImport:
    """Map, stage and validate a table already read (from a file, an upload or a generator)."""
    dataset = datasets.get(dataset_name)
    name = raw.file_name
    previous = con.execute(
        "select batch_id from import_batches where dataset = ? and sha256 = ? order by batch_id desc limit 1",
        [dataset.name, sha],
    ).fetchone()
    if previous and not replace:
        raise ImportRefused(f"{name}: this exact file was already imported as batch {previous[0]}; "
                            f"use --replace to replace that batch, or `undo {previous[0]}` first")
    try:
        columns = mapping.resolve(list(raw.frame.columns), dataset, explicit=explicit_map,
                                  constants=constants, file_name=name)
    except mapping.MappingError as exc:
        raise ImportRefused(str(exc)) from None
    notices = []
    if columns.ignored:
        notices.append(f"{name}: column(s) not imported (not part of {dataset.name}): {', '.join(columns.ignored)}")
    frame = mapping.apply(raw.frame, dataset, columns)
    staged = validate.stage(con, dataset, frame)
    replaced = previous[0] if previous else None
    errors = validate.validate(con, dataset, staged, name, replaced_batch=replaced)
    if not errors:
        notices.extend(_new_value_notices(con, dataset, staged))
    return PreparedImport(dataset, name, sha, staged, len(frame), errors, notices, replaced)


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
            shown = ", ".join(values[:10]) + (f" and {len(values) - 10} more" if len(values) > 10 else "")
            notices.append(f"{len(values)} new {column.replace('_', ' ')} value(s) added: {shown}")
    return notices


def commit(con, prepared: PreparedImport, *, user: str | None = None) -> ImportResult:
    """Write a prepared, valid import as one batch in one transaction."""
    if prepared.errors:
        raise ImportRefused(f"{prepared.file_name}: {len(prepared.errors)} invalid row value(s); nothing was imported",
                            prepared.errors)
    dataset = prepared.dataset
    cols = ", ".join(f'"{c}"' for c in dataset.column_names)
    with store.transaction(con):
        if prepared.replaced_batch is not None:
            _delete_batch(con, prepared.replaced_batch)
        batch_id = con.execute(
            "insert into import_batches (dataset, file_name, sha256, row_count, imported_at, imported_by) "
            "values (?, ?, ?, ?, current_timestamp, ?) returning batch_id",
            [dataset.name, prepared.file_name, prepared.sha256, prepared.rows, user or _current_user()],
        ).fetchone()[0]
        sql = (f'insert into "{dataset.table}" (batch_id, row_no, {cols}) '
               f'select ?, _row, {cols} from "{prepared.staged}" order by _row')
        con.execute(sql, [batch_id])
        _hold_for_tests()
    drop = 'drop table if exists "' + prepared.staged + '"'  # name from the fixed dataset spec
    con.execute(drop)
    return ImportResult(batch_id, dataset.name, prepared.file_name, prepared.rows, prepared.notices,
                        prepared.replaced_batch)


def import_file(con, dataset_name: str, path: str | Path, **options) -> ImportResult:
    """Validate a whole file and load it all, or raise ImportRefused and load nothing."""
    user = options.pop("user", None)
    prepared = prepare(con, dataset_name, path, **options)
    return commit(con, prepared, user=user)


def _delete_batch(con, batch_id: int) -> str:
    row = con.execute("select dataset from import_batches where batch_id = ?", [batch_id]).fetchone()
    if row is None:
        raise ImportRefused(f"no import batch {batch_id}")
    table = datasets.get(row[0]).table
    delete = 'delete from "' + table + '" where batch_id = ?'  # table from the fixed dataset spec
    con.execute(delete, [batch_id])
    con.execute("delete from import_batches where batch_id = ?", [batch_id])
    return row[0]


def undo(con, batch_id: int) -> tuple[str, int]:
    """Remove one import batch and all its rows; returns (dataset, rows removed)."""
    row = con.execute("select dataset, row_count from import_batches where batch_id = ?", [batch_id]).fetchone()
    if row is None:
        raise ImportRefused(f"no import batch {batch_id}; `python -m analytics status` lists them")
    with store.transaction(con):
        _delete_batch(con, batch_id)
    return row[0], int(row[1])


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
