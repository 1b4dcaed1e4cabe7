"""Layout step for budgets: a sheet with one column per month becomes one row per line and month.

Budget workbooks put months across (Jan..Dec, 2026-01.., Apr-26, Januar.., Styczeń..) with
year-total and quarter columns beside them. The month columns are melted into `period` and
`amount`; total columns are ignored (and said so); empty month cells are no budget line.
When a month header carries no year, the fiscal year comes from the sheet (a Year/FY column,
or 'FY2026' / '2026' in the title rows or the file name), else from the caller.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analytics import fiscal, i18n
from analytics.ingest.normalise import MONTH_WORDS, _fold
from analytics.ingest.read import TOTAL_WORDS, RawTable

MIN_MONTH_COLUMNS = 3
YEAR_HEADERS = {"year", "fiscal year", "fy", "budget year", "jahr", "geschaftsjahr", "rok", "rok budzetowy", "ar",
                "budgetar", "ev", "година", "rok", "annee", "ano", "anno", "jaar"}
TOTAL_HEADER = re.compile(r"^(?:total|sum|summe|gesamt|razem|suma|totalt|summa|osszesen|общо|celkem|totaal|"
                          r"totale|fy\s*\d*|year|jahr|rok|annual|full year|q[1-4]|h[1-2]|ytd)\b", re.I)


class LayoutError(ValueError):
    """The sheet's layout cannot be turned into the dataset's rows."""


@dataclass
class Reshaped:
    frame: pd.DataFrame
    notices: list[str]


def header_month(header: str) -> tuple[int | None, int] | None:
    """(year or None, month) a column header names, or None when it names no month."""
    text = _fold(str(header)).strip()
    patterns = [
        (r"^(\d{4})[-/.](\d{1,2})(?:[-/.]01)?(?: 00:00:00)?$", lambda m: (int(m[1]), int(m[2]))),
        (r"^(\d{1,2})[-/.](\d{4})$", lambda m: (int(m[2]), int(m[1]))),
        (r"^([^\W\d_]+)\.?[\s\-/']*(\d{4}|\d{2})$", lambda m: (_year(m[2]), MONTH_WORDS.get(m[1]))),
        (r"^(\d{4})[\s\-/]+([^\W\d_]+)\.?$", lambda m: (int(m[1]), MONTH_WORDS.get(m[2]))),
        (r"^([^\W\d_]+)\.?$", lambda m: (None, MONTH_WORDS.get(m[1]))),
    ]
    for pattern, build in patterns:
        match = re.match(pattern, text)
        if match:
            year, month = build(match)
            if month and 1 <= month <= 12:
                return year, month
    return None


def _year(text: str) -> int:
    return int(text) if len(text) == 4 else 2000 + int(text)


def _fiscal_year_from_text(text: str) -> int | None:
    match = re.search(r"\bFY\s*'?(\d{4}|\d{2})\b", text, re.I) or re.search(r"\b(20\d{2})\b", text)
    return _year(match.group(1)) if match else None


def to_long(raw: RawTable, *, fiscal_year: int | None, start_month: int, force: bool = False) -> Reshaped | None:
    """The long budget frame (id columns, period, amount), or None when the sheet is not wide."""
    frame = raw.frame
    months = {h: header_month(h) for h in frame.columns if h != "_row"}
    months = {h: ym for h, ym in months.items() if ym}
    if len(months) < MIN_MONTH_COLUMNS:
        if force:
            raise LayoutError(i18n.t("no month columns found (headers: {headers})",
                                     headers=", ".join(c for c in frame.columns if c != "_row")))
        return None
    notices = []
    year_column = next((h for h in frame.columns if h not in months and _fold(h) in YEAR_HEADERS
                        and frame[h].astype(str).str.fullmatch(r"\s*(?:FY\s*)?\d{4}\s*").all()), None)
    totals = [h for h in frame.columns if h not in months and h not in ("_row", year_column) and
              (TOTAL_HEADER.match(_fold(h)) or _fold(h) in TOTAL_WORDS)]
    ids = [h for h in frame.columns if h not in months and h not in totals and h != "_row" and h != year_column]
    if totals:
        notices.append(i18n.t("total column(s) ignored: {columns}", columns=", ".join(totals)))
    needs_year = any(y is None for y, _ in months.values())
    year = fiscal_year
    if needs_year and year is None and year_column is None:
        year = _fiscal_year_from_text(" ".join([raw.title, raw.sheet or "", raw.file_name]))
        if year is None:
            raise LayoutError(i18n.t("the months have no year and the sheet does not say which fiscal year it is; "
                                     "give the fiscal year (--fiscal-year 2026)"))
        notices.append(i18n.t("fiscal year {year} taken from the sheet or file name", year=year))
    long = frame.melt(id_vars=["_row"] + ids + ([year_column] if year_column else []), value_vars=list(months),
                      var_name="_month_header", value_name="amount")
    long = long[long["amount"].astype(str).str.strip() != ""]
    long["period"] = _periods(long, months, year, year_column, start_month)
    long = long.drop(columns=["_month_header"] + ([year_column] if year_column else []))
    long = long.sort_values(["_row", "period"], kind="stable").reset_index(drop=True)
    notices.append(i18n.t("wide budget sheet: {months} month column(s) turned into {lines} budget line(s)",
                          months=len(months), lines=len(long)))
    return Reshaped(long[["_row"] + ids + ["period", "amount"]], notices)


def _periods(long: pd.DataFrame, months: dict, year: int | None, year_column: str | None, start_month: int) -> list[str]:
    out = []
    years = long[year_column].astype(str).str.extract(r"(\d{4})")[0] if year_column else None
    for i, header in enumerate(long["_month_header"]):
        explicit, month = months[header]
        if explicit is not None:
            out.append(f"{explicit:04d}-{month:02d}")
            continue
        fy = year if years is None else (int(years.iloc[i]) if isinstance(years.iloc[i], str) else year)
        if fy is None:
            out.append("")
            continue
        first = fiscal.months(fy, start_month)
        match = next(d for d in first if d.month == month)
        out.append(f"{match.year:04d}-{match.month:02d}")
    return out
