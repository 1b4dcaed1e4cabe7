"""Excel workbooks from the forecast: the funding request for next year's budget, and a scenario comparison.

Every text cell goes through reports/xlsx.py (text never becomes a formula). Amounts are written
unrounded (display format only), so the workbook's totals equal the draft's to the cent. Both are written in the
language asked for (default: the language spoken now, the Forecast page's): sheet names, titles, headings and the
words of the About sheet.
"""
from __future__ import annotations

import io
import json

import pandas as pd

from analytics import calendar
from analytics import fiscal, i18n, present, settings
from analytics.forecast import scenarios
from analytics.reports import xlsx

MONEY_COLUMNS = ["committed", "forecast", "adjustment", "proposed"]
N_ = i18n.N_
LEVEL_NAMES = {"total": N_("Total"), "cost_center": N_("Cost center"), "category": N_("Category"),
               "vendor": N_("Vendor")}
# "Landing by cost center": the scenario workbook's sheet per level, each named in the language
LEVEL_SHEETS = {"total": N_("Landing in total"), "cost_center": N_("Landing by cost center"),
                "category": N_("Landing by category"), "vendor": N_("Landing by vendor")}
LEVEL_TITLES = {"total": N_("Year-end landing in total: baseline and scenario"),
                "cost_center": N_("Year-end landing by cost center: baseline and scenario"),
                "category": N_("Year-end landing by category: baseline and scenario"),
                "vendor": N_("Year-end landing by vendor: baseline and scenario")}
BY_COST_CENTER, LINES, ABOUT = N_("By cost center"), N_("Lines"), N_("About")
CHART_ROWS = 20


def _info_sheet(wb, rows: list[tuple[str, object]], title: str) -> None:
    ws = xlsx.create_sheet(wb, ABOUT)
    row = xlsx.write_title(ws, title)
    xlsx.write_report_table(ws, pd.DataFrame(rows, columns=["item", "value"]), start_row=row,
                            widths={"item": 28, "value": 100})
    xlsx.print_setup(ws, title_row=row)


def funding_request(con, *, fiscal_year: int, lines: pd.DataFrame, spec_json: str = "{}",
                    version: str = "", lang: str | None = None) -> bytes:
    """The funding-request workbook: summary by cost center (with a chart), lines by cost center x category with
    their basis, what each column means; headings in words, money in the reporting currency; in `lang` (default:
    the language spoken now)."""
    with i18n.use(lang or i18n.current()):
        return _funding_request(con, fiscal_year=fiscal_year, lines=lines, spec_json=spec_json, version=version)


