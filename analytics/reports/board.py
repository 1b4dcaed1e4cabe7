"""The board pack: a PDF for the month's close, for people who read five pages and no spreadsheet.

Pages: a summary in sentences (YTD actual against budget, the year-end landing with its 80% interval and chance
of overrun, contracts to cancel or renew, audit money at stake, SLA credits outstanding), budget vs actual
(chart and table by cost center), the landing with intervals by cost center, the top risks (renewals, audit
findings by rule, SLA credits by vendor) and the vendor scorecard ranking.
Every figure is a metric of the catalog (analytics.metrics) or the frame it is computed from, for the year to
date ending with the pack's month; words and formats come from analytics.present and analytics.i18n: the pack is
written in the `language` setting (or the language asked for), with its number formats, and in a Unicode font
(DejaVu Sans) for every language but English, whose Helvetica has no ł, ő or Cyrillic. Charts are ReportLab's
own vector graphics (no browser, no image export).
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
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analytics import audit, budget, calendar, contracts, i18n, metrics, present, settings, sla, vendors
from analytics.forecast import yearend

ACTUAL, BUDGET, FORECAST, HEADER = (colors.HexColor("#1f77b4"), colors.HexColor("#9aa5b1"),
                                    colors.HexColor("#ff7f0e"), colors.HexColor("#1F4E79"))
PAGE = landscape(A4)
TOP_ROWS = 10
RISK_ROWS = 7
STYLES = getSampleStyleSheet()
RENEWAL_DAYS = 90
# a Unicode font for the languages beyond Latin-1 (fonts-dejavu-core on Debian/Ubuntu, dejavu-sans-fonts on Fedora)
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
             "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")
HELVETICA = {"regular": "Helvetica", "bold": "Helvetica-Bold", "italic": "Helvetica-Oblique"}
DEJAVU = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "italic": "DejaVuSans-Oblique.ttf"}


def fonts() -> dict[str, str]:
    """The PDF's font names for the current language: Helvetica for English, DejaVu Sans (registered once) for
    the others; raises RuntimeError naming the package when DejaVu Sans is not installed."""
    if i18n.current() == i18n.DEFAULT:
        return HELVETICA
    names = {kind: f"Outlay-{file.removesuffix('.ttf')}" for kind, file in DEJAVU.items()}
    if names["regular"] not in pdfmetrics.getRegisteredFontNames():
        for kind, file in DEJAVU.items():
            found = next((Path(d) / file for d in FONT_DIRS if (Path(d) / file).exists()), None)
            if found is None:
                raise RuntimeError(f"the board pack in {i18n.LANGUAGES[i18n.current()]} needs the DejaVu Sans font "
                                   f"({file}): install fonts-dejavu-core")
            pdfmetrics.registerFont(TTFont(names[kind], str(found)))
        pdfmetrics.registerFontFamily(names["regular"], normal=names["regular"], bold=names["bold"],
                                      italic=names["italic"], boldItalic=names["bold"])
    return names


def style(name: str):
    """A sample style in the current language's font."""
    base, font = STYLES[name], fonts()
    if font is HELVETICA:
        return base
    kind = "bold" if "Bold" in base.fontName else "italic" if "Oblique" in base.fontName else "regular"
    return base.clone(f"{name}-{font['regular']}", fontName=font[kind])


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
    due = contracts.cancel_by_due(con, within_days=RENEWAL_DAYS)
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
    """Whole units for the board: '70,813,518 EUR' ('70.813.518 €' in German), negatives in brackets."""
    return present.money_text(value, currency, decimals=0)


# the first sentence of the summary: (over budget?, with a percentage?) -> whole sentence
YTD_SENTENCES = {
    (True, True): i18n.N_("YTD actual ({months}) is {actual} against a YTD budget of {budget}: {gap} over budget "
                          "({pct})."),
    (False, True): i18n.N_("YTD actual ({months}) is {actual} against a YTD budget of {budget}: {gap} under budget "
                           "({pct})."),
    (True, False): i18n.N_("YTD actual ({months}) is {actual} against a YTD budget of {budget}: {gap} over "
                           "budget."),
    (False, False): i18n.N_("YTD actual ({months}) is {actual} against a YTD budget of {budget}: {gap} under "
                            "budget."),
}


