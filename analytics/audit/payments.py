"""Rules about individual payments: duplicate_payment and split_purchase.

Both read the temp table audit_spend (engine.prepare). Refunds and credit notes (negative
amounts) are never duplicates; a credit note for the same amount cancels one extra copy.
"""
from __future__ import annotations

import math

import pandas as pd

from analytics.audit import engine
from analytics.audit.engine import days, empty_findings, explained, fmt_date, money
from analytics.i18n import N_

# Both duplicate queries start from a small candidate table: lines whose vendor, currency, amount
# and invoice number repeat, and lines with an equal payment (same vendor, currency, amount and
# description) at most `window` days before or after them; plus the credit notes that could cancel
# them. The prefilter groups by a 64-bit hash of the keys (cheaper to sort than the strings); a
# collision could only add candidates, which the exact grouping below then drops.
CANDIDATES_SQL = """
create or replace temp table audit_duplicate_candidates as
with
same_invoice as (
    select unnest(line_ids) as line_id
    from (
        select list(line_id) as line_ids
        from audit_spend
        where amount > 0 and invoice_id is not null
        group by hash(vendor_key, currency, amount, audit_invoice_key(invoice_id))
        having count(*) > 1
    )
),
same_amount as (
    select line_id
    from (
        select line_id, date - lag(date) over w as gap_before, lead(date) over w - date as gap_after
        from audit_spend
        where amount > 0
        window w as (partition by hash(vendor_key, currency, amount, description) order by date, line_id)
    )
    where gap_before <= $window or gap_after <= $window
),
candidates as (
    select s.line_id, s.vendor_key, s.currency, s.amount, s.date, audit_invoice_key(s.invoice_id) as invoice_key,
        coalesce(s.description, '') as description_key, s.vendor, s.contract_id, s.amount_rc, s.invoice_id,
        s.batch_id, s.row_no
    from audit_spend s
    where s.line_id in (select line_id from same_invoice union select line_id from same_amount)
),
credits as (
    select s.line_id, s.vendor_key, s.currency, -s.amount as amount, s.date,
        audit_invoice_key(s.invoice_id) as invoice_key, coalesce(s.description, '') as description_key, s.vendor,
        s.contract_id, s.amount_rc, s.invoice_id, s.batch_id, s.row_no
    from audit_spend s
    semi join candidates c on c.vendor_key = s.vendor_key and c.currency = s.currency and c.amount = -s.amount
    where s.amount < 0
),
final as (   -- part: which pass of SAME_AMOUNT_SQL clusters the line (a payment and its credit notes share one)
    select *, hash(vendor_key, currency, amount) as part, false as is_credit from candidates
    union all
    select *, hash(vendor_key, currency, amount), true from credits
)
select * from final
"""
SHARED_SQL = """
candidates as (select * exclude (is_credit, part) from audit_duplicate_candidates where not is_credit),
credits as (select * exclude (is_credit, part) from audit_duplicate_candidates where is_credit),
"""

# Grain: one row per (vendor, invoice number, currency, amount) paid more than once.
SAME_INVOICE_SQL = f"""
create or replace temp table audit_duplicate_invoices as
with
{SHARED_SQL}
repeated_invoices as (
    select vendor_key, invoice_key, currency, amount
    from candidates
    where invoice_key is not null
    group by all
    having count(*) > 1
),
copies as (
    select c.vendor_key, c.invoice_key, c.currency, c.amount,
        mode(s.vendor) as vendor, mode(s.contract_id) as contract_id, any_value(s.invoice_id) as invoice_id,
        count(*) as n_copies, min(s.date) as first_date, max(s.date) as last_date,
        cast(avg(s.amount_rc) as double) as amount_rc,
        list(s.date order by s.date, s.line_id) as dates,
        list(audit_ref(s.invoice_id, s.batch_id, s.row_no) order by s.date, s.line_id) as evidence,
        list(s.line_id order by s.date, s.line_id) as evidence_lines
    from candidates c
    semi join repeated_invoices using (vendor_key, invoice_key, currency, amount)
    join audit_spend s using (line_id)
    group by c.vendor_key, c.invoice_key, c.currency, c.amount
),
matched_credits as (
    select c.vendor_key, c.invoice_key, c.currency, c.amount, count(*) as n_credits
    from copies c
    join credits cr
        on cr.vendor_key = c.vendor_key and cr.currency = c.currency and cr.amount = c.amount
    where cr.invoice_key = c.invoice_key
       or cr.date between c.first_date and c.last_date + cast($window as integer)
    group by all
),
final as (
    select c.*, c.n_copies - 1 - coalesce(cr.n_credits, 0) as n_extra
    from copies c
    left join matched_credits cr using (vendor_key, invoice_key, currency, amount)
)
select * from final where n_extra > 0
"""

