"""One set of books: each metric agrees across the metric CLI, its breakdowns, the report packs, `forecast`,
`renewals` and `audit`, for demo companies dated at a month end and mid-month with fiscal years starting in
January, April and October. (The pages are cross-checked in test_books_pages.py.)"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from analytics import audit, calendar, cli, contracts, demo, jobs, metrics, store
from analytics import present
from analytics.reports import annual, monthly

slow = pytest.mark.slow
COMPANIES = [
    pytest.param((dt.date(2026, 11, 30), 1), id="month-end-jan"),
    pytest.param((dt.date(2026, 11, 15), 1), id="mid-month-jan", marks=slow),
    pytest.param((dt.date(2026, 12, 31), 4), id="month-end-apr", marks=slow),
    pytest.param((dt.date(2026, 11, 15), 4), id="mid-month-apr", marks=slow),
    pytest.param((dt.date(2026, 8, 31), 10), id="month-end-oct", marks=slow),
    pytest.param((dt.date(2026, 9, 14), 10), id="mid-month-oct", marks=slow),
]


@pytest.fixture(scope="module", params=COMPANIES)
def books(request, tmp_path_factory):
    """(path, fiscal year, closed month 'YYYY-MM') of a demo company with its jobs run, as the demo command does."""
    as_of, fy_start = request.param
    path = tmp_path_factory.mktemp("books") / "books.duckdb"
    con = store.connect(path)
    try:
        demo.build(con, as_of=as_of, seed=11, scale=1, fy_start=fy_start)
        jobs.refresh(con)
        cal = calendar.calendar(con)
        year = cal.current_year
        con.execute("checkpoint")
    finally:
        con.close()
    return path, year, f"{cal.closed_through:%Y-%m}"


@pytest.fixture
def con(books):
    connection = store.connect(books[0], read_only=True)
    yield connection
    connection.close()


def value(con, name, **options):
    return metrics.evaluate(con, name, **options).value


def rows_total(con, name, by, **options):
    return round(sum(r["value"] for r in metrics.evaluate(con, name, by=by, **options).rows), 2)


def cli_json(capsys, *argv):
    assert cli.main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def sheet_rows(workbook, sheet: str, header_row: int = 4) -> list[dict]:
    ws = workbook[sheet]
    header = [c.value for c in ws[header_row]]
    rows = []
    for r in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if not any(v is not None for v in r):
            break  # the sheet's table ends here (a chart's series may follow below)
        rows.append(dict(zip(header, r)))
    return rows


def summary(workbook) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in workbook["Summary"].iter_rows(min_row=5, max_row=9, values_only=True)}


@pytest.mark.parametrize("name, dims", [
    ("ytd_actual", ("cost_center", "category", "vendor", "month")),
    ("ytd_budget", ("cost_center", "category", "month")),
    ("variance", ("cost_center", "category", "month")),
    ("full_year_budget", ("cost_center", "category", "month")),
    ("run_rate", ("cost_center", "category", "vendor")),
    ("committed", ("cost_center", "category", "vendor")),
    ("landing", ("cost_center", "category", "vendor")),
    ("cancel_by_due", ("vendor",)),
    ("audit_at_stake", ("rule", "vendor")),
])
def test_breakdowns_add_up_to_the_total(books, con, name, dims):
    total = value(con, name, fy=books[1])
    for dim in dims:
        assert rows_total(con, name, dim, fy=books[1]) == pytest.approx(total, abs=0.005), dim


def test_metric_cli_prints_the_catalog_value(books, con, capsys):
    for name in ("ytd_actual", "landing", "cancel_by_due", "audit_at_stake", "sla_attainment"):
        out = cli_json(capsys, "metric", name, "--db", str(books[0]))
        assert out["value"] == value(con, name), name


def test_monthly_and_annual_packs_show_the_catalog_figures(books, con):
    path, year, closed = books
    if calendar.year_of(con, closed) != year:
        pytest.skip("no closed month in the current fiscal year yet")
    month_pack = monthly.build(con, period=closed)
    year_pack = annual.build(con, year=year)
    pack_ytd, annual_ytd = summary(month_pack), summary(year_pack)
    assert pack_ytd["Actual"][1] == pytest.approx(value(con, "ytd_actual", fy=year), abs=0.005)
    assert annual_ytd["Actual"][0] == pytest.approx(value(con, "ytd_actual", fy=year), abs=0.005)
    assert pack_ytd["Budget"][1] == pytest.approx(value(con, "ytd_budget", fy=year), abs=0.005)
    assert annual_ytd["Budget"][1] == pytest.approx(value(con, "full_year_budget", fy=year), abs=0.005)
    assert pack_ytd["Variance (actual − budget)"][1] == pytest.approx(value(con, "variance", fy=year), abs=0.005)
    landing_rows = sheet_rows(month_pack, "Forecast")
    assert sum(r[present.label("landing")] for r in landing_rows) == pytest.approx(value(con, "landing", fy=year), abs=0.01)
    if value(con, "cancel_by_due"):
        assert len(sheet_rows(month_pack, "Renewals")) == value(con, "cancel_by_due")


def test_forecast_cli_lands_where_the_metric_does(books, con, capsys):
    path, year, _ = books
    out = cli_json(capsys, "forecast", "--db", str(path), "--fiscal-year", str(year))
    assert out["landing"][0]["landing"] == pytest.approx(value(con, "landing", fy=year), abs=0.005)
    assert out["landing"][0]["actual_ytd"] == pytest.approx(value(con, "ytd_actual", fy=year), abs=0.005)
    by_cc = cli_json(capsys, "forecast", "--db", str(path), "--fiscal-year", str(year), "--level", "cost_center")
    assert sum(r["landing"] for r in by_cc["landing"]) == pytest.approx(value(con, "landing", fy=year), abs=0.01)


def test_cancel_by_count_agrees_in_renewals_audit_and_contracts(books, con, capsys):
    due = value(con, "cancel_by_due")
    assert due == len(contracts.cancel_by_due(con, within_days=90))
    listed = cli_json(capsys, "renewals", "--db", str(books[0]))
    assert sum(1 for r in listed if r["cancel_by_date"]) == due
    findings = cli_json(capsys, "audit", "--db", str(books[0]), "--all")
    assert sum(1 for f in findings if f["rule"] == "renewal_deadline") == due


def test_audit_cli_counts_the_money_at_stake_once(books, con, capsys):
    findings = cli_json(capsys, "audit", "--db", str(books[0]))
    assert len(findings) == int(audit.at_stake(con, by="rule")["findings"].sum())
    assert cli.main(["audit", "--db", str(books[0])]) == 0
    headline = capsys.readouterr().out.splitlines()[0]
    assert f"{value(con, 'audit_at_stake'):,.2f}" in headline


def test_the_year_to_date_ends_with_the_closed_books(books, con):
    path, year, closed = books
    months = [r["month"] for r in metrics.evaluate(con, "ytd_actual", fy=year, by="month").rows if r["value"]]
    assert max(months, default=closed) <= closed
    cutoff = calendar.calendar(con).cutoff
    assert f"{cutoff:%Y-%m}" > closed
