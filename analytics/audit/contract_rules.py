"""Rules about spend against contracts: no_contract, outside_contract_dates, over_contract_value,
price_creep and renewal_deadline.

A spend line belongs to a contract when its contract_id names one (outside_contract_dates and
over_contract_value judge those lines). A line without a known contract_id is covered when any
contract of its vendor (matched by vendor key) runs on its date, give or take the grace period.
When none runs then but one of the vendor's contracts has ended before, the line is
outside_contract_dates of the latest such contract; otherwise (the vendor has no contract, or
only contracts starting later) it is uncontracted spend (no_contract). A tacit renewal runs until cancelled.
"""
from __future__ import annotations

import pandas as pd

from analytics import contracts, fiscal
from analytics.audit import engine
from analytics.audit.engine import count, day, empty_findings, explained, fiscal_year, money, month, pct
from analytics.i18n import N_

# Grain: one row per vendor x fiscal year whose spend without a running contract exceeds the threshold.
# Grain: one row per vendor key x day with spend naming no known contract (exempt categories left
# out) on which none of the vendor's contracts runs, give or take the grace period; ended_contract_id
# is the vendor's contract that ended most recently before that day (null when none has ended).
# Both no_contract and outside_contract_dates read it, so each such line lands in exactly one of them.
UNCOVERED_SQL = """
create or replace temp table audit_uncovered as
with
unlinked_days as (
    select distinct vendor_key, date
    from audit_spend
    where (contract_id is null or contract_id not in (select contract_id from audit_contracts))
      and lower(category) not in (select unnest($exempt))
),
final as (
    select d.vendor_key, d.date,
        max({'end_date': c.effective_end_date, 'id': c.contract_id})
            filter (where c.effective_end_date + cast($grace as integer) < d.date).id as ended_contract_id
    from unlinked_days d
    left join audit_contracts c on c.vendor_key = d.vendor_key
    group by d.vendor_key, d.date
    having count(c.contract_id) filter (where d.date between c.start_date - cast($grace as integer)
                                                    and c.effective_end_date + cast($grace as integer)) = 0
)
select * from final
"""


def _uncovered(con, params: dict) -> None:
    """Build the temp table audit_uncovered (see UNCOVERED_SQL) for this run's settings."""
    con.execute(UNCOVERED_SQL, {"grace": int(params["audit_contract_grace_days"]),
                                "exempt": [c.lower() for c in params["audit_exempt_categories"]]})


NO_CONTRACT_SQL = """
create or replace temp table audit_rule_found as
with
unlinked as (
    select s.*
    from audit_spend s
    semi join (select vendor_key, date from audit_uncovered where ended_contract_id is null) d
        using (vendor_key, date)
    where (s.contract_id is null or s.contract_id not in (select contract_id from audit_contracts))
      and lower(s.category) not in (select unnest($exempt))
),
lines as (
    select u.*,
        year(u.date) + case when $fy_start > 1 and month(u.date) >= $fy_start then 1 else 0 end as fiscal_year
    from unlinked u
),
totals as (
    select vendor_key, fiscal_year
    from lines
    group by vendor_key, fiscal_year
    having sum(amount_rc) > $threshold
),
final as (
    select l.vendor_key, l.fiscal_year, mode(l.vendor) as vendor, count(*) as n_lines,
        cast(sum(l.amount_rc) as double) as total_rc, min(l.date) as first_date, max(l.date) as last_date,
        bool_or(l.vendor_key in (select vendor_key from audit_contracts)) as has_other_contracts,
        list(audit_ref(l.invoice_id, l.batch_id, l.row_no) order by l.date, l.line_id) as evidence,
        list(l.line_id order by l.date, l.line_id) as evidence_lines
    from lines l
    semi join totals t using (vendor_key, fiscal_year)
    group by l.vendor_key, l.fiscal_year
)
select * from final
"""