def summary_sentences(b: Board) -> list[str]:
    """The summary page in whole sentences of the current language, each figure named as the catalog names it."""
    f, cur, t = b.figures, b.currency, i18n.t
    over = f["variance"] or 0.0
    pct = over / abs(f["ytd_budget"]) if f["ytd_budget"] else None
    return [
        t(YTD_SENTENCES[over > 0, pct is not None], months=b.ytd_label, actual=money(f["ytd_actual"], cur),
          budget=money(f["ytd_budget"], cur), gap=money(abs(over), cur),
          pct=present.percent_text(abs(pct)) if pct is not None else ""),
        t("The year-end landing is {landing} (80% interval {low} to {high}) against a full-year budget of "
          "{budget}; chance of overrun: {chance}.", landing=money(f["landing"], cur), low=money(f["lo80"]),
          high=money(f["hi80"], cur), budget=money(f["full_year_budget"], cur),
          chance=present.percent_text(f["landing_p_overrun"])),
        i18n.n("{count} automatically renewing contract must be cancelled or renewed within {days} days (see "
               "Top risks).",
               "{count} automatically renewing contracts must be cancelled or renewed within {days} days (see "
               "Top risks).", int(f["cancel_by_due"] or 0), days=RENEWAL_DAYS),
        t("The cost audit points at {amount} in open findings (money at stake).",
          amount=money(f["audit_at_stake"], cur)),
        t("SLA credits outstanding: {amount} earned by SLA misses and not yet received as credit notes.",
          amount=money(f["credits_outstanding"], cur)),
    ]


# ---- layout ------------------------------------------------------------------------------------

def para(text: str, name: str = "BodyText") -> Paragraph:
    return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style(name))


def table(frame: pd.DataFrame, currency: str, *, widths: list[float] | None = None, decimals: int = 0,
          font_size: int = 8) -> Table:
    """A frame as a PDF table: headings and values as analytics.present writes them, numbers right-aligned,
    money in whole units (or with `decimals`)."""
    head = [(present.label(c, currency) or "").replace("−", "-") for c in frame.columns]
    kinds = [present.unit(c, frame[c]) for c in frame.columns]
    rows = [[present.money_text(v, "", decimals=decimals) if k == present.MONEY else present.value_text(v, c, "", kind=k)
             for v, c, k in zip(row, frame.columns, kinds)] for row in frame.itertuples(index=False)]
    total = i18n.t("Total")
    rows = [[total, *r[1:]] if r and r[0] == "Total" else r for r in rows]  # the analytics' total row, in words
    out = Table([head, *rows], colWidths=widths, repeatRows=1)
    font = fonts()
    numeric = [j for j, k in enumerate(kinds) if k not in (present.TEXT, present.DATE, present.MONTH, present.FLAG)]
    style = [("BACKGROUND", (0, 0), (-1, 0), HEADER), ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
             ("FONTSIZE", (0, 0), (-1, -1), font_size), ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONTNAME", (0, 0), (-1, -1), font["regular"]),
             ("FONTNAME", (0, 0), (-1, 0), font["bold"])]
    style += [("ALIGN", (j, 0), (j, -1), "RIGHT") for j in numeric]
    style += [("FONTNAME", (0, i), (-1, i), font["bold"]) for i, r in enumerate(rows, 1) if r[0] == total]
    out.setStyle(TableStyle(style))
    return out


