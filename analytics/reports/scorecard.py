"""The vendor scorecard workbook: the ranking, the indicator definitions, and one printable sheet per vendor.

Each vendor sheet is set up to print on one landscape page (fit to width and height) for the
quarterly business review: score and trend, the score's parts with their basis, the vendor's
contracts and deadlines, and its spend over the last eight quarters. A PDF would need a new
dependency; Excel's own print (or "save as PDF") gives the same page.
Every text cell goes through analytics.reports.xlsx (text is never a formula). The workbook is written in the
language asked for (default: the language spoken now, the Vendors page's): sheet names, titles, headings, the
indicators' names, units and how they are scored; the basis of each score is the stored text of its indicator.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.page import PageMargins

from analytics import contracts, fiscal, i18n, settings, vendor_names, vendors
from analytics.reports import xlsx

TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=11)
MONEY = "#,##0.00"
SCORE = "0.0"
RANKING_CHART_ROWS = 25
N_ = i18n.N_
INDICATOR_COLUMNS = {"label": N_("Indicator"), "better": N_("Better"), "unit": N_("Unit"), "window": N_("Window"),
                     "mapping": N_("How it is scored"), "weight": N_("Weight")}
BETTER = {"higher": N_("higher"), "lower": N_("lower")}
SCORECARD, INDICATORS = N_("Scorecard"), N_("Indicators")


def _quarter_label(quarter_end: dt.date, start_month: int) -> str:
    """'FY2026 Q3' ('GJ 2026 Q3' in German) for the fiscal quarter ending on `quarter_end`."""
    year = fiscal.fiscal_year(quarter_end, start_month)
    quarter = ((quarter_end.month - start_month) % 12) // 3 + 1
    return i18n.t("FY{year} Q{quarter}", year=year, quarter=quarter)


def _sheet_name(index: int, vendor: str, used: set[str]) -> str:
    """A unique sheet name of at most 31 characters without the characters Excel forbids."""
    base = re.sub(r"[\[\]:*?/\\']", " ", f"{index:02d} {vendor}").strip()[:31].strip()
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


RANKING_COLUMNS = {"rank": N_("Rank"), "vendor": N_("Vendor"), "score": N_("Score"),
                   "previous_score": N_("Previous quarter"), "trend": N_("Trend")}
CONTRACT_COLUMNS = {"contract_id": N_("Contract"), "service": N_("Service"), "renewal_type": N_("Renewal"),
                    "status": N_("Status"), "current_term_end_date": N_("Term ends"), "cancel_by_date": N_("Cancel by"),
                    "days_left": N_("Days left"), "annual_value": N_("Annual value"), "currency": N_("Currency")}
PARTS_COLUMNS = {"Indicator": N_("Indicator"), "Better": N_("Better"), "Value": N_("Value"), "Unit": N_("Unit"),
                 "Score (0-100)": N_("Score (0-100)"), "Weight": N_("Weight"), "Effective weight": N_("Effective weight"),
                 "Basis": N_("Basis")}


def _ranking_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The ranking with its headings in the current language (each indicator's score and value)."""
    frame = table[list(RANKING_COLUMNS)].rename(columns={c: i18n.t(w) for c, w in RANKING_COLUMNS.items()})
    for ind in vendors.INDICATORS:
        label = i18n.t(ind.label)
        frame[i18n.t("{indicator} (score)", indicator=label)] = table[f"{ind.name}_score"].round(1)
        frame[i18n.t("{indicator} ({unit})", indicator=label, unit=i18n.t(ind.unit))] = (
            table[f"{ind.name}_value"].round(2))
    rank = i18n.t(RANKING_COLUMNS["rank"])
    frame[rank] = frame[rank].astype(object).where(frame[rank].notna(), None)
    return frame


def _contracts_frame(register: pd.DataFrame) -> pd.DataFrame:
    frame = xlsx.in_words(register[list(CONTRACT_COLUMNS)]).copy()
    frame["days_left"] = frame["days_left"].astype(object).where(frame["days_left"].notna(), None)
    return frame.rename(columns={c: i18n.t(w) for c, w in CONTRACT_COLUMNS.items()})


