"""The monthly pack: one workbook for the month's close, sent upward.

Sheets: Summary (KPIs for the month, the year to date and the full year; headline sentences),
Monthly (with a native chart), By cost center, By category, Cost center x category, Variance
drivers, FX, Top vendors, and the sections other domains offer when present (Renewals, SLA,
Audit findings, Forecast from their own modules).
Every figure is in the reporting currency; the year to date ends with the pack's month.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd

from analytics import calendar, present
from analytics import audit, budget, contracts, overview, settings, sla, variance
from analytics.forecast import yearend
from analytics.reports import xlsx

BVA_MONEY = ["actual_ytd", "budget_ytd", "variance", "budget_year", "run_rate"]
BVA_COLUMNS = ["actual_ytd", "budget_ytd", "variance", "variance_pct", "budget_year", "run_rate"]
MAX_VARIANCE_SENTENCES = 6
MAX_FX_SENTENCES = 4
MONEY_WORDS = ("amount", "value", "actual", "budget", "landing", "forecast", "stake", "cost", "spend", "credit")


class Context:
    """What every sheet of a pack needs to know."""

    def __init__(self, con, *, year: int, through: str | None, version: str | None):
        self.con = con
        self.year = year
        self.through = through
        self.version = version or budget.default_version(con)
        if self.version not in budget.version_names(con):
            raise calendar.PeriodError(f"no budget version {self.version!r}")
        self.window = calendar.window(con, year=year, through=through)
        self.currency = settings.get(con, "reporting_currency")
        self.company = settings.get(con, "company_name")

    def subtitle(self, what: str) -> str:
        return (f"{self.company} · {self.window.label} · {what} · amounts in {self.currency} (monthly fx rates) · "
                f"budget version {self.version} · produced {dt.date.today():%Y-%m-%d}")


def build(con, *, period: str, version: str | None = None):
    """The monthly pack for month `period` ('YYYY-MM', a closed month) as an openpyxl Workbook."""
    year = calendar.year_of(con, period)
    ctx = Context(con, year=year, through=period, version=version)
    wb = xlsx.new_workbook()
    month = calendar.parse_period(period)
    summary_sheet(wb, ctx, title=f"Monthly IT budget report – {month:%B %Y}", month=period)
    monthly_sheet(wb, ctx)
    bva_sheet(wb, ctx, "By cost center", ("cost_center",))
    bva_sheet(wb, ctx, "By category", ("category",))
    bva_sheet(wb, ctx, "Cost center x category", ("cost_center", "category"))
    drivers_sheet(wb, ctx)
    fx_sheet(wb, ctx, period=period)
    vendors_sheet(wb, ctx, limit=25)
    notes = domain_sheets(wb, ctx)
    if notes:
        ws = wb["Summary"]
        row = ws.max_row + 2
        for note in notes:
            xlsx.set_cell(ws, row, 1, note)
            row += 1
    xlsx.contents_sheet(wb, f"Monthly IT budget report – {month:%B %Y}")
    return wb


def kpi_frame(ctx: Context, month: str | None) -> pd.DataFrame:
    """Measure x (month, year to date, full year)."""
    total = budget.budget_vs_actual(ctx.con, year=ctx.year, by=(), version=ctx.version,
                                    through=ctx.through).iloc[0]
    rows = {"Actual": [None, total["actual_ytd"], None], "Budget": [None, total["budget_ytd"], total["budget_year"]],
            "Variance (actual − budget)": [None, total["variance"], None],
            "Variance %": [None, total["variance_pct"], None],
            "Run-rate (YTD average × 12)": [None, None, total["run_rate"]]}
    if month:
        line = budget.monthly(ctx.con, year=ctx.year, version=ctx.version, through=ctx.through)
        line = line[line["period"] == month].iloc[0]
        rows["Actual"][0], rows["Budget"][0], rows["Variance (actual − budget)"][0] = (
            line["actual"], line["budget"], line["variance"])
        rows["Variance %"][0] = line["variance"] / abs(line["budget"]) if line["budget"] else None
    frame = pd.DataFrame([[k, *v] for k, v in rows.items()], columns=["Measure", "Month", "Year to date", "Full year"])
    return frame if month else frame.drop(columns="Month")


def summary_sheet(wb, ctx: Context, *, title: str, month: str | None) -> None:
    ws = wb.create_sheet("Summary")
    row = xlsx.write_title(ws, title, ctx.subtitle(f"year to date {ctx.window.ytd_label}"))
    kpis = kpi_frame(ctx, month)
    value_cols = [c for c in kpis.columns if c != "Measure"]
    first, _ = xlsx.write_report_table(ws, kpis, start_row=row, money=value_cols, currency=ctx.currency,
                                       widths={"Measure": 30, **{c: 20 for c in value_cols}})
    pct_row = first + kpis.index[kpis["Measure"] == "Variance %"][0]
    for j in range(2, len(kpis.columns) + 1):
        ws.cell(row=pct_row, column=j).number_format = xlsx.PERCENT
    xlsx.add_variance_rules(ws, f"B{first + 2}:{chr(64 + len(kpis.columns))}{first + 3}")
    row = first + len(kpis) + 1
    xlsx.set_cell(ws, row, 1, "Headlines").font = xlsx.BOLD
    row += 1
    for sentence in headlines(ctx):
        xlsx.set_cell(ws, row, 1, sentence)
        row += 1
    xlsx.print_setup(ws, title_row=None)
    ws.column_dimensions["A"].width = 34


def headlines(ctx: Context) -> list[str]:
    """Variance sentences (largest cost center variances first), the largest fx effects and missing
    fx rates, in plain words; the Variance drivers and FX sheets hold the rest."""
    drivers = variance.drivers(ctx.con, year=ctx.year, version=ctx.version, through=ctx.through)
    out = variance.sentences(drivers, ctx.currency)[:MAX_VARIANCE_SENTENCES]
    if ctx.window.closed_through is not None:
        fx = variance.fx_volume(ctx.con, year=ctx.year, period=ctx.window.closed_through.strftime("%Y-%m"))
        biggest = fx.assign(_size=fx["fx_effect"].abs()).sort_values("_size", ascending=False)
        out += variance.fx_sentences(biggest.head(MAX_FX_SENTENCES), ctx.currency)
    missing = budget.fx_missing(ctx.con, year=ctx.year)
    if len(missing):
        out.append(f"{int(missing['lines'].sum()):,} line(s) have no fx rate for their month and are left out of "
                   "every total (see the FX sheet).")
    return out or ["Actuals match the budget: no variance to explain."]


def monthly_sheet(wb, ctx: Context) -> None:
    ws = wb.create_sheet("Monthly")
    row = xlsx.write_title(ws, "Actual vs budget by month", ctx.subtitle("actual for closed months"))
    frame = budget.monthly(ctx.con, year=ctx.year, version=ctx.version, through=ctx.through)
    frame = frame.drop(columns="is_closed")[["period", "actual", "budget", "variance", "cum_actual", "cum_budget"]]
    first, last = xlsx.write_report_table(ws, frame, start_row=row,
                                          money=list(frame.columns[1:]),
                                          currency=ctx.currency, variance=["variance"])
    xlsx.bar_chart(ws, title=f"Actual vs budget ({ctx.currency})", header_row=row, first_row=first, last_row=last,
                   category_col=1, value_cols=[2, 3], line_cols=[5, 6], anchor="H4", y_title=ctx.currency)
    xlsx.print_setup(ws, title_row=row)


def bva_sheet(wb, ctx: Context, name: str, by: tuple[str, ...]) -> pd.DataFrame:
    ws = wb.create_sheet(name)
    row = xlsx.write_title(ws, f"Budget vs actual {name.lower()}", ctx.subtitle(f"year to date {ctx.window.ytd_label}"))
    frame = budget.budget_vs_actual(ctx.con, year=ctx.year, by=by, version=ctx.version, through=ctx.through)
    frame = frame[[*by, *BVA_COLUMNS]].fillna({d: "" for d in by})
    first, last = xlsx.write_report_table(ws, frame, start_row=row, money=BVA_MONEY, currency=ctx.currency,
                                          percent=["variance_pct"], variance=["variance"], total_column=by[0],
                                          widths={d: 28 for d in by})
    if len(by) == 1 and last > first:  # one bar pair per row, the total row left out
        xlsx.bar_chart(ws, title=f"Actual vs budget YTD {name.lower()} ({ctx.currency})", header_row=row,
                       first_row=first, last_row=last - 1, category_col=1, value_cols=[2, 3],
                       anchor=f"A{last + 3}", y_title=ctx.currency)
    xlsx.print_setup(ws, title_row=row)
    return frame


def drivers_sheet(wb, ctx: Context) -> None:
    ws = wb.create_sheet("Variance drivers")
    row = xlsx.write_title(ws, "What explains the variance", ctx.subtitle(f"year to date {ctx.window.ytd_label}"))
    frame = variance.drivers(ctx.con, year=ctx.year, version=ctx.version, through=ctx.through)
    xlsx.write_report_table(ws, frame, start_row=row, money=["variance", "cost_center_variance"],
                            currency=ctx.currency, variance=["variance", "cost_center_variance"],
                            widths={"cost_center": 24, "category": 24, "vendor": 32})
    xlsx.print_setup(ws, title_row=row)


def fx_sheet(wb, ctx: Context, *, period: str | None) -> None:
    ws = wb.create_sheet("FX")
    row = xlsx.write_title(ws, f"Fx rates used (units of {ctx.currency} per unit) and fx vs volume",
                           ctx.subtitle("rates by month"))
    rates = budget.rates_used(ctx.con, year=ctx.year)
    first, last = xlsx.write_report_table(ws, rates, start_row=row,
                                          rates=[c for c in rates.columns if c != "currency"])
    row = last + 3
    if period:
        fx = variance.fx_volume(ctx.con, year=ctx.year, period=period)
        heading = f"Change in foreign-currency spend, {period} against the month before"
        xlsx.set_cell(ws, row - 1, 1, heading).font = xlsx.BOLD
        money = xlsx.money_format(ctx.currency)
        formats = {"Change": money, "Volume effect": money, "Fx effect": money,
                   "Rate, previous month": xlsx.RATE, "Rate, this month": xlsx.RATE}
        xlsx.write_frame(ws, fx.rename(columns=present.LABELS), start_row=row, freeze=False, autofilter=False,
                         formats=formats, widths={c: 18 for c in formats})
        row += len(fx) + 3
    missing = budget.fx_missing(ctx.con, year=ctx.year)
    xlsx.set_cell(ws, row - 1, 1, "Lines without an fx rate (left out of every total)").font = xlsx.BOLD
    xlsx.write_frame(ws, missing.rename(columns=present.LABELS), start_row=row, freeze=False, autofilter=False)
    ws.freeze_panes = ws.cell(row=first, column=2)
    xlsx.print_setup(ws)


def vendors_sheet(wb, ctx: Context, *, limit: int) -> None:
    ws = wb.create_sheet("Top vendors")
    row = xlsx.write_title(ws, f"Top {limit} vendors", ctx.subtitle(f"year to date {ctx.window.ytd_label}"))
    frame = overview.top_vendors(ctx.con, year=ctx.year, limit=limit, through=ctx.through)
    first, last = xlsx.write_report_table(ws, frame, start_row=row, money=["actual"],
                                          currency=ctx.currency, widths={"vendor": 40, "share": 10})
    for r in range(first, last + 1):
        ws.cell(row=r, column=4).number_format = "0.0%"
    xlsx.print_setup(ws, title_row=row)


# the sections from the other domains: (sheet name, where the page shows it, the rows)
DOMAIN_SHEETS = [
    ("Renewals", "Contracts page, cancel-by within 90 days of the as-of date",
     lambda ctx: contracts.cancel_by_due(ctx.con, within_days=90)),
    ("SLA", "SLA page", lambda ctx: sla.contract_month_attainment(ctx.con, start=ctx.window.first,
                                                                 end=ctx.window.closed_through)),
    ("Audit findings", "Cost audit page", lambda ctx: audit.findings(ctx.con)),
    ("Forecast", "Forecast page, year-end landing by cost center",
     lambda ctx: yearend.landing(ctx.con, fiscal_year=ctx.year, level="cost_center")),
]


def domain_sheets(wb, ctx: Context) -> list[str]:
    """A sheet for each other domain's section; returns notes for the sections with nothing to report."""
    notes = []
    for sheet, source, rows in DOMAIN_SHEETS:
        if sheet == "SLA" and ctx.window.closed_through is None:
            notes.append("SLA: no closed month yet.")
            continue
        frame = rows(ctx)
        if frame.empty:
            notes.append(f"{sheet}: nothing to report.")
            continue
        ws = wb.create_sheet(sheet)
        row = xlsx.write_title(ws, sheet, ctx.subtitle("from the " + source))
        money = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
                 and any(w in str(c).lower() for w in MONEY_WORDS)]
        # amounts in their own currency (a `currency` column) get a plain number format
        currency = "" if "currency" in frame.columns else ctx.currency
        xlsx.write_report_table(ws, frame, start_row=row, money=money, currency=currency)
        xlsx.print_setup(ws, title_row=row)
    return notes


def to_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def pack_bytes(con, *, period: str, version: str | None = None) -> bytes:
    """The monthly pack as .xlsx bytes (for the app's download button)."""
    return to_bytes(build(con, period=period, version=version))


def write(con, *, period: str, out: str | Path, version: str | None = None) -> Path:
    out = Path(out)
    build(con, period=period, version=version).save(out)
    return out
