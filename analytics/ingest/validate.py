"""Stage 3 of an import: parse every cell and check every rule, over the whole file.

The mapped text table goes into a DuckDB temporary table; each rule is one set-based query
(fast on millions of rows). Nothing is written to the dataset tables here. The result is a
typed staging table `staged_<dataset>` and the list of every problem found.
Column names in the SQL below come from the fixed dataset spec (datasets.py), never from a file.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.currencies import ISO_4217
from analytics.datasets import Column, Dataset

TRUE_WORDS = ["true", "yes", "y", "1"]
FALSE_WORDS = ["false", "no", "n", "0"]


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.reason}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _typed_expr(col: Column) -> str:
    """SQL turning the trimmed text column into its typed value (NULL where it does not parse)."""
    raw = f"nullif(trim({_q(col.name)}), '')"
    kind = col.kind
    if kind == "date":
        return f"cast(try_strptime({raw}, '%Y-%m-%d') as date)"
    if kind == "period":
        return f"case when regexp_full_match({raw}, '\\d{{4}}-\\d{{2}}') then cast(try_strptime({raw} || '-01', '%Y-%m-%d') as date) end"
    if kind == "timestamp":
        return f"try_cast(replace({raw}, 'T', ' ') as timestamp)"
    if kind == "money":
        return f"case when regexp_full_match({raw}, '-?\\d+(\\.\\d{{1,4}})?') then try_cast({raw} as decimal(18, 4)) end"
    if kind == "number":
        return f"try_cast({raw} as double)"
    if kind == "count":
        return f"case when regexp_full_match({raw}, '\\d{{1,9}}') then cast({raw} as integer) end"
    if kind == "currency":
        return f"case when list_contains($currencies, upper({raw})) then upper({raw}) end"
    if kind == "bool":
        return (f"case when list_contains($true_words, lower({raw})) then true "
                f"when list_contains($false_words, lower({raw})) then false end")
    if kind == "timezone":
        return f"case when {raw} in (select name from pg_timezone_names()) then {raw} end"
    if kind == "choice":
        choices = "[" + ", ".join("'" + c + "'" for c in col.choices) + "]"
        return f"case when list_contains({choices}, lower({raw})) then lower({raw}) end"
    if col.pattern:  # from the fixed dataset spec, never from a file
        pattern = "(?i)" + col.pattern.replace("'", "''")
        return f"case when regexp_full_match({raw}, '{pattern}') then {raw} end"
    return raw  # text


def _parse_reason(col: Column) -> str:
    if col.kind == "text" and col.pattern:
        return col.pattern_help or "not in the expected form"
    return {
        "date": "not a date (expected YYYY-MM-DD)",
        "period": "period not YYYY-MM",
        "timestamp": "not a timestamp (expected YYYY-MM-DD HH:MM:SS)",
        "money": "not an amount (a number with up to 4 decimals, like -1234.50)",
        "number": "not a number",
        "count": "not a whole number of 0 or more",
        "currency": "unknown currency code (expected ISO 4217, like EUR)",
        "bool": "not true/false",
        "choice": "not one of " + "/".join(col.choices),
        "timezone": "unknown time zone (expected an IANA name, like Europe/Paris)",
    }.get(col.kind, "invalid value")


def stage(con, dataset: Dataset, frame: pd.DataFrame) -> str:
    """Load the mapped text frame into a typed temporary table; returns its name."""
    staged = f"staged_{dataset.name}"
    con.complete()  # DuckDB 2.0 refuses register() while a fetchone() result is open
    con.register("incoming_text", frame)
    try:
        select = ["_row"]
        for col in dataset.columns:
            expr = _typed_expr(col)
            if col.default is not None:
                expr = f"coalesce({expr}, case when nullif(trim({_q(col.name)}), '') is null then '{col.default}' end)"
                if col.kind == "bool":
                    expr = f"coalesce({_typed_expr(col)}, case when nullif(trim({_q(col.name)}), '') is null then {col.default} end)"
            select.append(f"{expr} as {_q(col.name)}")
            select.append(f"nullif(trim({_q(col.name)}), '') as {_q('raw_' + col.name)}")
        sql = "create or replace temp table " + _q(staged) + " as select " + ", ".join(select) + " from incoming_text"
        named = {"currencies": sorted(ISO_4217), "true_words": TRUE_WORDS, "false_words": FALSE_WORDS}
        con.execute(sql, {k: v for k, v in named.items() if f"${k}" in sql})
    finally:
        con.unregister("incoming_text")
    return staged


def _cell_checks(dataset: Dataset, staged: str) -> list[tuple[str, dict]]:
    checks = []
    for col in dataset.columns:
        name, raw = _q(col.name), _q("raw_" + col.name)
        if col.required:
            checks.append((f"select _row, '{col.name}' as col, 'missing required value' as reason "
                           f"from {_q(staged)} where {raw} is null", {}))
        if col.kind != "text" or col.pattern:
            reason = _parse_reason(col)
            if col.kind == "count":
                checks.append((f"select _row, '{col.name}', 'must not be negative' from {_q(staged)} "
                               f"where {raw} is not null and {name} is null and try_cast({raw} as double) < 0", {}))
                checks.append((f"select _row, '{col.name}', ? from {_q(staged)} where {raw} is not null and {name} is null "
                               f"and coalesce(try_cast({raw} as double), 0) >= 0", {"params": [reason]}))
            else:
                checks.append((f"select _row, '{col.name}', ? from {_q(staged)} where {raw} is not null and {name} is null",
                               {"params": [reason]}))
        if col.minimum is not None:
            checks.append((f"select _row, '{col.name}', 'below the minimum of ' || ? from {_q(staged)} where {name} < ?",
                           {"params": [f"{col.minimum:g}", col.minimum]}))
        if col.maximum is not None:
            checks.append((f"select _row, '{col.name}', 'above the maximum of ' || ? from {_q(staged)} where {name} > ?",
                           {"params": [f"{col.maximum:g}", col.maximum]}))
    for earlier, later in dataset.ordered:
        checks.append((f"select _row, '{later}', '{later} is before {earlier}' from {_q(staged)} "
                       f"where {_q(later)} < {_q(earlier)}", {}))
    return checks


def _key_checks(dataset: Dataset, staged: str, replaced_batch: int | None) -> list[tuple[str, dict]]:
    if not dataset.key:
        return []
    keys = [_q(k) for k in dataset.key]
    norm = ", ".join(f"coalesce(cast({k} as varchar), '')" for k in keys)
    label = " || ', ' || ".join(f"'{k}=' || coalesce(cast({_q(k)} as varchar), '')" for k in dataset.key)
    parsed = " and ".join(f"({_q(k)} is not null or {_q('raw_' + k)} is null)" for k in dataset.key)
    within = (
        f"with keyed as (select _row, {label} as key_text, "
        f"min(_row) over (partition by {norm}) as first_row, "
        f"count(*) over (partition by {norm}) as n from {_q(staged)} where {parsed}) "
        f"select _row, '{dataset.key[0]}', 'duplicate key (' || key_text || ') also on row ' || first_row "
        f"from keyed where n > 1 and _row <> first_row"
    )
    join = " and ".join(f"coalesce(cast(s.{k} as varchar), '') = coalesce(cast(t.{k} as varchar), '')" for k in keys)
    against = (
        f"select s._row, '{dataset.key[0]}', 'key (' || {label} || ') already in the database' "
        f"from {_q(staged)} s where {parsed} and exists (select 1 from {_q(dataset.table)} t where {join} "
        f"and t.batch_id <> coalesce(?, -1))"
    )
    return [(within, {}), (against, {"params": [replaced_batch]})]


def validate(con, dataset: Dataset, staged: str, file_name: str, *, replaced_batch: int | None = None) -> list[RowError]:
    """Every problem in the staged table, ordered by row; empty when the file is valid."""
    errors: list[RowError] = []
    for sql, opts in _cell_checks(dataset, staged) + _key_checks(dataset, staged, replaced_batch):
        for row, column, reason in con.execute(sql, opts.get("params", [])).fetchall():
            errors.append(RowError(file_name, int(row), column, reason))
    order = {name: i for i, name in enumerate(dataset.column_names)}
    errors.sort(key=lambda e: (e.row, order.get(e.column, 99)))
    return errors
