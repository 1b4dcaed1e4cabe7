"""The reporting calendar: closed books, forecast cut-off and the year to date, from the settings."""
from __future__ import annotations

import datetime as dt

import pytest

from analytics import calendar, settings


def _calendar(con, **values) -> calendar.Calendar:
    settings.set_many(con, values)
    return calendar.calendar(con)


@pytest.mark.parametrize("as_of, closed, cutoff", [
    ("2026-11-30", dt.date(2026, 10, 1), dt.date(2026, 11, 1)),   # a month end does not close its own month
    ("2026-11-15", dt.date(2026, 10, 1), dt.date(2026, 11, 1)),
    ("2026-01-01", dt.date(2025, 12, 1), dt.date(2026, 1, 1)),    # across the calendar year
])
def test_books_close_the_month_before_the_as_of_month_by_default(con, as_of, closed, cutoff):
    cal = _calendar(con, as_of_date=as_of)
    assert (cal.closed_through, cal.cutoff) == (closed, cutoff)


def test_finance_closes_the_books_by_setting(con):
    cal = _calendar(con, as_of_date="2026-11-30", books_closed_through="2026-11")
    assert (cal.closed_through, cal.cutoff) == (dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    cal = _calendar(con, books_closed_through="2026-08")  # books still open for September and October
    assert (cal.closed_through, cal.cutoff) == (dt.date(2026, 8, 1), dt.date(2026, 9, 1))


def test_closed_month_never_runs_past_the_as_of_month(con):
    cal = _calendar(con, as_of_date="2026-11-30", books_closed_through="2027-02")
    assert cal.closed_through == dt.date(2026, 11, 1)


@pytest.mark.parametrize("value", ["2026-13", "Nov 2026", "2026/11"])
def test_books_closed_through_must_be_a_month(con, value):
    with pytest.raises(settings.SettingError, match="YYYY-MM"):
        settings.set_value(con, "books_closed_through", value)


@pytest.mark.parametrize("start, as_of, closed, year, ytd_months", [
    (1, "2026-11-30", "", 2026, 10),
    (4, "2026-11-30", "", 2027, 7),        # FY2027 runs Apr 2026 - Mar 2027
    (10, "2026-11-30", "", 2027, 1),       # FY2027 runs Oct 2026 - Sep 2027
    (10, "2026-10-05", "", 2027, 0),       # the year's first month is still open
    (10, "2026-10-31", "2026-10", 2027, 1),
])
def test_window_counts_the_closed_months_of_the_year(con, start, as_of, closed, year, ytd_months):
    settings.set_many(con, {"fiscal_year_start_month": str(start), "as_of_date": as_of,
                            "books_closed_through": closed})
    assert calendar.current_year(con) == year
    win = calendar.window(con, year=year)
    assert win.ytd_months == ytd_months
    assert win.cutoff == calendar.calendar(con).cutoff


def test_a_pack_month_must_be_closed(con):
    settings.set_many(con, {"as_of_date": "2026-11-30"})
    assert calendar.window(con, year=2026, through="2026-10").ytd_months == 10
    with pytest.raises(calendar.PeriodError, match="not closed yet"):
        calendar.window(con, year=2026, through="2026-11")
    with pytest.raises(calendar.PeriodError, match="not in FY2026"):
        calendar.window(con, year=2026, through="2025-12")
