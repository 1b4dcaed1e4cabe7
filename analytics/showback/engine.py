"""The allocation engine: spend of a window, split step by step by the rules, set-based in DuckDB.

The spend starts as a pool at the grain month x cost center x category x vendor (showback_spend, in the
reporting currency). Each step takes the pool rows still open on its dimension (cost center, category and
vendor sources take rows not yet allocated; service sources take rows at that service and not yet at a
business unit), a named source before `*`, and splits each row over its targets by shares or by the
month's driver quantities. A split uses cumulative rounding (each part is the rounded running total minus
the previous one, the last part ends at the row's amount), so the parts add up to the row exactly: the
pool's total never changes, and what no rule takes stays in the pool as unallocated.
Working tables are TEMP tables of the caller's connection (a cursor per thread): nothing is written.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from analytics import i18n
from analytics.showback import rules as rule_set


class AllocationError(ValueError):
    """The rule set or its drivers cannot allocate: every message names the rule."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Allocation:
    """flows: one row per month x cost center x category x vendor x service x business unit x rule path
    (amount in the reporting currency; service and business_unit empty where not allocated);
    steps: totals after each step (step 0 = before any rule)."""
    flows: pd.DataFrame
    steps: pd.DataFrame
    rules: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    fx_missing_lines: int = 0

    @property
    def total(self) -> float:
        return float(self.steps["total"].iloc[-1]) if len(self.steps) else 0.0


POOL_SQL = """
create or replace temp table sb_pool as
with
source as (
    select period, cost_center, category, vendor, amount, fx_missing_lines
    from showback_spend($first_day, $last_day) where $budget_version is null
    union all
    select period, cost_center, category, vendor, amount, fx_missing_lines
    from showback_budget($budget_version, $first_day, $last_day) where $budget_version is not null
)
select row_number() over () as pid, period, cost_center, category, vendor,
    cast(null as varchar) as service, cast(null as varchar) as business_unit,
    cast([] as bigint[]) as rules, amount, fx_missing_lines
from source
"""

WEIGHTS_SQL = """
create or replace temp table sb_weights as
with
months as (
    select distinct period from sb_pool
),
fixed as (
    select r.step, r.source_value as src, m.period, r.target_kind, r.target, r.row_no,
        cast(r.share_pct as decimal(38, 10)) as weight, m.period as driver_period
    from sb_rules_in r cross join months m
    where r.share_pct is not null
),
used as (
    select m.period, d.driver, max(d.period) as driver_period
    from months m join sb_drivers_in d on d.period <= m.period
    where d.driver in (select driver from sb_rules_in)
    group by all
),
by_driver as (
    select r.step, r.source_value as src, m.period, r.target_kind, d.target, r.row_no,
        cast(d.quantity as decimal(38, 10)) as weight, u.driver_period
    from sb_rules_in r cross join months m
    join used u on u.period = m.period and u.driver = r.driver
    join sb_drivers_in d on d.driver = r.driver and d.period = u.driver_period and (r.target = '*' or d.target = r.target)
    where r.share_pct is null and r.driver is not null
),
final as (
    select * from fixed union all select * from by_driver
)
select * from final
"""

# driver rules x months of the window that have no quantity in or before the month, or add up to 0
DRIVER_GAPS_SQL = """
with
months as (
    select distinct period from sb_pool
),
wanted as (
    select r.row_no, r.step, r.source_value as src, r.driver, m.period
    from sb_rules_in r cross join months m
    where r.share_pct is null and r.driver is not null
),
totals as (
    select step, src, period, sum(weight) as whole, count(*) as targets
    from sb_weights group by all
),
final as (
    select w.row_no, w.driver, strftime(w.period, '%Y-%m') as month, coalesce(t.whole, 0) as whole,
        coalesce(t.targets, 0) as targets
    from wanted w left join totals t on t.step = w.step and t.src = w.src and t.period = w.period
    where coalesce(t.whole, 0) = 0
)
select row_no, driver, min(month) as month, max(targets) as targets from final group by all order by row_no
"""