# Grain: one row per cluster of equal payments (vendor, currency, amount, description) at most
# `window` days apart whose invoice numbers are missing or differ (copies of one invoice count once
# here). Two different services that happen to cost the same (different descriptions) are not. A
# regular schedule (three or more payments at even intervals, e.g. a weekly fee) is not a duplicate.
# A table macro run in passes (`passes`, `pass`): each clusters the candidates of a share of the (vendor, currency,
# amount) keys, so the ordered lists of a pass fit DuckDB's memory limit whatever the number of candidates (at 100M
# spend lines one pass ran out of the job's 4GB). Clusters and credit notes never span two keys.
SAME_AMOUNT_SQL = """
create or replace temp macro audit_same_amount(window_days, passes, pass) as table
with
candidates as (
    select * exclude (is_credit, part) from audit_duplicate_candidates where not is_credit and part % passes = pass
),
credits as (
    select * exclude (is_credit, part) from audit_duplicate_candidates where is_credit and part % passes = pass
),
neighbours as (
    select *,
        date - lag(date) over w as gap_before,
        lead(date) over w - date as gap_after
    from candidates
    window w as (partition by vendor_key, currency, amount, description_key order by date, line_id)
),
near as (
    select * from neighbours where gap_before <= window_days or gap_after <= window_days
),
identities as (
    select vendor_key, currency, amount, description_key, coalesce(invoice_key, 'line ' || line_id) as identity,
        min(date) as date, min(line_id) as first_line, list(line_id order by date, line_id) as lines
    from near
    group by vendor_key, currency, amount, description_key, identity
),
gaps as (
    select *, date - lag(date) over w as gap
    from identities
    window w as (partition by vendor_key, currency, amount, description_key order by date, first_line)
),
clustered as (
    select *, sum(case when gap is null or gap > window_days then 1 else 0 end)
        over (partition by vendor_key, currency, amount, description_key order by date, first_line
              rows between unbounded preceding and current row) as cluster
    from gaps
),
clusters as (
    select vendor_key, currency, amount, description_key, cluster,
        count(*) as n_payments, min(date) as first_date, max(date) as last_date,
        min(gap) filter (where gap <= window_days) as min_gap, max(gap) filter (where gap <= window_days) as max_gap,
        list(date order by date, first_line) as dates,
        flatten(list(lines order by date, first_line)) as lines
    from clustered
    group by vendor_key, currency, amount, description_key, cluster
    having count(*) > 1
),
matched_credits as (
    select c.vendor_key, c.currency, c.amount, c.description_key, c.cluster, count(*) as n_credits
    from clusters c
    join credits cr
        on cr.vendor_key = c.vendor_key and cr.currency = c.currency and cr.amount = c.amount
        and cr.date between c.first_date and c.last_date + cast(window_days as integer)
    group by all
),
kept as (
    select c.*, c.n_payments - 1 - coalesce(cr.n_credits, 0) as n_extra
    from clusters c
    left join matched_credits cr using (vendor_key, currency, amount, description_key, cluster)
    where not (c.n_payments >= 3 and c.max_gap - c.min_gap <= 2 and c.min_gap >= 5)
      and c.n_payments - 1 - coalesce(cr.n_credits, 0) > 0
),
details as (
    select k.vendor_key, k.currency, k.amount, k.description_key, k.cluster,
        mode(s.vendor) as vendor, mode(s.contract_id) as contract_id, cast(avg(s.amount_rc) as double) as amount_rc,
        list(audit_ref(s.invoice_id, s.batch_id, s.row_no) order by s.date, s.line_id) as evidence,
        list(s.line_id order by s.date, s.line_id) as evidence_lines
    from (select vendor_key, currency, amount, description_key, cluster, unnest(lines) as line_id from kept) k
    join candidates s using (line_id)
    group by all
),
final as (
    select k.vendor_key, k.currency, k.amount, k.description_key, k.n_payments, k.n_extra, k.first_date, k.last_date, k.dates,
        d.vendor, d.contract_id, d.amount_rc, d.evidence, d.evidence_lines
    from kept k join details d using (vendor_key, currency, amount, description_key, cluster)
)
select * from final
"""

