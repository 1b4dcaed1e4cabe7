"""Rules about spending patterns and licences: unusual_spend, vendor_consolidation, unused_licenses."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.audit import engine
from analytics.audit.engine import count, empty_findings, explained, money, month, pct, vendor_key
from analytics.i18n import N_
from analytics.fiscal import add_months

# Grain: one row per series (vendor or cost center) x complete month whose spend lies outside the
# range expected from the series' own history. Expected = the same month last year (seasonality)
# plus the change in level between the last 3 months and the same 3 months a year earlier (so a
# new recurring charge becomes the expected level within a few months). The range's half-width
# is the largest of k x the robust spread (1.4826 x median absolute residual over up to 24 earlier
# months, once there are 6), band% of the expected value, and a minimum amount.
UNUSUAL_SQL = """
create or replace temp table audit_rule_found as
with
monthly as (
    select 'vendor' as dimension, vendor_key as series_key, period, cast(sum(amount_rc) as double) as spend
    from audit_spend where period <= $last_period group by all
    union all
    select 'cost_center', cost_center, period, cast(sum(amount_rc) as double)
    from audit_spend where period <= $last_period group by all
),
calendar as (
    select dimension, series_key,
        cast(unnest(generate_series(min(period), cast($last_period as date), interval 1 month)) as date) as period
    from monthly
    group by dimension, series_key
),
filled as (
    select c.dimension, c.series_key, c.period, year(c.period) * 12 + month(c.period) as month_index,
        coalesce(m.spend, 0) as spend
    from calendar c
    left join monthly m using (dimension, series_key, period)
),
history as (
    select *,
        lag(spend, 12) over (partition by dimension, series_key order by month_index) as last_year,
        avg(spend) over (partition by dimension, series_key order by month_index
                         range between 3 preceding and 1 preceding) as recent_mean,
        avg(spend) over (partition by dimension, series_key order by month_index
                         range between 15 preceding and 13 preceding) as prior_mean,
        count(*) over (partition by dimension, series_key order by month_index
                       range between 15 preceding and 13 preceding) as prior_months
    from filled
),
expected as (
    select *,
        case when last_year is not null
             then greatest(last_year + case when prior_months = 3 then recent_mean - prior_mean else 0 end, 0)
        end as expected_spend
    from history
),
spread as (
    select *,
        median(abs(spend - expected_spend)) over (partition by dimension, series_key order by month_index
                                                  range between 24 preceding and 1 preceding) as mad,
        count(expected_spend) over (partition by dimension, series_key order by month_index
                                    range between 24 preceding and 1 preceding) as n_residuals
    from expected
),
ranged as (
    select *,
        greatest(coalesce(case when n_residuals >= 6 then $k * 1.4826 * mad end, 0),
                 $band / 100.0 * abs(expected_spend), $min_amount) as width
    from spread
    where expected_spend is not null and period >= $first_period
),
flagged as (
    select *, expected_spend - width as low, expected_spend + width as high
    from ranged
    where spend > expected_spend + width or ($drops and spend < expected_spend - width)
),
evidence as (
    select f.dimension, f.series_key, f.period, mode(s.vendor) as vendor,
        list(audit_ref(s.invoice_id, s.batch_id, s.row_no) order by s.date, s.line_id) as evidence,
        list(s.line_id order by s.date, s.line_id) as evidence_lines
    from flagged f
    join audit_spend s on f.dimension = 'vendor' and s.vendor_key = f.series_key and s.period = f.period
    group by all
    union all
    select f.dimension, f.series_key, f.period, null,
        list(audit_ref(s.invoice_id, s.batch_id, s.row_no) order by s.date, s.line_id),
        list(s.line_id order by s.date, s.line_id)
    from flagged f join audit_spend s on f.dimension = 'cost_center' and s.cost_center = f.series_key
        and s.period = f.period
    group by all
),
labels as (
    select 'vendor' as dimension, vendor_key as series_key, mode(vendor) as vendor
    from audit_spend
    where vendor_key in (select series_key from flagged where dimension = 'vendor')
    group by vendor_key
),
final as (
    select f.dimension, f.series_key, f.period, f.spend, f.expected_spend, f.low, f.high, f.width,
        l.vendor, coalesce(e.evidence, []) as evidence, coalesce(e.evidence_lines, []) as evidence_lines
    from flagged f
    left join evidence e using (dimension, series_key, period)
    left join labels l using (dimension, series_key)
)
select * from final
"""


def last_complete_month(on: dt.date) -> dt.date:
    """First day of the last month that has ended on or before `on`."""
    nxt = on + dt.timedelta(days=1)
    return add_months(on.replace(day=1), 0 if nxt.month != on.month else -1)


# (vendor or cost center, above the range?) -> the whole sentence
UNUSUAL_MESSAGES = {
    ("vendor", True): N_("Spend with {vendor} in {month} was {spend} (expected {low} to {high} from its own "
                         "history): {excess} more than the usual {usual}."),
    ("vendor", False): N_("Spend with {vendor} in {month} was {spend} (expected {low} to {high} from its own "
                          "history): below the range: check for missing invoices or a cancelled service."),
    ("cost_center", True): N_("Spend with cost center {cost_center} in {month} was {spend} (expected {low} to {high} "
                              "from its own history): {excess} more than the usual {usual}."),
    ("cost_center", False): N_("Spend with cost center {cost_center} in {month} was {spend} (expected {low} to "
                               "{high} from its own history): below the range: check for missing invoices or a "
                               "cancelled service."),
}


def unusual_spend(con, params: dict) -> pd.DataFrame:
    """One row per vendor or cost center month with spend outside its expected range."""
    last = last_complete_month(params["as_of"])
    first = add_months(last, -int(params["audit_unusual_lookback_months"]) + 1)
    found = engine.found(con, UNUSUAL_SQL, {
        "last_period": last, "first_period": first, "k": float(params["audit_unusual_mad_factor"]),
        "band": float(params["audit_unusual_band_pct"]), "min_amount": float(params["audit_unusual_min_amount"]),
        "drops": bool(params["audit_unusual_include_drops"]),
    })
    currency = params["reporting_currency"]
    rows = []
    for r in found.itertuples(index=False):
        above = r.spend > r.high
        if above:
            severity = "high" if r.spend > r.expected_spend + 2 * r.width else "medium"
            stake = r.spend - r.expected_spend
        else:
            severity, stake = "low", 0.0
        rows.append({
            "key": f"{r.dimension}|{r.series_key}|{r.period:%Y-%m}", "severity": severity,
            "vendor": r.vendor if r.dimension == "vendor" else None, "contract_id": None,
            "amount_at_stake": stake, "finding_date": r.period,
            "explanation": explained(UNUSUAL_MESSAGES[r.dimension, bool(above)], vendor=r.vendor,
                                     cost_center=r.series_key, month=month(r.period), spend=money(r.spend, currency),
                                     low=money(max(r.low, 0)), high=money(r.high, currency),
                                     excess=money(stake, currency), usual=money(r.expected_spend, currency)),
            "evidence_group": r.evidence_group,
        })
    return pd.DataFrame(rows) if rows else empty_findings()


# Grain: one row per category served by at least `min_vendors` vendors each with less than
# `small` spend in the 12 months up to the as-of date.
CONSOLIDATION_SQL = """
create or replace temp table audit_rule_found as
with
recent as (
    select * from audit_spend
    where date > $start and date <= $end and lower(category) not in (select unnest($exempt))
),
vendor_spend as (
    select category, vendor_key, mode(vendor) as vendor, sum(amount_rc) as spend
    from recent
    group by category, vendor_key
),
small as (
    select * from vendor_spend where spend > 0 and spend < $small
),
categories as (
    select category, count(*) as n_small, cast(sum(spend) as double) as small_spend,
        list(vendor order by spend desc, vendor) as vendors
    from small
    group by category
    having count(*) >= $min_vendors
),
evidence as (
    select r.category, list(audit_ref(r.invoice_id, r.batch_id, r.row_no) order by r.date, r.line_id) as evidence,
        list(r.line_id order by r.date, r.line_id) as evidence_lines
    from recent r
    join small s on s.category = r.category and s.vendor_key = r.vendor_key
    where r.category in (select category from categories)
    group by r.category
),
final as (
    select c.*, (select count(*) from vendor_spend v where v.category = c.category) as n_vendors,
        e.evidence, e.evidence_lines
    from categories c join evidence e using (category)
)
select * from final
"""


def vendor_consolidation(con, params: dict) -> pd.DataFrame:
    """One row per category with many small vendors; at stake: the saving expected from consolidating."""
    end = params["as_of"]
    small = float(params["audit_consolidation_small_spend"])
    minimum = int(params["audit_consolidation_min_vendors"])
    saving = float(params["audit_consolidation_saving_pct"])
    found = engine.found(con, CONSOLIDATION_SQL, {
        "start": add_months(end, -12), "end": end, "small": small, "min_vendors": minimum,
        "exempt": [c.lower() for c in params["audit_exempt_categories"]]})
    currency = params["reporting_currency"]
    rows = []
    for r in found.itertuples(index=False):
        names = ", ".join(list(r.vendors)[:5]) + (", ..." if r.n_small > 5 else "")  # names from the data
        rows.append({
            "key": str(r.category).lower(), "severity": "medium" if r.n_small >= 2 * minimum else "low",
            "vendor": None, "contract_id": None, "amount_at_stake": r.small_spend * saving / 100,
            "finding_date": end,
            "explanation": explained(N_("{category} was bought from {vendors} vendors with less than {small} each "
                                        "in the last 12 months ({names}), {total} in all; consolidating could save "
                                        "about {saving}."),
                                     category=r.category, vendors=int(r.n_small), small=money(small, currency),
                                     names=names, total=money(r.small_spend, currency), saving=pct(saving, None)),
            "evidence_group": r.evidence_group,
        })
    return pd.DataFrame(rows) if rows else empty_findings()


# Grain: one row per licence (product x vendor), its latest count, with idle seats above the minimum share.
LICENSES_SQL = """
with
ranked as (
    select *, row_number() over (partition by product, vendor order by period desc nulls last, row_no desc) as rn
    from licenses
),
latest as (
    select * from ranked where rn = 1
),
rates as (
    select currency, cast(arg_max(rate, period) as double) as rate from fx_rc where period <= $month group by currency
),
final as (
    select l.product, l.vendor, l.contract_id, l.period, l.seats_purchased, l.seats_assigned, l.seats_active,
        cast(l.unit_cost as double) as unit_cost, l.currency,
        l.seats_purchased - l.seats_active as idle_seats,
        case when l.currency = $reporting then 1.0 else r.rate end as rate
    from latest l
    left join rates r using (currency)
    where l.seats_purchased - l.seats_active > 0
      and l.seats_purchased - l.seats_active >= l.seats_purchased * $min_pct / 100.0
)
select * from final
"""


def unused_licenses(con, params: dict) -> pd.DataFrame:
    """One row per licence with idle seats (purchased minus active) and their annual cost."""
    found = con.execute(LICENSES_SQL, {"month": params["as_of"].replace(day=1),
                                       "reporting": params["reporting_currency"],
                                       "min_pct": float(params["audit_idle_seats_min_pct"])}).df()
    rows = []
    for r in found.itertuples(index=False):
        share = 100 * r.idle_seats / r.seats_purchased
        cost = r.idle_seats * r.unit_cost
        cost_rc = cost * r.rate if pd.notna(r.rate) else None
        message = (N_("{product}: {purchased} seats purchased, {active} active (count of {month}); {idle} idle seats "
                      "({share}) cost {cost} a year.") if pd.notna(r.period) else
                   N_("{product}: {purchased} seats purchased, {active} active; {idle} idle seats ({share}) cost "
                      "{cost} a year."))
        rows.append({
            "key": f"{vendor_key(r.vendor)}|{str(r.product).strip().lower()}",
            "severity": "high" if share >= 30 else "medium" if share >= 15 else "low",
            "vendor": r.vendor, "contract_id": r.contract_id if pd.notna(r.contract_id) else None,
            "amount_at_stake": cost_rc, "finding_date": r.period if pd.notna(r.period) else params["as_of"],
            "explanation": explained(message, product=r.product, purchased=count(r.seats_purchased),
                                     active=count(r.seats_active), month=month(r.period) if pd.notna(r.period) else "",
                                     idle=count(r.idle_seats), share=pct(share, 0), cost=money(cost, r.currency)),
            "evidence": [r.product], "evidence_lines": [],
        })
    return pd.DataFrame(rows) if rows else empty_findings()

