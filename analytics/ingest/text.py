"""Text cells made comparable: one vendor is one vendor, whatever invisible characters its name carries.

Files copied from web pages, PDFs and other systems carry names that look equal and are not:
'Acme Corp' with a non-breaking space, with a zero-width space, with the 'ü' of 'Müller' written
as u + combining diaeresis (NFD, as macOS writes it), or with two spaces. Each becomes a vendor of
its own. The normalise stage rewrites text columns with `clean_sql`: Unicode NFC, zero-width
characters and soft hyphens removed, every kind of space (tab, no-break, narrow, ideographic)
folded into one ordinary space, ends trimmed. A NUL character is not cleaned: validation refuses it.
The patterns are fixed strings from this module, never from a file.
"""
from __future__ import annotations

ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
SPACES = "[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000 ]+"
# a cell needs cleaning only when it holds a character outside printable ASCII, or two spaces in a row
NEEDS_CLEANING = "[^ -~]|  "


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def cleaned_sql(expr: str) -> str:
    """SQL: the text expression in NFC, without zero-width characters, with single ordinary spaces."""
    return (f"trim(regexp_replace(regexp_replace(nfc_normalize({expr}), '{ZERO_WIDTH}', '', 'g'), "
            f"'{SPACES}', ' ', 'g'))")


def clean_sql(con, table: str, column: str, expr: str) -> tuple[str, int]:
    """(SQL expression, cells it changes) for a text column of `table`; the expression is `expr` itself
    when no cell needs cleaning, so clean files pay one scan and no rewrite."""
    raw = f"trim({_q(column)})"
    needs = f"regexp_matches({raw}, '{NEEDS_CLEANING}')"
    changes = f"select count(*) from {_q(table)} where {needs} and {cleaned_sql(raw)} <> {raw}"
    changed = int(con.execute(changes).fetchall()[0][0])
    if not changed:
        return expr, 0
    return f"case when {needs} then {cleaned_sql(expr)} else {expr} end", changed
