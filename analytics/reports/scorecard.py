"""The vendor scorecard workbook: the ranking, the indicator definitions, and one printable sheet per vendor.

Each vendor sheet is set up to print on one landscape page (fit to width and height) for the
quarterly business review: score and trend, the score's parts with their basis, the vendor's
contracts and deadlines, and its spend over the last eight quarters. A PDF would need a new
dependency; Excel's own print (or "save as PDF") gives the same page.
Every text cell goes through analytics.reports.xlsx (text is never a formula).
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.page import PageMargins

from analytics import contracts, settings, vendor_names, vendors
from analytics.reports import xlsx

TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=11)
MONEY = "#,##0.00"
SCORE = "0.0"
RANKING_CHART_ROWS = 25
INDICATOR_COLUMNS = {"label": "Indicator", "better": "Better", "unit": "Unit", "window": "Window",
                     "mapping": "How it is scored", "weight": "Weight"}


def _sheet_name(index: int, vendor: str, used: set[str]) -> str:
    """A unique sheet name of at most 31 characters without the characters Excel forbids."""
    base = re.sub(r"[\[\]:*?/\\']", " ", f"{index:02d} {vendor}").strip()[:31].strip()
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _ranking_frame(table: pd.DataFrame) -> pd.DataFrame:
    columns = {"rank": "Rank", "vendor": "Vendor", "score": "Score", "previous_score": "Previous quarter",
               "trend": "Trend"}
    frame = table[list(columns)].rename(columns=columns)
    for ind in vendors.INDICATORS:
        frame[f"{ind.label} (score)"] = table[f"{ind.name}_score"].round(1)
        frame[f"{ind.label} ({ind.unit})"] = table[f"{ind.name}_value"].round(2)
    frame["Rank"] = frame["Rank"].astype(object).where(frame["Rank"].notna(), None)
    return frame


def _contracts_frame(register: pd.DataFrame) -> pd.DataFrame:
    columns = {"contract_id": "Contract", "service": "Service", "renewal_type": "Renewal", "status": "Status",
               "current_term_end_date": "Term ends", "cancel_by_date": "Cancel by", "days_left": "Days left",
               "annual_value": "Annual value", "currency": "Currency"}
    frame = register[list(columns)].rename(columns=columns)
    frame["Days left"] = frame["Days left"].astype(object).where(frame["Days left"].notna(), None)
    return frame


def _section(ws, row: int, title: str, frame: pd.DataFrame, formats: dict | None = None) -> int:
    xlsx.set_cell(ws, row, 1, title).font = SECTION_FONT
    if frame.empty:
        xlsx.set_cell(ws, row + 1, 1, "Nothing in this quarter.")
        return row + 3
    xlsx.write_frame(ws, frame, start_row=row + 1, formats=formats, freeze=False, autofilter=False)
    return row + len(frame) + 3


def _parts_chart(ws, *, header_row: int, rows: int, anchor: str, vendor: str) -> None:
    """The score's parts as bars (indicator scores 0-100; an indicator without data has no bar)."""
    from openpyxl.chart import BarChart, Reference
    chart = BarChart()
    chart.type, chart.title, chart.legend = "bar", f"{vendor}: score by indicator (0-100)", None
    chart.height, chart.width = 7, 16
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.x_axis.scaling.orientation = "maxMin"  # the first indicator on top, as in the table
    chart.add_data(Reference(ws, min_col=5, min_row=header_row, max_row=header_row + rows), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + rows))
    ws.add_chart(chart, anchor)


