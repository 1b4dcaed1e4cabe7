"""Text cells made comparable: one vendor is one vendor, whatever invisible characters its name carries.

Files copied from web pages, PDFs and other systems carry names that look equal and are not:
'Acme Corp' with a non-breaking space, with a zero-width space, with the 'ü' of 'Müller' written
as u + combining diaeresis (NFD, as macOS writes it), or with two spaces. Each becomes a vendor of
its own. The normalise stage counts what would change in every text column in one scan (`clean_counts`)
and rewrites the columns that need it with `clean_sql`: Unicode NFC, zero-width
characters and soft hyphens removed, every kind of space (tab, no-break, narrow, ideographic)
folded into one ordinary space, ends trimmed. A NUL character is not cleaned: validation refuses it.
The patterns are fixed strings from this module, never from a file.
"""
from __future__ import annotations

ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
SPACES = "[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000 ]+"
# a cell needs cleaning only when it holds a non-ASCII character (more bytes than characters), a tab, or two
# spaces in a row: plain string functions, many times faster than a regular expression over every cell


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def cleaned_sql(expr: str) -> str:
    """SQL: the text expression in NFC, without zero-width characters, with single ordinary spaces."""
    return (f"trim(regexp_replace(regexp_replace(nfc_normalize({expr}), '{ZERO_WIDTH}', '', 'g'), "
            f"'{SPACES}', ' ', 'g'))")


def _needs_sql(column: str) -> str:
    c = _q(column)
    return f"(strlen({c}) <> length({c}) or contains({c}, '  ') or contains({c}, chr(9)))"


def _changed_count_sql(column: str) -> str:
    trimmed = "trim(" + _q(column) + ")"
    return f"count(*) filter ({_needs_sql(column)} and {cleaned_sql(trimmed)} <> {trimmed})"


def clean_counts(con, table: str, columns: list[str]) -> dict[str, int]:
    """Cells each text column of `table` would change: one cheap scan finds the columns with cells that may
    need cleaning, a second one (over those rows only) counts the cells cleaning changes."""
    if not columns:
        return {}
    sql = "select " + ", ".join(f"count(*) filter ({_needs_sql(c)})" for c in columns) + " from " + _q(table)
    candidates = [c for c, n in zip(columns, con.execute(sql).fetchall()[0]) if n]
    counts = dict.fromkeys(columns, 0)
    if candidates:
        changed = ", ".join(_changed_count_sql(c) for c in candidates)
        sql = ("select " + changed + " from " + _q(table) + " where "   # names from the fixed dataset spec
               + " or ".join(_needs_sql(c) for c in candidates))
        counts.update(zip(candidates, (int(n) for n in con.execute(sql).fetchall()[0])))
    return counts


ORIGINAL_PREFIX = "_original_"   # normalise's output column holding a cleaned cell's text as the file wrote it


def original_sql(column: str) -> str:
    """SQL: the trimmed cell where it may need cleaning (NULL elsewhere), kept as evidence of the original."""
    return f"case when {_needs_sql(column)} then trim({_q(column)}) end"


def clean_sql(column: str, expr: str) -> str:
    """SQL: `expr` cleaned where the text column needs it (other cells pass with two cheap string tests)."""
    return f"case when {_needs_sql(column)} then {cleaned_sql(expr)} else {expr} end"
