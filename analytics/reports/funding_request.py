"""Excel workbooks from the forecast: the funding request for next year's budget, and a scenario comparison.

Every text cell goes through reports/xlsx.py (text never becomes a formula). Amounts are written
unrounded (display format only), so the workbook's totals equal the draft's to the cent.
"""
from __future__ import annotations

import io
import json

import pandas as pd

from analytics import calendar
from analytics import fiscal, present, settings
from analytics.forecast import scenarios
from analytics.reports import xlsx

MONEY_COLUMNS = ["committed", "forecast", "adjustment", "proposed"]
LEVEL_NAMES = {"total": "Total", "cost_center": "Cost center", "category": "Category", "vendor": "Vendor"}
CHART_ROWS = 20


def _info_sheet(wb, rows: list[tuple[str, object]], title: str) -> None:
    ws = wb.create_sheet("About")
    row = xlsx.write_title(ws, title)
    xlsx.write_report_table(ws, pd.DataFrame(rows, columns=["item", "value"]), start_row=row,
                            widths={"item": 28, "value": 100})
    xlsx.print_setup(ws, title_row=row)


def funding_request(con, *, fiscal_year: int, lines: pd.DataFrame, spec_json: str = "{}",
                    version: str = "") -> bytes:
    """The funding-request workbook: summary by cost center (with a chart), lines by cost center x category with
    their basis, what each column means; headings in words, money in the reporting currency."""
    currency = settings.get(con, "reporting_currency")
    start_month = settings.get(con, "fiscal_year_start_month")
    year = fiscal.label(fiscal_year, start_month)
    company = settings.get(con, "company_name")
    subtitle = f"{company} · {year} · amounts in {currency} · budget version {version or '(not saved)'}"
    wb = xlsx.new_workbook()
    summary = lines.groupby("cost_center", as_index=False)[MONEY_COLUMNS].sum()
    total = pd.DataFrame([{"cost_center": "Total", **summary[MONEY_COLUMNS].sum().to_dict()}])
    ws = wb.create_sheet("By cost center")
    row = xlsx.write_title(ws, f"Funding request {year} by cost center", subtitle)
    first, last = xlsx.write_report_table(ws, pd.concat([summary, total], ignore_index=True), start_row=row,
                                          money=MONEY_COLUMNS, currency=currency, total_column="cost_center",
                                          widths={"cost_center": 32})
    if len(summary):
        chart = xlsx.bar_chart(ws, title=f"Proposed budget {year} by cost center ({currency})", header_row=row,
                               first_row=first, last_row=last - 1, category_col=1, value_cols=[2, 3, 4],
                               anchor=f"A{last + 3}", y_title=currency)
        chart.grouping, chart.overlap = "stacked", 100  # committed + forecast + adjustment = proposed
    xlsx.print_setup(ws, title_row=row)
    ws = wb.create_sheet("Lines")
    row = xlsx.write_title(ws, f"Funding request {year}: cost center x category, with the basis of each line",
                           subtitle)
    xlsx.write_report_table(ws, lines[["cost_center", "category", *MONEY_COLUMNS, "basis"]], start_row=row,
                            money=MONEY_COLUMNS, currency=currency,
                            widths={"cost_center": 32, "category": 24, "basis": 70})
    xlsx.print_setup(ws, title_row=row)
    _info_sheet(wb, [
        ("Company", company),
        ("Fiscal year", year),
        ("Budget version", version or "(not saved)"),
        ("Currency", f"{currency} (contract payments in other currencies at the latest known monthly rate)"),
        ("Forecast cut-off", f"{calendar.calendar(con).cutoff:%Y-%m}: months from then on are forecast"),
        ("Committed", "Contract payments due in the year (billing frequency, auto-renewal terms included), split "
                      "over cost centers and categories by each contract's billing history"),
        ("Forecast", "Statistical forecast of spend not billed under a contract (model chosen per cost center by "
                     "backtest), split over categories by their share of the last 12 months"),
        ("Adjustment", "Scenario changes and edits: " + "; ".join(scenarios.describe(json.loads(spec_json or "{}")))),
        ("Proposed", "Committed + forecast + adjustment"),
    ], f"Funding request {year}: what the columns mean")
    xlsx.contents_sheet(wb, f"Funding request {year}", subtitle=subtitle)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def scenario_workbook(con, *, name: str, spec_json: str, comparisons: dict[str, pd.DataFrame],
                      fiscal_year: int) -> bytes:
    """A scenario's changes and its landing against the baseline, one sheet per level with a chart."""
    currency = settings.get(con, "reporting_currency")
    year = fiscal.label(fiscal_year, settings.get(con, "fiscal_year_start_month"))
    subtitle = f"Scenario {name or '(unsaved)'} · {year} · amounts in {currency}"
    wb = xlsx.new_workbook()
    for level, frame in comparisons.items():
        what = LEVEL_NAMES.get(level, level.replace("_", " ").capitalize())
        ws = wb.create_sheet(f"Landing by {what.lower()}"[:31])
        row = xlsx.write_title(ws, f"Year-end landing by {what.lower()}: baseline and scenario", subtitle)
        first, last = xlsx.write_report_table(ws, frame, start_row=row, currency=currency, labels={
            c: (what if c == "key" else present.label(c)) for c in frame.columns}, widths={"key": 32})
        if len(frame):
            xlsx.bar_chart(ws, title=f"Landing, baseline and scenario ({currency})", header_row=row,
                           first_row=first, last_row=min(last, first + CHART_ROWS - 1), category_col=1,
                           value_cols=[frame.columns.get_loc(c) + 1 for c in ("landing_baseline", "landing_scenario")],
                           anchor=f"A{last + 3}", y_title=currency)
        xlsx.print_setup(ws, title_row=row)
    spec = json.loads(spec_json or "{}")
    rows = [("Scenario", name or "(unsaved)"), ("Fiscal year", year), ("Currency", currency)]
    rows += [("Change", line) for line in scenarios.describe(spec)]
    rows.append(("Definition (JSON)", json.dumps(scenarios.normalize(spec), sort_keys=True)))
    _info_sheet(wb, rows, f"Scenario {name or '(unsaved)'}: its changes")
    xlsx.contents_sheet(wb, f"Scenario {name or '(unsaved)'} against the baseline, {year}", subtitle=subtitle)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
