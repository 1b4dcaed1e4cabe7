"""Stage 2b of an import: turn a file's numbers, dates and words into the canonical text forms.

The validate stage accepts only canonical text (dates YYYY-MM-DD, amounts like -1234.50,
true/false, ISO currency codes). Files people have use 1.234,56 or (1,234.56) or 1'234.56 €,
dates like 29/2/2016 01:16, 15. März 2026, Apr-26 or Excel serial numbers, and Capital/Revenue
for capex/opex. This stage decides one format per column from the column's distinct values
(never cell by cell), reports what it decided and what it could not tell, and rewrites the
column in one DuckDB query. A cell that does not fit the column's format is left as it was,
so validation reports it with its row; nothing is silently changed into something else.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from analytics import i18n
from analytics.currencies import ISO_4217
from analytics.i18n import N_
from analytics.datasets import Dataset
from analytics.ingest import text

SAMPLE_VALUES = 20000
SAMPLE_ROWS = 200_000
NULL_TOKENS = ["?", "NULL", "null", "#N/A", "(null)", "(blank)"]
NULL_SQL = "(" + ", ".join(f"'{t}'" for t in NULL_TOKENS) + ")"   # fixed words, never from a file
# the same words as one regular expression: DuckDB matches it many times faster than `trim(x) in (...)`,
# which cost every scan of the null-word view below most of a second per 200,000 rows
NULL_REGEX = r" *(\?|NULL|null|#N/A|\(null\)|\(blank\)) *"   # NULL_TOKENS, with spaces around

# --- words -------------------------------------------------------------------------------------

MONTH_NAMES = {  # month number -> names in the languages the importer reads
    1: "january jan januar janner janvier enero gennaio janeiro januari styczen stycznia januar januari januar leden ledna januar январи януари tammikuu",
    2: "february feb februar fevrier febrero febbraio fevereiro februari luty lutego februar februari februar unor unora februar феврари февруари helmikuu",
    3: "march mar marz maerz mrz mars marzo marco maart marzec marca marts mars marcius brezen brezna март maaliskuu",
    4: "april apr avril abril aprile kwiecien kwietnia april aprilis duben dubna април huhtikuu",
    5: "may mai mayo maggio maio mei maj maja majus kveten kvetna май toukokuu",
    6: "june jun juni juin junio giugno junho czerwiec czerwca junius cerven cervna юни kesakuu",
    7: "july jul juli juillet julio luglio julho lipiec lipca julius cervenec cervence юли heinakuu",
    8: "august aug august aout agosto augustus sierpien sierpnia augusti augusztus srpen srpna август elokuu",
    9: "september sep sept septembre septiembre setiembre settembre setembro wrzesien wrzesnia szeptember zari септември syyskuu",
    10: "october oct oktober octobre octubre ottobre outubro pazdziernik pazdziernika oktober oktober rijen rijna октомври lokakuu",
    11: "november nov novembre noviembre novembro listopad listopada november november listopadu ноември marraskuu",
    12: "december dec dezember decembre diciembre dicembre dezembro grudzien grudnia december december prosinec prosince декември joulukuu",
}
# abbreviations: the first 3 and 4 letters of each name, where no other month's name shares them
_FINNISH = {"tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesakuu", "heinakuu", "elokuu",
            "syyskuu", "lokakuu", "marraskuu", "joulukuu"}


def _fold(text: str) -> str:
    """Lower case without accents (März -> marz, październik -> pazdziernik)."""
    text = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("ł", "l")


def _month_words() -> dict[str, int]:
    words: dict[str, int] = {}
    prefixes: dict[str, set[int]] = {}
    for number, names in MONTH_NAMES.items():
        for name in names.split():
            words[_fold(name)] = number
            if name in _FINNISH:
                continue
            for size in (3, 4):
                if len(name) > size:
                    prefixes.setdefault(_fold(name[:size]), set()).add(number)
    for prefix, numbers in prefixes.items():
        if len(numbers) == 1 and prefix not in words:
            words[prefix] = numbers.pop()
    return words


MONTH_WORDS = _month_words()

TRUE_WORDS = ["true", "yes", "y", "1", "t", "x", "ja", "j", "oui", "si", "sí", "tak", "ano", "igen", "da", "да",
              "wahr", "vrai", "waar", "sant", "kyllä", "on"]
FALSE_WORDS = ["false", "no", "n", "0", "f", "nein", "non", "nie", "ne", "nem", "не", "falsch", "faux", "onwaar",
               "nej", "falskt", "ei", "off"]
CHOICE_SYNONYMS = {
    "capex_opex": {"capital": "capex", "cap": "capex", "capex": "capex", "investment": "capex", "investition": "capex",
                   "investiv": "capex", "revenue": "opex", "rev": "opex", "opex": "opex", "operating": "opex",
                   "operational": "opex", "betrieb": "opex", "operativ": "opex"},
    "billing_frequency": {"monthly": "monthly", "month": "monthly", "monatlich": "monthly", "mensuel": "monthly",
                          "quarterly": "quarterly", "quarter": "quarterly", "quartalsweise": "quarterly",
                          "annual": "annual", "annually": "annual", "yearly": "annual", "year": "annual",
                          "jährlich": "annual", "annuel": "annual"},
}
# currency marks found in amounts -> ISO code ('kr' is SEK, NOK, DKK or ISK: not guessed)
CURRENCY_MARKS = {"£": "GBP", "€": "EUR", "us$": "USD", "$": "USD", "zł": "PLN", "zl": "PLN", "ft": "HUF",
                  "лв": "BGN", "лв.": "BGN", "kč": "CZK", "kc": "CZK", "chf": "CHF", "fr.": "CHF", "¥": "JPY",
                  "₹": "INR", "lei": "RON", "₺": "TRY", "₴": "UAH"}
_CUR = r"(?:US\$|[£€$¥₹₺₴]|zł|zl|Kč|Kc|Ft|лв\.?|lei|kr\.?|Fr\.|[A-Z]{3})"
_SPACE = "[ \u00a0\u202f]"


@dataclass
class FormatOptions:
    """Choices a user can make when the data cannot tell (None: decide from the data)."""
    date_order: str | None = None     # 'dmy' (31/12/2026) or 'mdy' (12/31/2026)
    decimal: str | None = None        # '.' or ','

    def as_dict(self) -> dict:
        return {k: v for k, v in (("date_order", self.date_order), ("decimal", self.decimal)) if v}


@dataclass
class ColumnFormat:
    column: str
    description: str
    sql: str
    params: dict = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    structs: dict[str, str] = field(default_factory=dict)   # alias -> regexp_extract(...) computed first


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- numbers -----------------------------------------------------------------------------------

def _number_regex(decimal: str) -> str:
    group = "[,'’ \u00a0\u202f]" if decimal == "." else "[.'’ \u00a0\u202f]"
    dec = r"\." if decimal == "." else ","
    num = rf"(?:\d{{1,3}}(?:{group}\d{{3}})+(?:{dec}\d*)?|\d+(?:{dec}\d*)?|{dec}\d+)"
    return (rf"^\s*(\()?\s*([-−+])?\s*({_CUR})?{_SPACE}*([-−])?\s*({num}){_SPACE}*({_CUR})?\s*([-−])?\s*(\))?\s*$")


SCIENTIFIC = re.compile(r"[-+]?\d+(?:\.\d+)?[eE][-+]?\d{1,3}")
# one mark followed by exactly three digits (1.500, 12,500, -€1.500): thousands or decimals, the value cannot tell
AMBIGUOUS = re.compile(r"\D*[1-9]\d{0,2}[.,]\d{3}\D*")


class AmbiguousNumbers(ValueError):
    """A number column whose decimal mark neither its values nor the rest of the file settles."""

    def __init__(self, column: str, example: str):
        self.column, self.example = column, example
        super().__init__(self.describe(repr(column)))

    def describe(self, column: str) -> str:
        """The problem in the current language, the column named as `column` (the file's header, say)."""
        mark = "." if "." in self.example else ","
        return i18n.t("cannot tell whether {example} in column {column} uses {mark} to group thousands or as the "
                      "decimal mark: no value in the column or in the rest of the file settles it; choose the "
                      "decimal mark", example=repr(self.example), column=column, mark=repr(mark))


def _number_evidence(value: str) -> str | None:
    """'.', ',' or None (cannot tell) for the decimal mark of one value."""
    if SCIENTIFIC.fullmatch(value.strip()):
        return "."   # 2e3, 4.5E-14: written by a spreadsheet, always with a point
    core = re.sub(r"[^\d.,'’]", "", value)
    if "." in core and "," in core:
        return "." if core.rfind(".") > core.rfind(",") else ","
    for mark, other in ((".", ","), (",", ".")):
        if mark in core:
            parts = core.split(mark)
            if len(parts) > 2:
                return other  # 1,234,567 or 1.234.567: the mark groups thousands
            if len(parts[1]) != 3 or not parts[0] or parts[0] == "0":
                return mark   # 12.5, 0,125, ,5: a decimal mark
            return None       # 1,234 or 1.234: either
    if "'" in core or "’" in core:
        return "."
    return None


def decimal_votes(values: list[str]) -> dict[str, int]:
    """How many values show '.' and how many show ',' as their decimal mark."""
    return dict(_votes(tuple(values)))


@functools.lru_cache(maxsize=16)
def _votes(values: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    # cached: the file's decimal mark and each column's format read the same sample values
    votes = {".": 0, ",": 0}
    for value in values:
        mark = _number_evidence(value)
        if mark:
            votes[mark] += 1
    return tuple(votes.items())


def number_format(values: list[str], column: str, *, kind: str, options: FormatOptions,
                  hint_decimal: str | None = None, hint_reason: str = "") -> ColumnFormat:
    """The decimal mark of a column and the SQL rewriting it to canonical text.

    The column's own values decide; when none of them can (every one like 1.500), the file's other
    signals (hint_decimal: other number columns, dd.mm.yyyy dates, semicolons) do, and the notice says
    so; when nothing does, AmbiguousNumbers is raised: never a silent guess. A count cannot be 1.5,
    so in a count column 1,500 groups thousands."""
    votes = decimal_votes(values)
    undecided = [v for v in values if AMBIGUOUS.fullmatch(v)]
    notices = []
    if options.decimal:
        decimal = options.decimal
    elif votes["."] and votes[","]:
        decimal = "." if votes["."] >= votes[","] else ","
        minority = votes[","] if decimal == "." else votes["."]
        notices.append(i18n.t("column {column} mixes number formats ({points} value(s) like 1,234.56 and {commas} "
                              "like 1.234,56): read with {decimal} as decimal mark; the {minority} other value(s) "
                              "are reported as errors", column=repr(column), points=votes["."], commas=votes[","],
                              decimal=repr(decimal), minority=minority))
    elif votes[","] or votes["."]:
        decimal = "," if votes[","] else "."
    elif undecided and kind == "count":
        decimal = "," if "." in undecided[0] else "."
    elif undecided and hint_decimal:
        decimal = hint_decimal
        notices.append(i18n.t("column {column}: values like {example} read with {decimal} as decimal mark "
                              "({reason}); choose the decimal mark to change this", column=repr(column),
                              example=repr(undecided[0]), decimal=repr(decimal),
                              reason=hint_reason or i18n.t("from the rest of the file")))
    elif undecided:
        raise AmbiguousNumbers(column, undecided[0])
    else:
        decimal = hint_decimal or "."
    regex = _number_regex(decimal)
    grouping = "[,'’ \u00a0\u202f]" if decimal == "." else "[.'’ \u00a0\u202f]"
    v = f"trim({_q(column)})"
    structs = {"__n_{i}": f"regexp_extract({v}, $re_{{i}}, ['po', 'lead', 'cur1', 'mid', 'num', 'cur2', 'tail', 'pc'])"}
    p = '"__n_{i}"'
    sign = (f"case when ({p}.po <> '' and {p}.pc <> '') or {p}.lead in ('-', '−') or {p}.mid <> '' "
            f"or {p}.tail <> '' then '-' else '' end")
    paren_ok = f"(({p}.po = '') = ({p}.pc = ''))"
    digits = f"replace(regexp_replace({p}.num, $grp_{{i}}, '', 'g'), $dec_{{i}}, '.')"
    number = f"regexp_replace({digits}, '^\\.', '0.')"
    if kind == "count":
        number = f"regexp_replace({number}, '\\.0*$', '')"
    sql = (f"case when {v} = '' or not regexp_full_match({v}, $re_{{i}}) or not {paren_ok} then {v} "
           f"else {sign} || regexp_replace({number}, '\\.$', '') end")
    return ColumnFormat(column, f"numbers with {decimal!r} as decimal mark", sql,
                        {"re": regex, "grp": grouping, "dec": decimal}, notices, structs)


def currency_from_amounts_sql(amount_column: str) -> str:
    """SQL: the ISO code a currency mark in the amount column names (NULL when none or ambiguous)."""
    v = f"trim({_q(amount_column)})"
    mark = f"lower(coalesce(nullif(regexp_extract({v}, $curre_{{i}}, 1), ''), regexp_extract({v}, $curre_{{i}}, 2)))"
    return (f"coalesce(list_extract($curcodes_{{i}}, list_position($curmarks_{{i}}, {mark})), "
            f"case when list_contains($iso_{{i}}, upper({mark})) then upper({mark}) end)")


# --- dates -------------------------------------------------------------------------------------

_TIME = r"(?:[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?"
_ZONE = r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
_WORD_PY = r"([^\W\d_]+)\.?"
_WORD_SQL = r"(\p{L}+)\.?"
# (name, regex with WORD placeholder, group names); a/b are day or month, decided per column
DATE_PATTERNS = [
    ("iso", r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + _ZONE + "$", ["y", "m", "d", "hh", "mi", "ss", "ap"]),
    ("ymd", r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + _TIME + "$", ["y", "m", "d", "hh", "mi", "ss", "ap"]),
    ("compact", r"^(\d{4})(\d{2})(\d{2})$", ["y", "m", "d"]),
    ("slash", r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})" + _TIME + "$", ["a", "b", "y", "hh", "mi", "ss", "ap"]),
    ("dot", r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})" + _TIME + "$", ["a", "b", "y", "hh", "mi", "ss", "ap"]),
    ("dash", r"^(\d{1,2})-(\d{1,2})-(\d{4}|\d{2})" + _TIME + "$", ["a", "b", "y", "hh", "mi", "ss", "ap"]),
    ("day-month-name", r"^(\d{1,2})\.?[ \-/]*WORD[ \-/,]*(\d{4}|\d{2})" + _TIME + "$",
     ["d", "mw", "y", "hh", "mi", "ss", "ap"]),
    ("month-name-day", r"^WORD[ \-]*(\d{1,2})(?:st|nd|rd|th)?,?[ ]+(\d{4})" + _TIME + "$",
     ["mw", "d", "y", "hh", "mi", "ss", "ap"]),
    ("month-name-year", r"^WORD[ \-/']*(\d{4}|\d{2})$", ["mw", "y"]),
    ("year-month", r"^(\d{4})[-/.]?(\d{1,2})$", ["y", "m"]),
    ("month-year", r"^(\d{1,2})[/.\-](\d{4})$", ["m", "y"]),
    ("excel-serial", r"^(\d{5})(?:\.(\d+))?$", ["serial", "frac"]),
]
PERIOD_ONLY = {"month-name-year", "year-month", "month-year"}
DATE_SAMPLE = 2000
# patterns DuckDB's strptime reads (fast, C++); the others are built from regular expression groups
_CLOCKS = [" %H:%M:%S", " %H:%M", " %I:%M:%S %p", " %I:%M %p", " %H.%M", ""]
STRPTIME_PATTERNS = {
    "iso": ["%Y-%m-%d" + sep + c.strip() if c else "%Y-%m-%d" for sep in (" ", "T") for c in
            (" %H:%M:%S.%f", " %H:%M:%S", " %H:%M", "")],
    "ymd": [f"%Y{s}%m{s}%d{c}" for s in "/." for c in _CLOCKS],
    "compact": ["%Y%m%d"],
    "slash": [f"%d/%m/{y}{c}" for y in ("%y", "%Y") for c in _CLOCKS],
    "dot": [f"%d.{sp}%m.{sp}{y}{c}" for sp in ("", " ") for y in ("%y", "%Y") for c in _CLOCKS],
    "dash": [f"%d-%m-{y}{c}" for y in ("%y", "%Y") for c in _CLOCKS],
}


