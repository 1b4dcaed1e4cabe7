"""The reporting calendar: the one place that says which months are closed and where the forecast starts.

Every figure (pages, packs, CLI, metric catalog) reads its period from here:
- the fiscal year and its months (setting `fiscal_year_start_month`, analytics.fiscal);
- the as-of date (setting `as_of_date`): the day the reports treat as today;
- the books closed through month (setting `books_closed_through`, YYYY-MM; by default the month
  before the as-of month): finance decides when a month's books are closed. Year to date (YTD)
  figures count the closed months only, so a half-booked month never flatters a variance;
- the forecast cut-off: the first month after the closed books. Landings are the closed months'
  actuals plus committed payments and the forecast from the cut-off on.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from analytics import fiscal, i18n, settings


class PeriodError(ValueError):
    """A report month that is malformed, outside the year, or not closed yet."""


def parse_period(period: str) -> dt.date:
    """'YYYY-MM' as the first day of that month."""
    try:
        return dt.datetime.strptime(str(period), "%Y-%m").date()
    except (TypeError, ValueError):
        raise PeriodError(f"{period!r} is not a month YYYY-MM") from None


@dataclass(frozen=True)
class Calendar:
    """The reporting calendar in force: as-of date, closed books, forecast cut-off."""
    start_month: int
    as_of: dt.date
    closed_through: dt.date  # first day of the last closed month

    @property
    def cutoff(self) -> dt.date:
        """First day of the first forecast month (the month after the closed books)."""
        return fiscal.add_months(self.closed_through, 1)

    @property
    def current_year(self) -> int:
        """The fiscal year the as-of date falls in."""
        return fiscal.fiscal_year(self.as_of, self.start_month)

    def year_of(self, day: dt.date) -> int:
        return fiscal.fiscal_year(day, self.start_month)

    def is_closed(self, month: dt.date) -> bool:
        return month.replace(day=1) <= self.closed_through


def default_closed_through(as_of: dt.date) -> dt.date:
    """The month before the as-of month: its books are taken as closed."""
    return fiscal.add_months(as_of.replace(day=1), -1)


CALENDAR_SETTINGS = ("as_of_date", "books_closed_through", "fiscal_year_start_month")


def calendar(con) -> Calendar:
    """The calendar under the database's settings. A closed month after the as-of month is capped there."""
    values = settings.get_many(con, CALENDAR_SETTINGS)  # one query: every page query asks for the calendar
    as_of = settings.as_of_value(values["as_of_date"])
    chosen = values["books_closed_through"]  # a month, or None for the default rule
    closed = chosen if chosen is not None else default_closed_through(as_of)
    return Calendar(values["fiscal_year_start_month"], as_of, min(closed, as_of.replace(day=1)))


@dataclass(frozen=True)
class Window:
    """A fiscal year as the reports see it: its months and how many of them are closed."""
    year: int
    start_month: int
    first: dt.date
    last: dt.date
    months: tuple[dt.date, ...]
    closed_through: dt.date | None  # first day of the last closed month in the year, None if none is
    actual_last: dt.date  # last day whose spend counts at all (the as-of date, or the pack's month end)

    @property
    def ytd_months(self) -> int:
        return 0 if self.closed_through is None else self.months.index(self.closed_through) + 1

    @property
    def ytd_last_day(self) -> dt.date:
        """Last day counted in YTD figures (the day before the year when no month is closed)."""
        if self.closed_through is None:
            return self.first - dt.timedelta(days=1)
        return fiscal.add_months(self.closed_through, 1) - dt.timedelta(days=1)

    @property
    def cutoff(self) -> dt.date:
        """First month of the year that is not closed (the year's end + 1 month when all are)."""
        return fiscal.add_months(self.closed_through, 1) if self.closed_through else self.first

    @property
    def label(self) -> str:
        return fiscal.label(self.year, self.start_month)

    @property
    def ytd_label(self) -> str:
        if self.closed_through is None:
            return i18n.t("no closed month yet")
        if self.ytd_months == 12:
            return i18n.t("full year")
        return i18n.t("through {month}", month=i18n.month(self.closed_through))


def window(con, *, year: int, through: str | None = None) -> Window:
    """Fiscal year `year` under the calendar. `through` ('YYYY-MM', a closed month of that year) ends the
    year to date there instead (a monthly pack for an earlier month)."""
    cal = calendar(con)
    first, last = fiscal.bounds(year, cal.start_month)
    months = tuple(fiscal.months(year, cal.start_month))
    closed = min(cal.closed_through, months[-1])
    actual_last = min(cal.as_of, last)
    if through is not None:
        month = parse_period(through)
        if month not in months:
            raise PeriodError(f"{through} is not in {fiscal.label(year, cal.start_month)}")
        if month > cal.closed_through:
            raise PeriodError(f"{through} is not closed yet (books closed through {cal.closed_through:%Y-%m})")
        closed = month
        actual_last = fiscal.add_months(month, 1) - dt.timedelta(days=1)
    return Window(year, cal.start_month, first, last, months, closed if closed >= first else None, actual_last)


def year_of(con, period: str) -> int:
    """The fiscal year a month 'YYYY-MM' falls in."""
    return calendar(con).year_of(parse_period(period))


def current_year(con) -> int:
    """The fiscal year the as-of date falls in."""
    return calendar(con).current_year