def no_contract(con, params: dict) -> pd.DataFrame:
    """One row per vendor and fiscal year with spend above the threshold and no contract."""
    threshold = float(params["audit_no_contract_threshold"])
    _uncovered(con, params)
    found = engine.found(con, NO_CONTRACT_SQL, {
        "fy_start": int(params["fiscal_year_start_month"]), "threshold": threshold,
        "exempt": [c.lower() for c in params["audit_exempt_categories"]]})
    currency = params["reporting_currency"]
    rows = []
    for r in found.itertuples(index=False):
        fy = fiscal_year(r.fiscal_year, params["fiscal_year_start_month"])
        message = (N_("{amount} paid to {vendor} in {year} ({lines} lines, {first} to {last}) with no contract running "
                      "yet (threshold {threshold}).") if r.has_other_contracts else
                   N_("{amount} paid to {vendor} in {year} ({lines} lines, {first} to {last}) with no contract on "
                      "file (threshold {threshold})."))
        rows.append({
            "key": f"{r.vendor_key}|{int(r.fiscal_year)}",
            "severity": "high" if r.total_rc > 10 * threshold else "medium",
            "vendor": r.vendor, "contract_id": None, "amount_at_stake": r.total_rc, "finding_date": r.last_date,
            "explanation": explained(message, amount=money(r.total_rc, currency), vendor=r.vendor, year=fy,
                                     lines=count(r.n_lines), first=day(r.first_date), last=day(r.last_date),
                                     threshold=money(threshold, currency)),
            "evidence_group": r.evidence_group,
        })
    return pd.DataFrame(rows) if rows else empty_findings()


# Grain: one row per contract x side (before its start / after its end) with spend beyond the grace
# period: billed under it (by contract_id), or billed to its vendor without a known contract_id on a
# day none of the vendor's contracts runs, after this one ended (audit_uncovered.ended_contract_id).
OUTSIDE_SQL = """
create or replace temp table audit_rule_found as
with
linked as (
    select s.*, s.contract_id as matched_id
    from audit_spend s
    join audit_contracts c on c.contract_id = s.contract_id
    where s.amount > 0
      and (s.date < c.start_date - cast($grace as integer) or s.date > c.effective_end_date + cast($grace as integer))
),
matched as (
    select s.*, d.ended_contract_id as matched_id
    from audit_spend s
    join audit_uncovered d using (vendor_key, date)
    where d.ended_contract_id is not null and s.amount > 0
      and (s.contract_id is null or s.contract_id not in (select contract_id from audit_contracts))
      and lower(s.category) not in (select unnest($exempt))
),
outside as (
    select l.*, c.service, c.start_date, c.end_date,
        case when l.date < c.start_date then 'before' else 'after' end as side
    from (select * from linked union all by name select * from matched) l
    join audit_contracts c on c.contract_id = l.matched_id
),
final as (
    select matched_id as contract_id, side, any_value(service) as service, mode(vendor) as vendor,
        any_value(start_date) as start_date, any_value(end_date) as end_date,
        count(*) as n_lines, cast(sum(amount_rc) as double) as total_rc,
        count(*) filter (where contract_id is null or contract_id <> matched_id) as n_unlinked,
        min(date) as first_date, max(date) as last_date,
        list(audit_ref(invoice_id, batch_id, row_no) order by date, line_id) as evidence,
        list(line_id order by date, line_id) as evidence_lines
    from outside
    group by matched_id, side
)
select * from final
"""


# (side, some lines matched by vendor only) -> the whole sentence
OUTSIDE_MESSAGES = {
    ("after", False): N_("{amount} paid to {vendor} under contract {contract} ({service}) after it ended on {date} "
                         "({lines} lines, {first} to {last}; grace {grace} days)."),
    ("after", True): N_("{amount} paid to {vendor} under contract {contract} ({service}) after it ended on {date} "
                        "({lines} lines, {first} to {last}; grace {grace} days); {unlinked} of them name no contract "
                        "and are matched by vendor."),
    ("before", False): N_("{amount} paid to {vendor} under contract {contract} ({service}) before it started on "
                          "{date} ({lines} lines, {first} to {last}; grace {grace} days)."),
    ("before", True): N_("{amount} paid to {vendor} under contract {contract} ({service}) before it started on "
                         "{date} ({lines} lines, {first} to {last}; grace {grace} days); {unlinked} of them name no "
                         "contract and are matched by vendor."),
}


