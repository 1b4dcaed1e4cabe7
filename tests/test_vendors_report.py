"""The scorecard workbook: totals match the scorecard, one printable sheet per vendor, text stays text."""
import io

from openpyxl import load_workbook

from analytics import vendors
from analytics.reports import scorecard as report
from tests.contracts_fixtures import D, database
from tests.test_vendors_scorecard import CONTRACTS, INCIDENTS, QUIET_AUDIT, SLA, SPEND

Q3 = D(2026, 9, 30)


def _workbook(contracts=CONTRACTS):
    con = database(contracts, spend=SPEND, sla=SLA, incidents=INCIDENTS, settings=QUIET_AUDIT)
    return con, load_workbook(io.BytesIO(report.to_bytes(report.build(con, quarter_end=Q3))))


def test_workbook_has_ranking_indicators_and_one_sheet_per_vendor():
    _, wb = _workbook()
    assert wb.sheetnames == ["Contents", "Scorecard", "Indicators", "01 Globex Inc", "02 Acme Ltd"]


def test_ranking_sheet_matches_the_scorecard():
    con, wb = _workbook()
    ws = wb["Scorecard"]
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=4)]
    expected = vendors.scorecard(con, quarter_end=Q3)
    assert [(r["Vendor"], r["Score"], r["Rank"]) for r in rows] == list(
        zip(expected["vendor"], expected["score"], expected["rank"].astype(int)))


def test_vendor_sheet_prints_on_one_landscape_page():
    _, wb = _workbook()
    ws = wb["02 Acme Ltd"]
    assert (ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == ("landscape", 1, 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True


def test_vendor_sheet_spend_reconciles_with_the_database():
    con, wb = _workbook()
    ws = wb["02 Acme Ltd"]
    values = [r for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(values) if r[0] == "Spend by quarter (reporting currency)")
    spend = [r[1] for r in values[start + 2:] if r[0]]
    total = con.execute("select sum(amount) from spend where vendor ilike 'acme%' and date >= '2024-10-01'").fetchone()[0]
    assert sum(spend) == float(total)


def test_formula_like_vendor_name_stays_text():
    row = ("V-9", "=HYPERLINK(\"http://x\")", "Evil", D(2026, 1, 1), D(2026, 12, 31), 1000, "USD", False, None, None)
    _, wb = _workbook([*CONTRACTS, row])
    ws = wb["Scorecard"]
    cell = next(c for r in ws.iter_rows(min_row=4) for c in r if c.value and str(c.value).startswith("=HYPER"))
    assert cell.data_type == "s"


def test_single_vendor_page():
    con = database(CONTRACTS, spend=SPEND, sla=SLA, incidents=INCIDENTS)
    wb = load_workbook(io.BytesIO(report.workbook_bytes(con, quarter_end=Q3, vendor_key="acme")))
    assert wb.sheetnames == ["Acme Ltd"]
    assert wb["Acme Ltd"]["A1"].value == "Acme Ltd – vendor scorecard FY2026 Q3"
