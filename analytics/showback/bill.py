"""The bill of IT: a workbook with a summary sheet and one sheet per business unit (services x cost pools)."""
from __future__ import annotations

import io
import re

import pandas as pd

from analytics import settings
from analytics.reports import xlsx
from analytics.showback import engine, report

LABELS = {"business_unit": "Business unit", "service": "Service", "category": "Cost pool", "amount": "Amount",
          "value": "Amount"}


def _sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name (31 characters, no []:*?/\\), unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "-", name)[:28] or "Business unit"
    candidate, n = base, 2
    while candidate.lower() in taken:
        candidate, n = f"{base[:26]} {n}", n + 1
    taken.add(candidate.lower())
    return candidate


def _with_total(frame: pd.DataFrame, label_column: str, amount: str) -> pd.DataFrame:
    total = pd.DataFrame({label_column: ["Total"], amount: [float(frame[amount].sum())]})
    return pd.concat([frame, total], ignore_index=True)


def workbook(alloc: engine.Allocation, *, currency: str, title: str):
    """The openpyxl workbook: 'Summary' (cost per business unit and unallocated), then one sheet per business
    unit listing its cost by service and cost pool, money in the reporting currency."""
    wb = xlsx.new_workbook()
    summary = _with_total(report.totals_by(alloc, by="business_unit"), "business_unit", "value")
    ws = wb.create_sheet("Summary")
    row = xlsx.write_title(ws, f"Bill of IT — {title}", f"Allocated cost by business unit, {currency}")
    first, last = xlsx.write_report_table(ws, summary, start_row=row, money=["value"], currency=currency,
                                          total_column="business_unit", labels=LABELS, widths={"business_unit": 32})
    if last > first:  # the total row left out of the chart
        xlsx.bar_chart(ws, title=f"Allocated IT cost by business unit ({currency})", header_row=row, first_row=first,
                       last_row=last - 1, category_col=1, value_cols=[2], anchor=f"D{row}", y_title=currency)
    xlsx.print_setup(ws, title_row=row)
    taken = {"summary"}
    lines = report.bill_lines(alloc)
    for unit, part in lines.groupby("business_unit", sort=True):
        ws = wb.create_sheet(_sheet_name(str(unit), taken))
        row = xlsx.write_title(ws, f"Bill of IT — {unit}", f"Cost by service and cost pool, {currency}")
        table = _with_total(part[["service", "category", "amount"]].reset_index(drop=True), "service", "amount")
        xlsx.write_report_table(ws, table, start_row=row, money=["amount"], currency=currency,
                                total_column="service", labels=LABELS, widths={"service": 32, "category": 22})
        xlsx.print_setup(ws, title_row=row)
    xlsx.contents_sheet(wb, f"Bill of IT — {title}", {"Summary": "Allocated cost by business unit, with a chart"})
    return wb


def workbook_bytes(alloc: engine.Allocation, *, currency: str, title: str) -> bytes:
    buffer = io.BytesIO()
    workbook(alloc, currency=currency, title=title).save(buffer)
    return buffer.getvalue()


def for_window(con, *, fy: int | None = None, period: str | None = None) -> bytes:
    """The bill-of-IT workbook of a fiscal year's closed months (or one month) by the stored rules."""
    win = report.window(con, fy=fy, period=period)
    title = f"{settings.get(con, 'company_name')}, {win.label}"
    return workbook_bytes(report.allocation(con, fy=fy, period=period),
                          currency=settings.get(con, "reporting_currency"), title=title)