def outside_contract_dates(con, params: dict) -> pd.DataFrame:
    """One row per contract with spend dated before its start or after its end, beyond the grace period."""
    grace = int(params["audit_contract_grace_days"])
    _uncovered(con, params)
    found = engine.found(con, OUTSIDE_SQL, {"grace": grace,
                                          "exempt": [c.lower() for c in params["audit_exempt_categories"]]})
    currency = params["reporting_currency"]
    rows = []
    for r in found.itertuples(index=False):
        message = OUTSIDE_MESSAGES[r.side, bool(r.n_unlinked)]
        rows.append({
            "key": f"{r.contract_id}|{r.side}",
            "severity": "high" if r.side == "after" else "medium",
            "vendor": r.vendor, "contract_id": r.contract_id, "amount_at_stake": r.total_rc,
            "finding_date": r.last_date if r.side == "after" else r.first_date,
            "explanation": explained(message, amount=money(r.total_rc, currency), vendor=r.vendor,
                                     contract=r.contract_id, service=r.service,
                                     date=day(r.end_date if r.side == "after" else r.start_date),
                                     lines=count(r.n_lines), first=day(r.first_date), last=day(r.last_date),
                                     grace=grace, unlinked=count(r.n_unlinked)),
            "evidence_group": r.evidence_group,
        })
    return pd.DataFrame(rows) if rows else empty_findings()


# Grain: one row per contract x contract year whose spend exceeds the annual value by more than the
# tolerance. Spend is compared in the contract's currency (each line converted with its month's rates).
OVER_VALUE_SQL = """
create or replace temp table audit_rule_found as
with
lines as (
    select s.*, c.service, c.start_date, c.annual_value, c.currency as contract_currency,
        (year(s.date) - year(c.start_date)) * 12 + month(s.date) - month(c.start_date)
            - case when day(s.date) < day(c.start_date) then 1 else 0 end as months_in
    from audit_spend s
    join audit_contracts c on c.contract_id = s.contract_id
    where s.date between c.start_date and c.effective_end_date
),
converted as (
    select l.*, cast(floor(months_in / 12) as integer) as contract_year,
        case when l.currency = l.contract_currency then cast(l.amount as double)
             when l.contract_currency = $reporting then cast(l.amount_rc as double)
             else cast(l.amount_rc as double) / cast(f.rate as double) end as amount_cc
    from lines l
    left join fx_rc f on f.period = l.period and f.currency = l.contract_currency
),
final as (
    select contract_id, contract_year, any_value(service) as service, mode(vendor) as vendor,
        any_value(start_date) as start_date, cast(any_value(annual_value) as double) as annual_value,
        any_value(contract_currency) as contract_currency,
        sum(amount_cc) as spend_cc, cast(sum(amount_rc) as double) as spend_rc,
        bool_or(amount_cc is null) as is_fx_missing, max(date) as last_date,
        list(audit_ref(invoice_id, batch_id, row_no) order by date, line_id) as evidence,
        list(line_id order by date, line_id) as evidence_lines
    from converted
    group by contract_id, contract_year
    having sum(amount_cc) > any_value(annual_value) * (1 + $tolerance / 100.0)
)
select * from final
"""


def over_contract_value(con, params: dict) -> pd.DataFrame:
    """One row per contract year in which spend under the contract exceeded its annual value."""
    tolerance = float(params["audit_contract_value_tolerance_pct"])
    found = engine.found(con, OVER_VALUE_SQL, {"tolerance": tolerance, "reporting": params["reporting_currency"]})
    currency = params["reporting_currency"]
    rows = []
    for r in found.itertuples(index=False):
        excess_cc = r.spend_cc - r.annual_value
        at_stake = None if r.is_fx_missing or pd.isna(r.spend_rc) else excess_cc * r.spend_rc / r.spend_cc
        year_start = fiscal.add_months(pd.Timestamp(r.start_date).date(), 12 * int(r.contract_year))
        over_pct = 100 * excess_cc / r.annual_value if r.annual_value else float("inf")
        rows.append({
            "key": f"{r.contract_id}|{int(r.contract_year)}",
            "severity": "high" if over_pct > 25 else "medium",
            "vendor": r.vendor, "contract_id": r.contract_id, "amount_at_stake": at_stake,
            "finding_date": r.last_date,
            "explanation": explained(N_("Spend under contract {contract} ({service}) in the contract year from "
                                        "{date} is {spend}, {over} above its annual value of {value} (tolerance "
                                        "{tolerance}); excess {excess}."),
                                     contract=r.contract_id, service=r.service, date=day(year_start),
                                     spend=money(r.spend_cc, r.contract_currency), over=pct(over_pct),
                                     value=money(r.annual_value, r.contract_currency),
                                     tolerance=pct(tolerance, None), excess=money(at_stake, currency)),
            "evidence_group": r.evidence_group,
        })
    return pd.DataFrame(rows) if rows else empty_findings()


