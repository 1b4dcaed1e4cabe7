"""Budget against actual in the reporting currency, by cost center, category, project and month.

Conventions every function here follows:
- variance = actual - budget: positive means over budget (bad), negative under budget;
- year to date (YTD) = the fiscal year's closed months (analytics.calendar: books closed through
  the `books_closed_through` month, by default the month before the as-of month);
- amounts come from the views spend_rc / budget_rc; a line without an fx rate for its month
  is left out of the sums and counted in `fx_missing_lines` (never converted at 1);
- budgets are not set per vendor: with a vendor filter the budget columns are NaN;
- a budget version other than 'original' may revise only some lines: the lines it does not
  revise stay as in the original (the budget_in_force macro, migration 019_one_conversion.sql).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics import calendar, fiscal, memo, settings

# the dimensions budgets are set by (a breakdown by anything else, or a vendor filter, has no budget)
BUDGET_DIMS = ("cost_center", "category", "project", "period")


def default_version(con) -> str:
    """The version compared with when none is chosen: 'original', else the first one imported."""
    # one aggregate, no grouping: every Budget page query asks for it (a group by cost 3-8 ms under load)
    row = con.execute("select arg_min(version, ((version <> 'original'), batch_id, version)) from budget").fetchone()
    return row[0] if row and row[0] is not None else "original"


# budget_vs_actual_rc (migration 010_books.sql) holds the SQL; a caller's dimension is mapped through this
# fixed dict to a spend_keyed / budget_in_force column name, bound as a parameter (never user text in SQL)
KEY_COLUMNS = {"cost_center": "cost_center", "category": "category", "project": "project", "vendor": "vendor",
               "capex_opex": "capex_opex_kind", "period": "period"}
BVA_SQL = """
-- the rows asked for (the total row alone, the groups, or both), in the order the pages show them (totals last)
select * replace (is_total and not $total_only as is_total)
from budget_vs_actual_rc($k1, $k2, $k3, $k4, $version, $first, $last, $as_of, $ytd_last,
                         $cost_center, $category, $vendor, $project, $with_budget)
