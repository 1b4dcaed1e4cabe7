"""Scorecard periods: fiscal quarters, their labels, the latest complete one and the one before."""
from __future__ import annotations

import datetime as dt

from analytics import fiscal, settings

ONE_DAY = dt.timedelta(days=1)


def quarter_bounds(day: dt.date, start_month: int) -> tuple[dt.date, dt.date]:
    """(first, last day) of the fiscal quarter containing `day`."""
    offset = (day.month - start_month) % 3
    first = fiscal.add_months(day.replace(day=1), -offset)
    return first, fiscal.add_months(first, 3) - ONE_DAY


def quarter_label(last: dt.date, start_month: int) -> str:
    """'FY2026 Q3' for the fiscal quarter ending on `last`."""
    year = fiscal.fiscal_year(last, start_month)
    quarter = ((last.month - start_month) % 12) // 3 + 1
    return f"FY{year} Q{quarter}"


def quarters(con, *, count: int = 8) -> list[tuple[dt.date, str]]:
    """(last day, label) of the `count` latest complete fiscal quarters, newest first."""
    start_month = settings.get(con, "fiscal_year_start_month")
    first, _ = quarter_bounds(settings.as_of(con), start_month)
    result, end = [], first - ONE_DAY
    for _ in range(count):
        result.append((end, quarter_label(end, start_month)))
        end = quarter_bounds(end, start_month)[0] - ONE_DAY
    return result


def previous_quarter_end(con, *, quarter_end: dt.date) -> dt.date:
    """The last day of the fiscal quarter before the one ending on quarter_end."""
    start_month = settings.get(con, "fiscal_year_start_month")
    return quarter_bounds(quarter_end, start_month)[0] - ONE_DAY


def default_quarter_end(con) -> dt.date:
    """The last day of the latest complete fiscal quarter before the as-of date."""
    return quarters(con, count=1)[0][0]
