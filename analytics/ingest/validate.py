"""Stage 3 of an import: parse every cell and check every rule, over the whole file.

The mapped text table goes into a DuckDB temporary table; each rule is one set-based query
(fast on millions of rows). Nothing is written to the dataset tables here. The result is a
typed staging table `staged_<dataset>` and the list of every problem found.
Column names in the SQL below come from the fixed dataset spec (datasets.py), never from a file.
Reasons are written in the current language (i18n) as whole sentences; a value known only per row (the stored
value, a duplicate key) is put into the translated sentence's {placeholder} by SQL `replace`.
"""
from __future__ import annotations

from dataclasses import dataclass

from analytics import i18n
from analytics.i18n import N_
from analytics.currencies import ISO_4217
from analytics.datasets import REDACTED, Column, Dataset
from analytics.ingest.text import ORIGINAL_PREFIX
from analytics.showback import rules as showback_rules

TRUE_WORDS = ["true", "yes", "y", "1"]
FALSE_WORDS = ["false", "no", "n", "0"]
MAX_FIELD_CHARS = 100_000      # no name, code or description is longer; a longer cell is a broken file
NUMBER_LIMIT = 1e12            # beyond this a target, a measure or a rate is a typo or an overflow
MONEY_DECIMALS = 4
PLAIN_NUMBER = r"-?\d+(\.\d+)?"
SCIENTIFIC = r"-?\d+(\.\d+)?[eE][-+]?\d{1,3}"
# what publishers write in place of a withheld name (fixed words, compared case-insensitively)
_WITHHELD = r"(redacted|withheld|personal data|personal information|data protection|name withheld|gdpr)"
REDACTION_MARKS = rf"(?i)[\W_]*{_WITHHELD}([\W_]+{_WITHHELD})*[\W_]*|[*#]{{3,}}"


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        # 'budget.csv:12:amount: reason' in English; other languages name the row and the column in words
        return i18n.t("{file}:{row}:{column}: {reason}", file=self.file, row=self.row, column=self.column,
                      reason=self.reason)


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
        # spreadsheet residue (412.0700000000001, 4.5E-14, 2e3) is rounded to 4 decimals; too big stays NULL
        return (f"case when regexp_full_match({raw}, '{PLAIN_NUMBER}') "
                f"then try_cast(round(try_cast({raw} as decimal(38, 10)), {MONEY_DECIMALS}) as decimal(18, 4)) "
                f"when regexp_full_match({raw}, '{SCIENTIFIC}') "
                f"then try_cast(round(try_cast({raw} as double), {MONEY_DECIMALS}) as decimal(18, 4)) end")
    if kind == "number":
        number = f"try_cast({raw} as double)"
        return f"case when isfinite({number}) and abs({number}) <= {NUMBER_LIMIT:.0f} then {number} end"
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


def _range_reason(col: Column) -> str:
    """Why a value that reads as a number was not accepted (too big, NaN, Infinity)."""
    # the largest decimal(18, 4), written in the locale (as a float it would round up to 100 trillion)
    limit = (i18n.number(99_999_999_999_999) + i18n.decimal_mark() + "9999" if col.kind == "money"
             else i18n.number(NUMBER_LIMIT))
    return i18n.t("not a finite number within ±{limit} (NaN, Infinity and overflows are refused)", limit=limit)


def _parse_reason(col: Column) -> str:
    if col.kind == "text" and col.pattern:
        return i18n.t(col.pattern_help or N_("not in the expected form"))
    if col.kind == "choice":
        return i18n.t("not one of {choices}", choices="/".join(col.choices))
    return i18n.t(PARSE_REASONS.get(col.kind, N_("invalid value")))


# why a cell of each kind does not parse (the forms expected are the file's, not the language's)
PARSE_REASONS = {
    "date": N_("not a date (expected YYYY-MM-DD)"),
    "period": N_("period not YYYY-MM"),
    "timestamp": N_("not a timestamp (expected YYYY-MM-DD HH:MM:SS)"),
    "money": N_("not an amount (a number like -1234.50)"),
    "number": N_("not a number"),
    "count": N_("not a whole number of 0 or more"),
    "currency": N_("unknown currency code (expected ISO 4217, like EUR)"),
    "bool": N_("not true/false"),
    "timezone": N_("unknown time zone (expected an IANA name, like Europe/Paris)"),
}


