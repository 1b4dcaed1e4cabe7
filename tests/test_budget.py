"""Budget vs actual: year to date, fiscal years, missing fx rates, grids, drill-down, projects."""
import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from tests import budget_data

from analytics import calendar
from analytics import budget, fiscal


@pytest.fixture
def con():
    return budget_data.database()


def independent_ytd(rows, fx, *, first: dt.date, last: dt.date, **match) -> Decimal:
    """Sum of the spend rows in [first, last] converted with the month's rate, skipping rows without one."""
    rates = {(p, c): Decimal(r) for p, c, r in fx}
    total = Decimal(0)
    for date, vendor, amount, currency, cost_center, category, *_ in rows:
        day = dt.date.fromisoformat(date)
        fields = {"vendor": vendor, "cost_center": cost_center, "category": category}
        if not first <= day <= last or any(fields[k] != v for k, v in match.items()):
            continue
        if currency == "USD":
            total += Decimal(amount)
        elif (date[:7], currency) in rates:
            total += Decimal(amount) * rates[(date[:7], currency)]
    return total


@pytest.mark.parametrize("as_of, closed", [
    ("2025-07-15", dt.date(2025, 6, 1)),
    ("2025-07-31", dt.date(2025, 6, 1)),  # a month end does not close its own month (books_closed_through does)
    ("2025-04-02", None),
    ("2027-01-01", dt.date(2026, 3, 1)),
])
def test_window_counts_closed_months_only(as_of, closed):
    con = budget_data.database(as_of=as_of)
    assert calendar.window(con, year=2026).closed_through == closed


def test_budget_vs_actual_by_cost_center(con):
    result = budget.budget_vs_actual(con, year=2026, by=("cost_center",))
    expected = pd.DataFrame({
        "cost_center": ["Applications", "Infrastructure", "Workplace", "Total"],
        "actual_ytd": [1270.0, 7000.0, -50.0, 8220.0],
        "budget_ytd": [2200.0, 6600.0, 0.0, 8800.0],
        "variance": [-930.0, 400.0, -50.0, -580.0],
        "budget_year": [2200.0, 17400.0, 0.0, 19600.0],
        "fx_missing_lines": [1, 0, 0, 1],
    })
    assert_frame_equal(result[expected.columns].round(6), expected, check_dtype=False)


def test_variance_pct_and_run_rate(con):
    total = budget.budget_vs_actual(con, year=2026, by=()).iloc[0]
    assert round(total["variance_pct"], 6) == round(-580 / 8800, 6)
    assert round(total["run_rate"], 6) == round(8220 / 3 * 12, 6)


def test_cost_center_with_spend_and_no_budget_is_all_variance(con):
    row = budget.budget_vs_actual(con, year=2026, by=("cost_center",)).set_index("cost_center").loc["Workplace"]
    assert (row["budget_ytd"], row["variance"]) == (0.0, -50.0)
    assert pd.isna(row["variance_pct"])


def test_month_with_budget_and_no_spend():
    budget_rows = budget_data.BUDGET + [("2025-05", "Workplace", "Software", "500.00", "USD", "original", None)]
    con = budget_data.database(budget=budget_rows)
    frame = budget.budget_vs_actual(con, year=2026, by=("cost_center", "category"), totals=False)
    row = frame[(frame["cost_center"] == "Workplace") & (frame["category"] == "Software")].iloc[0]
    assert (row["actual_ytd"], row["budget_ytd"], row["variance"]) == (0.0, 500.0, -500.0)


def test_missing_fx_rate_is_reported_not_treated_as_one(con):
    to_date = budget.budget_vs_actual(con, year=2026, by=("cost_center",)).set_index("cost_center")
    assert to_date.loc["Applications", "actual_to_date"] == 1270.0  # the July EUR line is left out
    expected = pd.DataFrame({"dataset": ["spend"], "period": ["2025-07"], "currency": ["EUR"], "lines": [1],
                             "amount": [700.0]})
    assert_frame_equal(budget.fx_missing(con, year=2026), expected, check_dtype=False)