def _parts_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A vendor's score parts (vendors.parts_table) in the current language."""
    out = table.copy()
    out["Indicator"] = out["Indicator"].map(i18n.t)
    out["Better"] = out["Better"].map(lambda v: i18n.t(BETTER[v]) if v in BETTER else v)
    out["Unit"] = out["Unit"].map(i18n.t)
    out["Basis"] = out["Basis"].map(lambda v: i18n.t("n/a: no data") if v == "n/a: no data" else v)
    return out.rename(columns={c: i18n.t(w) for c, w in PARTS_COLUMNS.items()})


def _section(ws, row: int, title: str, frame: pd.DataFrame, formats: dict | None = None) -> int:
    xlsx.set_cell(ws, row, 1, title).font = SECTION_FONT
    if frame.empty:
        xlsx.set_cell(ws, row + 1, 1, i18n.t("Nothing in this quarter."))
        return row + 3
    xlsx.write_frame(ws, frame, start_row=row + 1, formats=formats, freeze=False, autofilter=False)
    return row + len(frame) + 3


def _parts_chart(ws, *, header_row: int, rows: int, anchor: str, vendor: str) -> None:
    """The score's parts as bars (indicator scores 0-100; an indicator without data has no bar)."""
    from openpyxl.chart import BarChart, Reference
    chart = BarChart()
    chart.type, chart.legend = "bar", None
    chart.title = i18n.t("{vendor}: score by indicator (0-100)", vendor=vendor)
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


def _standing(row, company: str) -> str:
    """The line under a vendor's title: its score, rank and trend in a sentence of the current language."""
    t = i18n.t
    if pd.isna(row.score):
        return t("{company} · score n/a", company=company)
    score = i18n.number(row.score, 1)
    if pd.isna(row.rank):
        return t("{company} · score {score} / 100", company=company, score=score)
    if pd.isna(row.trend):
        return t("{company} · score {score} / 100, rank {rank}", company=company, score=score, rank=int(row.rank))
    trend = ("+" if row.trend > 0 else "") + i18n.number(row.trend, 1)
    return t("{company} · score {score} / 100, rank {rank}, {trend} on the previous quarter", company=company,
             score=score, rank=int(row.rank), trend=trend)


def _vendor_sheet(ws, row, *, label: str, company: str, parts, weights, register, spend) -> None:
    t = i18n.t
    title = t("{vendor} – vendor scorecard {quarter}", vendor=row.vendor, quarter=label)
    xlsx.set_cell(ws, 1, 1, title).font = TITLE_FONT
    xlsx.set_cell(ws, 2, 1, _standing(row, company))
    table = _parts_frame(vendors.parts_table(parts, weights))
    at = _section(ws, 4, t("Score parts"), table,
                  {t("Value"): "0.00", t("Score (0-100)"): SCORE, t("Weight"): SCORE, t("Effective weight"): SCORE})
    at = _section(ws, at, t("Contracts and deadlines"), _contracts_frame(register), {t("Annual value"): MONEY})
    quarterly = spend.rename(columns={"quarter": t("Quarter"), "amount_rc": t("Spend")})[[t("Quarter"), t("Spend")]]
    at = _section(ws, at, t("Spend by quarter (reporting currency)"), quarterly, {t("Spend"): MONEY})
    if len(table):
        _parts_chart(ws, header_row=5, rows=len(table), anchor=f"A{at}", vendor=str(row.vendor))
    for letter, width in zip("ABCDEFGHI", (28, 30, 12, 30, 14, 10, 16, 60, 10)):
        ws.column_dimensions[letter].width = width
    _print_setup(ws, title)


def build(con, *, quarter_end: dt.date | None = None, weights: dict[str, float] | None = None,
          include_uncontracted: bool = False, vendor_key: str | None = None, lang: str | None = None):
    """The scorecard workbook (openpyxl) for the quarter ending on quarter_end; one vendor's page only with
    vendor_key; in `lang` (default: the language spoken now, the page's)."""
    with i18n.use(lang or i18n.current()):
        return _build(con, quarter_end=quarter_end, weights=weights, include_uncontracted=include_uncontracted,
                      vendor_key=vendor_key)


