"""The executive Overview: headline tiles and breakdowns for one fiscal year, in the reporting currency.

Every tile is a metric of the catalog (analytics.metrics): the same number `python -m analytics metric NAME`
prints, the packs show and the API returns. The breakdowns come from analytics.budget (same definitions:
variance = actual - budget, YTD = the closed months of analytics.calendar).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics import budget, calendar, i18n, metrics, settings


@dataclass(frozen=True)
class Tile:
    metric: str
    label: str
    unit: str
    value: float | None
    help: str
    scope: str  # "" when the tile obeys every filter; otherwise why it shows a wider figure or none


@dataclass(frozen=True)
class Context:
    """What the caption says: the year, the closed months and the budget version compared with."""
    currency: str
    window_label: str
    ytd_label: str
    ytd_months: int
    version: str
    fx_missing_lines: int


# the Overview's tiles, in order: (metric, filters it may take from the page)
TILES = ("ytd_actual", "ytd_budget", "variance", "variance_pct", "full_year_budget", "run_rate", "landing", "landing_p_overrun",
         "cancel_by_due", "sla_attainment", "credits_outstanding", "audit_at_stake")


def context(con, *, year: int, cost_center: str | None = None, category: str | None = None,
            vendor: str | None = None) -> Context:
    """The caption's facts for the year and filters."""
    win = calendar.window(con, year=year)
    row = budget.budget_vs_actual(con, year=year, by=(), cost_center=cost_center, category=category,
                                  vendor=vendor).iloc[0]
    return Context(settings.get(con, "reporting_currency"), win.label, win.ytd_label, win.ytd_months,
                   budget.default_version(con), int(row["fx_missing_lines"]))


# the sidebar filters by name, as a tile's scope names them
FILTER_NAMES = {"cost_center": i18n.N_("cost center"), "category": i18n.N_("category"), "vendor": i18n.N_("vendor")}


def tiles(con, *, year: int, cost_center: str | None = None, category: str | None = None,
          vendor: str | None = None) -> list[Tile]:
    """One tile per metric of TILES: the value under every filter the metric takes; a metric that cannot
    honour a filter shows its widest honest figure and says so in `scope` (never a silently wider number).
    Labels, help and scope in the current language (analytics.i18n)."""
    filters = {"cost_center": cost_center, "category": category, "vendor": vendor}
    out = []
    for name in TILES:
        metric = metrics.get(name)
        kept = {k: v for k, v in filters.items() if v and k in metric.filters}
        dropped = [k for k, v in filters.items() if v and k not in metric.filters]
        scope = ""
        if dropped:
            names = i18n.either(i18n.t(FILTER_NAMES[k]) for k in dropped)
        try:
            if dropped and not metric.widen:
                raise metrics.MetricError(i18n.t("not set per {filters}", filters=names))
            value = metrics.evaluate(con, name, fy=year, **kept).value
            if dropped:
                scope = i18n.t("company-wide: not available per {filters}", filters=names)
        except metrics.MetricError as exc:
            value, scope = None, str(exc)
        help_text = i18n.t("{definition} (metric `{name}`)", definition=metrics.definition(name), name=name)
        out.append(Tile(name, metrics.label(name), metric.unit, value, help_text, scope))
    return out


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
by_vendor as (
    select key1 as vendor, sum(amount_to_date * rate) as actual, sum(lines) as lines
    from spend_month_rc('vendor', 'total', 'total', 'total', $first, $as_of, $ytd_last,
                        $cost_center, $category, $vendor, null)
    group by all
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
    params = {"first": win.first, "as_of": win.ytd_last_day, "ytd_last": win.ytd_last_day, "limit": limit,
              "cost_center": cost_center or None, "category": category or None, "vendor": vendor or None}
    return con.execute(TOP_VENDORS_SQL, params).df()


def filter_values(con) -> dict[str, list[str]]:
    """The values the Overview and Budget filters offer: cost centers, categories, vendors."""
    out = {}
    for column in ("cost_center", "category", "vendor"):
        sql = f"select distinct {column} from spend where {column} is not null"
        if column != "vendor":
            sql += f" union select distinct {column} from budget"
        out[column] = sorted(r[0] for r in con.execute(sql).fetchall())
    return out


def bench_cases(con) -> list[tuple[str, object]]:
    """The queries the Overview page runs, for `python -m analytics bench`."""
    year = calendar.current_year(con)
    return [
        ("overview.tiles", lambda: tiles(con, year=year)),
        ("overview.monthly", lambda: budget.monthly(con, year=year)),
        ("overview.by_category", lambda: breakdown(con, year=year, by="category")),
        ("overview.by_cost_center", lambda: breakdown(con, year=year, by="cost_center")),
        ("overview.capex_opex", lambda: breakdown(con, year=year, by="capex_opex")),
        ("overview.top_vendors", lambda: top_vendors(con, year=year)),
        ("overview.filter_values", lambda: filter_values(con)),
    ]
