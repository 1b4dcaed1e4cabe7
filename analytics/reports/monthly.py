"""The monthly pack: one workbook for the month's close, sent upward.

Sheets: Summary (KPIs for the month, the year to date and the full year; headline sentences),
Monthly (with a native chart), By cost center, By category, Cost center x category, Variance
drivers, FX, Top vendors, and the sections other domains offer when present (Renewals, SLA,
Audit findings, Forecast from their own modules).
Every figure is in the reporting currency; the year to date ends with the pack's month. The pack is written in
the language asked for (analytics.i18n: the page's, else the `language` setting): sheet names, titles, headings,
notes and month names; amounts stay numbers with Excel number formats.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from analytics import calendar, i18n
from analytics import audit, budget, contracts, overview, settings, sla, variance
from analytics.forecast import readout, runs, yearend
from analytics.forecast.explain import method_in_words
from analytics.reports import xlsx

BVA_MONEY = ["actual_ytd", "budget_ytd", "variance", "budget_year", "run_rate"]
BVA_COLUMNS = ["actual_ytd", "budget_ytd", "variance", "variance_pct", "budget_year", "run_rate"]
MAX_VARIANCE_SENTENCES = 6
MAX_FX_SENTENCES = 4
CHART_ROWS = 20  # rows a chart of the default size covers
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
        """The line under a sheet's title; `what` is already in the current language."""
        return i18n.t("{company} · {year} · {what} · amounts in {currency} (monthly fx rates) · budget version "
                      "{version} · produced {date}", company=self.company, year=self.window.label, what=what,
                      currency=self.currency, version=self.version, date=i18n.date(dt.date.today()))

    def year_to_date(self) -> str:
        return i18n.t("year to date {months}", months=self.window.ytd_label)


# the sheets of the packs, by their names in English (the message ids: each language names them in its catalog)
SUMMARY, MONTHLY, BY_COST_CENTER, BY_CATEGORY, CC_X_CATEGORY, DRIVERS, FX, TOP_VENDORS = (
    i18n.N_("Summary"), i18n.N_("Monthly"), i18n.N_("By cost center"), i18n.N_("By category"),
    i18n.N_("Cost center x category"), i18n.N_("Variance drivers"), i18n.N_("FX"), i18n.N_("Top vendors"))
RENEWALS, SLA, AUDIT, FORECAST, FORECAST_BY_MONTH = (i18n.N_("Renewals"), i18n.N_("SLA"), i18n.N_("Audit findings"),
                                                      i18n.N_("Forecast"), i18n.N_("Forecast by month"))
BVA_TITLES = {BY_COST_CENTER: i18n.N_("Budget vs actual by cost center"),
              BY_CATEGORY: i18n.N_("Budget vs actual by category"),
              CC_X_CATEGORY: i18n.N_("Budget vs actual by cost center x category")}
BVA_CHART_TITLES = {BY_COST_CENTER: i18n.N_("Actual vs budget YTD by cost center ({currency})"),
                    BY_CATEGORY: i18n.N_("Actual vs budget YTD by category ({currency})")}


def build(con, *, period: str, version: str | None = None, lang: str | None = None):
    """The monthly pack for month `period` ('YYYY-MM', a closed month) as an openpyxl Workbook, in `lang`
    (default: the language spoken now, the page's)."""
    with i18n.use(lang or i18n.current()):
        year = calendar.year_of(con, period)
        ctx = Context(con, year=year, through=period, version=version)
        wb = xlsx.new_workbook()
        month = calendar.parse_period(period)
        title = i18n.t("Monthly IT budget report – {month}", month=i18n.month(month, long=True))
        summary_sheet(wb, ctx, title=title, month=period)
        monthly_sheet(wb, ctx)
        bva_sheet(wb, ctx, BY_COST_CENTER, ("cost_center",))
        bva_sheet(wb, ctx, BY_CATEGORY, ("category",))
        bva_sheet(wb, ctx, CC_X_CATEGORY, ("cost_center", "category"))
        drivers_sheet(wb, ctx)
        fx_sheet(wb, ctx, period=period)
        vendors_sheet(wb, ctx, limit=25)
        notes = domain_sheets(wb, ctx)
        if notes:
            ws = wb[i18n.t(SUMMARY)]
            row = ws.max_row + 2
            for note in notes:
                xlsx.set_cell(ws, row, 1, note)
                row += 1
        xlsx.contents_sheet(wb, title)
    return wb