def _build(con, *, quarter_end: dt.date | None, weights: dict[str, float] | None, include_uncontracted: bool,
           vendor_key: str | None):
    t = i18n.t
    quarter_end = quarter_end or vendors.default_quarter_end(con)
    weights = vendors.renormalise(weights or vendors.get_weights(con))
    start_month = settings.get(con, "fiscal_year_start_month")
    label = _quarter_label(quarter_end, start_month)
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
    ws = xlsx.create_sheet(wb, SCORECARD)
    xlsx.set_cell(ws, 1, 1, t("{company} – vendor scorecard {quarter} (amounts in {currency})", company=company,
                              quarter=label, currency=currency)).font = TITLE_FONT
    ranking = _ranking_frame(table)
    formats = {c: (SCORE if c in {t("{indicator} (score)", indicator=t(i.label)) for i in vendors.INDICATORS}
                   else "#,##0.00") for c in ranking.columns[5:]}
    score, previous, trend, vendor = (t(RANKING_COLUMNS[c]) for c in ("score", "previous_score", "trend", "vendor"))
    xlsx.write_frame(ws, ranking, start_row=3, formats={**formats, score: SCORE, previous: SCORE,
                                                         trend: "+0.0;-0.0;0.0"}, widths={vendor: 34})
    xlsx.named_table(ws, header_row=3, last_row=3 + len(ranking), last_col=len(ranking.columns))
    scored = int(ranking[score].notna().sum())
    if scored:
        xlsx.bar_chart(ws, title=t("Score by vendor (0-100), {quarter}", quarter=label), header_row=3, first_row=4,
                       last_row=3 + min(scored, RANKING_CHART_ROWS), category_col=2, value_cols=[3],
                       anchor=f"A{len(ranking) + 6}", y_title=t("score"))
    _print_setup(ws, t("Vendor scorecard {quarter}", quarter=label))
    ws.print_title_rows = "3:3"
    indicators = vendors.indicator_table(weights).drop(columns="indicator")
    for name in ("label", "unit", "window", "mapping"):
        indicators[name] = indicators[name].map(i18n.t)
    indicators["better"] = indicators["better"].map(lambda v: t(BETTER[v]) if v in BETTER else v)
    headings = {c: t(w) for c, w in INDICATOR_COLUMNS.items()}
    indicators = indicators.rename(columns=headings)
    sheet = xlsx.create_sheet(wb, INDICATORS)
    xlsx.set_cell(sheet, 1, 1, t("How the score is made: indicators and weights, {quarter}",
                                 quarter=label)).font = TITLE_FONT
    xlsx.write_frame(sheet, indicators, start_row=3, widths={headings["mapping"]: 90, headings["label"]: 30,
                                                             headings["unit"]: 30},
                     formats={headings["weight"]: SCORE})
    xlsx.named_table(sheet, header_row=3, last_row=3 + len(indicators), last_col=len(indicators.columns))
    xlsx.print_setup(sheet, title_row=3)
    used: set[str] = {ws.title.lower(), sheet.title.lower()}
    for i, row in enumerate(table.itertuples(index=False), start=1):
        key = row.vendor_key
        _vendor_sheet(wb.create_sheet(_sheet_name(i, row.vendor, used)), row, label=label, company=company,
                      parts=current[current["vendor_key"] == key], weights=weights,
                      register=register[register["vendor_key"] == key], spend=spend[spend["vendor_key"] == key])
    xlsx.contents_sheet(wb, t("{company} – vendor scorecard {quarter}", company=company, quarter=label),
                        {SCORECARD: N_("Ranking: score, trend and every indicator's value and score"),
                         INDICATORS: N_("How each indicator is measured and scored, with its weight")})
    return wb


def to_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook_bytes(con, *, quarter_end: dt.date, weights: tuple = (), include_uncontracted: bool = False,
                   vendor_key: str | None = None, lang: str | None = None) -> bytes:
    """build() as .xlsx bytes; weights as (indicator, weight) pairs so the call can be cached (the page's cache
    keys it by the language it runs in)."""
    return to_bytes(build(con, quarter_end=quarter_end, weights=dict(weights) or None,
                          include_uncontracted=include_uncontracted, vendor_key=vendor_key, lang=lang))