@pytest.mark.parametrize("start_month, year, as_of", [(1, 2025, "2025-07-15"), (4, 2026, "2025-07-15"),
                                                      (10, 2025, "2025-07-15")])
def test_ytd_actual_matches_independent_sum_for_each_fiscal_year_start(start_month, year, as_of):
    con = budget_data.database(start_month=start_month, as_of=as_of)
    win = calendar.window(con, year=year)
    expected = independent_ytd(budget_data.SPEND, budget_data.FX, first=fiscal.bounds(year, start_month)[0],
                               last=win.ytd_last_day)
    result = budget.budget_vs_actual(con, year=year, by=()).iloc[0]["actual_ytd"]
    assert round(Decimal(str(result)), 2) == round(expected, 2)


def test_vendor_filter_has_no_budget(con):
    row = budget.budget_vs_actual(con, year=2026, by=(), vendor="Amazon Web Services").iloc[0]
    assert row["actual_ytd"] == 5000.0
    assert pd.isna(row["budget_ytd"]) and pd.isna(row["variance"])


def test_monthly_series_and_cumulative(con):
    result = budget.monthly(con, year=2026).head(4)
    assert result["period"].tolist() == ["2025-04", "2025-05", "2025-06", "2025-07"]
    assert result["actual"].tolist()[:3] == [1550.0, 3550.0, 3120.0]
    assert pd.isna(result["actual"].iloc[3])
    assert result["cum_budget"].tolist() == [2300.0, 7600.0, 8800.0, 10000.0]
    assert result["variance"].tolist()[:3] == [-750.0, -1750.0, 1920.0]


def test_grid_variance_totals(con):
    grid = budget.grid(con, year=2026, measure="variance")
    total = grid[grid["cost_center"] == "Total"].iloc[0]
    assert (total["2025-04"], total["2025-05"], total["Total"]) == (-750.0, -1750.0, -580.0)
    assert pd.isna(total["2025-07"])


def test_grid_budget_shows_every_month(con):
    grid = budget.grid(con, year=2026, measure="budget")
    assert grid[grid["cost_center"] == "Total"].iloc[0]["Total"] == 19600.0


def test_spend_lines_behind_a_cell_keep_original_currency(con):
    lines = budget.spend_lines(con, year=2026, period="2025-06", cost_center="Applications", category="Software")
    assert lines[["amount", "currency", "fx_rate", "amount_rc"]].values.tolist() == [[600.0, "EUR", 1.2, 720.0]]


def test_versions_compare_side_by_side(con):
    result = budget.versions_compare(con, year=2026, by="cost_center").set_index("cost_center")
    assert result.loc["Infrastructure", "original"] == 17400.0
    assert result.loc["Infrastructure", "reforecast-1"] == 17400.0 - 1200.0 + 2000.0
    assert result.loc["Total", "actual_ytd"] == 8220.0


def test_a_reforecast_revises_only_its_own_lines(con):
    total = budget.budget_vs_actual(con, year=2026, by=(), version="reforecast-1").iloc[0]
    assert total["budget_ytd"] == 8800.0 - 1200.0 + 2000.0


def test_capex_opex_split(con):
    result = budget.capex_opex(con, year=2026)
    assert result[result["capex_opex"] == "capex"]["actual"].tolist() == [2000.0]


def test_rates_used_by_month(con):
    rates = budget.rates_used(con, year=2026)
    assert rates.loc[0, ["currency", "2025-04", "2025-06"]].tolist() == ["EUR", 1.1, 1.2]
    assert pd.isna(rates.loc[0, "2025-07"])


def test_project_portfolio_burn_and_months_left(con):
    result = budget.projects(con).iloc[0]
    assert result["project"] == "PRJ-ERP"
    assert (result["budget"], result["actual"], result["remaining"]) == (2200.0, 1270.0, 930.0)
    assert round(result["monthly_burn"], 6) == round(1270 / 3, 6)
    assert round(result["months_left"], 6) == round(930 / (1270 / 3), 6)


def test_report_month_must_be_closed(con):
    with pytest.raises(calendar.PeriodError, match="not closed yet"):
        calendar.window(con, year=2026, through="2025-07")