where case when $total_only then is_total when $totals then true else not is_total end
order by is_total, key1 nulls last, key2 nulls last, key3 nulls last, key4 nulls last
"""


@memo.reusable
def budget_vs_actual(con, *, year: int, by: tuple[str, ...] | list[str] = ("cost_center", "category"),
                     version: str | None = None, cost_center: str | None = None, category: str | None = None,
                     vendor: str | None = None, project: str | None = None, totals: bool = True,
                     through: str | None = None) -> pd.DataFrame:
    """One row per value of `by` (at most four dimensions; plus a total row when `totals`): actual and budget
    YTD, variance, variance %, full-year budget, run-rate (YTD average x 12), actual to date, fx-missing
    line counts."""
    by = tuple(by)
    for d in by:
        if d not in KEY_COLUMNS:
            raise ValueError(f"cannot group by {d!r}; choose from {', '.join(KEY_COLUMNS)}")
    if len(by) > 4:
        raise ValueError("budget vs actual groups by at most four dimensions")
    win = calendar.window(con, year=year, through=through)
    keys = [KEY_COLUMNS[d] for d in by] + ["total"] * (4 - len(by))
    with_budget = vendor in (None, "") and all(d in BUDGET_DIMS for d in by)
    params = {"k1": keys[0], "k2": keys[1], "k3": keys[2], "k4": keys[3], "version": version or default_version(con), "first": win.first,
              "last": win.last, "as_of": win.actual_last, "ytd_last": win.ytd_last_day,
              "cost_center": cost_center or None, "category": category or None, "vendor": vendor or None,
              "project": project or None, "with_budget": with_budget, "total_only": not by, "totals": totals}
    frame = con.execute(BVA_SQL, params).df()  # filtered and sorted in SQL: a fresh frame, changed in place below
    names = {f"key{i + 1}": d for i, d in enumerate(by)}
    frame.columns = [names.get(c, c) for c in frame.columns]
    return _add_variance(frame, by, win, with_budget)


def _add_variance(frame: pd.DataFrame, by: tuple[str, ...], win: calendar.Window, with_budget: bool) -> pd.DataFrame:
    """`frame` (rows sorted as shown, totals last) with variance, variance % and run-rate: a new frame built from
    arrays in one step (setting five columns of `frame` one by one cost ~4 ms a call; every tile and breakdown
    of the Overview and the Budget page comes through here)."""
    is_total = frame["is_total"].to_numpy(dtype=bool)
    actual = frame["actual_ytd"].to_numpy(dtype=float)
    missing = np.full(len(frame), np.nan)
    budget_ytd = frame["budget_ytd"].to_numpy(dtype=float) if with_budget else missing
    budget_year = frame["budget_year"].to_numpy(dtype=float) if with_budget else missing
    variance = actual - budget_ytd
    with np.errstate(divide="ignore", invalid="ignore"):
        variance_pct = variance / np.abs(np.where(budget_ytd != 0, budget_ytd, np.nan))
    columns = {d: frame[d].to_numpy() for d in by}
    if by and frame[by[0]].dtype == object:
        columns[by[0]] = np.where(is_total, "Total", columns[by[0]]).astype(object)
    columns.update({
        "is_total": is_total, "actual_ytd": actual, "budget_ytd": budget_ytd, "variance": variance,
        "variance_pct": variance_pct, "budget_year": budget_year,
        "run_rate": actual / win.ytd_months * 12 if win.ytd_months else missing,
        "actual_to_date": frame["actual_to_date"].to_numpy(dtype=float),
        "fx_missing_lines": frame["fx_missing_lines"].to_numpy(),
        "budget_fx_missing_lines": frame["budget_fx_missing_lines"].to_numpy(),
    })
    return pd.DataFrame(columns)


def run_rate(actual_ytd: pd.Series, win: calendar.Window) -> pd.Series | float:
    """The year at the YTD monthly average: actual YTD / closed months x 12 (NaN when no month is closed)."""
    return actual_ytd / win.ytd_months * 12 if win.ytd_months else float("nan")


def monthly(con, *, year: int, version: str | None = None, cost_center: str | None = None,
            category: str | None = None, vendor: str | None = None, through: str | None = None) -> pd.DataFrame:
    """One row per month of the fiscal year: actual, budget, variance (closed months only),
    cumulative actual (closed months) and cumulative budget, is_closed."""
    win = calendar.window(con, year=year, through=through)
    frame = budget_vs_actual(con, year=year, by=("period",), version=version, cost_center=cost_center,
                             category=category, vendor=vendor, totals=False, through=through)
    # each row's place in the year, as numpy days (a reindexed, then masked pandas frame cost ~5 ms a call)
    month_days = np.array(list(win.months), dtype="datetime64[D]")
    periods = frame["period"].to_numpy().astype("datetime64[D]")
    position = np.searchsorted(month_days, periods).clip(max=len(month_days) - 1)
    inside = month_days[position] == periods  # the window's rows are its months; anything else is not shown
    actual, budget = np.zeros(len(month_days)), np.zeros(len(month_days))  # a month without rows has none
    actual[position[inside]] = np.nan_to_num(frame["actual_to_date"].to_numpy(dtype=float)[inside])
    budget[position[inside]] = np.nan_to_num(frame["budget_year"].to_numpy(dtype=float)[inside])
    if vendor not in (None, ""):
        budget[:] = np.nan  # budgets are not set per vendor
    closed = np.arange(len(month_days)) < win.ytd_months  # the year's first ytd_months months are the closed ones
    return pd.DataFrame({
        "period": [m.strftime("%Y-%m") for m in win.months],
        "actual": np.where(closed, actual, np.nan),
        "budget": budget,
        "is_closed": closed,
        "variance": np.where(closed, actual - budget, np.nan),
        "cum_actual": np.where(closed, np.cumsum(actual), np.nan),
        "cum_budget": np.cumsum(budget),
    })


def grid(con, *, year: int, measure: str = "variance", version: str | None = None,
         cost_center: str | None = None, category: str | None = None, through: str | None = None) -> pd.DataFrame:
    """One row per cost center x category (and a Total row), one column per month plus Total:
    the chosen measure (actual, budget, variance or variance_pct); actual and variance for closed months."""
    if measure not in ("actual", "budget", "variance", "variance_pct"):
        raise ValueError(f"unknown measure {measure!r}")
    win = calendar.window(con, year=year, through=through)
    version = version or default_version(con)
    long = budget_vs_actual(con, year=year, by=("cost_center", "category", "period"), version=version,
                            cost_center=cost_center, category=category, totals=False, through=through)
    long["period"] = pd.to_datetime(long["period"]).dt.strftime("%Y-%m")
    closed_labels = [m.strftime("%Y-%m") for m in win.months[:win.ytd_months]]
    month_labels = [m.strftime("%Y-%m") for m in win.months]
    actual = _pivot(long, "actual_to_date", month_labels)
    budget = _pivot(long, "budget_year", month_labels)
    if measure == "budget":
        table = budget
    else:
        actual[[m for m in month_labels if m not in closed_labels]] = float("nan")
        table = actual if measure == "actual" else None
        if measure in ("variance", "variance_pct"):
            variance = actual.sub(budget.reindex(actual.index).fillna(0.0))
            table = variance if measure == "variance" else variance / budget.where(budget != 0).abs()
    total_col = table[closed_labels if measure != "budget" else month_labels].sum(axis=1, min_count=1)
    if measure == "variance_pct":
        ytd_var = actual[closed_labels].sum(axis=1) - budget[closed_labels].sum(axis=1)
        total_col = ytd_var / budget[closed_labels].sum(axis=1).where(lambda s: s != 0).abs()
    table = table.copy()
    table["Total"] = total_col
    table = table.reset_index()
    if measure != "variance_pct":
        totals = table[month_labels + ["Total"]].sum(axis=0, min_count=1)
    else:
        a, b = actual[closed_labels].sum(), budget[closed_labels].sum()
        totals = ((a - b) / b.where(b != 0).abs()).reindex(month_labels)
        totals["Total"] = (a.sum() - b.sum()) / abs(b.sum()) if b.sum() else float("nan")
    total_row = {"cost_center": "Total", "category": "", **totals.to_dict()}
    return pd.concat([table, pd.DataFrame([total_row])], ignore_index=True)


def _pivot(long: pd.DataFrame, value: str, months: list[str]) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(columns=months, index=pd.MultiIndex.from_tuples([], names=["cost_center", "category"]),
                            dtype=float)
    # one row per cost center x category x month already: unstack, not pivot_table (several times slower)
    wide = long.set_index(["cost_center", "category", "period"])[value].unstack("period")
    return wide.reindex(columns=months).fillna(0.0)


SPEND_LINES_SQL = """
select
    date, vendor, cost_center, category, amount, currency, fx_rate, amount_rc, is_fx_missing,
    invoice_id, contract_id, description, coalesce(capex_opex, 'opex') as capex_opex, project,
    batch_id, row_no
