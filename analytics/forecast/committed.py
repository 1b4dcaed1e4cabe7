"""Committed contract spend in the reporting currency, allocated to the forecast levels.

- Payments come from analytics.contracts.committed_payments (every billing period, including the terms
  a contract will auto-renew into).
- Conversion: the month's own rate in fx_rc when known, else the latest known rate of that currency
  (future months); fx_period says which month's rate was used. Payments in the reporting currency
  use 1. A currency with no rate at all gives amount_rc NULL and is_fx_missing: never 1.
- Contracts carry a vendor but no cost center or category: a contract's payments are split over
  cost centers (categories, and invoice vendors) in proportion to the spend billed under it in the 24
  months before the cut-off; a contract never billed yet is shown as NO_HISTORY (under its register
  vendor at vendor level).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import calendar, contracts, fiscal, settings
from analytics.forecast.levels import LEVELS, check_level

NO_HISTORY = "(contract not yet billed)"
NEW_PREFIX = "new: "   # contract_id prefix of a scenario's new contracts
PAYMENT_COLUMNS = ["contract_id", "vendor", "payment_date", "period", "amount", "currency", "term_index",
                   "is_renewal_term"]


def payments(con, *, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per contract payment dated in [start, end] (contract currency)."""
    return contracts.committed_payments(con, start=start, end=end)


def to_rc(con, frame: pd.DataFrame) -> pd.DataFrame:
    """The payments with fx_rate, fx_period (month of the rate used), amount_rc and is_fx_missing."""
    reporting = settings.get(con, "reporting_currency")
    rates = con.execute("select period, currency, cast(rate as double) as rate from fx_rc").df()
    out = frame.copy()
    out["period"] = pd.to_datetime(out["period"])
    rates["period"] = pd.to_datetime(rates["period"])
    latest = rates.sort_values("period").groupby("currency").tail(1).rename(
        columns={"period": "latest_period", "rate": "latest_rate"})
    out = out.merge(rates, on=["period", "currency"], how="left").merge(latest, on="currency", how="left")
    same = out["currency"] == reporting
    own = out["rate"].notna()
    out["fx_rate"] = out["rate"].where(own, out["latest_rate"]).where(~same, 1.0)
    out["fx_period"] = out["period"].where(own, out["latest_period"]).where(~same, pd.NaT)
    out["amount_rc"] = out["amount"].astype(float) * out["fx_rate"]
    out["is_fx_missing"] = out["fx_rate"].isna()
    return out.drop(columns=["rate", "latest_rate", "latest_period"])


def allocation(con, *, level: str) -> pd.DataFrame:
    """One row per contract x key: the share of the contract's payments that belongs to the key."""
    check_level(level)
    register = con.execute("select contract_id, vendor from contracts").df()
    if level == "total":
        return register.assign(key="Total", share=1.0)[["contract_id", "key", "share"]]
    cut = calendar.calendar(con).cutoff
    sql = f"""
        with
        lines as (
            select contract_id, {LEVELS[level]} as key, abs(amount_rc) as weight
            from spend_rc
            where contract_id in (select contract_id from contracts) and period < $cutoff and period >= $first
        ),
        final as (
            select contract_id, key, sum(weight) / sum(sum(weight)) over (partition by contract_id) as share
            from lines
            group by contract_id, key
            having sum(weight) > 0
        )
        select * from final
    """
    shares = con.execute(sql, {"cutoff": cut, "first": fiscal.add_months(cut, -24)}).df()
    shares["share"] = shares["share"].astype(float)
    unbilled = register[~register["contract_id"].isin(shares["contract_id"])]
    fallback = unbilled["vendor"] if level == "vendor" else NO_HISTORY
    unbilled = unbilled.assign(key=fallback, share=1.0)[["contract_id", "key", "share"]]
    return pd.concat([shares, unbilled], ignore_index=True)


def line_allocation(con) -> pd.DataFrame:
    """One row per contract x cost center x category: the share of the contract's payments for that line."""
    cut = calendar.calendar(con).cutoff
    sql = """
        with
        lines as (
            select contract_id, cost_center, category, abs(amount_rc) as weight
            from spend_rc
            where contract_id in (select contract_id from contracts) and period < $cutoff and period >= $first
        ),
        final as (
            select contract_id, cost_center, category,
                sum(weight) / sum(sum(weight)) over (partition by contract_id) as share
            from lines
            group by contract_id, cost_center, category
            having sum(weight) > 0
        )
        select * from final
    """
    shares = con.execute(sql, {"cutoff": cut, "first": fiscal.add_months(cut, -24)}).df()
    shares["share"] = shares["share"].astype(float)
    return shares


def by_key(con, *, level: str, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per key x month: committed amount_rc of the payments in `frame` (already converted).

    A scenario's new contract (contract_id starting NEW_PREFIX) goes whole to the key it names.
    """
    if frame.empty:
        return pd.DataFrame({"key": pd.Series(dtype=str), "period": pd.Series(dtype="datetime64[ns]"),
                             "committed": pd.Series(dtype=float)})
    if level == "total":
        out = frame.assign(key="Total", committed=frame["amount_rc"])[["key", "period", "committed"]]
        out["period"] = pd.to_datetime(out["period"])
        return out.groupby(["key", "period"], as_index=False)["committed"].sum(min_count=1)
    alloc = allocation(con, level=level)
    # a scenario's new contract (not in the register) names its own vendor, cost center and category
    named = frame[level].notna() if level in frame.columns else False
    explicit = frame["contract_id"].astype(str).str.startswith(NEW_PREFIX) & named
    known = frame[~explicit].merge(alloc, on="contract_id", how="left")
    known["key"] = known["key"].fillna(NO_HISTORY)
    known["share"] = known["share"].fillna(1.0)
    parts = [known.assign(committed=known["amount_rc"] * known["share"])[["key", "period", "committed"]]]
    if explicit.any():
        extra = frame[explicit]
        parts.append(pd.DataFrame({"key": extra[level], "period": extra["period"],
                                   "committed": extra["amount_rc"]}))
    out = pd.concat(parts, ignore_index=True)
    out["period"] = pd.to_datetime(out["period"])
    return out.groupby(["key", "period"], as_index=False)["committed"].sum(min_count=1)


def committed_rc(con, *, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per contract payment in [start, end] with its reporting-currency amount and the rate used."""
    return to_rc(con, payments(con, start=start, end=end))