def test_large_amounts_do_not_overflow():
    rows = [("2025-04-10", "Big Vendor", "123456789.12", "EUR", "Infrastructure", "Hardware", "capex", None, "")]
    con = budget_data.database(spend=rows)
    total = budget.budget_vs_actual(con, year=2026, by=()).iloc[0]["actual_ytd"]
    assert round(Decimal(str(total)), 2) == Decimal("135802468.03")


def test_budget_rc_converts_every_stored_line_at_its_months_rate(con):
    rows = con.execute("select version, period, currency, amount_rc, is_fx_missing from budget_rc "
                       "where currency = 'EUR' or version <> 'original' order by version, period").fetchall()
    assert [(v, str(p)[:7], c, amount, missing) for v, p, c, amount, missing in rows] == [
        ("original", "2025-04", "EUR", Decimal("1100.00000000000000"), False),
        ("original", "2025-05", "EUR", Decimal("1100.00000000000000"), False),
        ("original", "2025-06", "EUR", Decimal("0E-14"), False),
        ("reforecast-1", "2025-05", "USD", Decimal("2000.00000000000000"), False),
    ]
    assert con.execute("select count(*) from budget_rc").fetchone()[0] == len(budget_data.BUDGET)


def test_budget_in_force_keeps_the_originals_unrevised_lines_converted_alike(con):
    in_force = con.execute("select period, cost_center, category, amount_rc from budget_in_force('reforecast-1') "
                           "order by all").fetchall()
    original = con.execute("select period, cost_center, category, amount_rc from budget_rc "
                           "where version = 'original' order by all").fetchall()
    may_cloud = (dt.date(2025, 5, 1), "Infrastructure", "Cloud Services")
    assert [r for r in in_force if r[:3] != may_cloud] == [r for r in original if r[:3] != may_cloud]
    assert [r[3] for r in in_force if r[:3] == may_cloud] == [Decimal("2000")]
    assert con.execute("select sum(amount_rc) from budget_in_force('original')").fetchone() == \
        con.execute("select sum(amount_rc) from budget_rc where version = 'original'").fetchone()


def test_a_line_without_a_rate_is_missing_in_every_conversion_never_converted_at_1(con):
    con.execute("insert into budget (batch_id, row_no, period, cost_center, category, amount, currency, version) "
                "values (1, 99, date '2025-07-01', 'Applications', 'Software', 400.00, 'EUR', 'original')")
    budget_row = con.execute("select amount_rc, fx_rate, is_fx_missing from budget_in_force('reforecast-1') "
                             "where period = date '2025-07-01' and currency = 'EUR'").fetchone()
    spend_row = con.execute("select amount_rc, fx_rate, is_fx_missing from spend_rc "
                            "where date = date '2025-07-05'").fetchone()
    month_row = con.execute("select rate from spend_month_rc('total', 'total', 'total', 'total', date '2025-07-01', "
                            "date '2025-07-31', date '2025-07-31', null, null, null, null) where currency = 'EUR'"
                            ).fetchone()
    assert budget_row == spend_row == (None, None, True)
    assert month_row == (None,)


def test_the_reporting_currency_is_converted_at_1_and_others_through_its_rate(con):
    con.execute("update settings set value = 'EUR' where name = 'reporting_currency'")
    con.execute("insert into fx values (0, 0, date '2025-04-01', 'USD', 1.0)")  # the base currency's own rate
    usd, eur = con.execute("select amount_rc from budget_rc where period = date '2025-04-01' "
                           "and cost_center = 'Infrastructure' union all "
                           "select amount_rc from budget_rc where period = date '2025-04-01' and currency = 'EUR'"
                           ).fetchall()
    assert usd[0] == Decimal("1200") * Decimal("0.9090909091")  # 1 / 1.10 at decimal(18, 10)
    assert eur[0] == Decimal("1000")
    spend_usd = con.execute("select sum(amount_rc) from spend_rc where date = date '2025-04-10'").fetchone()[0]
    assert spend_usd == Decimal("1000") * Decimal("0.9090909091")