def _order_formats(formats: list[str], values: list[str]) -> list[str]:
    """The formats the sample uses, most used first, then the rest: a failed try costs DuckDB far more."""
    counts = dict.fromkeys(formats, 0)
    for value in values:
        text = re.sub(r"\s*(Z|UTC|GMT)$", "", value)
        for fmt in formats:
            try:
                dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
            counts[fmt] += 1
            break
    return sorted(formats, key=lambda f: -counts[f])


def strptime_formats(name: str, order: str) -> list[str]:
    """DuckDB strptime formats for a numeric date pattern, with day and month in the column's order."""
    formats = list(dict.fromkeys(STRPTIME_PATTERNS.get(name, [])))
    if order == "mdy" and name in ("slash", "dot", "dash"):
        formats = [f.replace("%d", "%DAY").replace("%m", "%d").replace("%DAY", "%m") for f in formats]
    return formats


def _pattern(name: str, regex: str, sql: bool) -> str:
    return regex.replace("WORD", _WORD_SQL if sql else _WORD_PY)


_COMPILED = {name: re.compile(_pattern(name, regex, sql=False)) for name, regex, _ in DATE_PATTERNS}


def _year(y: str) -> str:
    return f"case when length({y}) = 2 then (case when cast({y} as integer) < 70 then '20' else '19' end) || {y} else {y} end"


