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
-- the is_fx_missing lines of spend_rc / budget_rc, as an anti join on the raw tables (no line is converted)
needed as (
    select 'spend' as dataset, cast(date_trunc('month', s.date) as date) as period, s.currency, count(*) as lines,
        sum(s.amount) as amount
    from spend s anti join fx_rc f on f.period = date_trunc('month', s.date) and f.currency = s.currency
    where s.currency <> $reporting
    group by all
    union all
    select 'budget' as dataset, b.period, b.currency, count(*) as lines, sum(b.amount) as amount
    from budget b anti join fx_rc f on f.period = b.period and f.currency = b.currency
    where b.currency <> $reporting
    group by all
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


def reporting_currency(con) -> str:
    """The currency the views convert into (the reporting_currency() macro: the setting, else the base currency).
    Bound as a value, a filter on it is pushed into the table scan; the macro in a WHERE is a subquery joined
    to every line (missing_rates: 55 -> 33 ms at 1M lines)."""
    return con.execute("select reporting_currency()").fetchone()[0]


def missing_rates(con) -> pd.DataFrame:
    """One row per dataset x month x currency whose lines have no fx rate: lines and amount (original currency)."""
    return store.query_df(con, MISSING_RATES_SQL, {"reporting": reporting_currency(con)})


def rates(con, *, currency: str | None = None) -> pd.DataFrame:
    """One row per month x currency: units of the reporting currency per unit of `currency`."""
    return store.query_df(con, RATES_SQL, {"currency": currency})


# floors for the bench: the same aggregates as plain SQL over the raw tables
FLOOR_SPEND_BY_MONTH = """
select date_trunc('month', s.date) as period, sum(cast(s.amount as decimal(38, 4)) * r.rate) as amount_rc,
    count(*) as lines, count(*) filter (where r.rate is null) as fx_missing_lines,
    count(distinct s.currency) as currencies
from spend s left join fx_rc r on r.currency = s.currency and r.period = date_trunc('month', s.date)
group by all
"""
FLOOR_MISSING_RATES = """
select 'spend' as dataset, date_trunc('month', s.date) as period, s.currency, count(*) as lines, sum(s.amount) as amount
from spend s anti join fx r on r.currency = s.currency and r.period = date_trunc('month', s.date)
where s.currency <> $reporting
group by all
union all
select 'budget', b.period, b.currency, count(*), sum(b.amount)
from budget b anti join fx r on r.currency = b.currency and r.period = b.period
where b.currency <> $reporting
group by all
"""
# rates quoted against the base currency, divided by the reporting currency's rate of the month
FLOOR_RATES = """
select f.period, f.currency, cast(f.rate_to_base as double) / cast(r.rate_to_base as double) as rate
from fx f join fx r on r.period = f.period and r.currency = $reporting
"""


def bench_cases(con) -> list[tuple]:
    """The Data page's exchange-rate queries, for `python -m analytics bench`, with their plain-SQL floors."""
    from analytics import settings
    from analytics.bench import Floor
    params = {"reporting": settings.get(con, "reporting_currency")}
    return [
        ("spend_rc total by month", lambda: spend_by_month(con), Floor(FLOOR_SPEND_BY_MONTH)),
        ("missing fx rates", lambda: missing_rates(con), Floor(FLOOR_MISSING_RATES, params)),
        # stays over 1.5x: its floor is a 2-3 ms join of 240 rates; the page's query reads them through fx_rc, whose
        # three settings subqueries (reporting and base currency) cost 2-4 ms to plan on every call (measured with
        # DuckDB's profiler: planner + optimizer 3.9 ms, execution 0.7 ms), so ~5 ms against ~2.5 ms at any size
        ("fx rates table", lambda: rates(con), Floor(FLOOR_RATES, params)),
    ]