def _scale(values) -> tuple[float, str]:
    top = max([abs(float(v)) for v in values if not present.is_empty(v)] or [1.0])
    return (1e6, i18n.t("millions")) if top >= 1e6 else (1e3, i18n.t("thousands")) if top >= 1e3 else (1.0, "")


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
    font = fonts()
    chart.categoryAxis.labels.fontSize = 6 if horizontal else 7
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font["regular"]
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.forceZero = True
    chart.valueAxis.labelTextFormat = lambda v: i18n.number(v)
    for i, (_, _, colour) in enumerate(series):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    heading = (i18n.t("{title} ({currency}, {scale})", title=title, currency=currency, scale=unit) if unit
               else i18n.t("{title} ({currency})", title=title, currency=currency))
    drawing.add(String(chart.x, height - 6 * mm, heading, fontName=font["bold"], fontSize=10))
    if len(series) < 2:
        return drawing
    legend = Legend()
    legend.x, legend.y, legend.fontSize, legend.alignment = width - 70 * mm, height - 4 * mm, 8, "right"
    legend.columnMaximum, legend.dx, legend.dy, legend.fontName = 1, 8, 8, font["regular"]
    legend.colorNamePairs = [(colour, name) for name, _, colour in series]
    drawing.add(legend)
    return drawing


def summary_page(b: Board) -> list:
    f, cur, t = b.figures, b.currency, i18n.t
    month = calendar.parse_period(b.period)
    story = [para(t("IT budget board pack – {month}", month=i18n.month(month, long=True)), "Title"),
             para(t("{company} · {year} · year to date {months} · amounts in {currency} (monthly fx rates) · "
                    "produced {date}", company=b.company, year=b.year_label, months=b.ytd_label, currency=cur,
                    date=i18n.date(dt.date.today())), "Italic"), Spacer(1, 6 * mm)]
    story += [para("• " + s) for s in summary_sentences(b)]
    kpis = pd.DataFrame([
        {"measure": metrics.label("ytd_actual"), "value": money(f["ytd_actual"], cur)},
        {"measure": metrics.label("ytd_budget"), "value": money(f["ytd_budget"], cur)},
        {"measure": t("Variance (actual - budget)"), "value": money(f["variance"], cur)},
        {"measure": metrics.label("landing"), "value": money(f["landing"], cur)},
        {"measure": t("80% interval of the landing"), "value": f"{money(f['lo80'])} – {money(f['hi80'], cur)}"},
        {"measure": metrics.label("landing_p_overrun"), "value": present.percent_text(f["landing_p_overrun"])},
        {"measure": metrics.label("cancel_by_due"), "value": str(int(f["cancel_by_due"] or 0))},
        {"measure": metrics.label("audit_at_stake"), "value": money(f["audit_at_stake"], cur)},
        {"measure": metrics.label("credits_outstanding"), "value": money(f["credits_outstanding"], cur)}])
    font = fonts()
    grid = Table([[t("Figure"), t("Value")], *kpis.values.tolist()], colWidths=[90 * mm, 80 * mm])
    grid.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), HEADER), ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                              ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("FONTSIZE", (0, 0), (-1, -1), 9),
                              ("FONTNAME", (0, 0), (-1, -1), font["regular"]),
                              ("FONTNAME", (0, 0), (-1, 0), font["bold"]),
                              ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    return story + [Spacer(1, 6 * mm), grid, *[para(n, "Italic") for n in b.notes], PageBreak()]


def budget_page(b: Board) -> list:
    t, monthly = i18n.t, b.monthly
    actual = monthly["actual"].where(monthly["is_closed"], None).tolist()
    months = (monthly["period"].astype(str).tolist() if i18n.current() == i18n.DEFAULT
              else [i18n.month(p) for p in monthly["period"]])
    chart = bar_chart(months, [(t("Actual"), actual, ACTUAL), (t("Budget"), monthly["budget"].tolist(), BUDGET)],
                      title=t("Actual vs budget by month"), currency=b.currency)
    cc = b.by_cost_center[["cost_center", "actual_ytd", "budget_ytd", "variance", "variance_pct", "budget_year"]]
    cc = cc.fillna({"cost_center": ""})
    return [para(t("Budget vs actual"), "Heading1"), chart, Spacer(1, 4 * mm),
            para(t("By cost center, year to date {months}, amounts in {currency}; variance = actual - budget, "
                   "brackets = under budget.", months=b.ytd_label, currency=b.currency), "Italic"),
            table(cc, ""), PageBreak()]