def _pad(x: str) -> str:
    return f"lpad({x}, 2, '0')"


def _date_sql(groups: list[str], kind: str, order: str) -> str:
    """SQL building canonical text from the struct `p` of regexp_extract groups."""
    g = {name: f"P.{name}" for name in groups}
    if "serial" in g:
        base = "timestamp '1899-12-30' + to_seconds(round(cast(P.serial || '.' || coalesce(nullif(P.frac, ''), '0') as double) * 86400))"
        fmt = {"date": "%Y-%m-%d", "period": "%Y-%m", "timestamp": "%Y-%m-%d %H:%M:%S"}[kind]
        return f"case when cast(P.serial as integer) between 20000 and 80000 then strftime({base}, '{fmt}') end"
    if "a" in g:
        day, month = (g["a"], g["b"]) if order == "dmy" else (g["b"], g["a"])
    else:
        day, month = g.get("d", "'1'"), g.get("m")
    if "mw" in g:
        month = f"cast(list_extract($mnum_{{i}}, list_position($mword_{{i}}, lower(strip_accents(replace(replace({g['mw']}, 'ł', 'l'), 'Ł', 'L'))))) as varchar)"
    date = f"{_year(g['y'])} || '-' || {_pad(month)}"
    if kind == "period":
        return date
    date += f" || '-' || {_pad(day)}"
    if kind == "date":
        return date
    if "hh" not in g:
        return date + " || ' 00:00:00'"
    hour = ("case when P.hh = '' then '00' when lower(left(P.ap, 1)) = 'p' and cast(P.hh as integer) < 12 "
            "then cast(cast(P.hh as integer) + 12 as varchar) when lower(left(P.ap, 1)) = 'a' and P.hh = '12' "
            "then '00' else lpad(P.hh, 2, '0') end")
    return (f"{date} || ' ' || {hour} || ':' || coalesce(nullif(P.mi, ''), '00') || ':' "
            "|| coalesce(nullif(P.ss, ''), '00')")


