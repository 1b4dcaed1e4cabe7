"""Spend summed per month and key, once per data version: a job (analytics.jobs) that the books read.

Every actual figure (budget vs actual, the Overview, the variance drivers, showback) is read through the SQL macro
spend_month_rc (migration 022_spend_month_results.sql), which sums the spend lines per key, month and currency and
then converts each sum at its month's rate. This job stores those sums for every month and key combination in
spend_month_results; spend_month_rc takes the whole months it is asked for from there when they are current
(same data version, as many lines) and sums only the rest of the range, such as the as-of month so far, from the
lines. When they are not current (a write whose jobs have not run yet, a database filled outside Outlay) it sums
every line, as before: the figures are the same either way, to the cent (DECIMAL sums).
"""
from __future__ import annotations

from analytics import store

# grain: one row per month x currency x spend_keyed key combination (cost center, category, project, vendor,
# capex/opex kind) with its lines summed in their own currency
REFRESH_SQL = """
insert into spend_month_results by name
select $version as data_version, period, currency, cost_center, category, project, vendor, capex_opex_kind,
    sum(cast(amount as decimal(38, 4))) as amount, count(*) as lines
from spend_keyed
group by all
"""


def is_current(con) -> bool:
    """Whether the stored sums are those of the spend as it is now (spend_month_results_current, migration 022)."""
    return bool(con.execute("select spend_month_results_current()").fetchone()[0])


def refresh(con) -> bool:
    """Store the sums for the current data version, replacing older ones, in a plain transaction that leaves the data
    version as it is; skipped when current. True when it computed."""
    if is_current(con):
        return False
    version = store.data_version(con)
    with store.transaction(con, changes_data=False):
        con.execute("delete from spend_month_results")
        con.execute(REFRESH_SQL, {"version": version})
    return True