FALLBACKS_SQL = """
select distinct r.driver, strftime(w.period, '%Y-%m') as month, strftime(w.driver_period, '%Y-%m') as used
from sb_weights w join sb_rules_in r on r.row_no = w.row_no
where r.driver is not null and w.driver_period < w.period
order by 1, 2
"""

STEP_SQL = """
create or replace temp table sb_next as
with
open_rows as (
    select p.pid, p.period, p.cost_center, p.category, p.vendor, p.service, p.business_unit, p.rules, p.amount,
        case $dim when 'cost_center' then p.cost_center when 'category' then p.category
            when 'vendor' then p.vendor else p.service end as key
    from sb_pool p
    where p.business_unit is null
        and (case when $dim = 'service' then p.service is not null else p.service is null end)
),
sources as (
    select distinct source_value from sb_rules_in where step = $step
),
taken as (
    select o.*, coalesce(s.source_value, a.source_value) as src
    from open_rows o
    left join sources s on s.source_value = o.key and s.source_value <> '*'
    left join sources a on a.source_value = '*'
    where coalesce(s.source_value, a.source_value) is not null
),
weighed as (
    select t.pid, t.period, t.cost_center, t.category, t.vendor, t.service, t.business_unit, t.rules, t.amount,
        w.target_kind, w.target, w.row_no, w.weight,
        sum(w.weight) over (partition by t.pid) as whole
    from taken t join sb_weights w on w.step = $step and w.src = t.src and w.period = t.period
),
split as (
    select *,
        sum(weight) over (partition by pid order by target_kind, target, row_no rows unbounded preceding) as cum
    from weighed where whole <> 0
),
valued as (
    select *, case when cum = whole then amount else cast(amount * (cum / whole) as decimal(38, 6)) end as upto
    from split
),
moved as (
    select period, cost_center, category, vendor,
        case when target_kind = 'service' then target else service end as service,
        case when target_kind = 'business_unit' then target else business_unit end as business_unit,
        list_append(rules, row_no) as rules,
        upto - coalesce(lag(upto) over (partition by pid order by target_kind, target, row_no), 0) as amount
    from valued
),
kept as (
    select period, cost_center, category, vendor, service, business_unit, rules, amount
    from sb_pool where pid not in (select pid from split)
),
final as (
    select row_number() over () as pid, period, cost_center, category, vendor, service, business_unit, rules,
        sum(amount) as amount, 0 as fx_missing_lines
    from (select * from kept union all select * from moved)
    group by period, cost_center, category, vendor, service, business_unit, rules
)
select * from final
"""

STEP_TOTALS_SQL = """
select cast($step as integer) as step,
    coalesce(sum(amount) filter (where business_unit is not null), 0) as at_business_units,
    coalesce(sum(amount) filter (where business_unit is null and service is not null), 0) as at_services,
    coalesce(sum(amount) filter (where business_unit is null and service is null), 0) as unallocated,
    coalesce(sum(amount), 0) as total
from sb_pool
"""

FLOWS_SQL = """
select period, cost_center, category, vendor, service, business_unit, rules, cast(amount as double) as amount
from sb_pool where amount <> 0
order by period, cost_center, category, vendor, service nulls last, business_unit nulls last
"""


def _month(month: str) -> str:
    """A 'YYYY-MM' month as the reader's language writes it (English keeps the month as the files write it)."""
    return month if i18n.current() == i18n.DEFAULT else i18n.month(month + "-01")


def _driver_checks(con, rules: pd.DataFrame) -> None:
    """Refuse driver rules that cannot split a month of the window (no quantity yet, or a zero total)."""
    gaps = con.execute(DRIVER_GAPS_SQL).fetchall()
    by_row = {int(r.row_no): r for r in rules.itertuples(index=False)}
    problems = []
    for row_no, driver, month, targets in gaps:
        rule = rule_set.describe(by_row[int(row_no)])
        problems.append(i18n.t("{rule}: driver {driver} adds up to 0 over its targets in {month}", rule=rule,
                               driver=driver, month=_month(month)) if targets else
                        i18n.t("{rule}: driver {driver} has no quantities for its targets in or before {month}",
                               rule=rule, driver=driver, month=_month(month)))
    if problems:
        raise AllocationError(problems)