def date_format(values: list[str], column: str, *, kind: str, options: FormatOptions) -> ColumnFormat:
    """The date format(s) of a column and the SQL rewriting it to canonical text."""
    matched: dict[str, int] = {}
    first_max = second_max = 0
    dot_seen = False
    compiled = [(name, _COMPILED[name], groups) for name, _, groups in DATE_PATTERNS
                if kind == "period" or name not in PERIOD_ONLY]
    for value in values[:DATE_SAMPLE]:
        for name, regex, groups in compiled:
            m = regex.match(value)
            if not m:
                continue
            if name in ("day-month-name", "month-name-day", "month-name-year"):
                if _fold(m.group(groups.index("mw") + 1)) not in MONTH_WORDS:
                    continue
            if name == "excel-serial" and not 20000 <= int(m.group(1)) <= 80000:
                continue
            if name == "compact" and not 1 <= int(m.group(2)) <= 12:
                continue
            matched[name] = matched.get(name, 0) + 1
            if "a" in groups:
                first_max, second_max = max(first_max, int(m.group(1))), max(second_max, int(m.group(2)))
                dot_seen = dot_seen or name == "dot"
            break
    notices = []
    order = options.date_order
    if order is None:
        if first_max > 12 >= second_max:
            order = "dmy"
        elif second_max > 12 >= first_max:
            order = "mdy"
        else:
            order = "dmy"
            if first_max > 12 and second_max > 12:
                notices.append(i18n.t("column {column} has dates with a first part above 12 and dates with a "
                                      "second part above 12: read as day/month; the others are reported as errors",
                                      column=repr(column)))
            elif any(k in matched for k in ("slash", "dash")) and not dot_seen:
                notices.append(i18n.t("column {column}: cannot tell dd/mm/yyyy from mm/dd/yyyy (no day above 12); "
                                      "read as day/month (choose the date order to change this)",
                                      column=repr(column)))
    if any(k in matched for k in ("slash", "dot", "dash")):
        described = "dd/mm/yyyy" if order == "dmy" else "mm/dd/yyyy"
    else:
        described = ", ".join(sorted(matched)) or "no recognised dates"
    if not matched:
        if values:
            notices.append(i18n.t("column {column}: no value looks like a date (for example {example})",
                                  column=repr(column), example=repr(values[0])))
        return ColumnFormat(column, described, f"trim({_q(column)})", {}, notices)
    v = f"trim({_q(column)})"
    branches, structs, params = [], {}, {}
    formats = _order_formats([f for name in matched for f in strptime_formats(name, order)], values[:300])
    if formats:
        # the formats are fixed strings from this module (never from a file); as literals DuckDB parses them once
        literal = "[" + ", ".join(f"'{f}'" for f in formats) + "]"
        out = {"date": "%Y-%m-%d", "period": "%Y-%m", "timestamp": "%Y-%m-%d %H:%M:%S"}[kind]
        cleaned = f"regexp_replace({v}, '\\s*(Z|UTC|GMT)$', '')" if "iso" in matched else v
        branches.append(f"strftime(try_strptime({cleaned}, {literal}), '{out}')")
    for n, (name, regex, groups) in enumerate(DATE_PATTERNS):
        if name not in matched or name in STRPTIME_PATTERNS:
            continue
        params.update({"mword": list(MONTH_WORDS), "mnum": list(MONTH_WORDS.values())})
        params[f"dre{n}"] = _pattern(name, regex, sql=True)
        alias = f"__d{n}_{{i}}"
        structs[alias] = f"regexp_extract({v}, $dre{n}_{{i}}, {groups!r})"
        build = _date_sql(groups, kind, order).replace("P.", f'"{alias}".')
        branches.append(f"case when regexp_full_match({v}, $dre{n}_{{i}}) then {build} end")
    sql = f"coalesce({', '.join(branches)}, {v})"
    return ColumnFormat(column, described, sql, params, notices, structs)


