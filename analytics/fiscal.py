"""Fiscal years: which one a date falls in, where one starts and ends, how it is named.

A fiscal year that does not start in January is named after the calendar year in which
it ends: with an April start, FY2026 runs from 2025-04-01 to 2026-03-31.
"""
from __future__ import annotations

import datetime as dt

from analytics import i18n


def fiscal_year(date: dt.date, start_month: int) -> int:
    """The fiscal year a date falls in."""
    if start_month == 1:
        return date.year
    return date.year + 1 if date.month >= start_month else date.year


def bounds(year: int, start_month: int) -> tuple[dt.date, dt.date]:
    """(first day, last day) of fiscal year `year`."""
    if start_month == 1:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first = dt.date(year - 1, start_month, 1)
    last = dt.date(year, start_month, 1) - dt.timedelta(days=1)
    return first, last


def months(year: int, start_month: int) -> list[dt.date]:
    """The first day of each of the fiscal year's twelve months, in order."""
    first, _ = bounds(year, start_month)
    return [add_months(first, i) for i in range(12)]


def add_months(date: dt.date, count: int) -> dt.date:
    """The same day `count` months later, clamped to the month's last day."""
    index = date.year * 12 + date.month - 1 + count
    year, month = divmod(index, 12)
    month += 1
    day = min(date.day, days_in_month(year, month))
    return dt.date(year, month, day)


def days_in_month(year: int, month: int) -> int:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def label(year: int, start_month: int) -> str:
    """'FY2026', with the span when the year does not start in January."""
    if start_month == 1:
        return i18n.t("FY{year}", year=year)
    first, last = bounds(year, start_month)
    return i18n.t("FY{year} ({first} – {last})", year=year, first=i18n.month(first), last=i18n.month(last))


# months that hold data, in the datasets the pages filter by fiscal year
DATA_MONTHS_SQL = """
with
months as (
    select date_trunc('month', date) as month from spend
    union select period from budget
    union select period from sla
    union select date_trunc('month', opened_at) from incidents
),
final as (
    select distinct year(month) + case when $start > 1 and month(month) >= $start then 1 else 0 end as fiscal_year
    from months where month is not null
)
select fiscal_year from final order by fiscal_year
"""


def years_with_data(con, *, start_month: int) -> list[int]:
    """Every fiscal year in which spend, budget, SLA or incident data falls, in order."""
    return [int(r[0]) for r in con.execute(DATA_MONTHS_SQL, {"start": start_month}).fetchall()]