KPI_ROWS = (i18n.N_("Actual"), i18n.N_("Budget"), i18n.N_("Variance (actual − budget)"), i18n.N_("Variance %"),
            i18n.N_("Run-rate (YTD average × 12)"))
KPI_COLUMNS = {"measure": i18n.N_("Measure"), "month": i18n.N_("Month"), "ytd": i18n.N_("Year to date"),
               "full_year": i18n.N_("Full year")}
VARIANCE_PCT_ROW = 3  # the row of KPI_ROWS written as percentages


def kpi_frame(ctx: Context, month: str | None) -> pd.DataFrame:
    """Measure x (month, year to date, full year); the measures in the current language."""
    total = budget.budget_vs_actual(ctx.con, year=ctx.year, by=(), version=ctx.version,
                                    through=ctx.through).iloc[0]
    values = [[None, total["actual_ytd"], None], [None, total["budget_ytd"], total["budget_year"]],
              [None, total["variance"], None], [None, total["variance_pct"], None], [None, None, total["run_rate"]]]
    if month:
        line = budget.monthly(ctx.con, year=ctx.year, version=ctx.version, through=ctx.through)
        line = line[line["period"] == month].iloc[0]
        values[0][0], values[1][0], values[2][0] = line["actual"], line["budget"], line["variance"]
        values[3][0] = line["variance"] / abs(line["budget"]) if line["budget"] else None
    frame = pd.DataFrame([[i18n.t(k), *v] for k, v in zip(KPI_ROWS, values)], columns=list(KPI_COLUMNS))
    return frame if month else frame.drop(columns="month")


def summary_sheet(wb, ctx: Context, *, title: str, month: str | None) -> None:
    ws = xlsx.create_sheet(wb, SUMMARY)
    row = xlsx.write_title(ws, title, ctx.subtitle(ctx.year_to_date()))
    kpis = kpi_frame(ctx, month)
    value_cols = [c for c in kpis.columns if c != "measure"]
    first, _ = xlsx.write_report_table(ws, kpis, start_row=row, money=value_cols, currency=ctx.currency,
                                       labels={c: i18n.t(KPI_COLUMNS[c]) for c in kpis.columns},
                                       widths={"measure": 30, **{c: 20 for c in value_cols}})
    pct_row = first + VARIANCE_PCT_ROW
    for j in range(2, len(kpis.columns) + 1):
        ws.cell(row=pct_row, column=j).number_format = xlsx.PERCENT
    xlsx.add_variance_rules(ws, f"B{first + 2}:{chr(64 + len(kpis.columns))}{first + 3}")
    row = first + len(kpis) + 1
    xlsx.set_cell(ws, row, 1, i18n.t("Headlines")).font = xlsx.BOLD
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
        out.append(i18n.n("{count} line has no fx rate for its month and is left out of every total (see the "
                          "{sheet} sheet).",
                          "{count} lines have no fx rate for their month and are left out of every total (see the "
                          "{sheet} sheet).", int(missing["lines"].sum()), sheet=i18n.t(FX)))
    return out or [i18n.t("Actuals match the budget: no variance to explain.")]


def monthly_sheet(wb, ctx: Context) -> None:
    ws = xlsx.create_sheet(wb, MONTHLY)
    row = xlsx.write_title(ws, i18n.t("Actual vs budget by month"), ctx.subtitle(i18n.t("actual for closed months")))
    frame = budget.monthly(ctx.con, year=ctx.year, version=ctx.version, through=ctx.through)
    frame = frame.drop(columns="is_closed")[["period", "actual", "budget", "variance", "cum_actual", "cum_budget"]]
    first, last = xlsx.write_report_table(ws, frame, start_row=row,
                                          money=list(frame.columns[1:]),
                                          currency=ctx.currency, variance=["variance"])
    xlsx.bar_chart(ws, title=i18n.t("Actual vs budget ({currency})", currency=ctx.currency), header_row=row,
                   first_row=first, last_row=last,
                   category_col=1, value_cols=[2, 3], line_cols=[5, 6], anchor="H4", y_title=ctx.currency)
    xlsx.print_setup(ws, title_row=row)