MONTH_WORDS = (r"\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?"
               r"|oct(ober)?|nov(ember)?|dec(ember)?|q[1-4]|h[12]|fy)\b")

# Grain: one row per month of a recurring charge series (vendor, contract, currency, cost center,
# description without dates) whose price rose above the lowest price of the previous 12 months by
# more than the allowed yearly uplift. The month's price is its smallest positive line, so a
# duplicate or an extra charge does not read as a price change.
PRICE_CREEP_SQL = f"""
create or replace temp table audit_rule_found as
with
raw_monthly as (
    select vendor_key, coalesce(contract_id, '') as contract_key, currency, cost_center,
        coalesce(description, '') as description, period, min(amount) as price
    from audit_spend
    where amount > 0
    group by all
),
descriptions as (
    select description,
        trim(regexp_replace(regexp_replace(regexp_replace(lower(description), '[^a-z]+', ' ', 'g'),
            '{MONTH_WORDS}', ' ', 'g'), ' +', ' ', 'g')) as description_key
    from (select distinct description from raw_monthly)
),
monthly as (
    select r.vendor_key, r.contract_key, r.currency, r.cost_center, d.description_key, r.period,
        year(r.period) * 12 + month(r.period) as month_index, min(r.price) as price
    from raw_monthly r
    join descriptions d using (description)
    group by all
),
priced as (
    select *,
        lag(price) over series as previous_price,
        min(price) over (partition by vendor_key, contract_key, currency, cost_center, description_key
                         order by month_index range between 12 preceding and 1 preceding) as base_price,
        count(*) over (partition by vendor_key, contract_key, currency, cost_center, description_key) as n_months
    from monthly
    window series as (partition by vendor_key, contract_key, currency, cost_center, description_key
                      order by month_index)
),
steady as (
    select *, sum(case when price = previous_price then 1 else 0 end) over (
            partition by vendor_key, contract_key, currency, cost_center, description_key) as n_unchanged
    from priced
    where n_months >= $min_months
),
flagged as (
    select *, base_price * (1 + $uplift / 100.0) as allowed_price
    from steady
    where n_unchanged >= 0.5 * (n_months - 1)
      and base_price > 0 and price > base_price * (1 + $uplift / 100.0) + 0.005
),
flagged_lines as (
    select f.vendor_key, f.contract_key, f.currency, f.cost_center, f.description_key, f.period, f.month_index,
        f.price, f.allowed_price, f.base_price, s.vendor, s.description, s.fx_rate, s.line_id, s.date,
        audit_ref(s.invoice_id, s.batch_id, s.row_no) as ref
    from flagged f
    join audit_spend s
        on s.vendor_key = f.vendor_key and coalesce(s.contract_id, '') = f.contract_key and s.currency = f.currency
        and s.cost_center = f.cost_center and s.period = f.period
    join descriptions d on d.description = coalesce(s.description, '') and d.description_key = f.description_key
    where s.amount > 0
),
final as (
    select vendor_key, contract_key, currency, cost_center, description_key,
        mode(vendor) as vendor, any_value(description) as description,
        cast(arg_min(base_price, month_index) as double) as base_price,
        cast(max(price) as double) as new_price, min(period) as first_period,
        count(distinct period) as n_months,
        sum(cast(price - allowed_price as double) * cast(fx_rate as double)) filter (where amount_is_price) as overcharge_rc,
        bool_or(fx_rate is null) as is_fx_missing,
        list(ref order by date, line_id) as evidence, list(line_id order by date, line_id) as evidence_lines
    from (select *, row_number() over (partition by vendor_key, contract_key, currency, cost_center,
                                                    description_key, period order by line_id) = 1 as amount_is_price
          from flagged_lines)
    group by vendor_key, contract_key, currency, cost_center, description_key
)
select * from final
"""


