"""Exchange rates in use: monthly totals in the reporting currency, the rates applied, and gaps.

Amounts stay in their original currency in the database; the views `spend_rc`, `budget_rc`
and `fx_rc` convert them with the month's rate. A month without a rate is reported here,
never treated as 1.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import store

SPEND_BY_MONTH_SQL = """
with
lines as (
    select period, currency, amount_rc, is_fx_missing
    from spend_rc
    where date >= coalesce($start, date '0001-01-01') and date <= coalesce($end, date '9999-12-31')
),
final as (
    select
        period,
        sum(amount_rc) as amount_rc,
        count(*) as lines,
        count(*) filter (where is_fx_missing) as fx_missing_lines,
        count(distinct currency) as currencies
    from lines
    group by period
)
select * from final order by period
"""

MISSING_RATES_SQL = """
with
needed as (
    select 'spend' as dataset, period, currency, count(*) as lines, sum(amount) as amount
    from spend_rc where is_fx_missing group by all
    union all
    select 'budget' as dataset, period, currency, count(*) as lines, sum(amount) as amount
    from budget_rc where is_fx_missing group by all
),
final as (
    select dataset, period, currency, lines, amount from needed
)
select * from final order by period, currency, dataset
"""

RATES_SQL = """
with
final as (
    select period, currency, rate
    from fx_rc
    where $currency is null or currency = $currency
)
select * from final order by currency, period
"""


def spend_by_month(con, *, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """One row per month: spend in the reporting currency, line count, lines lacking a rate, currencies."""
    return store.query_df(con, SPEND_BY_MONTH_SQL, {"start": start, "end": end})


def missing_rates(con) -> pd.DataFrame:
    """One row per dataset x month x currency whose lines have no fx rate: lines and amount (original currency)."""
    return store.query_df(con, MISSING_RATES_SQL)


def rates(con, *, currency: str | None = None) -> pd.DataFrame:
    """One row per month x currency: units of the reporting currency per unit of `currency`."""
    return store.query_df(con, RATES_SQL, {"currency": currency})


def bench_cases(con) -> list[tuple[str, callable]]:
    return [
        ("spend_rc total by month", lambda: spend_by_month(con)),
        ("missing fx rates", lambda: missing_rates(con)),
        ("fx rates table", lambda: rates(con)),
    ]
