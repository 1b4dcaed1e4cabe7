"""Showback (issue 15): IT costs allocated to services and business units by rules and drivers.

- rules: reading allocation rules and drivers, and the cross-row checks (shares add to 100, cycles, zero totals);
- engine: the allocation itself, set-based in DuckDB, step by step, conserving the window's total;
- report: breakdowns, unit costs, flow-chart links and the bill of IT read from an allocation;
- drill: the spend lines and budget behind a business unit;
- bill: the bill-of-IT workbook (one sheet per business unit).
"""
from __future__ import annotations

import datetime as dt

from analytics.settings import Setting
from analytics.showback.drill import budget_vs_actual, fed_lines, uses_vendor_rules
from analytics.showback.engine import Allocation, AllocationError, allocate
from analytics.showback.report import (
    DIRECT, UNALLOCATED, allocation, bill_lines, driver_quantities, rules_fed, sankey_links, totals_by, unit_cost_totals,
    unit_costs, window,
)
from analytics.showback.rules import describe, driver_problems, read_drivers, read_rules, rule_problems

__all__ = ["Allocation", "AllocationError", "allocate", "allocation", "bill_lines", "budget_vs_actual", "describe",
           "driver_problems", "driver_quantities", "fed_lines", "read_drivers", "read_rules", "rule_problems",
           "rules_fed", "sankey_links", "totals_by", "unit_cost_totals", "unit_costs", "uses_vendor_rules",
           "window", "DIRECT", "UNALLOCATED", "SETTINGS", "bench_cases", "drivers_in_use"]

SETTINGS = [
    Setting("showback_unit_driver", "headcount",
            "Driver the unit_cost metric divides allocated cost by (cost per employee-month with headcount)."),
]


def drivers_in_use(con) -> list[str]:
    """The drivers that have quantities, by name."""
    return [r[0] for r in con.execute("select distinct driver from drivers order by 1").fetchall()]


def bench_cases(con) -> list[tuple[str, object]]:
    """Allocation of the bench database's spend: the stored rules when there are any, else the demo's three
    steps (cost centers → services → business units by drivers), over three fiscal years of spend."""
    from analytics.demo import showback as demo_showback  # the demo's rule set, when the bench database has none

    rules = read_rules(con)
    drivers = read_drivers(con)
    if rules.empty:
        rules, drivers = demo_showback.rule_frame(), demo_showback.driver_frame(dt.date(2026, 11, 15))
    first, last = con.execute("select min(date), max(date) from spend").fetchall()[0]
    # no floors: the allocation spreads spend step by step over rules and drivers, not one aggregate of the lines
    return [
        ("showback.allocate all spend (3 steps)",
         lambda: allocate(con, first_day=first, last_day=last, rules=rules, drivers=drivers)),
        ("showback.allocation (page, current year)", lambda: allocation(con)),
    ]
