"""The executive Overview: KPIs and breakdowns for one fiscal year, in the reporting currency.

Figures come from analytics.budget (same definitions: variance = actual - budget, YTD = closed
months). Tiles that depend on other domains (contract renewals, SLA attainment, year-end
landing) are computed only when that domain's module is present and returns data; see
OPTIONAL and docs/budget.md for the functions expected from them.
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

import pandas as pd

from analytics import calendar
from analytics import budget, settings

# name -> (module, function): what other domains offer to the Overview and the monthly pack
OPTIONAL = {
    "renewals": ("analytics.contracts", "renewals"),
    "sla": ("analytics.sla", "contract_month_attainment"),
    "findings": ("analytics.audit", "findings"),
    "landing": ("analytics.forecast", "landing"),
}


def optional_function(name: str):
    """The optional domain function `name` (see OPTIONAL), or None when its module is absent."""
    module_name, func_name = OPTIONAL[name]
    try:
        if importlib.util.find_spec(module_name) is None:
            return None
        return getattr(importlib.import_module(module_name), func_name, None)
    except ImportError:
        return None


@dataclass(frozen=True)
class Kpis:
    currency: str
    window_label: str
    ytd_label: str
    ytd_months: int
    actual_ytd: float
    budget_ytd: float | None
    variance: float | None
    variance_pct: float | None
    budget_year: float | None
    run_rate: float | None
    fx_missing_lines: int
    version: str


def _none(value):
    return None if value is None or pd.isna(value) else float(value)


def kpis(con, *, year: int, version: str | None = None, cost_center: str | None = None,
         category: str | None = None, vendor: str | None = None, through: str | None = None) -> Kpis:
    """The headline figures for the fiscal year and filters (one total row of budget_vs_actual)."""
    win = calendar.window(con, year=year, through=through)
    version = version or budget.default_version(con)
    row = budget.budget_vs_actual(con, year=year, by=(), version=version, cost_center=cost_center,
                                  category=category, vendor=vendor, through=through).iloc[0]
    return Kpis(
        currency=settings.get(con, "reporting_currency"), window_label=win.label, ytd_label=win.ytd_label,
        ytd_months=win.ytd_months, actual_ytd=float(row["actual_ytd"]), budget_ytd=_none(row["budget_ytd"]),
        variance=_none(row["variance"]), variance_pct=_none(row["variance_pct"]),
        budget_year=_none(row["budget_year"]), run_rate=_none(row["run_rate"]),
        fx_missing_lines=int(row["fx_missing_lines"]), version=version,
    )


def breakdown(con, *, year: int, by: str, version: str | None = None, cost_center: str | None = None,
              category: str | None = None, vendor: str | None = None) -> pd.DataFrame:
    """One row per category, cost center or capex/opex (no total row): actual and budget YTD, variance."""
    if by not in ("category", "cost_center", "capex_opex"):
        raise ValueError(f"cannot break the overview down by {by!r}")
    frame = budget.budget_vs_actual(con, year=year, by=(by,), version=version, cost_center=cost_center,
                                    category=category, vendor=vendor, totals=False)
    frame = frame[(frame["actual_ytd"] != 0) | (frame["budget_ytd"].fillna(0) != 0)]
    return (frame[[by, "actual_ytd", "budget_ytd", "variance", "variance_pct", "budget_year"]]
            .sort_values("actual_ytd", ascending=False).reset_index(drop=True))


TOP_VENDORS_SQL = """
with
{spend_ctes}
by_vendor as (
    select vendor, sum(amount_to_date * rate) as actual, sum(lines) as lines
    from spend_converted
    group by vendor
),
total as (select sum(actual) as total from by_vendor),
final as (
    select v.vendor, v.actual, v.lines, v.actual / nullif(t.total, 0) as share
    from by_vendor v cross join total t
)
select * from final order by actual desc nulls last, vendor limit $limit
"""


def top_vendors(con, *, year: int, limit: int = 10, cost_center: str | None = None,
                category: str | None = None, vendor: str | None = None, through: str | None = None) -> pd.DataFrame:
    """The `limit` vendors with the most spend YTD: one row per vendor, actual, lines, share of all spend
    (lines without an fx rate count in `lines` but not in `actual`)."""
    win = calendar.window(con, year=year, through=through)
    where, params = budget.where_clause({"cost_center": cost_center, "category": category, "vendor": vendor},
                                        budget.SPEND_DIMS, "s")
    params.update({"first": win.first, "as_of": win.ytd_last_day, "ytd_last": win.ytd_last_day, "limit": limit})
    spend_ctes = budget.SPEND_BY_MONTH_CTES.format(keys="vendor, ", where=where)
    return con.execute(TOP_VENDORS_SQL.format(spend_ctes=spend_ctes), params).df()


def filter_values(con) -> dict[str, list[str]]:
    """The values the Overview and Budget filters offer: cost centers, categories, vendors."""
    out = {}
    for column in ("cost_center", "category", "vendor"):
        sql = f"select distinct {column} from spend where {column} is not null"
        if column != "vendor":
            sql += f" union select distinct {column} from budget"
        out[column] = sorted(r[0] for r in con.execute(sql).fetchall())
    return out


def _first_number(frame, columns) -> float | None:
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return None
    for column in columns:
        if column in frame.columns:
            value = pd.to_numeric(frame[column], errors="coerce").sum(min_count=1)
            return None if pd.isna(value) else float(value)
    return None


def sla_attainment(frame) -> float | None:
    """Share of contract-months with a target that met it (status 'met' vs 'missed'), or None."""
    if not isinstance(frame, pd.DataFrame) or frame.empty or "status" not in frame.columns:
        return None
    decided = frame[frame["status"].isin(["met", "missed"])]
    return None if decided.empty else float((decided["status"] == "met").mean())


def extra_tiles(con, *, year: int) -> list[tuple[str, str, str]]:
    """(label, value, help) for the tiles other domains make possible; empty when none has data.
    A domain that is absent, fails or returns nothing gives no tile (never a made-up number)."""
    tiles = []
    currency = settings.get(con, "reporting_currency")
    win = calendar.window(con, year=year)
    landing = optional_function("landing")
    if landing is not None:
        value = _safe(lambda: _first_number(landing(con, fiscal_year=year, level="total"), ("landing",)))
        if value is not None:
            tiles.append((f"Year-end landing, {currency}", _short(value),
                          "Actuals to date plus the forecast for the remaining months (Forecast page)."))
    renewals = optional_function("renewals")
    has_contracts = con.execute("select count(*) from contracts").fetchone()[0] > 0
    if renewals is not None and has_contracts:
        frame = _safe(lambda: renewals(con, within_days=90))
        if isinstance(frame, pd.DataFrame):
            tiles.append(("Cancel-by within 90 days", f"{len(frame):,}",
                          "Contracts whose cancel-by date falls within 90 days of the as-of date (Contracts page)."))
    sla = optional_function("sla")
    if sla is not None and win.closed_through is not None:
        share = _safe(lambda: sla_attainment(sla(con, start=win.first, end=win.closed_through)))
        if share is not None:
            tiles.append(("SLA months met YTD", f"{share:.1%}",
                          "Share of contract-months with an SLA target in which every target was met "
                          "(one breached ticket misses the month; ticket-level attainment is on the SLA page)."))
    return tiles


def _short(value: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:,.2f}{suffix}"
    return f"{value:,.0f}"


def _safe(func):
    try:
        return func()
    except Exception:  # another domain's failure must not break the Overview
        return None


def bench_cases(con) -> list[tuple[str, object]]:
    """The queries the Overview page runs, for `python -m analytics bench`."""
    year = calendar.current_year(con)
    return [
        ("overview.kpis", lambda: kpis(con, year=year)),
        ("overview.monthly", lambda: budget.monthly(con, year=year)),
        ("overview.by_category", lambda: breakdown(con, year=year, by="category")),
        ("overview.by_cost_center", lambda: breakdown(con, year=year, by="cost_center")),
        ("overview.capex_opex", lambda: breakdown(con, year=year, by="capex_opex")),
        ("overview.top_vendors", lambda: top_vendors(con, year=year)),
        ("overview.filter_values", lambda: filter_values(con)),
    ]
