"""The spend sums a job stores per month and key (analytics.spend_totals, migration 022): the books read them for the
whole months they ask for, sum the rest from the lines, and give the same figures to the cent either way; sums that
are not those of the spend as it is now are never read."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import budget, jobs, overview, settings, showback, spend_totals, store, variance

YEAR = 2026  # the demo company: as of 2026-11-15, books closed through 2026-10


@pytest.fixture
def con(demo_rw):
    jobs.refresh(demo_rw)
    assert spend_totals.is_current(demo_rw)
    return demo_rw


def _figures(con) -> dict[str, pd.DataFrame]:
    """What the pages show that reads actual through spend_month_rc (budget vs actual, its monthly and top-vendor
    views, the projects, the variance drivers and the showback allocation)."""
    alloc = showback.allocation(con, fy=YEAR)
    return {
        "by cost center x category x vendor": budget.budget_vs_actual(con, year=YEAR,
                                                                      by=("cost_center", "category", "vendor")),
        "by project x month": budget.budget_vs_actual(con, year=YEAR, by=("project", "period")),
        "by capex/opex, one vendor": budget.budget_vs_actual(con, year=YEAR, by=("capex_opex",), vendor="Microsoft"),
        "monthly": budget.monthly(con, year=YEAR),
        "projects over their life": budget.projects(con),
        "last year": budget.budget_vs_actual(con, year=YEAR - 1, by=("cost_center",)),
        "top vendors": overview.top_vendors(con, year=YEAR),
        "variance drivers": variance.drivers(con, year=YEAR),
        "showback": showback.totals_by(alloc, by="business_unit"),
    }


def _same_without_the_sums(con) -> None:
    stored = _figures(con)
    con.execute("delete from spend_month_results")  # what a database before its first job run reads: the lines
    assert not spend_totals.is_current(con)
    from_lines = _figures(con)
    for name, frame in stored.items():
        pd.testing.assert_frame_equal(frame, from_lines[name], check_exact=True, obj=name)


def test_the_figures_are_the_same_to_the_cent_with_the_stored_sums_and_from_the_lines(con):
    _same_without_the_sums(con)


def test_the_same_in_another_reporting_currency(con):
    settings.set_value(con, "reporting_currency", "EUR")  # a write: the sums are stale until the jobs run
    assert not spend_totals.is_current(con)
    jobs.refresh(con)
    assert spend_totals.is_current(con)
    _same_without_the_sums(con)


def test_the_books_read_the_stored_sums_for_the_closed_months(con):
    before = budget.budget_vs_actual(con, year=YEAR, by=()).iloc[0]
    reporting = settings.get(con, "reporting_currency")
    # plant a difference in one stored sum of a closed month (in the reporting currency: rate 1)
    changed = con.execute("""
        update spend_month_results set amount = amount + 1000
        where rowid = (select min(rowid) from spend_month_results where period = date '2026-03-01' and currency = ?)
    """, [reporting]).fetchone()[0]
    assert changed == 1 and spend_totals.is_current(con)
    after = budget.budget_vs_actual(con, year=YEAR, by=()).iloc[0]
    assert after["actual_ytd"] - before["actual_ytd"] == pytest.approx(1000, abs=1e-6)


def test_the_as_of_month_so_far_comes_from_the_lines(con):
    """November 2026 is open (as of the 15th): its lines to date count in actual to date, read from spend."""
    before = budget.budget_vs_actual(con, year=YEAR, by=()).iloc[0]
    con.execute("update spend_month_results set amount = amount + 1000 where period = date '2026-11-01'")
    after = budget.budget_vs_actual(con, year=YEAR, by=()).iloc[0]
    assert after["actual_to_date"] == before["actual_to_date"]
    assert after["actual_ytd"] == before["actual_ytd"]


def test_a_line_written_outside_outlay_is_counted(con):
    """A write that does not move the data version (SQL run on the file) makes the sums stale: the lines are read."""
    before = budget.budget_vs_actual(con, year=YEAR, by=()).iloc[0]
    reporting = settings.get(con, "reporting_currency")
    con.execute("insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category) "
                "values (999999, 1, date '2026-03-10', 'Outside', 250, ?, 'IT Ops', 'Software')", [reporting])
    assert not spend_totals.is_current(con)
    after = budget.budget_vs_actual(con, year=YEAR, by=()).iloc[0]
    assert after["actual_ytd"] - before["actual_ytd"] == pytest.approx(250, abs=1e-6)
    assert spend_totals.refresh(con) and spend_totals.is_current(con)  # the next job run stores them again
    assert budget.budget_vs_actual(con, year=YEAR, by=()).iloc[0]["actual_ytd"] == after["actual_ytd"]


def test_the_job_stores_each_month_and_key_once_and_skips_when_current(con):
    lines, amount = con.execute("select count(*), sum(cast(amount as decimal(38, 4))) from spend").fetchone()
    stored = con.execute("select sum(lines), sum(amount), count(*), count(distinct data_version), "
                         "max(data_version) from spend_month_results").fetchone()
    keys = con.execute("select count(*) from (select distinct period, currency, cost_center, category, project, "
                       "vendor, capex_opex_kind from spend_keyed)").fetchone()[0]
    assert stored[:3] == (lines, amount, keys)
    assert stored[3:] == (1, store.data_version(con))
    assert spend_totals.refresh(con) is False


@pytest.mark.parametrize(("first", "last", "ytd_last", "through"), [
    # a year to date whose as-of month is open: whole months through the month before it
    (dt.date(2026, 1, 1), dt.date(2026, 11, 15), dt.date(2026, 10, 31), dt.date(2026, 10, 31)),
    # a range that ends on a month end: every month whole
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 10, 31), dt.date(2026, 12, 31)),
    # no month closed yet (YTD ends the day before the year)
    (dt.date(2026, 4, 1), dt.date(2026, 4, 20), dt.date(2026, 3, 31), dt.date(2026, 3, 31)),
    # a range starting mid-month, or a YTD ending mid-month, would split a month: all from the lines
    (dt.date(2026, 1, 15), dt.date(2026, 11, 15), dt.date(2026, 10, 31), dt.date(2026, 1, 14)),
    (dt.date(2026, 1, 1), dt.date(2026, 11, 15), dt.date(2026, 10, 15), dt.date(2025, 12, 31)),
])
def test_which_days_come_from_the_stored_sums(con, first, last, ytd_last, through):
    sql = "select spend_month_results_through(?, ?, ?)"
    assert con.execute(sql, [first, last, ytd_last]).fetchone()[0] == through
    con.execute("delete from spend_month_results")
    assert con.execute(sql, [first, last, ytd_last]).fetchone()[0] == first - dt.timedelta(days=1)


def test_a_new_database_has_no_sums_and_reads_the_lines():
    fresh = store.connect(":memory:")
    try:
        assert not spend_totals.is_current(fresh)
        assert spend_totals.refresh(fresh) is True  # nothing to sum: it stores nothing and stays not current
        assert fresh.execute("select count(*) from spend_month_results").fetchone()[0] == 0
        assert budget.budget_vs_actual(fresh, year=YEAR, by=()).iloc[0]["actual_ytd"] == 0
    finally:
        fresh.close()
