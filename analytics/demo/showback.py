"""The demo company's showback: its services, business units, drivers and three steps of allocation rules.

Step 1 splits the IT cost centers into services (TBM solutions) by fixed shares; step 2 passes the services
on to the business units by drivers (servers, devices, tickets, headcount) or fixed shares; step 3 spreads
IT Management over the business units by headcount. EMEA Operations is covered by no rule: it stays
unallocated, as an honest leftover. Tickets are counted once a quarter, so the other months fall back to
the quarter's first month (the engine says so). Quantities are deterministic (no random draw).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import fiscal

BUSINESS_UNITS = {  # headcount at the start of the demo, servers, monthly growth of headcount
    "Freight Operations": (1100, 120, 0.004),
    "Warehousing": (650, 60, 0.006),
    "Sales & Marketing": (240, 25, 0.003),
    "Finance & Admin": (160, 40, 0.001),
    "Customer Service": (210, 30, 0.002),
}

# step 1: cost center -> {service: share %}
COST_CENTER_SERVICES = {
    "Infrastructure": {"Hosting & Compute": 80, "Data & Analytics": 20},
    "Cloud Platform": {"Hosting & Compute": 100},
    "End User Services": {"Workplace & Collaboration": 100},
    "Enterprise Applications": {"Customer Platforms": 60, "ERP & Finance": 40},
    "ERP & Finance Systems": {"ERP & Finance": 100},
    "Data & Analytics": {"Data & Analytics": 100},
    "Cyber Security": {"Security": 100},
    "Network & Telecom": {"Network & Connectivity": 100},
    "Service Desk": {"Service Desk": 100},
    "Digital Channels": {"Customer Platforms": 100},
}
# step 2: service -> driver, or {business unit: share %}; "*" is every other service
SERVICE_SPLITS = {
    "Hosting & Compute": "servers",
    "Workplace & Collaboration": "devices",
    "Service Desk": "tickets",
    "ERP & Finance": {"Finance & Admin": 40, "Freight Operations": 30, "Warehousing": 20, "Sales & Marketing": 10},
    "*": "headcount",
}
OVERHEAD = ("IT Management", "headcount")  # step 3


def _rule(step, dimension, value, kind, target, share=None, driver=None) -> dict:
    return {"step": step, "source_dimension": dimension, "source_value": value, "target_kind": kind,
            "target": target, "share_pct": share, "driver": driver}


def rule_frame() -> pd.DataFrame:
    """The demo's allocation rules, one row per rule with row_no 1, 2, ... (as the engine reads them)."""
    rows = [_rule(1, "cost_center", cc, "service", service, share)
            for cc, split in COST_CENTER_SERVICES.items() for service, share in split.items()]
    for service, how in SERVICE_SPLITS.items():
        if isinstance(how, str):
            rows.append(_rule(2, "service", service, "business_unit", "*", driver=how))
        else:
            rows += [_rule(2, "service", service, "business_unit", bu, share) for bu, share in how.items()]
    rows.append(_rule(3, "cost_center", OVERHEAD[0], "business_unit", "*", driver=OVERHEAD[1]))
    frame = pd.DataFrame(rows)
    frame.insert(0, "row_no", range(1, len(frame) + 1))
    return frame


def driver_frame(as_of: dt.date, fy_start: int = 1) -> pd.DataFrame:
    """Monthly headcount, devices and servers per business unit from the demo's first month to the as-of
    month; tickets in the first month of each quarter only."""
    first = fiscal.bounds(fiscal.fiscal_year(as_of, fy_start) - 2, fy_start)[0]
    rows = []
    month, index = first, 0
    while month <= as_of:
        for bu, (people, servers, growth) in BUSINESS_UNITS.items():
            headcount = round(people * (1 + growth) ** index)
            rows += [(month, "headcount", bu, headcount), (month, "devices", bu, round(headcount * 1.15)),
                     (month, "servers", bu, servers + index // 6)]
            if month.month % 3 == 1:
                rows.append((month, "tickets", bu, round(headcount * (2.4 if bu == "Customer Service" else 0.9))))
        month, index = fiscal.add_months(month, 1), index + 1
    return pd.DataFrame(rows, columns=["period", "driver", "target", "quantity"])


def frames(as_of: dt.date, fy_start: int = 1) -> dict[str, pd.DataFrame]:
    """{dataset: frame} to load through the import pipeline."""
    return {"allocation_rules": rule_frame().drop(columns="row_no"), "drivers": driver_frame(as_of, fy_start)}