# --- the stage ---------------------------------------------------------------------------------

# the text each kind accepts without rewriting (as validate.py parses it; more decimals and 2e3 are rounded there)
CANONICAL = {
    "money": re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d{1,3})?"),
    "number": re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d{1,3})?"),
    "count": re.compile(r"\d{1,9}"),
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "period": re.compile(r"\d{4}-\d{2}"),
    "timestamp": re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"),
}
WHOLE = re.compile(r"-?\d+")
NUMBER_KINDS = ("money", "number", "count")
DELIMITER_DECIMAL = {";": (",", N_("the file separates columns with semicolons")),
                     ",": (".", N_("the file separates columns with commas"))}
DOT_DATE = re.compile(r"\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}\b.*")

@dataclass
class Normalised:
    frame: pa.Table | str        # an Arrow table, or the name of the temporary table written (normalise(into=...))
    notices: list[str]
    formats: dict[str, str]


def _sample(con, table: str, column: str) -> list[str]:
    # the distinct values of the first SAMPLE_ROWS rows decide the format; a later cell that does not fit
    # it is left as written and reported by validation, never silently changed
    sql = (f"select distinct v from (select trim({_q(column)}) as v from {_q(table)} limit {SAMPLE_ROWS}) "
           f"where v <> '' limit {SAMPLE_VALUES}")
    rows = con.execute(sql).fetchall()
    return [r[0] for r in rows]