def bva_sheet(wb, ctx: Context, name: str, by: tuple[str, ...]) -> pd.DataFrame:
    ws = xlsx.create_sheet(wb, name)
    row = xlsx.write_title(ws, i18n.t(BVA_TITLES[name]), ctx.subtitle(ctx.year_to_date()))
    frame = budget.budget_vs_actual(ctx.con, year=ctx.year, by=by, version=ctx.version, through=ctx.through)
    frame = frame[[*by, *BVA_COLUMNS]].fillna({d: "" for d in by})
    first, last = xlsx.write_report_table(ws, frame, start_row=row, money=BVA_MONEY, currency=ctx.currency,
                                          percent=["variance_pct"], variance=["variance"], total_column=by[0],
                                          widths={d: 28 for d in by})
    if len(by) == 1 and last > first:  # one bar pair per row, the total row left out
        xlsx.bar_chart(ws, title=i18n.t(BVA_CHART_TITLES[name], currency=ctx.currency), header_row=row,
                       first_row=first, last_row=last - 1, category_col=1, value_cols=[2, 3],
                       anchor=f"A{last + 3}", y_title=ctx.currency)
    xlsx.print_setup(ws, title_row=row)
    return frame


def drivers_sheet(wb, ctx: Context) -> None:
    ws = xlsx.create_sheet(wb, DRIVERS)
    row = xlsx.write_title(ws, i18n.t("What explains the variance"), ctx.subtitle(ctx.year_to_date()))
    frame = variance.drivers(ctx.con, year=ctx.year, version=ctx.version, through=ctx.through)
    xlsx.write_report_table(ws, frame, start_row=row, money=["variance", "cost_center_variance"],
                            currency=ctx.currency, variance=["variance", "cost_center_variance"],
                            widths={"cost_center": 24, "category": 24, "vendor": 32})
    xlsx.print_setup(ws, title_row=row)


def fx_sheet(wb, ctx: Context, *, period: str | None) -> None:
    ws = xlsx.create_sheet(wb, FX)
    row = xlsx.write_title(ws, i18n.t("Fx rates used (units of {currency} per unit) and fx vs volume",
                                      currency=ctx.currency), ctx.subtitle(i18n.t("rates by month")))
    rates = budget.rates_used(ctx.con, year=ctx.year)
    first, last = xlsx.write_report_table(ws, rates, start_row=row,
                                          rates=[c for c in rates.columns if c != "currency"])
    row = last + 3
    if period:
        fx = variance.fx_volume(ctx.con, year=ctx.year, period=period)
        heading = i18n.t("Change in foreign-currency spend, {month} against the month before",
                         month=i18n.month(period + "-01", long=True))
        xlsx.set_cell(ws, row - 1, 1, heading).font = xlsx.BOLD
        xlsx.write_report_table(ws, fx, start_row=row, freeze=False, currency=ctx.currency,
                                rates=["rate_previous", "rate_current"],
                                widths={c: 18 for c in fx.columns if c != "currency"})
        row += max(len(fx), 1) + 3
    missing = budget.fx_missing(ctx.con, year=ctx.year)
    xlsx.set_cell(ws, row - 1, 1, i18n.t("Lines without an fx rate (left out of every total)")).font = xlsx.BOLD
    xlsx.write_report_table(ws, missing, start_row=row, freeze=False)
    ws.freeze_panes = ws.cell(row=first, column=2)
    xlsx.print_setup(ws)


def vendors_sheet(wb, ctx: Context, *, limit: int) -> None:
    ws = xlsx.create_sheet(wb, TOP_VENDORS)
    row = xlsx.write_title(ws, i18n.t("Top {count} vendors", count=limit), ctx.subtitle(ctx.year_to_date()))
    frame = overview.top_vendors(ctx.con, year=ctx.year, limit=limit, through=ctx.through)
    first, last = xlsx.write_report_table(ws, frame, start_row=row, money=["actual"],
                                          currency=ctx.currency, widths={"vendor": 40, "share": 10})
    for r in range(first, last + 1):
        ws.cell(row=r, column=4).number_format = "0.0%"
    xlsx.print_setup(ws, title_row=row)


# the sections from the other domains: (sheet name, where the page shows it, the rows)
DOMAIN_SHEETS = [
    (RENEWALS, i18n.N_("from the Contracts page, cancel-by within 90 days of the as-of date"),
     lambda ctx: contracts.cancel_by_due(ctx.con, within_days=90)),
    (SLA, i18n.N_("from the SLA page"), lambda ctx: sla.contract_month_attainment(ctx.con, start=ctx.window.first,
                                                                                 end=ctx.window.closed_through)),
    (AUDIT, i18n.N_("from the Cost audit page"), lambda ctx: audit.findings(ctx.con)),
    (FORECAST, i18n.N_("from the Forecast page, year-end landing by cost center"),
     lambda ctx: _landing_in_words(yearend.landing(ctx.con, fiscal_year=ctx.year, level="cost_center"))),
]