SAME_AMOUNT_FIRST_SQL = """
create or replace temp table audit_duplicate_amounts as
select * from audit_same_amount($window, $passes, 0)
"""
SAME_AMOUNT_NEXT_SQL = """
insert into audit_duplicate_amounts
select * from audit_same_amount($window, $passes, $pass)
"""
# candidates clustered in one pass of SAME_AMOUNT_SQL: at 10M spend lines there are about 150,000 (one pass)
CANDIDATES_PER_PASS = 1_000_000

# Grain: one row per suspected duplicate of either kind (kind 'invoice': SAME_INVOICE_SQL, 'amount': SAME_AMOUNT_SQL).
DUPLICATES_SQL = """
create or replace temp table audit_rule_found as
select 'invoice' as kind, * from audit_duplicate_invoices
union all by name
select 'amount' as kind, * from audit_duplicate_amounts
"""


def duplicate_payment(con, params: dict) -> pd.DataFrame:
    """One row per suspected duplicate: same invoice paid twice, or the same amount close in time."""
    window = int(params["audit_duplicate_window_days"])
    con.execute(CANDIDATES_SQL, {"window": window})
    con.execute(SAME_INVOICE_SQL, {"window": window})
    con.execute(SAME_AMOUNT_SQL)
    candidates = con.execute("select count(*) from audit_duplicate_candidates").fetchone()[0]
    passes = max(1, math.ceil(candidates / CANDIDATES_PER_PASS))
    con.execute(SAME_AMOUNT_FIRST_SQL, {"window": window, "passes": passes})
    for part in range(1, passes):
        con.execute(SAME_AMOUNT_NEXT_SQL, {"window": window, "passes": passes, "pass": part})
    found = engine.found(con, DUPLICATES_SQL, {})
    if found.empty:
        return empty_findings()
    # column by column, not a dict per finding: at 10M lines chance repeats already make 26,045 findings
    invoice = found[found["kind"] == "invoice"]
    amount = found[found["kind"] == "amount"]
    return pd.concat([_same_invoice_findings(invoice), _same_amount_findings(amount)], ignore_index=True)


def _at_stake(found: pd.DataFrame) -> pd.Series:
    """The extra payments in the reporting currency; None without an fx rate."""
    return (found["amount_rc"] * found["n_extra"]).astype("object").where(found["amount_rc"].notna(), None)


def _same_invoice_findings(found: pd.DataFrame) -> pd.DataFrame:
    message = N_("Invoice {invoice} from {vendor} for {amount} was paid {copies} times ({dates}); {extra} payment(s) "
                 "look duplicated.")
    columns = zip(found["vendor_key"], found["invoice_key"], found["currency"], found["amount"], found["invoice_id"],
                  found["vendor"], found["n_copies"], found["dates"], found["n_extra"])
    keys, explanations = [], []
    for vendor_key, invoice_key, currency, paid, invoice_id, vendor, copies, dates, extra in columns:
        keys.append(f"invoice|{vendor_key}|{invoice_key}|{currency}|{paid:.4f}")
        explanations.append(explained(message, invoice=invoice_id, vendor=vendor, amount=money(paid, currency),
                                      copies=int(copies), dates=days(dates), extra=int(extra)))
    return pd.DataFrame({"key": keys, "severity": "high", "vendor": found["vendor"].to_numpy(),
                         "contract_id": found["contract_id"].to_numpy(), "amount_at_stake": _at_stake(found).to_numpy(),
                         "finding_date": found["last_date"].to_numpy(), "explanation": explanations,
                         "evidence_group": found["evidence_group"].to_numpy()})


