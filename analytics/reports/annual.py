"""The annual pack: one fiscal year with month columns and year totals.

Sheets: Summary (year KPIs, headlines), Monthly (with a native chart), Actual by month, Budget by
month, Variance by month (cost center x category rows, one column per month, Total column and
row), By cost center, By category, Top vendors, Capex opex, Projects, FX.
Actual and variance columns cover the closed months; for a finished year that is all twelve.
"""
from __future__ import annotations

from pathlib import Path

from analytics import budget
from analytics.reports import monthly, xlsx


def build(con, *, year: int, version: str | None = None):
    """The annual pack for fiscal year `year` as an openpyxl Workbook."""
    ctx = monthly.Context(con, year=year, through=None, version=version)
    wb = xlsx.new_workbook()
    monthly.summary_sheet(wb, ctx, title=f"Annual IT budget report – {ctx.window.label}", month=None)
    monthly.monthly_sheet(wb, ctx)
    for measure, name in (("actual", "Actual by month"), ("budget", "Budget by month"),
                          ("variance", "Variance by month")):
        grid_sheet(wb, ctx, measure, name)
    monthly.bva_sheet(wb, ctx, "By cost center", ("cost_center",))
    monthly.bva_sheet(wb, ctx, "By category", ("category",))
    monthly.vendors_sheet(wb, ctx, limit=25)
    capex_sheet(wb, ctx)
    projects_sheet(wb, ctx)
    monthly.fx_sheet(wb, ctx, period=None)
    xlsx.contents_sheet(wb, f"Annual IT budget report – {ctx.window.label}")
    return wb


def grid_sheet(wb, ctx: monthly.Context, measure: str, name: str) -> None:
    ws = wb.create_sheet(name)
    row = xlsx.write_title(ws, f"{name} ({ctx.currency})", ctx.subtitle(f"closed months: {ctx.window.ytd_label}"))
    frame = budget.grid(ctx.con, year=ctx.year, measure=measure, version=ctx.version)
    months = [c for c in frame.columns if c not in ("cost_center", "category")]
    xlsx.write_report_table(ws, frame, start_row=row, money=months, currency=ctx.currency,
                            variance=months if measure == "variance" else (), total_column="cost_center",
                            widths={"cost_center": 24, "category": 24, **{m: 14 for m in months}})
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    xlsx.print_setup(ws, title_row=row)


def capex_sheet(wb, ctx: monthly.Context) -> None:
    ws = wb.create_sheet("Capex opex")
    row = xlsx.write_title(ws, "Capex and opex actual by month", ctx.subtitle("budgets carry no capex/opex split"))
    frame = budget.capex_opex(ctx.con, year=ctx.year)
    xlsx.write_report_table(ws, frame, start_row=row, money=["actual"], currency=ctx.currency)
    xlsx.print_setup(ws, title_row=row)


def projects_sheet(wb, ctx: monthly.Context) -> None:
    ws = wb.create_sheet("Projects")
    row = xlsx.write_title(ws, "Projects (whole life)", ctx.subtitle("burn = average of the last 3 closed months"))
    frame = budget.projects(ctx.con, version=ctx.version)
    xlsx.write_report_table(ws, frame, start_row=row,
                            money=["budget", "actual", "remaining", "monthly_burn"], currency=ctx.currency,
                            widths={"project": 24})
    xlsx.print_setup(ws, title_row=row)


def pack_bytes(con, *, year: int, version: str | None = None) -> bytes:
    return monthly.to_bytes(build(con, year=year, version=version))


def write(con, *, year: int, out: str | Path, version: str | None = None) -> Path:
    out = Path(out)
    build(con, year=year, version=version).save(out)
    return out