def _fallback_notes(con) -> list[str]:
    """One note per driver with months that have no quantities, in the current language (made with the allocation,
    which the page asks for in its language): 'driver headcount: no quantities for 2026-10, 2026-11; used 2026-09,
    the latest earlier month', or for a driver reported quarterly, every gap in one line: 'driver tickets: months
    without quantities use the latest earlier month: 2026-02, 2026-03 → 2026-01; 2026-05, 2026-06 → 2026-04'."""
    found: dict[str, dict[str, list[str]]] = {}
    for driver, month, used in con.execute(FALLBACKS_SQL).fetchall():
        found.setdefault(driver, {}).setdefault(used, []).append(month)
    notes = []
    for driver, gaps in sorted(found.items()):
        if len(gaps) == 1:
            (used, months), = gaps.items()
            notes.append(i18n.t("driver {driver}: no quantities for {months}; used {used}, the latest earlier month",
                                driver=driver, months=", ".join(_month(m) for m in months), used=_month(used)))
        else:
            notes.append(i18n.t("driver {driver}: months without quantities use the latest earlier month: {gaps}",
                                driver=driver, gaps="; ".join(f"{', '.join(_month(m) for m in months)} → {_month(used)}"
                                                              for used, months in sorted(gaps.items()))))
    return notes


def _prepare(con, rules: pd.DataFrame, drivers: pd.DataFrame, first_day: dt.date, last_day: dt.date,
             budget_version: str | None) -> None:
    """Check the rules, register the inputs, build the pool and the weights."""
    problems = rule_set.rule_problems(rules, drivers)
    if problems:
        raise AllocationError([p.reason for p in problems])
    con.register("sb_rules_in", rules[rule_set.RULE_COLUMNS])
    con.register("sb_drivers_in", drivers[rule_set.DRIVER_COLUMNS].assign(period=pd.to_datetime(drivers["period"])))
    con.execute(POOL_SQL, {"first_day": first_day, "last_day": last_day, "budget_version": budget_version})
    con.execute(WEIGHTS_SQL)
    _driver_checks(con, rules)


def allocate(con, *, first_day: dt.date, last_day: dt.date, rules: pd.DataFrame | None = None,
             drivers: pd.DataFrame | None = None, budget_version: str | None = None) -> Allocation:
    """The spend dated first_day..last_day (or, with budget_version, that budget's months) allocated by the
    rules (default: the stored ones) and drivers."""
    rules = rule_set.read_rules(con) if rules is None else rules
    drivers = rule_set.read_drivers(con) if drivers is None else drivers
    try:
        _prepare(con, rules, drivers, first_day, last_day, budget_version)
        fx_missing = int(con.execute("select coalesce(sum(fx_missing_lines), 0) from sb_pool").fetchall()[0][0])
        totals = [con.execute(STEP_TOTALS_SQL, {"step": 0}).df()]
        for step in sorted(rules["step"].unique()):
            dim = rules.loc[rules["step"] == step, "source_dimension"].iloc[0]
            con.execute(STEP_SQL, {"step": int(step), "dim": dim})
            con.execute("create or replace temp table sb_pool as select * from sb_next")
            totals.append(con.execute(STEP_TOTALS_SQL, {"step": int(step)}).df())
        flows = con.execute(FLOWS_SQL).df()
        notes = _fallback_notes(con)
    finally:
        _clean_up(con)
    steps = pd.concat(totals, ignore_index=True).astype({c: float for c in ("at_business_units", "at_services",
                                                                            "unallocated", "total")})
    return Allocation(flows, steps, rules, notes, fx_missing)


def _clean_up(con) -> None:
    for name in ("sb_rules_in", "sb_drivers_in"):
        con.unregister(name)
    for table in ("sb_pool", "sb_next", "sb_weights"):
        con.execute("drop table if exists temp." + table)  # fixed names, no input