def _print_setup(ws, title: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.oddFooter.center.text = "&P / &N"
    ws.oddHeader.left.text = title.replace("&", "&&")
    ws.print_options.gridLines = False


def _vendor_sheet(ws, row, *, label: str, company: str, parts, weights, register, spend) -> None:
    title = f"{row.vendor} – vendor scorecard {label}"
    xlsx.set_cell(ws, 1, 1, title).font = TITLE_FONT
    score = "n/a" if pd.isna(row.score) else f"{row.score:.1f} / 100"
    rank = "" if pd.isna(row.rank) else f", rank {int(row.rank)}"
    trend = "" if pd.isna(row.trend) else f", {row.trend:+.1f} on the previous quarter"
    xlsx.set_cell(ws, 2, 1, f"{company} · score {score}{rank}{trend}")
    table = vendors.parts_table(parts, weights)
    at = _section(ws, 4, "Score parts", table,
                  {"Value": "0.00", "Score (0-100)": SCORE, "Weight": SCORE, "Effective weight": SCORE})
    at = _section(ws, at, "Contracts and deadlines", _contracts_frame(register), {"Annual value": MONEY})
    quarterly = spend.rename(columns={"quarter": "Quarter", "amount_rc": "Spend"})[["Quarter", "Spend"]]
    at = _section(ws, at, "Spend by quarter (reporting currency)", quarterly, {"Spend": MONEY})
    if len(table):
        _parts_chart(ws, header_row=5, rows=len(table), anchor=f"A{at}", vendor=str(row.vendor))
    for letter, width in zip("ABCDEFGHI", (28, 30, 12, 30, 14, 10, 16, 60, 10)):
        ws.column_dimensions[letter].width = width
    _print_setup(ws, title)


def build(con, *, quarter_end: dt.date | None = None, weights: dict[str, float] | None = None,
          include_uncontracted: bool = False, vendor_key: str | None = None):
    """The scorecard workbook (openpyxl) for the quarter ending on quarter_end; one vendor's page only with vendor_key."""
    quarter_end = quarter_end or vendors.default_quarter_end(con)
    weights = vendors.renormalise(weights or vendors.get_weights(con))
    start_month = settings.get(con, "fiscal_year_start_month")
    label = vendors.quarter_label(quarter_end, start_month)
    company = settings.get(con, "company_name")
    currency = settings.get(con, "reporting_currency")
    current = vendors.components(con, quarter_end=quarter_end)
    previous = vendors.components(con, quarter_end=vendors.previous_quarter_end(con, quarter_end=quarter_end))
    scope = vendors.scope(con, quarter_end=quarter_end, include_uncontracted=include_uncontracted)
    table = vendors.score_table(current, previous, weights, scope)
    register = contracts.register(con).assign(vendor_key=lambda f: f["vendor"].map(vendor_names.normalise))
    spend = vendors.spend_by_quarter(con, quarter_end=quarter_end)

    wb = xlsx.new_workbook()
    if vendor_key is not None:
        table = table[table["vendor_key"] == vendor_key]
        if table.empty:
            raise KeyError(f"no vendor {vendor_key!r} in the scorecard")
        row = next(table.itertuples(index=False))
        _vendor_sheet(wb.create_sheet(_sheet_name(1, row.vendor, set())[3:]), row, label=label, company=company,
                      parts=current[current["vendor_key"] == vendor_key], weights=weights,
                      register=register[register["vendor_key"] == vendor_key],
                      spend=spend[spend["vendor_key"] == vendor_key])
        return wb
    ws = wb.create_sheet("Scorecard")
    xlsx.set_cell(ws, 1, 1, f"{company} – vendor scorecard {label} (amounts in {currency})").font = TITLE_FONT
    ranking = _ranking_frame(table)
    formats = {c: (SCORE if c.endswith("(score)") else "#,##0.00") for c in ranking.columns[5:]}
    xlsx.write_frame(ws, ranking, start_row=3, formats={**formats, "Score": SCORE, "Previous quarter": SCORE,
                                                         "Trend": "+0.0;-0.0;0.0"}, widths={"Vendor": 34})
    xlsx.named_table(ws, header_row=3, last_row=3 + len(ranking), last_col=len(ranking.columns))
    scored = int(ranking["Score"].notna().sum())
    if scored:
        xlsx.bar_chart(ws, title=f"Score by vendor (0-100), {label}", header_row=3, first_row=4,
                       last_row=3 + min(scored, RANKING_CHART_ROWS), category_col=2, value_cols=[3],
                       anchor=f"A{len(ranking) + 6}", y_title="score")
    _print_setup(ws, f"Vendor scorecard {label}")
    ws.print_title_rows = "3:3"
    indicators = vendors.indicator_table(weights).drop(columns="indicator").rename(columns=INDICATOR_COLUMNS)
    sheet = wb.create_sheet("Indicators")
    xlsx.set_cell(sheet, 1, 1, f"How the score is made: indicators and weights, {label}").font = TITLE_FONT
    xlsx.write_frame(sheet, indicators, start_row=3, widths={"How it is scored": 90, "Indicator": 30, "Unit": 30},
                     formats={"Weight": SCORE})
    xlsx.named_table(sheet, header_row=3, last_row=3 + len(indicators), last_col=len(indicators.columns))
    xlsx.print_setup(sheet, title_row=3)
    used: set[str] = {"scorecard", "indicators"}
    for i, row in enumerate(table.itertuples(index=False), start=1):
        key = row.vendor_key
        _vendor_sheet(wb.create_sheet(_sheet_name(i, row.vendor, used)), row, label=label, company=company,
                      parts=current[current["vendor_key"] == key], weights=weights,
                      register=register[register["vendor_key"] == key], spend=spend[spend["vendor_key"] == key])
    xlsx.contents_sheet(wb, f"{company} – vendor scorecard {label}",
                        {"Scorecard": "Ranking: score, trend and every indicator's value and score",
                         "Indicators": "How each indicator is measured and scored, with its weight"})
    return wb


def to_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook_bytes(con, *, quarter_end: dt.date, weights: tuple = (), include_uncontracted: bool = False,
                   vendor_key: str | None = None) -> bytes:
    """build() as .xlsx bytes; weights as (indicator, weight) pairs so the call can be cached."""
    return to_bytes(build(con, quarter_end=quarter_end, weights=dict(weights) or None,
                          include_uncontracted=include_uncontracted, vendor_key=vendor_key))