def _placeholder_expr(col: Column, typed: str) -> str:
    """A blank name becomes the column's placeholder, a redaction mark becomes (redacted)."""
    raw = f"nullif(trim({_q(col.name)}), '')"
    return (f"case when {raw} is null then '{col.placeholder}' "
            f"when regexp_full_match({raw}, '{REDACTION_MARKS}') then '{REDACTED}' else {typed} end")


def _column_names(frame) -> list[str]:
    """The columns of a pandas DataFrame, an Arrow table (or a list of names)."""
    if isinstance(frame, list):
        return frame
    return list(frame.column_names) if hasattr(frame, "column_names") else [str(c) for c in frame.columns]


def stage(con, dataset: Dataset, frame, *, strict: bool = False) -> str:
    """Load the mapped text frame (or the temporary table of that name) into a typed temporary table;
    returns its name.
    Blank names with a placeholder are filled unless `strict` (then they are missing values)."""
    staged = f"staged_{dataset.name}"
    source = frame if isinstance(frame, str) else "incoming_text"   # a temporary table's name, or a frame
    if isinstance(frame, str):
        frame = [d[0] for d in con.execute("select * from " + _q(source) + " limit 0").description]
    else:
        con.complete()  # DuckDB 2.0 refuses register() while a fetchone() result is open
        con.register("incoming_text", frame)
    try:
        select = ["_row"]
        for col in dataset.columns:
            expr = _typed_expr(col)
            if col.placeholder and not strict:
                expr = _placeholder_expr(col, expr)
            if col.default is not None:
                expr = f"coalesce({expr}, case when nullif(trim({_q(col.name)}), '') is null then '{col.default}' end)"
                if col.kind == "bool":
                    expr = f"coalesce({_typed_expr(col)}, case when nullif(trim({_q(col.name)}), '') is null then {col.default} end)"
            select.append(f"{expr} as {_q(col.name)}")
            select.append(f"nullif(trim({_q(col.name)}), '') as {_q('raw_' + col.name)}")
        # names cleaned by normalise carry their original text (text.ORIGINAL_PREFIX), kept for evidence
        select += [_q(c) for c in _column_names(frame) if c.startswith(ORIGINAL_PREFIX)]
        sql = "create or replace temp table " + _q(staged) + " as select " + ", ".join(select) + " from " + _q(source)
        named = {"currencies": sorted(ISO_4217), "true_words": TRUE_WORDS, "false_words": FALSE_WORDS}
        con.execute(sql, {k: v for k, v in named.items() if f"${k}" in sql})
    finally:
        if source == "incoming_text":
            con.unregister("incoming_text")
    return staged


def too_long() -> str:
    return i18n.t("the value is longer than the limit of {limit} characters "
                  "(a quote left open, or a whole document pasted into one cell?)", limit=i18n.number(MAX_FIELD_CHARS))


def has_nul() -> str:
    return i18n.t("contains a NUL character (byte 0): the file is damaged or not text")


def _text_checks(col: Column, staged: str) -> list[tuple[str, dict]]:
    """Over-long cells and NUL characters in a text column, in one scan."""
    raw = _q("raw_" + col.name)
    sql = (f"select _row, '{col.name}', case when length({raw}) > ? then ? else ? end from {_q(staged)} "
           f"where length({raw}) > ? or contains({raw}, chr(0))")
    return [(sql, {"params": [MAX_FIELD_CHARS, too_long(), has_nul(), MAX_FIELD_CHARS]})]


