"""Every sheet of every workbook Outlay writes (monthly and annual packs, vendor scorecard, funding request,
scenario, bill of IT, audit findings) reads in words and finance formats: no column names or rule ids, no
"None"/"nan", every amount with a number format; a Contents sheet first, named tables on the data sheets with
frozen headings, landscape print set-up, and native charts where a sheet holds a series. Every page of the
PDF board pack likewise."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import openpyxl
import pytest

from analytics import audit, forecast, present, settings, showback, store
from analytics.audit import engine
from analytics.forecast import draft
from analytics.reports import annual, audit_export, board, funding_request, monthly, scorecard
from analytics.showback import bill

PERIOD = "2026-10"  # the demo's last closed month
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")  # a column name such as actual_ytd or is_notice_missing
RAW = {"lo80", "hi80", "lo95", "hi95", "None", "nan", "NaN", "NaT", "none"}
SCENARIO = {"budget_cuts": [{"dimension": "category", "value": "Hardware", "pct": 10.0}], "cancel_contracts": [],
            "new_contracts": [], "fx_changes": [], "renewal_uplift_pct": 3.0}


def saved(wb) -> openpyxl.Workbook:
    """The workbook as a reader opens it (written to bytes and read back)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


@pytest.fixture(scope="module")
def workbooks(demo_db) -> dict[str, openpyxl.Workbook]:
    con = store.connect(demo_db, read_only=True)
    try:
        currency = settings.get(con, "reporting_currency")
        lines = draft.draft(con, fiscal_year=2027, spec_json="{}")
        books = {
            "monthly": saved(monthly.build(con, period=PERIOD)),
            "annual": saved(annual.build(con, year=2026)),
            "scorecard": saved(scorecard.build(con)),
            "funding": openpyxl.load_workbook(io.BytesIO(
                funding_request.funding_request(con, fiscal_year=2027, lines=lines, version="draft-2027"))),
            "scenario": openpyxl.load_workbook(io.BytesIO(forecast.scenario_export(
                con, name="Hardware cut", spec_json=json.dumps(SCENARIO, sort_keys=True), fiscal_year=2026))),
            "bill": saved(bill.workbook(showback.allocation(con), currency=currency, title="FY2026")),
            "audit": saved(audit_export.workbook(con, audit.findings(con))),
        }
    finally:
        con.close()
    return books


def sheets():
    return [(book, None) for book in ("monthly", "annual", "scorecard", "funding", "scenario", "bill", "audit")]


def heading_rows(ws):
    """The rows of table headings: white bold text on the dark blue fill."""
    for row in ws.iter_rows():
        cells = [c for c in row if c.value is not None]
        if cells and any(c.fill.fgColor.rgb in ("001F4E79", "FF1F4E79") for c in cells):
            yield cells


@pytest.mark.parametrize("book", [b for b, _ in sheets()])
def test_no_sheet_shows_a_column_name_a_rule_id_or_none(workbooks, book):
    rule_ids = set(engine.rules())
    for ws in workbooks[book].worksheets:
        for cells in heading_rows(ws):
            raw = [c.value for c in cells if SNAKE.match(str(c.value)) or str(c.value) in RAW]
            assert raw == [], f"{book} / {ws.title}: headings {raw}"
        for row in ws.iter_rows(values_only=True):
            shown = [v for v in row if isinstance(v, str) and (v in RAW or v in rule_ids)]
            assert shown == [], f"{book} / {ws.title}: {shown}"


@pytest.mark.parametrize("book", [b for b, _ in sheets()])
def test_every_amount_has_a_number_format(workbooks, book):
    """A number with decimals (amounts, ratios, scores) never shows in Excel's General format (float noise,
    5.3e-23); money columns carry thousands separators and negatives in brackets."""
    for ws in workbooks[book].worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, float) and cell.value != int(cell.value):
                    assert cell.number_format != "General", f"{book} / {ws.title}!{cell.coordinate}: {cell.value}"
        for cells in heading_rows(ws):
            for head in cells:
                # (a scorecard's indicator "Value" is in the indicator's own unit, not money)
                if present.unit(str(head.value)) in (present.MONEY, present.LOCAL_MONEY) and head.value != "Value":
                    below = ws.cell(row=head.row + 1, column=head.column)
                    if isinstance(below.value, float):
                        assert "#,##0.00" in below.number_format, f"{book} / {ws.title}: {head.value}"


@pytest.mark.parametrize("book", [b for b, _ in sheets()])
def test_contents_sheet_first_lists_every_sheet(workbooks, book):
    wb = workbooks[book]
    assert wb.sheetnames[0] == "Contents"
    links = {c.value for c in wb["Contents"]["A"] if c.hyperlink}
    assert links == set(wb.sheetnames[1:])