def landing_page(b: Board) -> list:
    t, land = i18n.t, b.landing.sort_values("landing", ascending=False)
    chart = bar_chart(land["key"].astype(str).tolist()[::-1],
                      [(t("Landing"), land["landing"].tolist()[::-1], FORECAST),
                       (metrics.label("full_year_budget"), land["budget"].tolist()[::-1], BUDGET)],
                      title=t("Year-end landing against budget by cost center"), currency=b.currency,
                      horizontal=True, height=68 * mm)
    shown = land[["key", "actual_ytd", "landing", "lo80", "hi80", "budget", "over_under", "p_overrun"]]
    return [para(t("Where the year lands"), "Heading1"), chart, Spacer(1, 4 * mm),
            para(t("Landing = actual to date + committed contract payments + forecast of the rest; the 80% interval "
                   "holds the landing four times in five. Amounts in {currency}.", currency=b.currency), "Italic"),
            table(shown.rename(columns={"key": "cost_center", "budget": "budget_year"}), ""), PageBreak()]


def risks_page(b: Board) -> list:
    t, rules = i18n.t, b.audit_by_rule.head(TOP_ROWS)
    chart = bar_chart([present.rule_title(r) for r in rules["rule"]][::-1],
                      [(present.label("at_stake"), rules["at_stake"].tolist()[::-1], colors.HexColor("#d62728"))],
                      title=t("Audit: money at stake by rule"), currency=b.currency, horizontal=True,
                      height=70 * mm, width=150 * mm)
    credits = [para(t("SLA credits outstanding by vendor ({currency})", currency=b.currency), "Heading3"),
               table(b.credits.head(RISK_ROWS), "") if len(b.credits) else para(t("No credits outstanding."))]
    side = Table([[chart, credits]], colWidths=[155 * mm, 110 * mm])
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [para(t("Top risks"), "Heading1"),
            para(i18n.n("Renewals: {count} contract to cancel or renew within {days} days (next {shown} shown, "
                        "next term value in the contract's currency)",
                        "Renewals: {count} contracts to cancel or renew within {days} days (next {shown} shown, "
                        "next term value in the contract's currency)", len(b.renewals), days=RENEWAL_DAYS,
                        shown=min(RISK_ROWS, len(b.renewals))), "Heading3"),
            table(b.renewals.head(RISK_ROWS), ""), Spacer(1, 3 * mm), side, PageBreak()]


def vendors_page(b: Board) -> list:
    ranking = b.ranking.head(2 * TOP_ROWS)
    few = int(ranking["indicators_used"].max()) if len(ranking) else 0
    thin = ranking[vendors.rests_on_few(ranking)] if len(ranking) else ranking
    return [para(i18n.t("Vendors: scorecard ranking"), "Heading1"),
            para(i18n.t("Weighted score 0–100 over up to {indicators} indicators; equal scores rank by how many "
                        "indicators they rest on. {thin} of the {shown} shown rest on fewer than {few} indicators: "
                        "their score says less.", indicators=len(vendors.INDICATOR_NAMES), thin=len(thin),
                        shown=len(ranking), few=few), "Italic"),
            table(ranking, "")]


def pdf_bytes(con, *, period: str, lang: str | None = None) -> bytes:
    """The board pack for closed month `period` as PDF bytes, in `lang` (default: the `language` setting)."""
    with i18n.use(lang or settings.get(con, "language")):
        board = gather(con, period=period)
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=12 * mm,
                                bottomMargin=12 * mm, title=i18n.t("IT budget board pack {period}", period=period),
                                author=board.company)
        story = summary_page(board) + budget_page(board) + landing_page(board) + risks_page(board) + vendors_page(board)
        doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(fonts()["regular"], 7)
    canvas.drawRightString(PAGE[0] - 15 * mm, 7 * mm, i18n.t("Outlay board pack · page {page}", page=doc.page))
    canvas.restoreState()


def write(con, *, period: str, out: str | Path, lang: str | None = None) -> Path:
    out = Path(out)
    out.write_bytes(pdf_bytes(con, period=period, lang=lang))
    return out
