"""What the Showback page, the CLI, the metric catalog and the bill of IT read from an allocation.

The window of a fiscal year is its closed months (as every YTD figure, analytics.calendar); a month asked
for by itself is that month. Amounts are in the reporting currency.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from analytics import calendar, fiscal
from analytics.showback import engine
from analytics.showback import rules as rule_set

UNALLOCATED = "(unallocated)"
DIRECT = "(direct to business unit)"
NOT_PASSED_ON = "(not passed on)"
TARGETS = ("business_unit", "service")
ORIGINS = ("cost_center", "category")


@dataclass(frozen=True)
class Window:
    first: dt.date
    last: dt.date
    label: str


def window(con, *, fy: int | None = None, period: str | None = None) -> Window:
    """The fiscal year's closed months (default: the as-of date's year), or the one month `period` (YYYY-MM)."""
    if period:
        month = calendar.parse_period(period)
        return Window(month, fiscal.add_months(month, 1) - dt.timedelta(days=1), f"{month:%b %Y}")
    win = calendar.window(con, year=fy or calendar.current_year(con))
    return Window(win.first, win.ytd_last_day, f"{win.label}, {win.ytd_label}")


def allocation(con, *, fy: int | None = None, period: str | None = None,
               budget_version: str | None = None) -> engine.Allocation:
    """The stored rules applied to the window's spend (or to the budget version's lines)."""
    win = window(con, fy=fy, period=period)
    return engine.allocate(con, first_day=win.first, last_day=win.last, budget_version=budget_version)


def _holder(flows: pd.DataFrame, by: str) -> pd.Series:
    """Who holds each flow for a breakdown by business unit or service (UNALLOCATED, DIRECT where none)."""
    if by == "business_unit":
        return flows["business_unit"].fillna(UNALLOCATED)
    direct = flows["service"].isna() & flows["business_unit"].notna()
    return flows["service"].where(~direct, DIRECT).fillna(UNALLOCATED)


def totals_by(alloc: engine.Allocation, *, by: str) -> pd.DataFrame:
    """One row per business unit or service (largest first), then UNALLOCATED when any: `by`, value."""
    if by not in TARGETS:
        raise ValueError(f"showback is broken down by {' or '.join(TARGETS)}, not {by!r}")
    flows = alloc.flows.assign(holder=_holder(alloc.flows, by))
    out = flows.groupby("holder", as_index=False)["amount"].sum().rename(columns={"holder": by, "amount": "value"})
    out = out.sort_values("value", ascending=False, kind="stable")
    is_left = out[by] == UNALLOCATED
    return pd.concat([out[~is_left], out[is_left]], ignore_index=True)


def driver_quantities(con, *, driver: str, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """One row per month of the window x target of the driver: period, target, quantity, driver_period (the
    month whose quantities were used: the latest one at or before the month)."""
    return con.execute(DRIVER_QUANTITIES_SQL, {"driver": driver, "first_day": first_day.replace(day=1),
                                               "last_day": last_day}).df()


DRIVER_QUANTITIES_SQL = """
with
months as (
    select cast(generate_series as date) as period
    from generate_series(cast($first_day as timestamp), cast($last_day as timestamp), interval 1 month)
),
used as (
    select m.period, max(d.period) as driver_period
    from months m join drivers d on d.driver = $driver and d.period <= m.period
    group by all
),
final as (
    select u.period, d.target, d.quantity, u.driver_period
    from used u join drivers d on d.driver = $driver and d.period = u.driver_period
)
select * from final order by period, target
"""


def unit_costs(con, *, driver: str, by: str = "business_unit", fy: int | None = None,
               period: str | None = None) -> pd.DataFrame:
    """One row per month x business unit or service with driver quantities: period, `by`, cost, quantity,
    unit_cost (cost ÷ quantity; empty when the quantity is 0)."""
    win = window(con, fy=fy, period=period)
    alloc = engine.allocate(con, first_day=win.first, last_day=win.last)
    flows = alloc.flows.assign(holder=_holder(alloc.flows, by))
    cost = flows.groupby(["period", "holder"], as_index=False)["amount"].sum()
    cost = cost.rename(columns={"holder": by, "amount": "cost"})
    quantity = driver_quantities(con, driver=driver, first_day=win.first, last_day=win.last)
    quantity = quantity.rename(columns={"target": by})[["period", by, "quantity"]]
    out = cost.merge(quantity, on=["period", by], how="inner")
    out["unit_cost"] = out["cost"] / out["quantity"].where(out["quantity"] != 0)
    return out.sort_values(["period", by], ignore_index=True)


def unit_cost_totals(con, *, driver: str, by: str = "business_unit", fy: int | None = None,
                     period: str | None = None) -> pd.DataFrame:
    """One row per business unit or service with driver quantities over the window: `by`, cost, quantity (summed
    over the months: employee-months for headcount, tickets for tickets), unit_cost."""
    monthly = unit_costs(con, driver=driver, by=by, fy=fy, period=period)
    out = monthly.groupby(by, as_index=False)[["cost", "quantity"]].sum()
    out["unit_cost"] = out["cost"] / out["quantity"].where(out["quantity"] != 0)
    return out.sort_values("cost", ascending=False, ignore_index=True)


def sankey_links(alloc: engine.Allocation, *, origin: str = "cost_center") -> pd.DataFrame:
    """One row per link of the flow chart: source, target, value, layer (0: origin → service or business unit,
    1: service → business unit). Links that net to 0 or below are left out (credit notes larger than spend)."""
    if origin not in ORIGINS:
        raise ValueError(f"the flow starts from {' or '.join(ORIGINS)}, not {origin!r}")
    flows = alloc.flows
    first_stop = flows["service"].fillna(flows["business_unit"]).fillna(UNALLOCATED)
    layer0 = flows.assign(source=flows[origin], target=first_stop, layer=0)
    at_service = flows[flows["service"].notna()]
    layer1 = at_service.assign(source=at_service["service"],
                               target=at_service["business_unit"].fillna(NOT_PASSED_ON), layer=1)
    links = pd.concat([layer0, layer1]).groupby(["layer", "source", "target"], as_index=False)["amount"].sum()
    return links.rename(columns={"amount": "value"}).query("value > 0").reset_index(drop=True)


def bill_lines(alloc: engine.Allocation, *, business_unit: str | None = None) -> pd.DataFrame:
    """The bill of IT: one row per business unit x service x cost pool (category): business_unit, service,
    category, amount (only the business unit asked for, when given). Direct allocations show service DIRECT."""
    flows = alloc.flows[alloc.flows["business_unit"].notna()]
    if business_unit is not None:
        flows = flows[flows["business_unit"] == business_unit]
    flows = flows.assign(service=flows["service"].fillna(DIRECT))
    out = flows.groupby(["business_unit", "service", "category"], as_index=False)["amount"].sum()
    return out.sort_values(["business_unit", "amount"], ascending=[True, False], ignore_index=True)


def rules_fed(alloc: engine.Allocation, *, business_unit: str) -> pd.DataFrame:
    """One row per rule the business unit's cost passed through: row_no, step, rule (described), amount (what
    reached the business unit through it)."""
    flows = alloc.flows[alloc.flows["business_unit"] == business_unit][["rules", "amount"]]
    paths = flows.explode("rules").dropna(subset=["rules"])
    through = paths.groupby("rules", as_index=False)["amount"].sum().rename(columns={"rules": "row_no"})
    through["row_no"] = through["row_no"].astype(int)
    described = alloc.rules.assign(rule=[rule_set.describe(r) for r in alloc.rules.itertuples(index=False)])
    out = described[["row_no", "step", "rule"]].merge(through, on="row_no")
    return out.sort_values(["step", "row_no"], ignore_index=True)