def column_sql(con, table: str, column: str, kind: str, *, options: FormatOptions, i: int,
               hint_decimal: str | None = None, hint_reason: str = "", choices: dict[str, str] | None = None,
               values: list[str] | None = None) -> tuple[str, dict, ColumnFormat | None]:
    """(SQL expression, bound parameters, detected format) rewriting `column` of `table` for a column kind.

    The expression may use the struct columns in fmt.structs (alias -> SQL), which the caller
    computes in an inner select first, so each regular expression runs once per cell.
    Raises AmbiguousNumbers for a number column whose decimal mark nothing settles.
    """
    v = f"trim({_q(column)})"
    if kind in NUMBER_KINDS + ("date", "timestamp", "period"):
        values = _sample(con, table, column) if values is None else values
        canonical = CANONICAL[kind]
        if kind in NUMBER_KINDS:
            fmt = number_format(values, column, kind=kind, options=options, hint_decimal=hint_decimal,
                                hint_reason=hint_reason)
            if fmt.params["dec"] == ",":
                canonical = WHOLE   # with a decimal comma, 2.000 is two thousand: only plain integers are canonical
        if all(canonical.fullmatch(x) for x in values):
            # already canonical (our templates, exports, most ERP extracts): nothing to rewrite
            return v, {}, ColumnFormat(column, "canonical", v, notices=fmt.notices if kind in NUMBER_KINDS else [])
        if kind not in NUMBER_KINDS:
            fmt = date_format(values, column, kind=kind, options=options)
        # cells already in canonical form skip the rewrite (one cheap match instead of several)
        fmt.sql = f"case when regexp_full_match({v}, '{canonical.pattern}') then {v} else {fmt.sql} end"
    elif kind == "bool":
        return (f"case when list_contains($tw_{i}, lower({v})) then 'true' when list_contains($fw_{i}, lower({v})) "
                f"then 'false' else {v} end", {f"tw_{i}": TRUE_WORDS, f"fw_{i}": FALSE_WORDS}, None)
    elif kind == "choice" and choices:
        return (f"coalesce(list_extract($cto_{i}, list_position($cfrom_{i}, lower({v}))), {v})",
                {f"cfrom_{i}": list(choices), f"cto_{i}": list(choices.values())}, None)
    elif kind == "currency":
        marks = {k: v for k, v in CURRENCY_MARKS.items()}
        return (f"case when regexp_full_match({v}, '[A-Z]{{3}}') then {v} "
                f"else coalesce(list_extract($ccode_{i}, list_position($cmark_{i}, lower({v}))), {v}) end",
                {f"cmark_{i}": list(marks), f"ccode_{i}": list(marks.values())}, None)
    else:
        return v, {}, None
    params = {f"{k}_{i}": val for k, val in fmt.params.items()}
    fmt.structs = {a.replace("{i}", str(i)): e.replace("{i}", str(i)) for a, e in fmt.structs.items()}
    return fmt.sql.replace("{i}", str(i)), params, fmt


