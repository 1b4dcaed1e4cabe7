"""Loading the demo through the real import pipeline (text -> map -> stage/validate -> load).

Small datasets become the all-text table an import file would give and go through
`ingest.prepare_table` + `ingest.commit`, so they are valid by construction. Spend above
TEXT_ROUTE_MAX_LINES lines is inserted typed, straight from DuckDB SQL, inside one
transaction with its import_batches record (same columns, same batch naming).
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from analytics import datasets, ingest, store
from analytics.demo import spend
from analytics.ingest import load as ingest_load
from analytics.ingest.read import RawTable

TEXT_ROUTE_MAX_LINES = 300_000


def batch_name(dataset: str) -> str:
    return f"demo:{dataset}"


def batch_sha(dataset: str, signature: str) -> str:
    return hashlib.sha256(f"{batch_name(dataset)}|{signature}".encode()).hexdigest()


def cell_text(value, kind: str) -> str:
    """A typed value as the text an import file holds for this column kind."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if kind == "date":
        return value.strftime("%Y-%m-%d")
    if kind == "period":
        return value.strftime("%Y-%m")
    if kind == "timestamp":
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if kind == "bool":
        return "true" if value else "false"
    if kind == "count":
        return str(int(value))
    if kind == "number":
        return repr(float(value))
    return str(value)


def text_frame(frame: pd.DataFrame, dataset_name: str) -> pd.DataFrame:
    """The frame as all-text canonical columns with `_row` (1, 2, ...)."""
    dataset = datasets.get(dataset_name)
    out = pd.DataFrame({"_row": range(1, len(frame) + 1)})
    for col in dataset.columns:
        if col.name in frame.columns:
            values = frame[col.name].astype(object).where(frame[col.name].notna(), None)
            out[col.name] = [cell_text(v, col.kind) for v in values]
        else:
            out[col.name] = ""
    return out


def load_text(con, dataset_name: str, frame: pd.DataFrame, signature: str) -> int:
    """Import a text frame as batch `demo:<dataset>`; returns its row count."""
    raw = RawTable(batch_name(dataset_name), frame)
    prepared = ingest.prepare_table(con, dataset_name, raw, batch_sha(dataset_name, signature))
    result = ingest.commit(con, prepared, user="demo")
    return result.rows


def load_frame(con, dataset_name: str, frame: pd.DataFrame, signature: str) -> int:
    return load_text(con, dataset_name, text_frame(frame, dataset_name), signature)


def spend_relation_sql(text: bool) -> str:
    """The spend lines' canonical columns, typed, or as import text with `_row`."""
    if not text:
        return spend.SPEND_SQL
    return f"""
    select row_no as _row, strftime(date, '%Y-%m-%d') as date, vendor, cast(amount as varchar) as amount,
        currency, cost_center, category, coalesce(invoice_id, '') as invoice_id,
        coalesce(contract_id, '') as contract_id, coalesce(description, '') as description,
        gl_account, capex_opex, coalesce(project, '') as project
    from ({spend.SPEND_SQL}) typed order by row_no
    """


# lines per insert on the typed route: each slice becomes a frame of its own, so a 100M-line build never holds
# the lines twice (as numpy columns and as one pandas frame)
TYPED_SLICE_LINES = 2_000_000


def load_spend(con, columns: dict[str, np.ndarray], lines_sources: pd.DataFrame, items: pd.DataFrame,
               signature: str) -> int:
    """Load the spend lines (`spend.Lines.sorted_columns`): through the import pipeline, or typed in one
    transaction, slice by slice, when large."""
    rows = len(columns["row_no"])
    con.register("demo_sources", lines_sources)
    con.register("demo_items", items)
    try:
        if rows <= TEXT_ROUTE_MAX_LINES:
            con.register("demo_lines", pd.DataFrame(columns))
            frame = con.execute(spend_relation_sql(text=True)).df()
            return load_text(con, "spend", frame, signature)
        return _insert_typed_spend(con, columns, signature)
    finally:
        for name in ("demo_lines", "demo_sources", "demo_items"):
            con.unregister(name)  # a name never registered is no error


def _insert_typed_spend(con, columns: dict[str, np.ndarray], signature: str) -> int:
    rows = len(columns["row_no"])
    cols = ", ".join(f'"{c}"' for c in datasets.get("spend").column_names)
    with store.transaction(con):
        batch_id = con.execute(
            "insert into import_batches (dataset, file_name, sha256, row_count, imported_at, imported_by) "
            "values ('spend', ?, ?, ?, current_timestamp, 'demo') returning batch_id",
            [batch_name("spend"), batch_sha("spend", signature), rows],
        ).fetchone()[0]
        insert = f"insert into spend (batch_id, row_no, {cols}) select ?, row_no, {cols} from ({spend.SPEND_SQL}) typed"
        for start in range(0, rows, TYPED_SLICE_LINES):
            con.register("demo_lines", pd.DataFrame({k: v[start:start + TYPED_SLICE_LINES] for k, v in columns.items()}))
            con.execute(insert, [batch_id])
            con.unregister("demo_lines")
    return rows


# app-made records that belong to import batches without a batch_id column of their own
BATCH_RECORD_TABLES = ("budget_changes", "budget_versions")


def clear(con) -> None:
    """Remove every imported row (each table with a batch_id), the batches and the records about them.

    Settings, saved import profiles, mappings, review notes and weights stay.
    """
    with_batches = [r[0] for r in con.execute(
        "select distinct table_name from information_schema.columns where column_name = 'batch_id' "
        "and table_schema = 'main' and table_name <> 'import_batches' and table_name in "
        "(select table_name from information_schema.tables where table_type = 'BASE TABLE') order by 1").fetchall()]
    existing = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    with store.transaction(con):
        for table in with_batches + [t for t in BATCH_RECORD_TABLES if t in existing]:
            delete = 'delete from "' + table.replace('"', '""') + '"'  # names from the catalogue
            con.execute(delete)
        con.execute("delete from import_batches")


# DuckDB's memory during a demo build (its default is 80% of the machine): the uncommitted rows of a 100M-line
# build spill to the database file and its temporary directory beyond it, and the numpy lines and the pandas
# slices beside them stay within 24 GB (without it DuckDB held 15 GB a third of the way through the FOCUS rows)
BUILD_MEMORY_LIMIT = "2GB"


def in_one_transaction(con, build, **kwargs):
    """`build(con, **kwargs)` (demo.build) as one transaction: the clear, the settings and every dataset are
    committed together, so a build that fails or is killed half-way leaves the previous data as it was."""
    with ingest_load.memory_limit(con, BUILD_MEMORY_LIMIT), store.transaction(con):
        return build(con, **kwargs)


def foreign_batches(con) -> list[tuple[int, str, str]]:
    """(batch_id, dataset, file) of every batch not written by the demo."""
    return con.execute(
        "select batch_id, dataset, file_name from import_batches where file_name not like 'demo:%' order by batch_id"
    ).fetchall()
