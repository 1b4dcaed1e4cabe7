"""Money at stake counted once: when several findings cite the same spend line, its money counts once.

A finding's amount at stake sits on its evidence spend lines newest first: the newest line carries
as much of it as the line's amount (reporting currency; refunds carry nothing), then the next newest,
and so on. So a duplicate's extra copy is the later copy, and spend above a contract's value is the
spend that came last. Each line's money then goes to the findings citing it in PRIORITY order, each
taking at most what it put on the line and never more than what is left of the line (within one
rule, a finding naming a vendor comes before one that does not, then by finding id).
A finding's `at_stake_counted` is the sum of what it was given; findings citing no spend lines
(renewals, licences, service credits) count their amount at stake as it is. So money one invoice
carries under two rules (a duplicate payment to a vendor without a contract) is counted once, under
the first rule in PRIORITY, and totals by rule or by vendor add up to the overall total.
"""
from __future__ import annotations

import pandas as pd

from analytics import store

# Which rule a shared spend line's money is counted under first: money that can be claimed back
# (recoverable) before exposure, and the more specific finding before the broader one.
PRIORITY = ("duplicate_payment", "service_credits", "over_contract_value", "price_creep", "outside_contract_dates",
            "split_purchase", "data_quality", "no_contract", "unusual_spend", "vendor_consolidation", "renewal_deadline",
            "unused_licenses")
# Money already paid that the evidence says can be claimed back from the vendor; the rest is exposure
# (spend outside control, future terms, idle seats, savings estimates).
RECOVERABLE = ("duplicate_payment", "service_credits", "over_contract_value", "price_creep")

# Grain: one row per finding citing spend lines: the part of its amount at stake counted once.
COUNTED_SQL = """
with
claims as (   -- the spend lines each finding cites (results.detected points audit_current_evidence at them)
    select f.finding_id, f.priority, f.amount_at_stake, e.line_id
    from money_findings f
    join audit_current_evidence e using (finding_id)
    where e.line_id is not null
),
amounts as (
    select c.*, s.date, greatest(cast(s.amount_rc as double), 0) as line_amount
    from claims c
    join spend_rc s on s.batch_id * 10000000000 + s.row_no = c.line_id
),
shares as (
    select *,
        least(line_amount, greatest(amount_at_stake - coalesce(sum(line_amount) over (
            partition by finding_id order by date desc, line_id desc
            rows between unbounded preceding and 1 preceding), 0), 0)) as claim
    from (select *, sum(line_amount) over (partition by finding_id) as weight from amounts)
),
granted as (
    select finding_id, weight,
        least(claim, greatest(line_amount - coalesce(sum(claim) over (
            partition by line_id order by priority, finding_id rows between unbounded preceding and 1 preceding), 0),
            0)) as granted
    from shares
),
final as (
    select finding_id, sum(granted) as counted, max(weight) as weight
    from granted
    group by finding_id
)
select * from final
"""


def priority(rule: str) -> int:
    """The rule's place in PRIORITY (rules not listed come after, in name order via the finding id)."""
    return PRIORITY.index(rule) if rule in PRIORITY else len(PRIORITY)


def kind(rule: str) -> str:
    """'recoverable' or 'exposure'."""
    return "recoverable" if rule in RECOVERABLE else "exposure"


def counted(con, frame: pd.DataFrame) -> pd.Series:
    """at_stake_counted for each finding of `frame` (same index): its amount at stake, counted once.

    Every finding in `frame` competes for its lines, so pass the live findings (dismissed ones left out), as
    results.detected read them on `con` (their evidence rows: the view audit_current_evidence).
    A missing amount (no fx rate) counts as 0.
    """
    amounts = pd.to_numeric(frame["amount_at_stake"], errors="coerce").fillna(0.0).clip(lower=0.0)
    if frame.empty:
        return amounts.astype(float)
    claims = pd.DataFrame({"finding_id": frame["finding_id"],
                           # within a rule, a finding naming a vendor before one that does not (a cost center's)
                           "priority": 2 * frame["rule"].map(priority) + frame["vendor"].isna().astype(int),
                           "amount_at_stake": amounts})
    with store.frame_as_table(con, "money_findings", claims):
        found = con.execute(COUNTED_SQL).df()
    # a finding citing no spend line, or whose lines carry no money in the reporting currency (no fx rate), keeps
    # its amount
    given = found[found["weight"] > 0].set_index("finding_id")["counted"]
    return frame["finding_id"].map(given).fillna(amounts).astype(float)


# Grain: one row per detected finding whose money counted once can change when the findings in dismissed_findings
# leave the count: those sharing a spend line with them (`changed`), and every finding sharing a line with one of
# those (their claims on those lines decide what is left for them).
AROUND_DISMISSED_SQL = """
with
freed as (   -- the spend lines the dismissed findings claimed
    select distinct e.line_id
    from audit_current_evidence e
    where e.line_id is not null and e.finding_id in (select finding_id from dismissed_findings)
),
changed as (
    select distinct e.finding_id
    from audit_current_evidence e join freed using (line_id)
),
their_lines as (
    select distinct e.line_id
    from audit_current_evidence e
    where e.line_id is not null and e.finding_id in (select finding_id from changed)
),
final as (
    select distinct e.finding_id, e.finding_id in (select finding_id from changed) as changed
    from audit_current_evidence e join their_lines using (line_id)
)
select * from final
"""


def counted_live(con, frame: pd.DataFrame, live: pd.Series, stored: pd.Series | None) -> pd.Series:
    """counted() of the live findings of `frame` (`live`: a boolean mask, dismissed ones False), from the money the
    job counted with every detected finding live (`stored`, results.stored_counted; None: count it all here).

    A finding's counted money changes when a finding it shares a spend line with is dismissed (that line's money is
    free for the next finding in PRIORITY); only those findings are counted again, each together with every finding
    citing one of its lines: what a line gives a finding depends only on the claims on that line, so the result is
    the same as counted(con, frame[live]). Reviewed findings no longer detected cite no line: their amount.
    """
    mine = frame[live]
    if stored is None:
        return counted(con, mine)
    amounts = pd.to_numeric(mine["amount_at_stake"], errors="coerce").fillna(0.0).clip(lower=0.0)
    result = mine["finding_id"].map(stored).astype(float).fillna(amounts)
    detected = frame["finding_id"].isin(stored.index)
    dismissed = frame.loc[~live & detected, ["finding_id"]]
    if dismissed.empty:
        return result
    with store.frame_as_table(con, "dismissed_findings", dismissed):
        around = con.execute(AROUND_DISMISSED_SQL).df()
    if around.empty:   # the dismissed findings cite no spend line (renewals, licences) or share none
        return result
    near = mine[mine["finding_id"].isin(around["finding_id"])]
    again = counted(con, near)
    changed = near["finding_id"].isin(around.loc[around["changed"], "finding_id"])
    result.loc[changed[changed].index] = again[changed]
    return result
