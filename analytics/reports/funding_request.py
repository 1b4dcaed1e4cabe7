"""Excel workbooks from the forecast: the funding request for next year's budget, and a scenario comparison.

Every text cell goes through reports/xlsx.py (text never becomes a formula). Amounts are written
unrounded (display format only), so the workbook's totals equal the draft's to the cent.
"""
from __future__ import annotations

import io
import json

import pandas as pd

from analytics import calendar
from analytics import fiscal, settings
from analytics.forecast import scenarios
from analytics.reports import xlsx

MONEY = "#,##0.00"


def _info_sheet(wb, rows: list[tuple[str, object]]) -> None:
    ws = wb.create_sheet("About")
    xlsx.write_frame(ws, pd.DataFrame(rows, columns=["item", "value"]), widths={"item": 28, "value": 100},
                     autofilter=False)


def funding_request(con, *, fiscal_year: int, lines: pd.DataFrame, spec_json: str = "{}",
                    version: str = "") -> bytes:
    """The funding-request workbook: summary by cost center, lines by cost center x category with their basis."""
    currency = settings.get(con, "reporting_currency")
    start_month = settings.get(con, "fiscal_year_start_month")
    money = {c: MONEY for c in ("committed", "forecast", "adjustment", "proposed")}
    wb = xlsx.new_workbook()
    summary = lines.groupby("cost_center", as_index=False)[["committed", "forecast", "adjustment", "proposed"]].sum()
    total = pd.DataFrame([{"cost_center": "Total", **summary[["committed", "forecast", "adjustment",
                                                               "proposed"]].sum().to_dict()}])
    xlsx.write_frame(wb.create_sheet("By cost center"), pd.concat([summary, total], ignore_index=True),
                     formats=money, widths={"cost_center": 32})
    xlsx.write_frame(wb.create_sheet("Lines"), lines[["cost_center", "category", "committed", "forecast", "adjustment",
                                                      "proposed", "basis"]],
                     formats=money, widths={"cost_center": 32, "category": 24, "basis": 70})
    _info_sheet(wb, [
        ("Company", settings.get(con, "company_name")),
        ("Fiscal year", fiscal.label(fiscal_year, start_month)),
        ("Budget version", version or "(not saved)"),
        ("Currency", f"{currency} (contract payments in other currencies at the latest known monthly rate)"),
        ("Forecast cut-off", f"{calendar.calendar(con).cutoff:%Y-%m}: months from then on are forecast"),
        ("committed", "Contract payments due in the year (billing frequency, auto-renewal terms included), split "
                      "over cost centers and categories by each contract's billing history"),
        ("forecast", "Statistical forecast of spend not billed under a contract (model chosen per cost center by "
                     "backtest), split over categories by their share of the last 12 months"),
        ("adjustment", "Scenario changes and edits: " + "; ".join(scenarios.describe(json.loads(spec_json or "{}")))),
        ("proposed", "committed + forecast + adjustment"),
    ])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def scenario_workbook(con, *, name: str, spec_json: str, comparisons: dict[str, pd.DataFrame],
                      fiscal_year: int) -> bytes:
    """A scenario's changes and its landing against the baseline, one sheet per level."""
    wb = xlsx.new_workbook()
    money = {c: MONEY for c in ("landing_baseline", "budget_baseline", "over_under_baseline", "landing_scenario",
                                "budget_scenario", "over_under_scenario", "landing_change")}
    money.update({"p_overrun_baseline": "0%", "p_overrun_scenario": "0%"})
    for level, frame in comparisons.items():
        xlsx.write_frame(wb.create_sheet(f"Landing by {level}"[:31]), frame, formats=money, widths={"key": 32})
    spec = json.loads(spec_json or "{}")
    rows = [("Scenario", name or "(unsaved)"),
            ("Fiscal year", fiscal.label(fiscal_year, settings.get(con, "fiscal_year_start_month"))),
            ("Currency", settings.get(con, "reporting_currency"))]
    rows += [("Change", line) for line in scenarios.describe(spec)]
    rows.append(("Definition (JSON)", json.dumps(scenarios.normalize(spec), sort_keys=True)))
    _info_sheet(wb, rows)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
