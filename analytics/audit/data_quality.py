"""Rule data_quality: spend imported with a placeholder instead of a name.

An import accepts a spend line whose vendor, cost center or category is blank (stored as
"(not stated)") or withheld by the publisher (stored as "(redacted)"), so people can load their own
books; the audit then lists that money, because it cannot be attributed: a vendor not stated escapes
the contract, duplicate and consolidation checks, a cost center not stated escapes budget ownership.
Money at stake: the positive amount of those lines (reporting currency), counted once with the other
exposure rules (money.py). Original text kept at import (table import_original_text) is shown with
the evidence (audit.evidence, column original_text).
"""
from __future__ import annotations

import pandas as pd

from analytics.audit import engine
from analytics.audit.engine import count, empty_findings, explained, fiscal_year, money
from analytics.i18n import N_
from analytics.datasets import NOT_STATED, REDACTED

# (column, withheld by the publisher?) -> the whole explanation: what is lost when the column holds no name
MESSAGES = {
    ("vendor", False): N_("{lines} spend line(s) in {year} with the vendor blank, imported as {placeholder}: {amount} "
                          "cannot be attributed to a vendor (no contract, duplicate or consolidation check can see "
                          "it). Correct the source file and re-import it."),
    ("vendor", True): N_("{lines} spend line(s) in {year} with the vendor withheld by the publisher, imported as "
                         "{placeholder}: {amount} cannot be attributed to a vendor (no contract, duplicate or "
                         "consolidation check can see it). Correct the source file and re-import it."),
    ("cost_center", False): N_("{lines} spend line(s) in {year} with the cost center blank, imported as "
                               "{placeholder}: {amount} cannot be charged to a cost center's budget. Correct the "
                               "source file and re-import it."),
    ("cost_center", True): N_("{lines} spend line(s) in {year} with the cost center withheld by the publisher, "
                              "imported as {placeholder}: {amount} cannot be charged to a cost center's budget. "
                              "Correct the source file and re-import it."),
    ("category", False): N_("{lines} spend line(s) in {year} with the category blank, imported as {placeholder}: "
                            "{amount} cannot be placed in a cost pool. Correct the source file and re-import it."),
    ("category", True): N_("{lines} spend line(s) in {year} with the category withheld by the publisher, imported as "
                           "{placeholder}: {amount} cannot be placed in a cost pool. Correct the source file and "
                           "re-import it."),
}

# Grain: one row per column x placeholder x fiscal year with spend lines holding the placeholder.
PLACEHOLDER_SQL = """
create or replace temp table audit_rule_found as
with
lines as (
    select 'vendor' as column_name, vendor as placeholder, * from audit_spend where vendor in ($not_stated, $redacted)
    union all
    select 'cost_center', cost_center, * from audit_spend where cost_center in ($not_stated, $redacted)
    union all
    select 'category', category, * from audit_spend where category in ($not_stated, $redacted)
),
dated as (
    select *, year(date) + case when month(date) >= $fy_start and $fy_start > 1 then 1 else 0 end as fiscal_year
    from lines
),
final as (
    select column_name, placeholder, fiscal_year,
        count(*) as n_lines, min(date) as first_date, max(date) as last_date,
        cast(sum(greatest(amount_rc, 0)) as double) as total_rc,
        bool_or(amount_rc is null and amount > 0) as has_missing_fx,
        count(distinct vendor) as n_vendors, mode(vendor) as vendor,
        list(audit_ref(invoice_id, batch_id, row_no) order by date, line_id) as evidence,
        list(line_id order by date, line_id) as evidence_lines
    from dated
    group by all
)
select * from final order by column_name, placeholder, fiscal_year
"""


def placeholder_spend(con, params: dict) -> pd.DataFrame:
    """One finding per column x placeholder x fiscal year: spend lines whose name is not stated or withheld."""
    start = int(params["fiscal_year_start_month"])
    found = engine.found(con, PLACEHOLDER_SQL, {"not_stated": NOT_STATED, "redacted": REDACTED, "fy_start": start})
    currency = params["reporting_currency"]
    rows = []
    for r in found.itertuples(index=False):
        amount = None if r.has_missing_fx else r.total_rc
        rows.append({
            "key": f"{r.column_name}|{r.placeholder}|{int(r.fiscal_year)}",
            "severity": "medium" if r.column_name == "vendor" else "low",
            "vendor": r.placeholder if r.column_name == "vendor" else (r.vendor if r.n_vendors == 1 else None),
            "contract_id": None, "amount_at_stake": amount, "finding_date": r.last_date,
            "explanation": explained(MESSAGES[r.column_name, r.placeholder != NOT_STATED], lines=count(r.n_lines),
                                     year=fiscal_year(r.fiscal_year, start), placeholder=repr(r.placeholder),
                                     amount=money(amount, currency)),
            "evidence_group": r.evidence_group,
        })
    return pd.DataFrame(rows) if rows else empty_findings()
