"""The monthly and annual Excel packs: sheets, formats, chart, export safety, reconciliation, CLI."""
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from tests import budget_data
from tests.test_budget import independent_ytd

from analytics import metrics, calendar
from analytics import cli, overview, store
from analytics.reports import annual, monthly

INJECTION = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "outlay.duckdb"
    con = store.connect(path)
    budget_data.build(con)
    con.close()
    return path


@pytest.fixture(scope="module")
def monthly_pack(db_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("packs") / "monthly.xlsx"
    con = store.connect(db_file)
    monthly.write(con, period="2025-06", out=out)
    con.close()
    return out


@pytest.fixture(scope="module")
def annual_pack(db_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("packs") / "annual.xlsx"
    con = store.connect(db_file)
    annual.write(con, year=2026, out=out)
    con.close()
    return out


def cell_right_of(ws, label, column_offset=1):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == label:
                return ws.cell(row=cell.row, column=cell.column + column_offset)
    raise KeyError(label)


def test_monthly_pack_sheets(monthly_pack):
    names = openpyxl.load_workbook(monthly_pack).sheetnames
    assert names[:9] == ["Contents", "Summary", "Monthly", "By cost center", "By category", "Cost center x category",
                         "Variance drivers", "FX", "Top vendors"]
    assert set(names[9:]) <= {"Renewals", "SLA", "Audit findings", "Forecast", "Forecast by month"}


def test_ytd_actual_reconciles_app_report_and_rows(monthly_pack, db_file):
    con = store.connect(db_file, read_only=True)
    app = metrics.evaluate(con, "ytd_actual", fy=2026).value
    win = calendar.window(con, year=2026)
    rows = independent_ytd(budget_data.SPEND, budget_data.FX, first=win.first, last=win.ytd_last_day)
    ws = openpyxl.load_workbook(monthly_pack)["Summary"]
    report = cell_right_of(ws, "Actual", 2).value
    assert round(Decimal(str(app)), 2) == round(Decimal(str(report)), 2) == round(rows, 2) == Decimal("8220.00")


def test_cost_center_totals_reconcile_with_the_database(monthly_pack, db_file):
    con = store.connect(db_file, read_only=True)
    expected = con.execute("select sum(amount_rc) from spend_rc where date between '2025-04-01' and '2025-06-30' "
                           "and cost_center = 'Applications'").fetchone()[0]
    ws = openpyxl.load_workbook(monthly_pack)["By cost center"]
    assert round(Decimal(str(cell_right_of(ws, "Applications").value)), 2) == round(expected, 2)
    assert cell_right_of(ws, "Total").value == 8220


def test_money_format_freeze_filter_and_print_setup(monthly_pack):
    ws = openpyxl.load_workbook(monthly_pack)["By cost center"]
    header = 4
    assert ws.cell(row=header, column=2).value == "Actual YTD"
    assert '"USD"' in ws.cell(row=header + 1, column=2).number_format
    assert ws.cell(row=header + 1, column=5).number_format == "+0.0%;[Red]-0.0%;0.0%"
    assert ws.freeze_panes == "A5"
    # a named Excel table carries the filter buttons (a sheet-wide autofilter beside it would clash)
    assert [t.ref for t in ws.tables.values()] == ["A4:G8"] or ws.auto_filter.ref == "A4:G8"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape"


def test_variance_columns_have_conditional_formatting(monthly_pack):
    ws = openpyxl.load_workbook(monthly_pack)["By cost center"]
    ranges = {str(rule.sqref) for rule in ws.conditional_formatting}
    assert "D5:D8" in ranges


def test_monthly_sheet_has_a_native_chart(monthly_pack):
    with zipfile.ZipFile(monthly_pack) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        xml = next(x for x in (archive.read(c).decode() for c in charts) if "Monthly!" in x.replace("'", ""))
    assert len(charts) >= 3  # monthly, by cost center, by category
    assert "<barChart>" in xml and "<lineChart>" in xml and "Monthly!$B$5:$B$16" in xml.replace("'", "")


def test_formula_injection_is_stored_as_text(monthly_pack):
    wb = openpyxl.load_workbook(monthly_pack)
    cell = cell_right_of(wb["Top vendors"], INJECTION, 0)
    assert (cell.value, cell.data_type) == (INJECTION, "s")
    with zipfile.ZipFile(monthly_pack) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml for xml in sheets)


def test_annual_pack_month_columns_and_year_totals(annual_pack, db_file):
    wb = openpyxl.load_workbook(annual_pack)
    assert {"Actual by month", "Budget by month", "Variance by month", "Projects"} <= set(wb.sheetnames)
    ws = wb["Budget by month"]
    headers = [c.value for c in ws[4]]
    assert headers[:3] == ["Cost center", "Category", "2025-04"] and headers[-1] == "Total"
    total_row = [c.value for c in ws[ws.max_row]]
    assert total_row[0] == "Total" and total_row[-1] == 19600


def test_list_values_are_written_as_text():
    from analytics.reports import xlsx
    ws = xlsx.new_workbook().create_sheet("x")
    assert xlsx.set_cell(ws, 1, 1, ["C-1", "=C-2"]).value == "C-1, =C-2"


def test_cli_writes_the_monthly_pack(db_file, tmp_path):
    out = tmp_path / "pack.xlsx"
    assert cli.main(["report", "monthly", "--period", "2025-06", "--out", str(out), "--db", str(db_file)]) == 0
    assert openpyxl.load_workbook(out)["Summary"]["A1"].value == "Monthly IT budget report – June 2025"


@pytest.mark.parametrize("argv, code", [
    (["report", "monthly", "--period", "2025-07"], 1),
    (["report", "monthly", "--period", "July"], 1),
    (["report", "annual", "--year", "2026", "--version", "nope"], 1),
    (["report", "monthly", "--period", "2025-06", "--out", "pack.csv"], 2),
])
def test_cli_refuses_bad_input(db_file, tmp_path, argv, code):
    if "--out" not in argv:
        argv = argv + ["--out", str(tmp_path / "pack.xlsx")]
    assert cli.main(argv + ["--db", str(db_file)]) == code


def test_monthly_pack_lists_upcoming_renewals(tmp_path):
    con = budget_data.database()
    con.execute("insert into contracts (batch_id, row_no, contract_id, vendor, service, start_date, end_date, "
                "annual_value, currency, auto_renew, renewal_term_months, notice_days) values "
                "(4, 1, 'C-1', 'SAP SE', 'ERP', '2023-10-01', '2025-09-30', 12000, 'EUR', true, 12, 30)")
    wb = monthly.build(con, period="2025-06")
    ws = wb["Renewals"]
    assert cell_right_of(ws, "C-1").value == "SAP SE"
    assert cell_right_of(ws, "Annual value", 0).offset(row=1).number_format == "#,##0.00;[Red](#,##0.00);0.00"


def _tiles(con) -> dict:
    return {t.metric: t for t in overview.tiles(con, year=2026)}


def test_overview_counts_cancel_by_dates_from_the_register():
    con = budget_data.database()
    assert _tiles(con)["cancel_by_due"].value == 0
    con.execute("insert into contracts (batch_id, row_no, contract_id, vendor, service, start_date, end_date, "
                "annual_value, currency, auto_renew, renewal_term_months, notice_days) values "
                "(4, 1, 'C-1', 'SAP SE', 'ERP', '2023-10-01', '2025-09-30', 12000, 'EUR', true, 12, 30)")
    tile = _tiles(con)["cancel_by_due"]
    assert (tile.label, tile.value, tile.scope) == ("Cancel-by within 90 days", 1, "")


def test_overview_tiles_without_sla_data_show_no_number():
    tiles = _tiles(budget_data.database())
    assert tiles["sla_attainment"].value is None
    assert tiles["credits_outstanding"].value == 0.0


def test_overview_budget_tiles_say_budgets_are_not_set_per_vendor():
    con = budget_data.database()
    tiles = {t.metric: t for t in overview.tiles(con, year=2026, vendor="SAP SE")}
    assert tiles["ytd_actual"].value == 1270.0 and tiles["ytd_actual"].scope == ""
    assert tiles["ytd_budget"].value is None
    assert "not set per vendor" in tiles["ytd_budget"].scope


def test_monthly_pack_notes_sections_with_nothing_to_report():
    con = budget_data.database()
    wb = monthly.build(con, period="2025-06")
    assert "SLA" not in wb.sheetnames and "Renewals" not in wb.sheetnames
    notes = [c.value for c in wb["Summary"]["A"] if c.value]
    assert "SLA: nothing to report." in notes and "Renewals: nothing to report." in notes


def test_csv_text_never_starts_a_formula():
    import pandas as pd
    from analytics.reports import xlsx
    frame = pd.DataFrame({"vendor": [INJECTION, "-2+3", "ACME"], "amount": [-5.0, 1.5, 2.0]})
    assert xlsx.csv_bytes(frame).decode().splitlines() == [
        "vendor,amount", "'=cmd|' /C calc'!A0,-5.0", "'-2+3,1.5", "ACME,2.0"]