def _cell_checks(dataset: Dataset, staged: str, strict: bool = False) -> list[tuple[str, dict]]:
    checks = []
    for col in dataset.columns:
        name, raw = _q(col.name), _q("raw_" + col.name)
        if col.kind == "text":   # other kinds refuse such a cell as unparseable already
            checks.extend(_text_checks(col, staged))
        if col.required and (strict or not col.placeholder):
            checks.append((f"select _row, '{col.name}' as col, ? as reason from {_q(staged)} where {raw} is null",
                           {"params": [i18n.t("missing required value")]}))
        if col.kind in ("money", "number"):
            # a value that reads as a number (or NaN, Infinity) but was not accepted is out of range
            numeric = f"^({PLAIN_NUMBER}|{SCIENTIFIC}|(?i)[-+]?(nan|inf|infinity))$"
            for reason, matches in ((_range_reason(col), ""), (_parse_reason(col), "not ")):
                checks.append((f"select _row, '{col.name}', ? from {_q(staged)} where {raw} is not null "
                               f"and {name} is null and {matches}regexp_full_match({raw}, ?)",
                               {"params": [reason, numeric]}))
        elif col.kind != "text" or col.pattern:
            reason = _parse_reason(col)
            if col.kind == "count":
                checks.append((f"select _row, '{col.name}', ? from {_q(staged)} "
                               f"where {raw} is not null and {name} is null and try_cast({raw} as double) < 0",
                               {"params": [i18n.t("must not be negative")]}))
                checks.append((f"select _row, '{col.name}', ? from {_q(staged)} where {raw} is not null and {name} is null "
                               f"and coalesce(try_cast({raw} as double), 0) >= 0", {"params": [reason]}))
            else:
                checks.append((f"select _row, '{col.name}', ? from {_q(staged)} where {raw} is not null and {name} is null",
                               {"params": [reason]}))
        if col.minimum is not None:
            minimum = f"{col.minimum:g}"
            checks.append((f"select _row, '{col.name}', ? from {_q(staged)} where {name} < ?",
                           {"params": [i18n.t("below the minimum of {minimum}", minimum=minimum), col.minimum]}))
        if col.maximum is not None:
            maximum = f"{col.maximum:g}"
            checks.append((f"select _row, '{col.name}', ? from {_q(staged)} where {name} > ?",
                           {"params": [i18n.t("above the maximum of {maximum}", maximum=maximum), col.maximum]}))
        if col.positive:
            checks.append((f"select _row, '{col.name}', ? from {_q(staged)} where {name} <= 0",
                           {"params": [i18n.t("must be greater than 0")]}))
        if col.decimals is not None:
            # refused rather than silently rounded (an fx rate of 0.000000001 would become 0)
            reason = i18n.t("has more precision than the {decimals} decimals kept: it would be stored as {stored}; "
                            "refused rather than changed", decimals=col.decimals, stored="{stored}")
            checks.append((f"select _row, '{col.name}', replace(?, '{{stored}}', printf('%.' || ? || 'f', {name})) "
                           f"from {_q(staged)} where {name} > 0 and abs(round({name}, ?) - {name}) > 1e-6 * abs({name})",
                           {"params": [reason, col.decimals, col.decimals]}))
    for earlier, later in dataset.ordered:
        checks.append((f"select _row, '{later}', ? from {_q(staged)} where {_q(later)} < {_q(earlier)}",
                       {"params": [i18n.t("{later} is before {earlier}", later=later, earlier=earlier)]}))
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
        f"select _row, '{dataset.key[0]}', replace(replace(?, '{{row}}', cast(first_row as varchar)), '{{key}}', "
        f"key_text) from keyed where n > 1 and _row <> first_row"
    )
    join = " and ".join(f"coalesce(cast(s.{k} as varchar), '') = coalesce(cast(t.{k} as varchar), '')" for k in keys)
    against = (
        f"select s._row, '{dataset.key[0]}', replace(?, '{{key}}', {label}) "
        f"from {_q(staged)} s where {parsed} and exists (select 1 from {_q(dataset.table)} t where {join} "
        f"and t.batch_id <> coalesce(?, -1))"
    )
    # the sentences in the current language; SQL puts the row's key (and the first row) into their placeholders
    duplicate = i18n.t("duplicate key ({key}) also on row {row}", key="{key}", row="{row}")
    already = i18n.t("key ({key}) already in the database", key="{key}")
    return [(within, {"params": [duplicate]}), (against, {"params": [already, replaced_batch]})]


