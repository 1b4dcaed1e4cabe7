"""Every sheet of the demo's monthly and annual packs speaks finance: headings in words (no column names),
money in the reporting currency with negatives in brackets, ratios as percentages, charts over the series,
a Contents sheet linking every sheet; totals agree with the metric catalog."""
import re

import openpyxl
import pytest

from analytics import metrics, store
from analytics.reports import annual, monthly

RAW = re.compile(r"^(is_\w+|\w+_(ytd|pct|rc|id|date|at)|lo\d\d|hi\d\d|p_overrun|cum_\w+|renewal_deadline|"
                 r"no_contract|None|nan)$")


@pytest.fixture(scope="module")
def packs(demo_db, tmp_path_factory):
    con = store.connect(demo_db, read_only=True)
    try:
        folder = tmp_path_factory.mktemp("packs")
        month = monthly.write(con, period="2026-10", out=folder / "m.xlsx")
        year = annual.write(con, year=2026, out=folder / "a.xlsx")
        ytd = metrics.evaluate(con, "ytd_actual")
    finally:
        con.close()
    return openpyxl.load_workbook(month), openpyxl.load_workbook(year), ytd


def headers(ws):
    """The heading rows: the rows whose cells are white-on-blue."""
    for row in ws.iter_rows():
        if any(c.fill.fgColor.rgb == "001F4E79" or c.fill.fgColor.rgb == "FF1F4E79" for c in row if c.value):
            yield [c.value for c in row if c.value is not None]


@pytest.mark.parametrize("which", [0, 1])
def test_no_sheet_shows_a_column_name_or_none(packs, which):
    wb = packs[which]
    for ws in wb.worksheets:
        for heading in headers(ws):
            raw = [h for h in heading if RAW.match(str(h))]
            assert raw == [], f"{ws.title}: {raw}"
        for row in ws.iter_rows(values_only=True):
            assert not any(v in ("None", "nan", "NaN") for v in row), ws.title


def test_forecast_sheet_has_labels_and_percent_chance(packs):
    ws = packs[0]["Forecast"]
    heading = next(headers(ws))
    assert {"80% interval, low", "80% interval, high", "Chance of overrun", "Year-end landing"} <= set(heading)
    col = heading.index("Chance of overrun") + 1
    first = next(r for r in range(1, ws.max_row) if ws.cell(r, col).value == "Chance of overrun") + 1
    assert ws.cell(first, col).number_format.startswith("0.0%")
    money = ws.cell(first, heading.index("Year-end landing") + 1).number_format
    assert '"USD"' in money and "(#,##0.00)" in money


def test_audit_and_renewal_sheets_read_in_words(packs):
    ws = packs[0]["Audit findings"]
    values = {c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert "Renewal deadlines" in values and "renewal_deadline" not in values
    heading = next(headers(packs[0]["Renewals"]))
    assert "Notice period missing" in heading and "Cancel-by date" in heading


@pytest.mark.parametrize("sheet", ["Monthly", "By cost center", "By category"])
def test_series_sheets_carry_a_native_chart(packs, sheet):
    assert len(packs[0][sheet]._charts) >= 1


@pytest.mark.parametrize("which", [0, 1])
def test_contents_sheet_links_every_sheet(packs, which):
    wb = packs[which]
    ws = wb["Contents"]
    links = {c.value: c.hyperlink.location or c.hyperlink.target for c in ws["A"] if c.hyperlink}
    assert set(links) == set(wb.sheetnames[1:])


def test_by_cost_center_total_agrees_with_the_catalog(packs):
    ws = packs[0]["By cost center"]
    total = next(row for row in ws.iter_rows(values_only=True) if row[0] == "Total")
    assert round(total[1], 2) == packs[2].value
