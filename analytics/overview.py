"""The executive Overview: headline tiles and breakdowns for one fiscal year, in the reporting currency.

Every tile is a metric of the catalog (analytics.metrics): the same number `python -m analytics metric NAME`
prints, the packs show and the API returns. The breakdowns come from analytics.budget (same definitions:
variance = actual - budget, YTD = the closed months of analytics.calendar).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics import budget, calendar, i18n, memo, metrics, settings


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
# the tiles that are sums of spend and budget lines (the bench compares them with a plain-SQL floor); the others
# read the stored forecast, the contract terms, the SLA engine and the stored audit findings
SPEND_AND_BUDGET_TILES = TILES[:6]


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
          vendor: str | None = None, names: tuple[str, ...] = TILES) -> list[Tile]:
    """One tile per metric of `names` (all of TILES unless told): the value under every filter the metric takes; a metric that cannot
    honour a filter shows its widest honest figure and says so in `scope` (never a silently wider number).
    Labels, help and scope in the current language (analytics.i18n)."""
    filters = {"cost_center": cost_center, "category": category, "vendor": vendor}
    with memo.reads():  # six tiles read one budget-vs-actual total, two one landing, two one SLA table
        return [_tile(con, name, year, filters) for name in names]


def _tile(con, name: str, year: int, filters: dict) -> Tile:
    """The tile of metric `name`: its value under the filters it honours, and what it could not honour."""
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
    return Tile(name, metrics.label(name), metric.unit, value, help_text, scope)


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


# floors for the bench: the same aggregates as plain SQL over the same file (spend and budget converted at the
# month's rate to the reporting currency), to show what the page's own queries cost on top
_RC = "join fx_rc r on r.currency = {t}.currency and r.period = {period}"
FLOOR_SPEND = ("from spend s " + _RC.format(t="s", period="date_trunc('month', s.date)")
               + " where s.date between $first and $ytd_last")
FLOOR_BUDGET = ("from budget b " + _RC.format(t="b", period="b.period")
                + " where b.version = $version and b.period between $first and $last")
FLOOR_TILES = (f"select (select sum(cast(s.amount as decimal(38, 4)) * r.rate) {FLOOR_SPEND}) as ytd_actual, "
               f"(select sum(cast(b.amount as decimal(38, 4)) * r.rate) {FLOOR_BUDGET} and b.period <= $ytd_last) "
               f"as ytd_budget, (select sum(cast(b.amount as decimal(38, 4)) * r.rate) {FLOOR_BUDGET}) as full_year_budget")
FLOOR_MONTHLY = (f"with a as (select date_trunc('month', s.date) as period, sum(cast(s.amount as decimal(38, 4)) * r.rate) as actual "
                 f"{FLOOR_SPEND} group by 1), b as (select b.period, sum(cast(b.amount as decimal(38, 4)) * r.rate) as budget {FLOOR_BUDGET} "
                 "group by 1) select strftime(period, '%Y-%m') as period, budget, actual from b full join a using (period) order by period")
FLOOR_BY = (f"with a as (select s.{{d}} as k, sum(cast(s.amount as decimal(38, 4)) * r.rate) as actual {FLOOR_SPEND} group by 1), "
            f"b as (select b.{{d}} as k, sum(cast(b.amount as decimal(38, 4)) * r.rate) as budget {FLOOR_BUDGET} and b.period <= $ytd_last "
            "group by 1) select k as {d}, actual as actual_ytd, budget as budget_ytd from a full join b using (k) order by actual desc")
# budgets carry no capex/opex split: actual only, an empty split counted as opex
FLOOR_CAPEX_OPEX = (f"select coalesce(s.capex_opex, 'opex') as capex_opex, sum(cast(s.amount as decimal(38, 4)) * r.rate) "
                    f"as actual_ytd {FLOOR_SPEND} group by 1 order by 2 desc")
FLOOR_VENDORS = (f"select s.vendor, sum(cast(s.amount as decimal(38, 4)) * r.rate) as actual, count(*) as lines {FLOOR_SPEND} "
                 "group by 1 order by 2 desc limit 10")


OTHER_TILES_CASE = "overview.tiles: landing, renewals, SLA, audit"


def bench_cases(con) -> list[tuple]:
    """The queries the Overview page runs, for `python -m analytics bench`, with their plain-SQL floors."""
    from analytics.bench import Floor
    year = calendar.current_year(con)
    win = calendar.window(con, year=year)
    params = {"first": win.first, "ytd_last": win.ytd_last_day, "last": win.last,
              "version": budget.default_version(con)}
    return [
        ("overview.tiles", lambda: tiles(con, year=year, names=SPEND_AND_BUDGET_TILES), Floor(FLOOR_TILES, params)),
        # no floor: the landing, renewals, SLA and audit tiles read stored results and engines, not a sum of lines
        (OTHER_TILES_CASE, lambda: tiles(con, year=year, names=TILES[len(SPEND_AND_BUDGET_TILES):])),
        ("overview.monthly", lambda: budget.monthly(con, year=year), Floor(FLOOR_MONTHLY, params)),
        ("overview.by_category", lambda: breakdown(con, year=year, by="category"),
         Floor(FLOOR_BY.format(d="category"), params)),
        ("overview.by_cost_center", lambda: breakdown(con, year=year, by="cost_center"),
         Floor(FLOOR_BY.format(d="cost_center"), params)),
        ("overview.capex_opex", lambda: breakdown(con, year=year, by="capex_opex"),
         Floor(FLOOR_CAPEX_OPEX, params)),
        ("overview.top_vendors", lambda: top_vendors(con, year=year), Floor(FLOOR_VENDORS, params)),
        ("overview.filter_values", lambda: filter_values(con),
         Floor("select distinct cost_center as value from spend union all select distinct category from spend "
               "union all select distinct vendor from spend")),
    ]