def validate(con, dataset: Dataset, staged: str, file_name: str, *, replaced_batch: int | None = None,
             strict: bool = False) -> list[RowError]:
    """Every problem in the staged table, ordered by row; empty when the file is valid.
    Every rule is one select of (row, column, reason); they run as one query (union all), so DuckDB
    plans them together and the staged table is read in one pass of the pipeline instead of one per rule.
    Rules over several rows at once (a showback rule set, drivers) run once every row is valid on its own
    (a duplicated or malformed row would otherwise also be reported as shares not adding up)."""
    checks = _cell_checks(dataset, staged, strict) + _key_checks(dataset, staged, replaced_batch)
    errors: list[RowError] = []
    if checks:
        # each rule's SQL comes from this module and the fixed dataset spec; values are bound (positional, in order)
        sql = " union all ".join("(" + check + ")" for check, _ in checks)
        params = [value for _, opts in checks for value in opts.get("params", [])]
        errors = [RowError(file_name, int(row), column, reason)
                  for row, column, reason in con.execute(sql, params).fetchall()]
    if not errors:
        errors = _row_set_errors(con, dataset, staged, file_name)
    order = {name: i for i, name in enumerate(dataset.column_names)}
    errors.sort(key=lambda e: (e.row, order.get(e.column, 99), e.reason))
    return errors


def _row_set_errors(con, dataset: Dataset, staged: str, file_name: str) -> list[RowError]:
    """Rules over several rows of a file: a showback rule set (shares add to 100, no cycle) or drivers (no
    month where a driver adds up to 0)."""
    if dataset.name == "allocation_rules":
        sql = ('select _row as row_no, step, source_dimension, source_value, target_kind, target, share_pct, '
               'nullif(trim(driver), \'\') as driver from "' + staged + '"')  # staged name from the fixed spec
        problems = showback_rules.rule_problems(con.execute(sql).df(), showback_rules.read_drivers(con))
    elif dataset.name == "drivers":
        sql = 'select _row as row_no, period, driver, target, quantity from "' + staged + '"'
        problems = showback_rules.driver_problems(con.execute(sql).df())
    else:
        return []
    return [RowError(file_name, p.row, p.column, p.reason) for p in problems]


def filled_notices(con, dataset: Dataset, staged: str) -> list[str]:
    """What the stage filled in or rounded, per column: blank and redacted names, money beyond 4 decimals.
    One aggregate query over the staged table for every column."""
    counts, params = [], []
    for col in dataset.columns:
        name, raw = _q(col.name), _q("raw_" + col.name)
        if col.placeholder:
            counts += [f"count(*) filter ({raw} is null)", f"count(*) filter ({name} = ? and {raw} is not null)"]
            params.append(REDACTED)
        if col.kind == "money":
            rounded = f"{name} is not null and cast({name} as double) <> try_cast({raw} as double)"
            counts += [f"count(*) filter ({rounded})", f"min({raw}) filter ({rounded})"]
    if not counts:
        return []
    values = iter(con.execute("select " + ", ".join(counts) + " from " + _q(staged), params).fetchall()[0])
    notices = []
    for col in dataset.columns:
        if col.placeholder:
            blank, redacted = next(values), next(values)
            column = col.name.replace("_", " ")
            if blank:
                notices.append(i18n.n(
                    "{count} row(s) with a blank {column} imported as {placeholder} (the audit lists them; a strict "
                    "import refuses them)",
                    "{count} row(s) with a blank {column} imported as {placeholder} (the audit lists them; a strict "
                    "import refuses them)", blank, column=column, placeholder=repr(col.placeholder)))
            if redacted:
                notices.append(i18n.n(
                    "{count} row(s) with a withheld {column} (REDACTED, *****, ...) imported as {placeholder}",
                    "{count} row(s) with a withheld {column} (REDACTED, *****, ...) imported as {placeholder}",
                    redacted, column=column, placeholder=repr(REDACTED)))
        if col.kind == "money":
            rounded, example = next(values), next(values)
            if rounded:
                notices.append(i18n.n(
                    "{count} {column} value(s) with more than {decimals} decimals (like {example}, as spreadsheets "
                    "write them) rounded to {decimals} decimals",
                    "{count} {column} value(s) with more than {decimals} decimals (like {example}, as spreadsheets "
                    "write them) rounded to {decimals} decimals", rounded, column=col.name, decimals=MONEY_DECIMALS,
                    example=repr(example)))
    return notices
