"""Drill-down behind a business unit's bill, and its budget against actual allocated the same way."""
from __future__ import annotations

import pandas as pd

from analytics.showback import engine, report

FED_LINES_SQL = """
with
fed as (
    select period, cost_center, category, vendor, sum(amount) as allocated from sb_fed group by all
),
groups as (
    select period, cost_center, category, vendor, cast(amount as double) as group_amount
    from showback_spend($first_day, $last_day)
),
lines as (
    select date, period, vendor, cost_center, category, invoice_id, description, cast(amount_rc as double) as amount_rc
    from spend_rc
    where date between $first_day and $last_day and not is_fx_missing
),
final as (
    select l.date, l.vendor, l.cost_center, l.category, l.invoice_id, l.description, l.amount_rc,
        f.allocated / nullif(g.group_amount, 0) as share,
        l.amount_rc * f.allocated / nullif(g.group_amount, 0) as allocated_rc
    from lines l
    join fed f on f.period = l.period and f.cost_center = l.cost_center and f.category = l.category
        and f.vendor = l.vendor
    join groups g on g.period = l.period and g.cost_center = l.cost_center and g.category = l.category
        and g.vendor = l.vendor
)
select * from final order by abs(allocated_rc) desc nulls last, date limit $limit
"""


def fed_lines(con, *, business_unit: str, fy: int | None = None, period: str | None = None,
              limit: int = 500) -> pd.DataFrame:
    """The spend lines that fed the business unit, largest share first (at most `limit`): date, vendor,
    cost_center, category, invoice_id, description, amount_rc, share (of the line that reached the business
    unit), allocated_rc."""
    win = report.window(con, fy=fy, period=period)
    alloc = engine.allocate(con, first_day=win.first, last_day=win.last)
    fed = alloc.flows[alloc.flows["business_unit"] == business_unit]
    fed = fed[["period", "cost_center", "category", "vendor", "amount"]].assign(
        period=pd.to_datetime(fed["period"]))
    con.register("sb_fed", fed)
    try:
        return con.execute(FED_LINES_SQL, {"first_day": win.first, "last_day": win.last, "limit": limit}).df()
    finally:
        con.unregister("sb_fed")


def budget_vs_actual(con, *, fy: int | None = None, version: str = "original") -> pd.DataFrame:
    """One row per business unit (then UNALLOCATED): business_unit, actual, budget, variance (actual − budget),
    both allocated by the same rules over the fiscal year's closed months. Budgets carry no vendor: rules on
    vendors leave budget unallocated."""
    win = report.window(con, fy=fy)
    actual = engine.allocate(con, first_day=win.first, last_day=win.last)
    planned = engine.allocate(con, first_day=win.first, last_day=win.last, budget_version=version)
    left = report.totals_by(actual, by="business_unit").rename(columns={"value": "actual"})
    right = report.totals_by(planned, by="business_unit").rename(columns={"value": "budget"})
    out = left.merge(right, on="business_unit", how="outer").fillna({"actual": 0.0, "budget": 0.0})
    out["variance"] = out["actual"] - out["budget"]
    is_left = out["business_unit"] == report.UNALLOCATED
    out = pd.concat([out[~is_left].sort_values("actual", ascending=False), out[is_left]], ignore_index=True)
    return out


def uses_vendor_rules(con) -> bool:
    """True when a rule allocates by vendor (budgets, which have no vendor, cannot be allocated the same way)."""
    return bool(con.execute("select count(*) from allocation_rules where source_dimension = 'vendor'").fetchall()[0][0])