@pytest.mark.parametrize("book", [b for b, _ in sheets()])
def test_data_sheets_are_named_tables_with_frozen_headings_and_print_landscape(workbooks, book):
    wb = workbooks[book]
    data = [ws for ws in wb.worksheets[1:] if book != "scorecard" or ws.title in ("Scorecard", "Indicators")]
    names = [name for ws in wb.worksheets for name in ws.tables]
    assert len(names) == len(set(n.lower() for n in names))  # unique in the workbook, as Excel requires
    for ws in data:
        assert ws.tables, f"{book} / {ws.title}: no named table"
        if ws.title != "About":
            assert ws.freeze_panes, f"{book} / {ws.title}: heading not frozen"
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", f"{book} / {ws.title}"
        assert ws.sheet_properties.pageSetUpPr.fitToPage, f"{book} / {ws.title}"


@pytest.mark.parametrize("book, sheet", [
    ("monthly", "Monthly"), ("monthly", "By cost center"), ("monthly", "Renewals"), ("monthly", "SLA"),
    ("monthly", "Audit findings"), ("monthly", "Forecast"), ("monthly", "Forecast by month"),
    ("annual", "Monthly"), ("annual", "By category"), ("scorecard", "Scorecard"), ("funding", "By cost center"),
    ("scenario", "Landing by cost center"), ("bill", "Summary"), ("audit", "Summary"),
])
def test_series_sheets_carry_a_native_chart(workbooks, book, sheet):
    assert len(workbooks[book][sheet]._charts) >= 1


def test_every_vendor_scorecard_sheet_has_its_chart(workbooks):
    wb = workbooks["scorecard"]
    vendor_sheets = wb.worksheets[3:]
    assert vendor_sheets and all(len(ws._charts) == 1 for ws in vendor_sheets)


def test_forecast_fan_charts_actual_forecast_and_both_intervals(workbooks):
    ws = workbooks["monthly"]["Forecast by month"]
    heading = [c.value for c in next(heading_rows(ws))]
    assert heading[:7] == ["Month", "Actual", "Forecast", "80% interval, low", "80% interval, high",
                           "95% interval, low", "95% interval, high"]
    assert '"USD"' in ws.cell(row=ws.min_row + 4, column=2).number_format
    assert len(ws._charts[0].series) == 7


def test_forecast_sheet_explains_each_series(workbooks):
    texts = [v for row in workbooks["monthly"]["Forecast"].iter_rows(values_only=True) for v in row
             if isinstance(v, str)]
    assert any(t.startswith("On the last 12 months held back, this method was off by") for t in texts)
    assert any("1.0 would be as good as repeating last year" in t for t in texts)
    assert any(t.startswith(("Under-forecast by", "Over-forecast by")) for t in texts)


# ---- the PDF board pack ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_pages(demo_db, tmp_path_factory) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    con = store.connect(demo_db, read_only=True)
    try:
        path = board.write(con, period=PERIOD, out=tmp_path_factory.mktemp("board") / "board.pdf")
    finally:
        con.close()
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_every_pdf_page_reads_in_words_and_formats(pdf_pages):
    rule_ids = set(engine.rules())
    for number, text in enumerate(pdf_pages, start=1):
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        assert not [w for w in words if SNAKE.match(w) or w in RAW or w in rule_ids], number
        assert not re.search(r"\d\.\d{3,}", text), f"page {number}: float noise"
        assert not re.search(r"(?<![\d,.-])\d{5,}(?![\d,])", text), f"page {number}: amount without separators"
        assert not re.search(r"\de[-+]\d", text), f"page {number}: scientific notation"


def test_a_table_longer_than_an_excel_sheet_keeps_its_first_rows_and_says_so(monkeypatch):
    """Excel refuses a workbook whose sheet passes 1,048,576 rows (the cost audit's evidence at 10M lines holds
    2.5M): the table keeps the rows that fit and the line above it says how many of how many."""
    import pandas as pd
    from openpyxl import Workbook as NewWorkbook
    from analytics.reports import xlsx as writer
    monkeypatch.setattr(writer, "EXCEL_ROWS", 10)
    ws = NewWorkbook().active
    frame = pd.DataFrame({"vendor": [f"Vendor {i}" for i in range(20)], "amount": range(20)})
    first, last = writer.write_report_table(ws, frame, start_row=4)
    assert (first, last) == (5, 10) and ws.max_row == 10
    assert [ws.cell(row=r, column=1).value for r in (5, 10)] == ["Vendor 0", "Vendor 5"]
    assert ws.cell(row=3, column=1).value == ("Excel holds 10 rows a sheet: these are the first 6 of 20 rows; "
                                              "the CSV download and the command line have all of them.")
    short = NewWorkbook().active  # a table that fits: no line
    assert writer.write_report_table(short, frame.head(6), start_row=4) == (5, 10) and short.cell(row=3, column=1).value is None