def _funding_request(con, *, fiscal_year: int, lines: pd.DataFrame, spec_json: str, version: str) -> bytes:
    t = i18n.t
    currency = settings.get(con, "reporting_currency")
    start_month = settings.get(con, "fiscal_year_start_month")
    year = fiscal.label(fiscal_year, start_month)
    company = settings.get(con, "company_name")
    saved_as = version or t("(not saved)")
    subtitle = t("{company} · {year} · amounts in {currency} · budget version {version}", company=company, year=year,
                 currency=currency, version=saved_as)
    wb = xlsx.new_workbook()
    summary = lines.groupby("cost_center", as_index=False)[MONEY_COLUMNS].sum()
    total = pd.DataFrame([{"cost_center": "Total", **summary[MONEY_COLUMNS].sum().to_dict()}])
    ws = xlsx.create_sheet(wb, BY_COST_CENTER)
    row = xlsx.write_title(ws, t("Funding request {year} by cost center", year=year), subtitle)
    first, last = xlsx.write_report_table(ws, pd.concat([summary, total], ignore_index=True), start_row=row,
                                          money=MONEY_COLUMNS, currency=currency, total_column="cost_center",
                                          widths={"cost_center": 32})
    if len(summary):
        chart = xlsx.bar_chart(ws, title=t("Proposed budget {year} by cost center ({currency})", year=year,
                                           currency=currency), header_row=row,
                               first_row=first, last_row=last - 1, category_col=1, value_cols=[2, 3, 4],
                               anchor=f"A{last + 3}", y_title=currency)
        chart.grouping, chart.overlap = "stacked", 100  # committed + forecast + adjustment = proposed
    xlsx.print_setup(ws, title_row=row)
    ws = xlsx.create_sheet(wb, LINES)
    row = xlsx.write_title(ws, t("Funding request {year}: cost center x category, with the basis of each line",
                                 year=year), subtitle)
    xlsx.write_report_table(ws, lines[["cost_center", "category", *MONEY_COLUMNS, "basis"]], start_row=row,
                            money=MONEY_COLUMNS, currency=currency,
                            widths={"cost_center": 32, "category": 24, "basis": 70})
    xlsx.print_setup(ws, title_row=row)
    _info_sheet(wb, [
        (t("Company"), company),
        (t("Fiscal year"), year),
        (t("Budget version"), saved_as),
        (t("Currency"), t("{currency} (contract payments in other currencies at the latest known monthly rate)",
                          currency=currency)),
        (t("Forecast cut-off"), t("{month}: months from then on are forecast",
                                  month=i18n.month(calendar.calendar(con).cutoff, long=True))),
        (t("Committed"), t("Contract payments due in the year (billing frequency, auto-renewal terms included), "
                           "split over cost centers and categories by each contract's billing history")),
        (t("Forecast"), t("Statistical forecast of spend not billed under a contract (model chosen per cost center "
                          "by backtest), split over categories by their share of the last 12 months")),
        (t("Adjustment"), t("Scenario changes and edits: {changes}",
                            changes="; ".join(scenarios.describe(json.loads(spec_json or "{}"))))),
        (t("Proposed"), t("Committed + forecast + adjustment")),
    ], t("Funding request {year}: what the columns mean", year=year))
    xlsx.contents_sheet(wb, t("Funding request {year}", year=year), subtitle=subtitle)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def scenario_workbook(con, *, name: str, spec_json: str, comparisons: dict[str, pd.DataFrame],
                      fiscal_year: int, lang: str | None = None) -> bytes:
    """A scenario's changes and its landing against the baseline, one sheet per level with a chart; in `lang`
    (default: the language spoken now)."""
    with i18n.use(lang or i18n.current()):
        return _scenario_workbook(con, name=name, spec_json=spec_json, comparisons=comparisons,
                                  fiscal_year=fiscal_year)


def _scenario_workbook(con, *, name: str, spec_json: str, comparisons: dict[str, pd.DataFrame],
                       fiscal_year: int) -> bytes:
    t = i18n.t
    currency = settings.get(con, "reporting_currency")
    year = fiscal.label(fiscal_year, settings.get(con, "fiscal_year_start_month"))
    called = name or t("(unsaved)")
    subtitle = t("Scenario {name} · {year} · amounts in {currency}", name=called, year=year, currency=currency)
    wb = xlsx.new_workbook()
    for level, frame in comparisons.items():
        what = t(LEVEL_NAMES[level]) if level in LEVEL_NAMES else level.replace("_", " ").capitalize()
        ws = xlsx.create_sheet(wb, LEVEL_SHEETS.get(level, f"Landing by {what.lower()}"))
        row = xlsx.write_title(ws, t(LEVEL_TITLES[level]) if level in LEVEL_TITLES else ws.title, subtitle)
        first, last = xlsx.write_report_table(ws, frame, start_row=row, currency=currency, labels={
            c: (what if c == "key" else present.label(c)) for c in frame.columns}, widths={"key": 32})
        if len(frame):
            xlsx.bar_chart(ws, title=t("Landing, baseline and scenario ({currency})", currency=currency),
                           header_row=row,
                           first_row=first, last_row=min(last, first + CHART_ROWS - 1), category_col=1,
                           value_cols=[frame.columns.get_loc(c) + 1 for c in ("landing_baseline", "landing_scenario")],
                           anchor=f"A{last + 3}", y_title=currency)
        xlsx.print_setup(ws, title_row=row)
    spec = json.loads(spec_json or "{}")
    rows = [(t("Scenario"), called), (t("Fiscal year"), year), (t("Currency"), currency)]
    rows += [(t("Change"), line) for line in scenarios.describe(spec)]
    rows.append((t("Definition (JSON)"), json.dumps(scenarios.normalize(spec), sort_keys=True)))
    _info_sheet(wb, rows, t("Scenario {name}: its changes", name=called))
    xlsx.contents_sheet(wb, t("Scenario {name} against the baseline, {year}", name=called, year=year),
                        subtitle=subtitle)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