def _landing_in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """The landing rows with each model named in words (not the engine's name) and the full-year budget named so."""
    out = frame.rename(columns={"key": "cost_center", "budget": "budget_year"})
    return out.assign(model=out["model"].map(lambda m: method_in_words(str(m))))


def domain_sheets(wb, ctx: Context) -> list[str]:
    """A sheet for each other domain's section, with its series charted below the rows; returns notes for the
    sections with nothing to report."""
    notes = []
    for sheet, source, rows in DOMAIN_SHEETS:
        if sheet == SLA and ctx.window.closed_through is None:
            notes.append(i18n.t("{section}: no closed month yet.", section=i18n.t(sheet)))
            continue
        frame = rows(ctx)
        if frame.empty:
            notes.append(i18n.t("{section}: nothing to report.", section=i18n.t(sheet)))
            continue
        ws = xlsx.create_sheet(wb, sheet)
        row = xlsx.write_title(ws, i18n.t(sheet), ctx.subtitle(i18n.t(source)))
        money = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
                 and any(w in str(c).lower() for w in MONEY_WORDS)]
        # amounts in their own currency (a `currency` column) get a plain number format
        currency = "" if "currency" in frame.columns else ctx.currency
        _, last = xlsx.write_report_table(ws, frame, start_row=row, money=money, currency=currency)
        SERIES[sheet](ws, ctx, frame, last + 3)
        xlsx.print_setup(ws, title_row=row)
        if sheet == FORECAST:
            forecast_fan_sheet(wb, ctx)
    return notes


def _series_section(ws, ctx: Context, row: int, heading: str, frame: pd.DataFrame) -> tuple[int, int, int]:
    """A bold heading and a named table of a series below a sheet's rows; returns (heading row, first, last)."""
    xlsx.set_cell(ws, row, 1, heading).font = xlsx.BOLD
    first, last = xlsx.write_report_table(ws, frame, start_row=row + 1, currency=ctx.currency, freeze=False)
    return row + 1, first, last


def renewals_series(ws, ctx: Context, frame: pd.DataFrame, row: int) -> None:
    """Cancel-by dates per month over the next 12 months, with a column chart."""
    ahead = contracts.cancel_by_due(ctx.con, within_days=365)
    months = pd.to_datetime(ahead["cancel_by_date"]).dt.to_period("M").dt.start_time.dt.date
    by_month = (ahead.assign(month=months).groupby("month", as_index=False)
                .agg(contracts=("contract_id", "size")))
    header, first, last = _series_section(ws, ctx, row, i18n.t("Cancel-by dates by month, next 12 months"),
                                          by_month)
    if len(by_month):
        xlsx.bar_chart(ws, title=i18n.t("Contracts to cancel or renew, by month of the cancel-by date"),
                       header_row=header, first_row=first, last_row=last, category_col=1, value_cols=[2],
                       anchor=f"D{header}", y_title=i18n.t("contracts"))


def sla_series(ws, ctx: Context, frame: pd.DataFrame, row: int) -> None:
    """Attainment by month (clocks met, contract-months missed), with a line chart."""
    trend = pd.DataFrame([{"month": period, **sla.summarise(group)} for period, group in frame.groupby("period")])
    trend = trend[["month", "response_attainment_pct", "resolution_attainment_pct", "contract_months", "missed",
                   "tickets", "breaches"]]
    header, first, last = _series_section(ws, ctx, row, i18n.t("Attainment by month"), trend)
    xlsx.line_chart(ws, title=i18n.t("SLA attainment by month (% of clocks met)"), header_row=header, first_row=first,
                    last_row=last, category_col=1, value_cols=[2, 3], anchor=f"I{header}", y_title="%",
                    styles={2: {"color": "1F77B4"}, 3: {"color": "FF7F0E"}})


