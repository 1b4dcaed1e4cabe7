"""Vendor scorecards: a weighted 0-100 score per vendor from six indicators, and the vendor detail data.

Vendors are identified by their name key (analytics.vendor_names, SQL macro vendor_key), so
"Acme Ltd" in contracts and "ACME LIMITED" in spend are one vendor.

Scoring rules (docs/vendors.md):
- Each indicator maps its measured value to 0-100 (INDICATORS states whether higher or lower is
  better and how). An indicator without data for a vendor is n/a, never zero: the vendor's score is
  the weighted mean over the indicators it has, i.e. the weights renormalised over those present.
- Weights are stored renormalised to 100 (table vendor_scorecard_weights); changing one scales the
  others proportionally (renormalise()).
- The period is a fiscal quarter; SLA, availability and incidents are measured over the quarter,
  the spend indicators over the 12 months ending with it (a quarter of spend is too lumpy:
  annual invoices). The trend compares with the same score at the previous quarter's end.

The package, split along its seams:
- weights.py: the indicators (direction, unit, mapping to 0-100) and the saved weights;
- periods.py: fiscal quarters;
- indicators.py: each indicator per vendor and quarter, computed by refresh() and stored per data version;
- scoring.py: the weighted score, rank, trend and parts (pure, so a weight change needs no query);
- detail.py: one vendor's spend, contracts, SLA results, incidents, findings and credits.
"""
from __future__ import annotations

from analytics.vendors.detail import (sla_history, sla_months, spend_by_quarter, spend_history, vendor_contracts,
                                      vendor_credits, vendor_findings, vendor_incidents)
from analytics.vendors.indicators import components, refresh, refresh_quarters, vendor_list
from analytics.vendors.periods import (default_quarter_end, previous_quarter_end, quarter_bounds, quarter_label,
                                       quarters)
from analytics.vendors.scoring import contributions, parts_table, rests_on_few, scope, score_table, scorecard
from analytics.vendors.weights import (COMPONENT_COLUMNS, DEFAULT_WEIGHTS, INDICATOR_NAMES, INDICATORS, Indicator,
                                       get_weights, indicator, indicator_table, renormalise, save_weights)

__all__ = ["sla_history", "sla_months", "spend_by_quarter", "spend_history", "vendor_contracts", "vendor_credits",
           "vendor_findings", "vendor_incidents", "components", "refresh", "refresh_quarters", "vendor_list",
           "default_quarter_end", "previous_quarter_end", "quarter_bounds", "quarter_label", "quarters",
           "contributions", "parts_table", "rests_on_few", "scope", "score_table", "scorecard", "COMPONENT_COLUMNS",
           "DEFAULT_WEIGHTS", "INDICATOR_NAMES", "INDICATORS", "Indicator", "get_weights", "indicator",
           "indicator_table", "renormalise", "save_weights", "bench_cases"]

# floors for the bench: the same aggregates as plain SQL over the raw tables (vendor_key() is the SQL macro of
# migration 006, applied to the distinct names rather than to every line)
FLOOR_VENDOR_LIST = """
with
names as (
    select vendor, count(*) as contracts, 0 as spend_lines from contracts group by all
    union all
    select vendor, 0, count(*) from spend group by all
)
select vendor_key(vendor) as vendor_key, sum(contracts) as contracts, sum(spend_lines) as spend_lines
from names group by all
"""
FLOOR_SPEND_HISTORY = """
with
names as (select distinct vendor from spend)
select date_trunc('month', s.date) as period, sum(cast(s.amount as decimal(38, 4)) * r.rate) as amount_rc,
    count(*) as lines
from spend s join fx_rc r on r.currency = s.currency and r.period = date_trunc('month', s.date)
where s.vendor in (select vendor from names where vendor_key(vendor) = $vendor_key)
group by all
"""


def bench_cases(con) -> list[tuple]:
    """The queries the Vendors page runs, with plain-SQL floors where the case is an aggregate."""
    from analytics.bench import Floor
    quarter_end = default_quarter_end(con)
    vendors = vendor_list(con)
    key = vendors["vendor_key"].iloc[0] if len(vendors) else ""
    return [
        ("vendors.vendor_list", lambda: vendor_list(con), Floor(FLOOR_VENDOR_LIST)),
        # no floor: components are the stored scorecard indicators (SLA clocks, audit findings, term chains)
        ("vendors.components", lambda: components(con, quarter_end=quarter_end)),
        # no floor: the scorecard weighs and ranks the indicators in pandas, not an aggregate of a table
        ("vendors.scorecard", lambda: scorecard(con, quarter_end=quarter_end)),
        ("vendors.spend_history", lambda: spend_history(con, vendor_key=key),
         Floor(FLOOR_SPEND_HISTORY, {"vendor_key": key})),
        # no floor: the contract register's rows, worked out term by term in Python (see contracts.register)
        ("vendors.vendor_contracts", lambda: vendor_contracts(con, vendor_key=key)),
    ]
