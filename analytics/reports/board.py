"""The board pack: a PDF for the month's close, for people who read five pages and no spreadsheet.

Pages: a summary in sentences (YTD actual against budget, the year-end landing with its 80% interval and chance
of overrun, contracts to cancel or renew, audit money at stake, SLA credits outstanding), budget vs actual
(chart and table by cost center), the landing with intervals by cost center, the top risks (renewals, audit
findings by rule, SLA credits by vendor) and the vendor scorecard ranking.
Every figure is a metric of the catalog (analytics.metrics) or the frame it is computed from, for the year to
date ending with the pack's month; words and formats come from analytics.present. Charts are ReportLab's own
vector graphics (no browser, no image export).
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analytics import audit, budget, calendar, contracts, metrics, present, settings, sla, vendors
from analytics.forecast import yearend

ACTUAL, BUDGET, FORECAST, HEADER = (colors.HexColor("#1f77b4"), colors.HexColor("#9aa5b1"),
                                    colors.HexColor("#ff7f0e"), colors.HexColor("#1F4E79"))
PAGE = landscape(A4)
TOP_ROWS = 10
RISK_ROWS = 7
STYLES = getSampleStyleSheet()


@dataclass
class Board:
    """Everything the pack shows, gathered once."""
    period: str
    year_label: str
    ytd_label: str
    currency: str
    company: str
    figures: dict[str, float | None]
    monthly: pd.DataFrame
    by_cost_center: pd.DataFrame
    landing: pd.DataFrame
    renewals: pd.DataFrame
    audit_by_rule: pd.DataFrame
    credits: pd.DataFrame
    ranking: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def gather(con, *, period: str) -> Board:
    """The figures and tables of the board pack for closed month `period` ('YYYY-MM')."""
    year = calendar.year_of(con, period)
    win = calendar.window(con, year=year, through=period)
    version = budget.default_version(con)
    total = budget.budget_vs_actual(con, year=year, by=(), version=version, through=period, totals=False).iloc[0]
    land = yearend.landing(con, fiscal_year=year, level="total").iloc[0]
    figures = {"ytd_actual": total["actual_ytd"], "ytd_budget": total["budget_ytd"], "variance": total["variance"],
               "full_year_budget": total["budget_year"], "landing": land["landing"], "lo80": land["lo80"],
               "hi80": land["hi80"], "landing_p_overrun": land["p_overrun"],
               "cancel_by_due": metrics.evaluate(con, "cancel_by_due", fy=year).value,
               "audit_at_stake": metrics.evaluate(con, "audit_at_stake", fy=year).value,
               "credits_outstanding": sla.credits_outstanding(con, start=win.first, end=win.ytd_last_day)}
    cc = budget.budget_vs_actual(con, year=year, by=("cost_center",), version=version, through=period)
    return Board(period, win.label, win.ytd_label, settings.get(con, "reporting_currency"),
                 settings.get(con, "company_name"), figures,
                 budget.monthly(con, year=year, version=version, through=period), cc,
                 yearend.landing(con, fiscal_year=year, level="cost_center"),
                 _renewals(con), audit.at_stake(con, by="rule"),
                 _credits(con, win), _ranking(con))


def _renewals(con) -> pd.DataFrame:
    due = contracts.cancel_by_due(con, within_days=90)
    return due.sort_values(["cancel_by_date", "contract_id"])[
        ["cancel_by_date", "vendor", "service", "contract_id", "next_term_value", "currency"]]


def _credits(con, win) -> pd.DataFrame:
    months = sla.outstanding_months(con, start=win.first, end=win.ytd_last_day)
    if months.empty:
        return pd.DataFrame(columns=["vendor", "months", "outstanding_rc"])
    months = months.assign(outstanding_rc=months["credit_outstanding_rc"].astype(float))
    out = months.groupby("vendor", as_index=False).agg(months=("period", "size"),
                                                       outstanding_rc=("outstanding_rc", "sum"))
    return out.sort_values("outstanding_rc", ascending=False).reset_index(drop=True)


def _ranking(con) -> pd.DataFrame:
    table = vendors.scorecard(con)
    table = table[table["score"].notna()]
    return table[["rank", "vendor", "score", "trend", "indicators_used"]].reset_index(drop=True)


def money(value, currency: str = "") -> str:
    """Whole units for the board: '70,813,518 EUR', negatives in brackets."""
    return present.money_text(value, currency, decimals=0)


def summary_sentences(b: Board) -> list[str]:
    """The summary page in sentences, each figure named as the metric catalog names it."""
    f, cur = b.figures, b.currency
    over = f["variance"] or 0.0
    pct = over / abs(f["ytd_budget"]) if f["ytd_budget"] else None
    side = "over" if over > 0 else "under"
    lines = [
        f"{metrics.label('ytd_actual')} ({b.ytd_label}) is {money(f['ytd_actual'], cur)} against a "
        f"{metrics.label('ytd_budget')} of {money(f['ytd_budget'], cur)}: {money(abs(over), cur)} {side} budget"
        + (f" ({present.percent_text(abs(pct))})." if pct is not None else "."),
        f"The {metrics.label('landing').lower()} is {money(f['landing'], cur)} (80% interval "
        f"{money(f['lo80'])} to {money(f['hi80'], cur)}) against a {metrics.label('full_year_budget').lower()} "
        f"of {money(f['full_year_budget'], cur)}; {metrics.label('landing_p_overrun').lower()}: "
        f"{present.percent_text(f['landing_p_overrun'])}.",
        f"{int(f['cancel_by_due'] or 0)} automatically renewing contract(s) must be cancelled or renewed within "
        "90 days (see Top risks).",
        f"The cost audit points at {money(f['audit_at_stake'], cur)} in open findings "
        f"({metrics.label('audit_at_stake').split(': ')[-1]}).",
        f"{metrics.label('credits_outstanding')}: {money(f['credits_outstanding'], cur)} earned by SLA misses "
        "and not yet received as credit notes.",
    ]
    return lines


# ---- layout ------------------------------------------------------------------------------------

def para(text: str, style: str = "BodyText") -> Paragraph:
    return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), STYLES[style])


def table(frame: pd.DataFrame, currency: str, *, widths: list[float] | None = None, decimals: int = 0,
          font_size: int = 8) -> Table:
    """A frame as a PDF table: headings and values as analytics.present writes them, numbers right-aligned,
    money in whole units (or with `decimals`)."""
    head = [(present.label(c, currency) or "").replace("−", "-") for c in frame.columns]
    kinds = [present.unit(c, frame[c]) for c in frame.columns]
    rows = [[present.money_text(v, "", decimals=decimals) if k == present.MONEY else present.value_text(v, c, "", kind=k)
             for v, c, k in zip(row, frame.columns, kinds)] for row in frame.itertuples(index=False)]
    out = Table([head, *rows], colWidths=widths, repeatRows=1)
    numeric = [j for j, k in enumerate(kinds) if k not in (present.TEXT, present.DATE, present.MONTH, present.FLAG)]
    style = [("BACKGROUND", (0, 0), (-1, 0), HEADER), ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
             ("FONTSIZE", (0, 0), (-1, -1), font_size), ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    style += [("ALIGN", (j, 0), (j, -1), "RIGHT") for j in numeric]
    style += [("FONTNAME", (0, i), (-1, i), "Helvetica-Bold") for i, r in enumerate(rows, 1) if r[0] == "Total"]
    out.setStyle(TableStyle(style))
    return out


def _scale(values) -> tuple[float, str]:
    top = max([abs(float(v)) for v in values if not present.is_empty(v)] or [1.0])
    return (1e6, "millions") if top >= 1e6 else (1e3, "thousands") if top >= 1e3 else (1.0, "")


def bar_chart(categories: list[str], series: list[tuple[str, list, object]], *, title: str, currency: str,
              width: float = 250 * mm, height: float = 70 * mm, horizontal: bool = False) -> Drawing:
    """A vector bar chart (one bar per series and category) with a legend; amounts in millions or thousands."""
    size, unit = _scale([v for _, values, _ in series for v in values])
    drawing = Drawing(width, height)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (45 * mm, 10 * mm) if horizontal else (20 * mm, 15 * mm)
    chart.width, chart.height = width - chart.x - 10 * mm, height - chart.y - 16 * mm
    chart.data = [[0.0 if present.is_empty(v) else float(v) / size for v in values] for _, values, _ in series]
    chart.categoryAxis.categoryNames = categories
    chart.categoryAxis.labels.fontSize = 6 if horizontal else 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.forceZero = True
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}" if size > 1 else f"{v:,.0f}"
    for i, (_, _, colour) in enumerate(series):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    drawing.add(String(chart.x, height - 6 * mm, f"{title} ({currency}{', ' + unit if unit else ''})",
                       fontName="Helvetica-Bold", fontSize=10))
    if len(series) < 2:
        return drawing
    legend = Legend()
    legend.x, legend.y, legend.fontSize, legend.alignment = width - 70 * mm, height - 4 * mm, 8, "right"
    legend.columnMaximum, legend.dx, legend.dy = 1, 8, 8
    legend.colorNamePairs = [(colour, name) for name, _, colour in series]
    drawing.add(legend)
    return drawing


def summary_page(b: Board) -> list:
    f, cur = b.figures, b.currency
    month = calendar.parse_period(b.period)
    story = [para(f"IT budget board pack – {month:%B %Y}", "Title"),
             para(f"{b.company} · {b.year_label} · year to date {b.ytd_label} · amounts in {cur} (monthly fx "
                  f"rates) · produced {dt.date.today():%Y-%m-%d}", "Italic"), Spacer(1, 6 * mm)]
    story += [para("• " + s) for s in summary_sentences(b)]
    kpis = pd.DataFrame([
        {"measure": metrics.label("ytd_actual"), "value": money(f["ytd_actual"], cur)},
        {"measure": metrics.label("ytd_budget"), "value": money(f["ytd_budget"], cur)},
        {"measure": metrics.label("variance") + " (actual − budget)".replace("−", "-"),
         "value": money(f["variance"], cur)},
        {"measure": metrics.label("landing"), "value": money(f["landing"], cur)},
        {"measure": "80% interval of the landing", "value": f"{money(f['lo80'])} – {money(f['hi80'], cur)}"},
        {"measure": metrics.label("landing_p_overrun"), "value": present.percent_text(f["landing_p_overrun"])},
        {"measure": metrics.label("cancel_by_due"), "value": str(int(f["cancel_by_due"] or 0))},
        {"measure": metrics.label("audit_at_stake"), "value": money(f["audit_at_stake"], cur)},
        {"measure": metrics.label("credits_outstanding"), "value": money(f["credits_outstanding"], cur)}])
    grid = Table([["Figure", "Value"], *kpis.values.tolist()], colWidths=[90 * mm, 80 * mm])
    grid.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), HEADER), ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                              ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("FONTSIZE", (0, 0), (-1, -1), 9),
                              ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    return story + [Spacer(1, 6 * mm), grid, *[para(n, "Italic") for n in b.notes], PageBreak()]


def budget_page(b: Board) -> list:
    monthly = b.monthly
    actual = monthly["actual"].where(monthly["is_closed"], None).tolist()
    chart = bar_chart(monthly["period"].astype(str).tolist(),
                      [("Actual", actual, ACTUAL), ("Budget", monthly["budget"].tolist(), BUDGET)],
                      title="Actual vs budget by month", currency=b.currency)
    cc = b.by_cost_center[["cost_center", "actual_ytd", "budget_ytd", "variance", "variance_pct", "budget_year"]]
    cc = cc.fillna({"cost_center": ""})
    return [para("Budget vs actual", "Heading1"), chart, Spacer(1, 4 * mm),
            para(f"By cost center, year to date {b.ytd_label}, amounts in {b.currency}; variance = actual − budget, "
                 "brackets = under budget.".replace("−", "-"), "Italic"),
            table(cc, ""), PageBreak()]


def landing_page(b: Board) -> list:
    land = b.landing.sort_values("landing", ascending=False)
    chart = bar_chart(land["key"].astype(str).tolist()[::-1],
                      [("Landing", land["landing"].tolist()[::-1], FORECAST),
                       ("Full-year budget", land["budget"].tolist()[::-1], BUDGET)],
                      title="Year-end landing against budget by cost center", currency=b.currency, horizontal=True,
                      height=68 * mm)
    shown = land[["key", "actual_ytd", "landing", "lo80", "hi80", "budget", "over_under", "p_overrun"]]
    return [para("Where the year lands", "Heading1"), chart, Spacer(1, 4 * mm),
            para(f"Landing = actual to date + committed contract payments + forecast of the rest; the 80% interval "
                 f"holds the landing four times in five. Amounts in {b.currency}.", "Italic"),
            table(shown.rename(columns={"key": "cost_center", "budget": "budget_year"}), ""), PageBreak()]


def risks_page(b: Board) -> list:
    rules = b.audit_by_rule.head(TOP_ROWS)
    chart = bar_chart([present.rule_title(r) for r in rules["rule"]][::-1],
                      [("At stake", rules["at_stake"].tolist()[::-1], colors.HexColor("#d62728"))],
                      title="Audit: money at stake by rule", currency=b.currency, horizontal=True,
                      height=70 * mm, width=150 * mm)
    credits = [para(f"SLA credits outstanding by vendor ({b.currency})", "Heading3"),
               table(b.credits.head(RISK_ROWS), "") if len(b.credits) else para("No credits outstanding.")]
    side = Table([[chart, credits]], colWidths=[155 * mm, 110 * mm])
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [para("Top risks", "Heading1"),
            para(f"Renewals: {len(b.renewals)} contract(s) to cancel or renew within 90 days (next "
                 f"{min(RISK_ROWS, len(b.renewals))} shown, next term value in the contract's currency)", "Heading3"),
            table(b.renewals.head(RISK_ROWS), ""), Spacer(1, 3 * mm), side, PageBreak()]


def vendors_page(b: Board) -> list:
    ranking = b.ranking.head(2 * TOP_ROWS)
    few = int(ranking["indicators_used"].max()) if len(ranking) else 0
    thin = ranking[vendors.rests_on_few(ranking)] if len(ranking) else ranking
    return [para("Vendors: scorecard ranking", "Heading1"),
            para(f"Weighted score 0–100 over up to {len(vendors.INDICATOR_NAMES)} indicators; equal scores rank by "
                 f"how many indicators they rest on. {len(thin)} of the {len(ranking)} shown rest on fewer than "
                 f"{few} indicators: their score says less.", "Italic"),
            table(ranking, "")]


def pdf_bytes(con, *, period: str) -> bytes:
    """The board pack for closed month `period` as PDF bytes."""
    board = gather(con, period=period)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=f"IT budget board pack {period}", author=board.company)
    story = summary_page(board) + budget_page(board) + landing_page(board) + risks_page(board) + vendors_page(board)
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(PAGE[0] - 15 * mm, 7 * mm, f"Outlay board pack · page {doc.page}")
    canvas.restoreState()


def write(con, *, period: str, out: str | Path) -> Path:
    out = Path(out)
    out.write_bytes(pdf_bytes(con, period=period))
    return out