def file_decimal(samples: dict[str, list[str]], kinds: dict[str, str],
                 delimiter: str | None = None) -> tuple[str | None, str]:
    """(decimal mark, why) from the whole file, for number columns whose own values cannot tell:
    the other number columns' values first, then dd.mm.yyyy dates, then the delimiter."""
    votes = {".": 0, ",": 0}
    for name, values in samples.items():
        if kinds[name] in NUMBER_KINDS:
            for mark, count in decimal_votes(values).items():
                votes[mark] += count
    if votes["."] != votes[","]:
        mark = "." if votes["."] > votes[","] else ","
        return mark, i18n.t("other numbers in the file use {mark} as decimal mark", mark=repr(mark))
    dates = [v for name, values in samples.items() if kinds[name] not in NUMBER_KINDS for v in values[:200]]
    if dates and sum(bool(DOT_DATE.fullmatch(v)) for v in dates) > len(dates) / 2:
        return ",", i18n.t("the file writes dates as dd.mm.yyyy")
    mark, reason = DELIMITER_DECIMAL.get(delimiter, (None, ""))
    return mark, i18n.t(reason)


def _needs_currency_fill(con, column: str) -> bool:
    """True when some currency cells are empty and some amounts carry a currency mark (£, €, zł, ...)."""
    sql = f"select count(*) from normalise_text where trim({_q(column)}) = ''"
    if not con.execute(sql).fetchall()[0][0]:
        return False
    sql = "select count(*) from normalise_text where regexp_matches(amount, '[^-−+()0-9.,\\s''’]')"
    return bool(con.execute(sql).fetchall()[0][0])