def price_creep(con, params: dict) -> pd.DataFrame:
    """One row per recurring charge that rose faster than the allowed yearly uplift."""
    uplift = float(params["audit_allowed_uplift_pct"])
    found = engine.found(con, PRICE_CREEP_SQL, {"uplift": uplift,
                                              "min_months": int(params["audit_recurring_min_months"])})
    currency = params["reporting_currency"]
    rows = []
    for r in found.itertuples(index=False):
        rise = 100 * (r.new_price / r.base_price - 1)
        at_stake = None if r.is_fx_missing else r.overcharge_rc
        message = (N_("{vendor}'s charge '{description}' rose from {old} to {new} (+{rise}) from {month}, above the "
                      "{uplift} yearly uplift allowed; {excess} over the allowed price in {months} month(s).")
                   if r.description else
                   N_("{vendor}'s recurring charge rose from {old} to {new} (+{rise}) from {month}, above the "
                      "{uplift} yearly uplift allowed; {excess} over the allowed price in {months} month(s)."))
        rows.append({
            "key": "|".join([r.vendor_key, r.contract_key, r.currency, r.cost_center, r.description_key]),
            "severity": "high" if rise > 3 * uplift else "medium",
            "vendor": r.vendor, "contract_id": r.contract_key or None, "amount_at_stake": at_stake,
            "finding_date": r.first_period,
            "explanation": explained(message, vendor=r.vendor, description=r.description or "",
                                     old=money(r.base_price, r.currency), new=money(r.new_price, r.currency),
                                     rise=pct(rise), month=month(r.first_period), uplift=pct(uplift, None),
                                     excess=money(at_stake, currency), months=int(r.n_months)),
            "evidence_group": r.evidence_group,
        })
    return pd.DataFrame(rows) if rows else empty_findings()


def renewal_deadline(con, params: dict) -> pd.DataFrame:
    """One row per tacit renewal whose cancel-by date falls within the renewal window."""
    on = params["as_of"]
    due = contracts.cancel_by_due(con, within_days=int(params["audit_renewal_window_days"]), on=on)
    if due.empty:
        return empty_findings()
    currency = params["reporting_currency"]
    rates = _latest_rates(con, on)
    rows = []
    for r in due.itertuples(index=False):
        rate = 1.0 if r.currency == currency else rates.get(r.currency)
        value_rc = r.next_term_value * rate if rate is not None and pd.notna(r.next_term_value) else None
        days = int(r.days_left)
        rows.append({
            "key": f"{r.contract_id}|{r.cancel_by_date}",
            "severity": "high" if days <= 30 else "medium" if days <= 60 else "low",
            "vendor": r.vendor, "contract_id": r.contract_id, "amount_at_stake": value_rc,
            "finding_date": r.cancel_by_date,
            "explanation": explained(N_("Contract {contract} ({service}) renews automatically after {end} unless "
                                        "cancelled by {cancel_by} (in {days} days); the next term is worth {value}."),
                                     contract=r.contract_id, service=r.service, end=day(r.term_end_date),
                                     cancel_by=day(r.cancel_by_date), days=days,
                                     value=money(r.next_term_value, r.currency)),
            "evidence": [r.contract_id], "evidence_lines": [],
        })
    return pd.DataFrame(rows)


def _latest_rates(con, on) -> dict[str, float]:
    """Each currency's reporting-currency rate for the as-of month (else its latest earlier month)."""
    found = con.execute(
        "select currency, cast(arg_max(rate, period) as double) from fx_rc where period <= ? group by currency",
        [on.replace(day=1)]).fetchall()
    return {currency: rate for currency, rate in found}
