"""The bill of IT: a workbook with a summary sheet and one sheet per business unit (services x cost pools).

Written in the language asked for (default: the language spoken now, the Showback page's; the CLI passes the
`language` setting): sheet names, titles and headings; amounts stay numbers with number formats.
"""
from __future__ import annotations

import io
import re

import pandas as pd

from analytics import i18n, settings
from analytics.reports import xlsx
from analytics.showback import engine, report

LABELS = {"business_unit": i18n.N_("Business unit"), "service": i18n.N_("Service"), "category": i18n.N_("Cost pool"),
          "amount": i18n.N_("Amount"), "value": i18n.N_("Amount")}
SUMMARY = i18n.N_("Summary")
# the allocation's own names for money that reached no business unit, in words of the current language
PLACEHOLDERS = {report.UNALLOCATED: i18n.N_("(unallocated)"), report.DIRECT: i18n.N_("(direct to business unit)"),
                report.NOT_PASSED_ON: i18n.N_("(not passed on)")}


def name(value) -> str:
    """A business unit or service as the bill names it: '(unallocated)' in the current language."""
    return i18n.t(PLACEHOLDERS[value]) if value in PLACEHOLDERS else value


def _sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name (31 characters, no []:*?/\\), unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "-", name)[:28] or i18n.t("Business unit")
    candidate, n = base, 2
    while candidate.lower() in taken:
        candidate, n = f"{base[:26]} {n}", n + 1
    taken.add(candidate.lower())
    return candidate


def _with_total(frame: pd.DataFrame, label_column: str, amount: str) -> pd.DataFrame:
    total = pd.DataFrame({label_column: ["Total"], amount: [float(frame[amount].sum())]})
    return pd.concat([frame, total], ignore_index=True)


def workbook(alloc: engine.Allocation, *, currency: str, title: str, lang: str | None = None):
    """The openpyxl workbook: 'Summary' (cost per business unit and unallocated), then one sheet per business
    unit listing its cost by service and cost pool, money in the reporting currency; in `lang` (default: the
    language spoken now)."""
    with i18n.use(lang or i18n.current()):
        return _workbook(alloc, currency=currency, title=title)


def _workbook(alloc: engine.Allocation, *, currency: str, title: str):
    t = i18n.t
    labels = {column: t(text) for column, text in LABELS.items()}
    wb = xlsx.new_workbook()
    summary = _with_total(report.totals_by(alloc, by="business_unit"), "business_unit", "value")
    summary["business_unit"] = summary["business_unit"].map(name)
    ws = xlsx.create_sheet(wb, SUMMARY)
    row = xlsx.write_title(ws, t("Bill of IT — {title}", title=title),
                           t("Allocated cost by business unit, {currency}", currency=currency))
    first, last = xlsx.write_report_table(ws, summary, start_row=row, money=["value"], currency=currency,
                                          total_column="business_unit", labels=labels, widths={"business_unit": 32})
    if last > first:  # the total row left out of the chart
        xlsx.bar_chart(ws, title=t("Allocated IT cost by business unit ({currency})", currency=currency),
                       header_row=row, first_row=first, last_row=last - 1, category_col=1, value_cols=[2],
                       anchor=f"D{row}", y_title=currency)
    xlsx.print_setup(ws, title_row=row)
    taken = {ws.title.lower()}
    lines = report.bill_lines(alloc)
    for unit, part in lines.groupby("business_unit", sort=True):
        ws = wb.create_sheet(_sheet_name(str(name(unit)), taken))
        row = xlsx.write_title(ws, t("Bill of IT — {title}", title=name(unit)),
                               t("Cost by service and cost pool, {currency}", currency=currency))
        table = _with_total(part[["service", "category", "amount"]].reset_index(drop=True), "service", "amount")
        table["service"] = table["service"].map(name)
        xlsx.write_report_table(ws, table, start_row=row, money=["amount"], currency=currency,
                                total_column="service", labels=labels, widths={"service": 32, "category": 22})
        xlsx.print_setup(ws, title_row=row)
    xlsx.contents_sheet(wb, t("Bill of IT — {title}", title=title),
                        {SUMMARY: i18n.N_("Allocated cost by business unit, with a chart")})
    return wb


def workbook_bytes(alloc: engine.Allocation, *, currency: str, title: str, lang: str | None = None) -> bytes:
    buffer = io.BytesIO()
    workbook(alloc, currency=currency, title=title, lang=lang).save(buffer)
    return buffer.getvalue()


def for_window(con, *, fy: int | None = None, period: str | None = None, lang: str | None = None) -> bytes:
    """The bill-of-IT workbook of a fiscal year's closed months (or one month) by the stored rules, in `lang`
    (default: the language spoken now)."""
    with i18n.use(lang or i18n.current()):
        win = report.window(con, fy=fy, period=period)
        title = i18n.t("{company}, {window}", company=settings.get(con, "company_name"), window=win.label)
        return workbook_bytes(report.allocation(con, fy=fy, period=period),
                              currency=settings.get(con, "reporting_currency"), title=title)
