"""The annual pack: one fiscal year with month columns and year totals.

Sheets: Summary (year KPIs, headlines), Monthly (with a native chart), Actual by month, Budget by
month, Variance by month (cost center x category rows, one column per month, Total column and
row), By cost center, By category, Top vendors, Capex opex, Projects, FX.
Actual and variance columns cover the closed months; for a finished year that is all twelve. Written in the
language asked for, as the monthly pack is (analytics.reports.monthly).
"""
from __future__ import annotations

from pathlib import Path

from analytics import budget, i18n
from analytics.reports import monthly, xlsx


GRIDS = (("actual", i18n.N_("Actual by month"), i18n.N_("Actual by month ({currency})")),
         ("budget", i18n.N_("Budget by month"), i18n.N_("Budget by month ({currency})")),
         ("variance", i18n.N_("Variance by month"), i18n.N_("Variance by month ({currency})")))
CAPEX_OPEX, PROJECTS = i18n.N_("Capex opex"), i18n.N_("Projects")


def build(con, *, year: int, version: str | None = None, lang: str | None = None):
    """The annual pack for fiscal year `year` as an openpyxl Workbook, in `lang` (default: the language spoken
    now, the page's)."""
    with i18n.use(lang or i18n.current()):
        ctx = monthly.Context(con, year=year, through=None, version=version)
        wb = xlsx.new_workbook()
        title = i18n.t("Annual IT budget report – {year}", year=ctx.window.label)
        monthly.summary_sheet(wb, ctx, title=title, month=None)
        monthly.monthly_sheet(wb, ctx)
        for measure, name, heading in GRIDS:
            grid_sheet(wb, ctx, measure, name, heading)
        monthly.bva_sheet(wb, ctx, monthly.BY_COST_CENTER, ("cost_center",))
        monthly.bva_sheet(wb, ctx, monthly.BY_CATEGORY, ("category",))
        monthly.vendors_sheet(wb, ctx, limit=25)
        capex_sheet(wb, ctx)
        projects_sheet(wb, ctx)
        monthly.fx_sheet(wb, ctx, period=None)
        xlsx.contents_sheet(wb, title)
    return wb


def grid_sheet(wb, ctx: monthly.Context, measure: str, name: str, heading: str) -> None:
    ws = xlsx.create_sheet(wb, name)
    row = xlsx.write_title(ws, i18n.t(heading, currency=ctx.currency),
                           ctx.subtitle(i18n.t("closed months: {months}", months=ctx.window.ytd_label)))
    frame = budget.grid(ctx.con, year=ctx.year, measure=measure, version=ctx.version)
    months = [c for c in frame.columns if c not in ("cost_center", "category")]
    xlsx.write_report_table(ws, frame, start_row=row, money=months, currency=ctx.currency,
                            variance=months if measure == "variance" else (), total_column="cost_center",
                            widths={"cost_center": 24, "category": 24, **{m: 14 for m in months}})
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    xlsx.print_setup(ws, title_row=row)


def capex_sheet(wb, ctx: monthly.Context) -> None:
    ws = xlsx.create_sheet(wb, CAPEX_OPEX)
    row = xlsx.write_title(ws, i18n.t("Capex and opex actual by month"),
                           ctx.subtitle(i18n.t("budgets carry no capex/opex split")))
    frame = budget.capex_opex(ctx.con, year=ctx.year)
    xlsx.write_report_table(ws, frame, start_row=row, money=["actual"], currency=ctx.currency)
    xlsx.print_setup(ws, title_row=row)


def projects_sheet(wb, ctx: monthly.Context) -> None:
    ws = xlsx.create_sheet(wb, PROJECTS)
    row = xlsx.write_title(ws, i18n.t("Projects (whole life)"),
                           ctx.subtitle(i18n.t("burn = average of the last 3 closed months")))
    frame = budget.projects(ctx.con, version=ctx.version)
    xlsx.write_report_table(ws, frame, start_row=row,
                            money=["budget", "actual", "remaining", "monthly_burn"], currency=ctx.currency,
                            widths={"project": 24})
    xlsx.print_setup(ws, title_row=row)


def pack_bytes(con, *, year: int, version: str | None = None, lang: str | None = None) -> bytes:
    """The annual pack as .xlsx bytes (for the app's download button: in the page's language)."""
    return monthly.to_bytes(build(con, year=year, version=version, lang=lang))


def write(con, *, year: int, out: str | Path, version: str | None = None, lang: str | None = None) -> Path:
    """The annual pack written to `out` (the CLI and the API), in `lang` (default: the `language` setting)."""
    out = Path(out)
    build(con, year=year, version=version, lang=xlsx.language(con, lang)).save(out)
    return out