def audit_series(ws, ctx: Context, frame: pd.DataFrame, row: int) -> None:
    """Money at stake by rule (counted once), with a bar chart."""
    by_rule = audit.at_stake(ctx.con, by="rule")
    header, first, last = _series_section(
        ws, ctx, row, i18n.t("At stake by audit rule ({currency}, counted once)", currency=ctx.currency), by_rule)
    if len(by_rule):
        xlsx.bar_chart(ws, title=i18n.t("Audit: money at stake by rule ({currency})", currency=ctx.currency),
                       header_row=header,
                       first_row=first, last_row=last, category_col=1, value_cols=[2], anchor=f"E{header}",
                       y_title=ctx.currency)


def forecast_series(ws, ctx: Context, frame: pd.DataFrame, row: int) -> None:
    """The landing by cost center against the full-year budget, with a bar chart."""
    land = frame[["cost_center", "landing", "budget_year"]]
    header, first, last = _series_section(ws, ctx, row, i18n.t("Landing against the full-year budget"), land)
    xlsx.bar_chart(ws, title=i18n.t("Year-end landing and full-year budget by cost center ({currency})",
                                    currency=ctx.currency),
                   header_row=header, first_row=first, last_row=last, category_col=1, value_cols=[2, 3],
                   anchor=f"E{header}", y_title=ctx.currency)
    accuracy = runs.accuracy(ctx.con, level="cost_center")
    words = readout.explained(accuracy, ctx.currency).merge(accuracy[["key", "mase", "smape", "bias"]], on="key")
    words = words[["key", "reason", "accuracy_in_words", "mase", "smape", "bias", "bias_in_words"]].rename(
        columns={"key": "cost_center"})
    at = max(last, header + CHART_ROWS) + 2
    header, first, last = _series_section(
        ws, ctx, at, i18n.t("How far to trust it: each cost center's method, why, and its backtest (MASE below 1 "
                            "beats repeating last year; a negative bias under-forecasts spend, a risk, in red)"), words)
    for j, width in ((2, 60), (3, 70), (7, 60)):
        ws.column_dimensions[get_column_letter(j)].width = max(ws.column_dimensions[get_column_letter(j)].width or 0,
                                                              width)
    xlsx.risk_rule(ws, f"F{first}:F{last}")


SERIES = {RENEWALS: renewals_series, SLA: sla_series, AUDIT: audit_series, FORECAST: forecast_series}
FAN = ["period", "actual", "forecast", "lo80", "hi80", "lo95", "hi95", "budget", "committed", "uncommitted"]


def forecast_fan_sheet(wb, ctx: Context) -> None:
    """The company's monthly spend from a year back: actual, forecast with its 80% and 95% bounds, budget."""
    ws = xlsx.create_sheet(wb, FORECAST_BY_MONTH)
    row = xlsx.write_title(ws, i18n.t("Forecast fan: actual, forecast and its 80% / 95% intervals by month"),
                           ctx.subtitle(i18n.t("company-wide; forecast = committed contract payments + forecast of "
                                               "the rest")))
    fan = yearend.fan(ctx.con, fiscal_year=ctx.year, level="total", key="Total")[FAN]
    first, last = xlsx.write_report_table(ws, fan, start_row=row, currency=ctx.currency)
    orange, light = "FF7F0E", "FDBF6F"
    xlsx.line_chart(ws, title=i18n.t("Monthly spend, forecast and intervals ({currency})", currency=ctx.currency),
                    header_row=row,
                    first_row=first, last_row=last, category_col=1, value_cols=[2, 3, 4, 5, 6, 7, 8],
                    anchor=f"A{last + 3}", y_title=ctx.currency,
                    styles={2: {"color": "1F77B4", "width": 2.5}, 3: {"color": orange, "dash": "dash", "width": 2.5},
                            4: {"color": orange, "width": 1}, 5: {"color": orange, "width": 1},
                            6: {"color": light, "dash": "sysDot", "width": 1},
                            7: {"color": light, "dash": "sysDot", "width": 1},
                            8: {"color": "9AA5B1", "width": 1.5}})
    xlsx.print_setup(ws, title_row=row)


def to_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def pack_bytes(con, *, period: str, version: str | None = None, lang: str | None = None) -> bytes:
    """The monthly pack as .xlsx bytes (for the app's download button: in the page's language)."""
    return to_bytes(build(con, period=period, version=version, lang=lang))


def write(con, *, period: str, out: str | Path, version: str | None = None, lang: str | None = None) -> Path:
    """The monthly pack written to `out` (the CLI and the API), in `lang` (default: the `language` setting)."""
    out = Path(out)
    build(con, period=period, version=version, lang=xlsx.language(con, lang)).save(out)
    return out