def normalise(con, dataset: Dataset, frame: pd.DataFrame | str, *, options: FormatOptions | None = None,
              delimiter: str | None = None, fill_currency: bool = True, into: str | None = None) -> Normalised:
    """The mapped text frame (or temporary table of that name) with every typed column rewritten into
    canonical text (names cleaned).

    With `into`, the result is written to that DuckDB temporary table (Normalised.frame is its name) instead
    of an Arrow table in Python memory: DuckDB keeps big imports within its memory limit (spilling to disk)."""
    options = options or FormatOptions()
    con.complete()  # DuckDB 2.0 refuses register() while a fetchone() result is open
    if isinstance(frame, str):   # a temporary table already in DuckDB (a big file, load.py)
        con.execute("create or replace temp view normalise_input as select * from " + _q(frame))
    else:
        # an Arrow table scans faster than a DataFrame, and Arrow-backed columns convert without a copy
        con.register("normalise_input", pa.Table.from_pandas(frame, preserve_index=False))
    try:
        return _normalise_registered(con, dataset, options, delimiter, fill_currency, into)
    finally:
        con.execute("drop view if exists normalise_text")
        if isinstance(frame, str):
            con.execute("drop view if exists normalise_input")
        else:
            con.unregister("normalise_input")


def _normalise_registered(con, dataset: Dataset, options: FormatOptions, delimiter: str | None,
                          fill_currency: bool, into: str | None) -> Normalised:
    # a view, not a copy: null words (?, NULL, #N/A) read as empty cells
    con.execute("create or replace temp view normalise_text as select * replace ("
                + ", ".join(f"case when regexp_full_match({_q(c)}, '{NULL_REGEX}') then '' else coalesce({_q(c)}, '') end "
                            f"as {_q(c)}"
                            for c in dataset.column_names) + ") from normalise_input")
    kinds = {col.name: col.kind for col in dataset.columns}
    samples = {name: _sample(con, "normalise_text", name) for name, kind in kinds.items()
               if kind in NUMBER_KINDS + ("date", "timestamp", "period")}
    hint, reason = file_decimal(samples, kinds, delimiter)
    # null words are plain ASCII: the input counts what cleaning changes as the view would, without its regexes
    cleaned = text.clean_counts(con, "normalise_input", [c.name for c in dataset.columns if c.kind == "text"])
    selects, params, notices, formats, structs = ["_row"], {}, [], {}, {}
    for i, col in enumerate(dataset.columns):
        expr, p, fmt = column_sql(con, "normalise_text", col.name, col.kind, options=options, i=i,
                                  hint_decimal=hint, hint_reason=reason, choices=CHOICE_SYNONYMS.get(col.name),
                                  values=samples.get(col.name))
        if fmt:
            notices.extend(fmt.notices)
            formats[col.name] = fmt.description
            structs.update(fmt.structs)
        if col.kind == "text" and cleaned.get(col.name):
            selects.append(f"{text.original_sql(col.name)} as {_q(text.ORIGINAL_PREFIX + col.name)}")
            expr = text.clean_sql(col.name, expr)
            notices.append(i18n.n(
                "column {column}: {count} value(s) cleaned (Unicode normalised to NFC, zero-width characters "
                "removed, non-breaking and repeated spaces made single)",
                "column {column}: {count} value(s) cleaned (Unicode normalised to NFC, zero-width characters "
                "removed, non-breaking and repeated spaces made single)", cleaned[col.name], column=repr(col.name)))
        if (col.kind == "currency" and fill_currency and "amount" in dataset.column_names
                and _needs_currency_fill(con, col.name)):
            fill = currency_from_amounts_sql("amount").replace("{i}", "cur")
            expr = f"case when trim({_q(col.name)}) = '' then coalesce({fill}, '') else {expr} end"
            p.update({"curre_cur": rf"^\s*\(?\s*[-−+]?\s*({_CUR}){_SPACE}*.*?\d|\d{_SPACE}*({_CUR})\s*[-−)]*\s*$",
                      "curmarks_cur": list(CURRENCY_MARKS), "curcodes_cur": list(CURRENCY_MARKS.values()),
                      "iso_cur": sorted(ISO_4217)})
        selects.append(f"{expr} as {_q(col.name)}")
        params.update(p)
    inner = "select *" + "".join(f", {e} as {_q(a)}" for a, e in structs.items()) + " from normalise_text"
    sql = "select " + ", ".join(selects) + f" from ({inner})"
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    if into:
        con.execute("create or replace temp table " + _q(into) + " as " + sql, used)
        return Normalised(into, notices, formats)
    return Normalised(con.sql(sql, params=used).to_arrow_table(), notices, formats)
