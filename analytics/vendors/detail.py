"""One vendor's detail: spend history, contracts and deadlines, SLA results, incidents, findings, credits."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import audit, contracts, fiscal, settings, sla, vendor_names
from analytics.vendors.indicators import AMOUNT_RC, SEVERITY_SQL
from analytics.vendors.periods import ONE_DAY, quarter_bounds, quarter_label


# the vendor's lines are picked first and summed per month x currency, then converted (sum(amount) x rate equals
# sum(amount x rate) exactly in DECIMAL): converting every line through spend_rc before the vendor filter took ~5x
# longer at 1M lines. `names` must not be materialized: DuckDB then pushes vendor_key() down to every line.
SPEND_HISTORY_SQL = """
with
names as (
    select distinct vendor from spend
),
matching as (
    select vendor from names where vendor_key(vendor) = $vendor_key
),
by_month as (
    select cast(date_trunc('month', s.date) as date) as period, s.currency,
           sum(cast(s.amount as decimal(38, 4))) as amount, count(*) as lines
    from spend s
    semi join matching m on m.vendor = s.vendor
    group by all
),
rated as (
    select b.*, case when b.currency = reporting_currency() then cast(1 as decimal(18, 10)) else f.rate end as rate
    from by_month b
    left join fx_rc f on f.period = b.period and f.currency = b.currency
),
final as (
    select period, sum(amount * rate) as amount_rc, cast(sum(lines) as bigint) as lines,
           cast(coalesce(sum(lines) filter (where rate is null), 0) as bigint) as fx_missing_lines
    from rated
    group by period
)
select * from final order by period
"""

VENDOR_SLA_SQL = """
with
vendor_contracts as (
    select contract_id, service from contracts where vendor_key(vendor) = $vendor_key
),
final as (
    select s.period, s.contract_id, vc.service, s.metric, s.target, s.actual,
           case when s.metric = 'availability' then s.actual >= s.target else s.actual <= s.target end as is_met
    from sla s
    join vendor_contracts vc on vc.contract_id = s.contract_id
)
select * from final order by period, contract_id, metric
"""

VENDOR_INCIDENTS_SQL = f"""
with
vendor_contracts as (
    select contract_id, service from contracts where vendor_key(vendor) = $vendor_key
),
final as (
    select i.ticket_id, i.contract_id, vc.service, i.priority, {SEVERITY_SQL} as severity,
           i.opened_at, i.responded_at, i.resolved_at, i.resolved_at is null as is_open
    from incidents i
    join vendor_contracts vc on vc.contract_id = i.contract_id
)
select * from final order by opened_at desc
"""


def spend_history(con, *, vendor_key: str) -> pd.DataFrame:
    """One row per month with spend for the vendor: amount_rc, lines, fx_missing_lines."""
    return con.execute(SPEND_HISTORY_SQL, {"vendor_key": vendor_key}).df()


def vendor_contracts(con, *, vendor_key: str, on: dt.date | None = None) -> pd.DataFrame:
    """The vendor's rows of the contract register (same columns as contracts.register)."""
    reg = contracts.register(con, on=on)
    return reg[reg["vendor"].map(vendor_names.normalise) == vendor_key].reset_index(drop=True)


def sla_history(con, *, vendor_key: str) -> pd.DataFrame:
    """One row per month × contract × SLA metric of the vendor: target, actual, is_met."""
    return con.execute(VENDOR_SLA_SQL, {"vendor_key": vendor_key}).df()


def vendor_incidents(con, *, vendor_key: str) -> pd.DataFrame:
    """One row per incident on the vendor's contracts, newest first, with its severity 1-4."""
    return con.execute(VENDOR_INCIDENTS_SQL, {"vendor_key": vendor_key}).df()


def _of_vendor(frame: pd.DataFrame, vendor_key: str) -> pd.DataFrame:
    keep = frame["vendor"].map(lambda v: isinstance(v, str)).astype(bool) & (vendor_names.keys(frame["vendor"]) == vendor_key)
    return frame[keep].reset_index(drop=True)


def vendor_findings(con, *, vendor_key: str) -> pd.DataFrame:
    """The vendor's cost-audit findings (dismissed excluded), from the stored audit results."""
    return audit.explain(_of_vendor(audit.findings(con, explained=False), vendor_key))


def sla_months(con, *, vendor_key: str) -> pd.DataFrame:
    """The SLA engine's contract × month attainment (ticket clocks, availability) for the vendor."""
    return _of_vendor(sla.contract_month_attainment(con), vendor_key)


def vendor_credits(con, *, vendor_key: str) -> pd.DataFrame:
    """The vendor's service credits, one row per contract × missed month."""
    return _of_vendor(sla.service_credits(con), vendor_key)


SPEND_BY_QUARTER_SQL = f"""
with
by_name as (
    select
        vendor,
        cast(date_trunc('month', date) as date)
            - to_months(((month(date) - $start_month) % 3 + 3) % 3) as quarter_start,
        sum({AMOUNT_RC}) as amount_rc,
        count(*) filter (where is_fx_missing) as fx_missing_lines
    from spend_rc
    where date between $first and $last
    group by all
),
final as (
    select vendor_key(vendor) as vendor_key, cast(quarter_start as date) as quarter_start,
           sum(amount_rc) as amount_rc, sum(fx_missing_lines) as fx_missing_lines
    from by_name
    group by all
)
select * from final order by vendor_key, quarter_start
"""


def spend_by_quarter(con, *, quarter_end: dt.date, count: int = 8) -> pd.DataFrame:
    """One row per vendor_key × fiscal quarter with spend, for the `count` quarters ending with quarter_end."""
    start_month = settings.get(con, "fiscal_year_start_month")
    first = fiscal.add_months(quarter_bounds(quarter_end, start_month)[0], -3 * (count - 1))
    frame = con.execute(SPEND_BY_QUARTER_SQL, {"start_month": start_month, "first": first,
                                               "last": quarter_end}).df()
    frame["quarter"] = [quarter_label(fiscal.add_months(q.date(), 3) - ONE_DAY, start_month)
                        for q in pd.to_datetime(frame["quarter_start"])]
    return frame