def _same_amount_findings(found: pd.DataFrame) -> pd.DataFrame:
    message = N_("{vendor} was paid {amount} {payments} times within {days} days ({dates}) with missing or different "
                 "invoice numbers; {extra} payment(s) may be duplicates.")
    columns = zip(found["vendor_key"], found["currency"], found["amount"], found["description_key"],
                  found["first_date"], found["last_date"], found["vendor"], found["n_payments"], found["dates"],
                  found["n_extra"])
    keys, explanations = [], []
    for vendor_key, currency, paid, description_key, first, last, vendor, payments, dates, extra in columns:
        keys.append(f"amount|{vendor_key}|{currency}|{paid:.4f}|{description_key}|{fmt_date(first)}")
        explanations.append(explained(message, vendor=vendor, amount=money(paid, currency), payments=int(payments),
                                      days=(last - first).days, dates=days(dates), extra=int(extra)))
    return pd.DataFrame({"key": keys, "severity": "medium", "vendor": found["vendor"].to_numpy(),
                         "contract_id": found["contract_id"].to_numpy(), "amount_at_stake": _at_stake(found).to_numpy(),
                         "finding_date": found["last_date"].to_numpy(), "explanation": explanations,
                         "evidence_group": found["evidence_group"].to_numpy()})


# Grain: one row per cluster of payments to one vendor, each just under the approval threshold
# (in the reporting currency), less than `window` days apart, together above the threshold.
SPLIT_SQL = """
create or replace temp table audit_rule_found as
with
near as (
    select * from audit_spend
    where amount_rc >= $threshold * (1 - $margin / 100.0) and amount_rc < $threshold
),
gaps as (
    select *, date - lag(date) over (partition by vendor_key order by date, line_id) as gap from near
),
clustered as (
    select *, sum(case when gap is null or gap > $window then 1 else 0 end)
        over (partition by vendor_key order by date, line_id rows between unbounded preceding and current row) as cluster
    from gaps
),
final as (
    select vendor_key, cluster, mode(vendor) as vendor, mode(contract_id) as contract_id,
        count(*) as n_payments, min(date) as first_date, max(date) as last_date,
        cast(sum(amount_rc) as double) as total_rc,
        list(audit_ref(invoice_id, batch_id, row_no) order by date, line_id) as evidence,
        list(line_id order by date, line_id) as evidence_lines
    from clustered
    group by vendor_key, cluster
    having count(*) >= 2 and sum(amount_rc) > $threshold
)
select * from final
"""


def split_purchase(con, params: dict) -> pd.DataFrame:
    """One row per group of payments that look split to stay under the approval threshold."""
    threshold = float(params["audit_approval_threshold"])
    found = engine.found(con, SPLIT_SQL, {"threshold": threshold, "margin": float(params["audit_split_margin_pct"]),
                                          "window": int(params["audit_split_window_days"])})
    currency = params["reporting_currency"]
    rows = []
    for r in found.itertuples(index=False):
        within = (r.last_date - r.first_date).days
        rows.append({
            "key": f"{r.vendor_key}|{fmt_date(r.first_date)}",
            "severity": "high" if r.n_payments >= 3 else "medium", "vendor": r.vendor, "contract_id": r.contract_id,
            "amount_at_stake": r.total_rc, "finding_date": r.first_date,
            "explanation": explained(N_("{payments} payments to {vendor} within {days} days, each just under the "
                                        "{threshold} approval threshold, total {total}."),
                                     payments=int(r.n_payments), vendor=r.vendor, days=within,
                                     threshold=money(threshold, currency), total=money(r.total_rc, currency)),
            "evidence_group": r.evidence_group,
        })
    return pd.DataFrame(rows) if rows else empty_findings()
