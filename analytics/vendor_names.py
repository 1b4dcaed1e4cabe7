"""Vendor name keys, so the same vendor joins across spend, contracts and licences.

`normalise(name)` and the SQL macro `vendor_key(name)` (created by migration 006) give the same
key: accents stripped, lower case, dots and apostrophes dropped ("S.A." -> "sa"), "&" read as
"and", other punctuation as a space, trailing legal suffixes removed ("Ltd", "Limited", "Inc.",
"GmbH", "LLC", "plc", "S.A.", "B.V.", ...), a leading "The" removed, spaces collapsed.
A name that is nothing but a suffix ("Limited") keeps it rather than becoming empty.

    normalise("Microsoft Ireland Operations Ltd.") == "microsoft ireland operations"
    normalise("ACME, Inc") == normalise("Acme Incorporated") == "acme"
    normalise("Müller GmbH & Co. KG") == "muller"

In SQL: `select vendor_key(vendor) as vendor_key, sum(amount) from spend group by 1`.
On large tables group by the raw name first and key the distinct names (the regular
expressions cost more than the grouping).
"""
from __future__ import annotations

import re
import unicodedata

LEGAL_SUFFIXES = (
    "ltd", "limited", "inc", "incorporated", "llc", "llp", "lp", "plc", "corp", "corporation", "co", "company",
    "gmbh", "ag", "kg", "ug", "se", "sa", "sas", "sarl", "spa", "srl", "bv", "nv", "ab", "as", "asa", "oy", "oyj",
    "aps", "pty", "pte", "kk", "sl", "sau", "sro", "zrt", "kft", "bhd", "sdn",
)
# "and" only inside a trailing run, as in "GmbH & Co. KG" or "Smith & Co"
_SUFFIX_RE = r"( (" + "|".join(LEGAL_SUFFIXES + ("and",)) + r"))+$"

# the SQL twin of normalise(); RE2 and Python's re agree on these patterns
VENDOR_KEY_SQL = (
    "coalesce(nullif(trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace("
    "regexp_replace(lower(strip_accents(trim(name))), '[.''\u2019]', '', 'g'), "
    "'&', ' and ', 'g'), '[^\\p{L}\\p{N}]+', ' ', 'g'), '^ *the ', '', 'g'), "
    f"'{_SUFFIX_RE}', '', 'g')), ''), lower(trim(name)))"
)
CREATE_MACRO_SQL = f"create or replace macro vendor_key(name) as {VENDOR_KEY_SQL}"


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise(name: str | None) -> str:
    """The join key of a vendor name (see the module docstring); '' for a missing name."""
    if name is None:
        return ""
    raw = str(name).strip()
    text = _strip_accents(raw.lower())
    text = re.sub(r"[.'\u2019]", "", text)
    text = text.replace("&", " and ")
    text = re.sub(r"[\W_]+", " ", text)
    text = re.sub(r"^ *the ", "", text)
    text = re.sub(_SUFFIX_RE, "", text).strip()
    return text or raw.lower()


def keys(names):
    """normalise() of each name of a pandas Series (same index; '' for a missing one), each distinct name worked out
    once: the cost audit's 3M findings at 100M spend lines name a few thousand vendors."""
    distinct = {name: normalise(name) for name in names.dropna().unique()}
    return names.map(distinct).fillna("")