from spend_rc
where date between $first and $last
    and ($cost_center is null or cost_center = $cost_center) and ($category is null or category = $category)
    and ($vendor is null or vendor = $vendor) and ($project is null or project = $project)
order by date, vendor, row_no
limit $limit
"""


def spend_lines(con, *, year: int, period: str | None = None, cost_center: str | None = None,
                category: str | None = None, vendor: str | None = None, project: str | None = None,
                limit: int = 5000) -> pd.DataFrame:
    """The spend lines behind a figure: one row per line, original amount and currency, the fx rate
    used and the amount in the reporting currency. `period` 'YYYY-MM' narrows to one month;
    without it, the year to date (closed months)."""
    win = calendar.window(con, year=year)
    if period:
        first = dt.date.fromisoformat(period + "-01")
        last = fiscal.add_months(first, 1) - dt.timedelta(days=1)
    else:
        first, last = win.first, win.ytd_last_day
    params = {"first": first, "last": last, "limit": limit, "cost_center": cost_center or None,
              "category": category or None, "vendor": vendor or None, "project": project or None}
    return con.execute(SPEND_LINES_SQL, params).df()


VERSIONS_SQL = """
with
lines as (
    select version, count(*) as lines, min(period) as first_period, max(period) as last_period,
        min(batch_id) as batch_id
    from budget
    group by version
),
final as (
    select l.version, l.lines, strftime(l.first_period, '%Y-%m') as first_period,
        strftime(l.last_period, '%Y-%m') as last_period,
        case when v.version is null then 'imported' else 'edited in app' end as source,
        v.base_version, v.created_at, v.created_by, v.note, o.position
    from lines l
    left join budget_versions v on v.version = l.version
    join budget_version_order o on o.version = l.version
)
select * exclude (position) from final order by position
"""


def versions(con) -> pd.DataFrame:
    """One row per budget version: line count, first and last month, where it came from."""
    return con.execute(VERSIONS_SQL).df()


def version_names(con) -> list[str]:
    """The budget versions in the order pages list them."""
    return [row[0] for row in con.execute("select version from budget_version_order order by position").fetchall()]


VERSIONS_COMPARE_SQL = """
-- grain: one row per version x `by` value, the full-year budget of the lines in force for that version (every
-- version in one query: budget_in_force joined laterally), and one row per `by` value with version NULL, the actual
-- YTD as budget_vs_actual_rc counts it (every value with spend to date or a budget in the version compared with)
with
plan as (
    select v.version, v.position, columns($by) as key, sum(b.amount_rc) as amount
    from budget_version_order v, budget_in_force(v.version) b
    where b.period between $first and $last
        and ($cost_center is null or b.cost_center = $cost_center) and ($category is null or b.category = $category)
    group by all
),
spent as (
    select key1 as key, sum(amount_ytd * rate) as amount
    from spend_month_rc($by, 'total', 'total', 'total', $first, $as_of, $ytd_last, $cost_center, $category, null, null)
    group by all
),
actual as (
    select coalesce(s.key, p.key) as key, coalesce(s.amount, 0) as amount
    from spent s
    full outer join (select key from plan where version = $version) p on s.key is not distinct from p.key
),
final as (
    select version, position, key, amount from plan
    union all
    select null, null, key, amount from actual
)
select * from final order by position nulls first, key nulls last
"""


def versions_compare(con, *, year: int, by: str = "cost_center", cost_center: str | None = None,
                     category: str | None = None) -> pd.DataFrame:
    """One row per `by` value (and Total): the full-year budget of every version side by side (each
    version's lines in force, see budget_in_force in 019_one_conversion.sql), the actual YTD and the run-rate."""
    if by not in ("cost_center", "category", "project"):
        raise ValueError(f"cannot compare versions by {by!r}")
    win = calendar.window(con, year=year)
    params = {"by": by, "first": win.first, "last": win.last, "as_of": win.actual_last, "ytd_last": win.ytd_last_day,
              "version": default_version(con), "cost_center": cost_center or None, "category": category or None}
    long = con.execute(VERSIONS_COMPARE_SQL, params).df()
    # a dozen rows: reshaped in plain Python (unstack, an outer join and a concat cost 10-30 ms of pandas here,
    # as much as a quarter of the query); the sums and the run-rate stay pandas/numpy operations, as before
    names, budgets, actual = [], {}, {}
    for version, key, amount in zip(long["version"].tolist(), long["key"].tolist(), long["amount"].tolist()):
        key = None if pd.isna(key) else key
        if pd.isna(version):
            actual[key] = amount
            continue
        if version not in names:  # a version with lines in the year has its column, even when all lack the key
            names.append(version)
        if key is not None:  # no budget row for a line without the key
            budgets[key, version] = amount
    keys = sorted({key for key, _ in budgets} | set(actual), key=lambda k: (k is None, k or ""))
    nan = float("nan")
    table = pd.DataFrame({by: pd.Series(keys, dtype=object),
                          **{v: pd.Series([budgets.get((k, v), nan) for k in keys], dtype="float64") for v in names},
                          "actual_ytd": pd.Series([actual.get(k, nan) for k in keys], dtype="float64")})
    table["run_rate"] = run_rate(table["actual_ytd"], win)
    total = {by: "Total", **table.drop(columns=[by]).sum(min_count=1).to_dict()}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def capex_opex(con, *, year: int, cost_center: str | None = None, category: str | None = None,
               vendor: str | None = None) -> pd.DataFrame:
    """One row per closed month x capex/opex: actual spend (budgets carry no capex/opex split)."""
    frame = budget_vs_actual(con, year=year, by=("period", "capex_opex"), cost_center=cost_center,
                             category=category, vendor=vendor, totals=False)
    frame["period"] = pd.to_datetime(frame["period"]).dt.strftime("%Y-%m")
    return (frame.rename(columns={"actual_ytd": "actual"})[["period", "capex_opex", "actual"]]
            .query("actual != 0").sort_values(["period", "capex_opex"]).reset_index(drop=True))


FX_MISSING_SQL = """
with
-- a line lacks a rate when its currency is not the reporting one and fx_rc has no rate for its month (the
-- is_fx_missing of spend_rc / budget_rc, as an anti join on the raw tables: no line is converted)
spend_missing as (
    select 'spend' as dataset, strftime(s.date, '%Y-%m') as period, s.currency, count(*) as lines,
        sum(s.amount) as amount
    from spend s anti join fx_rc f on f.period = date_trunc('month', s.date) and f.currency = s.currency
    where s.currency <> $reporting and s.date between $first and $last
    group by all
),
budget_missing as (
    select 'budget' as dataset, strftime(b.period, '%Y-%m') as period, b.currency, count(*) as lines,
        sum(b.amount) as amount
    from budget b anti join fx_rc f on f.period = b.period and f.currency = b.currency
    where b.currency <> $reporting and b.period between $first and $last
    group by all
),
final as (select * from spend_missing union all select * from budget_missing)
select * from final order by dataset desc, period, currency
"""


def fx_missing(con, *, year: int) -> pd.DataFrame:
    """One row per dataset x month x currency with no fx rate: lines and amount in that currency
    (these lines are left out of every total in the reporting currency)."""
    win = calendar.window(con, year=year)
    # the reporting currency bound as a value: a filter on it is pushed into the table scan (the SQL macro
    # reporting_currency() in a WHERE is a subquery joined to every line: 55 -> 33 ms at 1M lines)
    return con.execute(FX_MISSING_SQL, {"first": win.first, "last": win.last,
                                        "reporting": settings.get(con, "reporting_currency")}).df()


RATES_SQL = """
with
used as (
    -- from the raw tables: spend_rc would convert every line only to be thrown away
    select distinct cast(date_trunc('month', date) as date) as period, currency from spend
    where date between $first and $last
    union
    select distinct period, currency from budget where period between $first and $last
),
final as (
    select strftime(u.period, '%Y-%m') as period, u.currency, f.rate
    from used u left join fx_rc f on f.period = u.period and f.currency = u.currency
    where u.currency <> $reporting
)
select * from final order by currency, period
"""


def rates_used(con, *, year: int) -> pd.DataFrame:
    """One row per currency, one column per month: units of the reporting currency per unit
    (empty where the rate is missing)."""
    win = calendar.window(con, year=year)
    reporting = settings.get(con, "reporting_currency")
    long = con.execute(RATES_SQL, {"first": win.first, "last": win.last, "reporting": reporting}).df()
    months = [m.strftime("%Y-%m") for m in win.months]
    if long.empty:
        return pd.DataFrame(columns=["currency", *months])
    # one row per currency x month already: placed into an array (a set_index, unstack and reindex cost ~5 ms)
    currencies = sorted(set(long["currency"].tolist()))
    row, column = {c: i for i, c in enumerate(currencies)}, {m: j for j, m in enumerate(months)}
    values = np.full((len(currencies), len(months)), np.nan)
    for currency, period, rate in zip(long["currency"].tolist(), long["period"].tolist(),
                                      long["rate"].to_numpy(dtype=float)):
        if period in column:
            values[row[currency], column[period]] = rate
    wide = pd.DataFrame(values, columns=months)
    wide.insert(0, "currency", pd.Series(currencies, dtype=object))
    return wide


PROJECTS_SQL = """
with
plan as (
    select project, sum(amount_rc) as budget, count(*) filter (where is_fx_missing) as budget_fx_missing_lines
    from budget_in_force($version)
    where project is not null
        and ($cost_center is null or cost_center = $cost_center) and ($category is null or category = $category)
    group by project
),
spent as (
    -- every month of the project's life through the last closed one, summed per month and currency, then converted
    -- (spend_month_rc: whole months from the stored sums); the burn window is whole months
    select key1 as project, sum(amount_to_date * rate) as actual,
        sum(amount_to_date * rate) filter (where period between $burn_first and $burn_last) as burn_window,
        cast(coalesce(sum(lines) filter (where rate is null), 0) as bigint) as fx_missing_lines
    from spend_month_rc('project', 'total', 'total', 'total', date '0001-01-01', $burn_last, $burn_last,
                        $cost_center, $category, null, null)
    where key1 is not null
    group by key1
),
final as (
    select coalesce(p.project, s.project) as project,
        coalesce(p.budget, 0) as budget, coalesce(s.actual, 0) as actual,
        coalesce(p.budget, 0) - coalesce(s.actual, 0) as remaining,
        coalesce(s.burn_window, 0) / $burn_months as monthly_burn,
        coalesce(s.fx_missing_lines, 0) + coalesce(p.budget_fx_missing_lines, 0) as fx_missing_lines
    from plan p full outer join spent s on s.project = p.project
)
select *, case when monthly_burn > 0 then remaining / monthly_burn end as months_left
from final order by project
"""


def projects(con, *, version: str | None = None, cost_center: str | None = None, category: str | None = None,
             burn_months: int = 3) -> pd.DataFrame:
    """One row per project (over its whole life, all periods): budget, actual to the last closed
    month, remaining, monthly burn (average of the last `burn_months` closed months) and months of
    budget left at that burn (NaN when nothing is being spent)."""
    closed = calendar.calendar(con).closed_through
    burn_first = fiscal.add_months(closed, 1 - burn_months)
    burn_last = fiscal.add_months(closed, 1) - dt.timedelta(days=1)
    params = {"version": version or default_version(con), "burn_first": burn_first, "burn_last": burn_last,
              "burn_months": burn_months, "cost_center": cost_center or None, "category": category or None}
    return con.execute(PROJECTS_SQL, params).df()


# floors for the bench: the same aggregates as plain SQL over the raw tables (each line converted at its month's
# rate from fx_rc; the default version is 'original', so no line is inherited from another version)
_FLOOR_BY = """
with
actual as (
    select {spend_keys},
        sum(cast(s.amount as decimal(38, 4)) * r.rate) filter (where s.date <= $ytd_last) as actual_ytd,
        sum(cast(s.amount as decimal(38, 4)) * r.rate) as actual_to_date
    from spend s join fx_rc r on r.currency = s.currency and r.period = date_trunc('month', s.date)
    where s.date between $first and $as_of
    group by all
),
plan as (
    select {budget_keys},
        sum(cast(b.amount as decimal(38, 4)) * r.rate) filter (where b.period <= $ytd_last) as budget_ytd,
        sum(cast(b.amount as decimal(38, 4)) * r.rate) as budget_year
    from budget b join fx_rc r on r.currency = b.currency and r.period = b.period
    where b.version = $version and b.period between $first and $last
    group by all
)
select * from actual full join plan using ({keys})
"""


def _floor_by(*keys: str) -> str:
    """The floor query for budget vs actual by these fixed columns (names from this module, never input)."""
    return _FLOOR_BY.format(spend_keys=", ".join("s." + k for k in keys),
                            budget_keys=", ".join("b." + k for k in keys), keys=", ".join(keys))


FLOOR_BY_COST_CENTER = _floor_by("cost_center")
FLOOR_BY_CC_CATEGORY = _floor_by("cost_center", "category")
# grid: variance of each closed month (actual - budget), one row per cost center x category x month
FLOOR_GRID_VARIANCE = """
with
actual as (
    select s.cost_center, s.category, strftime(s.date, '%Y-%m') as period,
        sum(cast(s.amount as decimal(38, 4)) * r.rate) as actual
    from spend s join fx_rc r on r.currency = s.currency and r.period = date_trunc('month', s.date)
    where s.date between $first and $ytd_last
    group by all
),
plan as (
    select b.cost_center, b.category, strftime(b.period, '%Y-%m') as period,
        sum(cast(b.amount as decimal(38, 4)) * r.rate) as budget
    from budget b join fx_rc r on r.currency = b.currency and r.period = b.period
    where b.version = $version and b.period between $first and $ytd_last
    group by all
)
select cost_center, category, period, coalesce(actual, 0) - coalesce(budget, 0) as variance
from actual full join plan using (cost_center, category, period)
"""
FLOOR_SPEND_LINES = """
select s.date, s.vendor, s.row_no, cast(s.amount as decimal(38, 4)) * r.rate as amount_rc
from spend s join fx_rc r on r.currency = s.currency and r.period = date_trunc('month', s.date)
where s.date between $month_first and $month_last
order by s.date, s.vendor, s.row_no
limit 5000
"""
# versions compare: each version's full-year budget per cost center (a revised version inherits the original's
# lines it does not revise), with the cost center's actual YTD beside every version
FLOOR_VERSIONS_COMPARE = """
with
lines as (
    select version, period, cost_center, category, project, amount, currency from budget
    where period between $first and $last
),
in_force as (
    select version, period, cost_center, amount, currency from lines
    union all
    select v.version, o.period, o.cost_center, o.amount, o.currency
    from (select distinct version from budget where version <> 'original') v
    join lines o on o.version = 'original'
    where not exists (
        select 1 from budget x where x.version = v.version and x.period = o.period and x.cost_center = o.cost_center
            and x.category = o.category and x.project is not distinct from o.project)
),
plan as (
    select b.cost_center, b.version, sum(cast(b.amount as decimal(38, 4)) * r.rate) as budget_year
    from in_force b join fx_rc r on r.currency = b.currency and r.period = b.period
    group by all
),
actual as (
    select s.cost_center, sum(cast(s.amount as decimal(38, 4)) * r.rate) as actual_ytd
    from spend s join fx_rc r on r.currency = s.currency and r.period = date_trunc('month', s.date)
    where s.date between $first and $ytd_last
    group by all
)
select p.cost_center, p.version, p.budget_year, a.actual_ytd from plan p left join actual a using (cost_center)
"""
FLOOR_CAPEX_OPEX = """
select strftime(s.date, '%Y-%m') as period, coalesce(s.capex_opex, 'opex') as capex_opex,
    sum(cast(s.amount as decimal(38, 4)) * r.rate) as actual
from spend s join fx_rc r on r.currency = s.currency and r.period = date_trunc('month', s.date)
where s.date between $first and $ytd_last
group by all
"""
FLOOR_FX_MISSING = """
select 'spend' as dataset, strftime(s.date, '%Y-%m') as period, s.currency, count(*) as lines, sum(s.amount) as amount
from spend s anti join fx_rc r on r.currency = s.currency and r.period = date_trunc('month', s.date)
where s.date between $first and $last
group by all
union all
select 'budget', strftime(b.period, '%Y-%m'), b.currency, count(*), sum(b.amount)
from budget b anti join fx_rc r on r.currency = b.currency and r.period = b.period
where b.period between $first and $last
group by all
"""
FLOOR_RATES_USED = """
with
used as (
    select distinct date_trunc('month', date) as period, currency from spend where date between $first and $last
    union
    select distinct period, currency from budget where period between $first and $last
)
select u.currency, strftime(u.period, '%Y-%m') as period, r.rate
from used u left join fx_rc r on r.currency = u.currency and r.period = u.period
where u.currency <> $reporting
"""
FLOOR_PROJECTS = """
with
plan as (
    select b.project, sum(cast(b.amount as decimal(38, 4)) * r.rate) as budget
    from budget b join fx_rc r on r.currency = b.currency and r.period = b.period
    where b.version = $version and b.project is not null
    group by all
),
spent as (
    select s.project, sum(cast(s.amount as decimal(38, 4)) * r.rate) as actual,
        sum(cast(s.amount as decimal(38, 4)) * r.rate) filter (where s.date >= $burn_first) / 3 as monthly_burn
    from spend s join fx_rc r on r.currency = s.currency and r.period = date_trunc('month', s.date)
    where s.project is not null and s.date <= $burn_last
    group by all
)
select project, coalesce(budget, 0) as budget, coalesce(actual, 0) as actual, coalesce(monthly_burn, 0) as monthly_burn
from plan full join spent using (project)
"""


def bench_cases(con) -> list[tuple]:
    """The queries the Budget page runs, for `python -m analytics bench`, with their plain-SQL floors."""
    from analytics.bench import Floor
    year = calendar.current_year(con)
    win = calendar.window(con, year=year)
    month_first = win.months[0]
    closed = calendar.calendar(con).closed_through
    params = {"first": win.first, "last": win.last, "as_of": win.actual_last, "ytd_last": win.ytd_last_day,
              "version": default_version(con), "month_first": month_first,
              "month_last": fiscal.add_months(month_first, 1) - dt.timedelta(days=1),
              "reporting": settings.get(con, "reporting_currency"),
              "burn_first": fiscal.add_months(closed, -2) if closed else win.first,
              "burn_last": fiscal.add_months(closed, 1) - dt.timedelta(days=1) if closed else win.first}
    return [
        ("budget.summary_by_cost_center", lambda: budget_vs_actual(con, year=year, by=("cost_center",)),
         Floor(FLOOR_BY_COST_CENTER, params)),
        ("budget.summary_by_cc_category", lambda: budget_vs_actual(con, year=year),
         Floor(FLOOR_BY_CC_CATEGORY, params)),
        ("budget.grid_variance", lambda: grid(con, year=year, measure="variance"), Floor(FLOOR_GRID_VARIANCE, params)),
        ("budget.spend_lines_drilldown", lambda: spend_lines(con, year=year, period=month_first.strftime("%Y-%m")),
         Floor(FLOOR_SPEND_LINES, params)),
        ("budget.versions_compare", lambda: versions_compare(con, year=year), Floor(FLOOR_VERSIONS_COMPARE, params)),
        ("budget.capex_opex", lambda: capex_opex(con, year=year), Floor(FLOOR_CAPEX_OPEX, params)),
        ("budget.fx_missing", lambda: fx_missing(con, year=year), Floor(FLOOR_FX_MISSING, params)),
        ("budget.rates_used", lambda: rates_used(con, year=year), Floor(FLOOR_RATES_USED, params)),
        ("budget.projects", lambda: projects(con), Floor(FLOOR_PROJECTS, params)),
    ]
