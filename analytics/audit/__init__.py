"""Cost audit: explainable findings with their evidence and the money at stake, and their review.

Public API (stable, used by the report pack, the vendor scorecard and the metric catalog):
- refresh(con): run every rule and store the findings for the current data version (a job, after writes);
- findings(con, *, include_dismissed=False) -> one row per finding (stored, else computed in memory
  without writing), with review states joined and at_stake_counted (money counted once, money.py);
- at_stake(con, *, by=None, vendor=None) -> the money at stake counted once, in total or by rule/vendor;
- evidence(con, *, finding_ids=None) -> one row per finding x evidence row;
- review(con, finding_id, status=..., reason=..., amount_recovered=...) and totals(con);
- rules(): the registered rules (this package's AUDIT_RULES plus every domain module's).
Every rule is set-based SQL over the temp tables engine.prepare() builds; see docs/audit.md.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics import i18n, settings, store, vendor_names
from analytics.i18n import N_
from analytics.audit import contract_rules, data_quality, engine, money, patterns, payments, results, reviews
from analytics.audit.engine import FINDING_COLUMNS, Rule, RuleError, rules, vendor_key  # noqa: F401
from analytics.audit.results import refresh  # noqa: F401
from analytics.audit.reviews import STATUSES, ReviewError, Totals, history, review  # noqa: F401


def _categories(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _yes_no(value: str) -> bool:
    text = value.strip().lower()
    if text not in ("true", "false", "yes", "no", "1", "0"):
        raise settings.SettingError(f"{value!r} is not true or false")
    return text in ("true", "yes", "1")


def _percent(value: str) -> float:
    number = settings.positive_number(value)
    if number > 100:
        raise settings.SettingError(f"{value!r} must be a percentage between 0 and 100")
    return number


S = settings.Setting
SETTINGS = [
    S("audit_duplicate_window_days", "14", "Cost audit: payments of the same amount to one vendor this many days apart "
      "or less, with missing or different invoice numbers, count as possible duplicates.", settings.positive_int),
    S("audit_approval_threshold", "10000", "Cost audit: purchase approval limit in the reporting currency "
      "(split_purchase looks for payments just under it).", settings.positive_number),
    S("audit_split_margin_pct", "10", "Cost audit: 'just under' the approval limit means within this % below it.",
      _percent),
    S("audit_split_window_days", "7", "Cost audit: split payments must be at most this many days apart.",
      settings.positive_int),
    S("audit_no_contract_threshold", "10000", "Cost audit: a vendor without a contract is reported when its spend in "
      "a fiscal year exceeds this amount (reporting currency).", settings.positive_number),
    S("audit_exempt_categories", "Internal Services, Staffing", "Cost audit: categories that need no vendor contract "
      "(internal recharges, payroll) and are left out of no_contract and vendor_consolidation (comma-separated). "
      "Remove Staffing to check contractor agencies too.", _categories),
    S("audit_contract_grace_days", "30", "Cost audit: spend this many days before a contract's start or after its "
      "end is still accepted (late invoices, early set-up).", settings.positive_int),
    S("audit_contract_value_tolerance_pct", "5", "Cost audit: spend under a contract may exceed its annual value by "
      "this % in a contract year before it is reported.", settings.positive_number),
    S("audit_allowed_uplift_pct", "5", "Cost audit: the yearly price increase contracts allow; recurring charges "
      "rising more within 12 months are reported as price creep.", settings.positive_number),
    S("audit_recurring_min_months", "6", "Cost audit: a charge is recurring when billed in at least this many "
      "months at a mostly unchanged price.", settings.positive_int),
    S("audit_unusual_lookback_months", "12", "Cost audit: unusual_spend checks the last this many complete months.",
      settings.positive_int),
    S("audit_unusual_mad_factor", "4", "Cost audit: the expected range is this many robust standard deviations of "
      "the series' past errors either side of the expected value.", settings.positive_number),
    S("audit_unusual_band_pct", "50", "Cost audit: the expected range is at least this % of the expected value "
      "either side.", settings.positive_number),
    S("audit_unusual_min_amount", "10000", "Cost audit: the expected range is at least this amount either side "
      "(reporting currency), so small wobbles are never reported.", settings.positive_number),
    S("audit_unusual_include_drops", "false", "Cost audit: also report months far below their expected range "
      "(missing invoices, a cancelled service); no money at stake.", _yes_no),
    S("audit_idle_seats_min_pct", "10", "Cost audit: licences are reported when idle seats (purchased minus active) "
      "are at least this % of those purchased.", _percent),
    S("audit_renewal_window_days", "90", "Cost audit: report auto-renewing contracts whose cancel-by date is within "
      "this many days.", settings.positive_int),
    S("audit_consolidation_min_vendors", "5", "Cost audit: a category is worth consolidating when at least this "
      "many vendors each had small spend in it in the last 12 months.", settings.positive_int),
    S("audit_consolidation_small_spend", "25000", "Cost audit: a vendor's spend in a category is small below this "
      "amount over 12 months (reporting currency).", settings.positive_number),
    S("audit_consolidation_saving_pct", "10", "Cost audit: the saving expected from consolidating small vendors, "
      "as a % of their spend.", _percent),
]

AUDIT_RULES = [
    Rule("duplicate_payment", "DUP", N_("Duplicate payments"),
         N_("The same vendor and invoice number paid twice, or the same amount within a few days with missing or "
         "different invoice numbers."), payments.duplicate_payment, ("audit_duplicate_window_days",)),
    Rule("no_contract", "NOC", N_("Spend without a contract"),
         N_("Vendors with spend above the threshold in a fiscal year and no contract at all."), contract_rules.no_contract,
         ("audit_no_contract_threshold", "audit_exempt_categories")),
    Rule("outside_contract_dates", "OCD", N_("Spend outside contract dates"),
         N_("Spend dated before a contract started or after it ended, beyond the grace period: billed under the "
         "contract, or billed to its vendor without a contract reference when none of the vendor's contracts ran."),
         contract_rules.outside_contract_dates, ("audit_contract_grace_days", "audit_exempt_categories")),
    Rule("over_contract_value", "OCV", N_("Spend above contract value"),
         N_("Spend under a contract in a contract year above its annual value by more than the tolerance."),
         contract_rules.over_contract_value, ("audit_contract_value_tolerance_pct",)),
    Rule("price_creep", "PRC", N_("Price creep"),
         N_("Recurring charges rising faster than the allowed yearly uplift."), contract_rules.price_creep,
         ("audit_allowed_uplift_pct", "audit_recurring_min_months")),
    Rule("unusual_spend", "UNS", N_("Unusual monthly spend"),
         N_("A vendor's or cost center's monthly spend outside the range expected from its own history "
         "(same month last year plus the recent change in level)."), patterns.unusual_spend,
         ("audit_unusual_lookback_months", "audit_unusual_mad_factor", "audit_unusual_band_pct",
          "audit_unusual_min_amount", "audit_unusual_include_drops")),
    Rule("unused_licenses", "LIC", N_("Unused licences"),
         N_("Seats purchased minus seats active, with the annual cost of the idle seats."), patterns.unused_licenses,
         ("audit_idle_seats_min_pct",)),
    Rule("renewal_deadline", "REN", N_("Renewal deadlines"),
         N_("Auto-renewing contracts whose cancel-by date falls within the window, with the next term's value."),
         contract_rules.renewal_deadline, ("audit_renewal_window_days",)),
    Rule("vendor_consolidation", "CON", N_("Vendor consolidation"),
         N_("Categories served by many vendors with small spend each."), patterns.vendor_consolidation,
         ("audit_consolidation_min_vendors", "audit_consolidation_small_spend", "audit_consolidation_saving_pct",
          "audit_exempt_categories")),
    Rule("split_purchase", "SPL", N_("Split purchases"),
         N_("Several payments to one vendor in a short window, each just under the approval threshold, together above it."),
         payments.split_purchase, ("audit_approval_threshold", "audit_split_margin_pct", "audit_split_window_days")),
    Rule("data_quality", "DQ", N_("Spend without a name"), N_("Spend lines imported with a blank vendor, cost center or "
         "category ('(not stated)') or a withheld one ('(redacted)'): money that cannot be attributed."),
         data_quality.placeholder_spend),
]


def findings(con, *, include_dismissed: bool = False, explained: bool = True) -> pd.DataFrame:
    """One row per finding, sorted by amount at stake (largest first).

    Columns: finding_id, rule, severity, vendor, contract_id, amount_at_stake (reporting currency),
    currency, finding_date, explanation, evidence (the first engine.EVIDENCE_KEPT invoice ids, contract ids or
    licence products; all of them: evidence() and evidence_refs()), evidence_count (how many evidence rows),
    status (open/confirmed/dismissed/resolved),
    reason, amount_recovered, reviewed_at, is_detected (False for a reviewed finding no longer found),
    money (recoverable | exposure), at_stake_counted (the amount at stake with money several findings
    cite counted once, see money.py; 0 for dismissed findings).
    Reads the findings stored for the current data version (refresh); computes them in memory,
    without writing, when none are stored. The explanations read in the current language (analytics.i18n);
    explained=False leaves them as stored (explain() puts the rows a caller shows into words: at 100M spend lines
    putting 3M explanations into words took 87 s).
    """
    frame = _state(con)   # a copy of it below: a caller's changes stay its own
    dismissed = frame["status"] == "dismissed"
    frame = frame[~dismissed].reset_index(drop=True) if not include_dismissed and dismissed.any() else frame.copy()
    return explain(frame) if explained else frame


def _state(con) -> pd.DataFrame:
    """findings(include_dismissed=True, explained=False) of the state `con` reads, shared in this process when the
    job stored them: read it, never change it."""
    key = _shared_key(con)
    if key is None:
        return _findings(con)
    # one reader computes a state, the others wait for it: at a server's start the warm-up, the Overview's tile and
    # the Vendors scorecard each ask at once, and at 100M spend lines one read needs 9 GB
    with _SHARING:
        frame = _SHARED.get(key)
        if frame is None:
            frame = _findings(con)
            while len(_SHARED) >= SHARED_STATES:  # the oldest state goes first
                _SHARED.pop(next(iter(_SHARED)), None)
            _SHARED[key] = frame
        else:
            con.execute(results.STORED_EVIDENCE_VIEW)  # evidence(con, frame=...) reads the view detected() would set
    return frame


def share(con) -> None:
    """Read the findings of the state `con` reads into what this process shares (when the job stored them), so
    that no page waits for them: a server's warm-up does it after every write. The Overview's audit tile, the
    Vendors scorecard and the Cost audit page all read them (at 10M spend lines 0.7 s, the largest part of the
    Overview's first run on a server that just started)."""
    _state(con)


def explain(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (from findings(explained=False)) with its explanations in the current language."""
    return frame.assign(explanation=frame["explanation"].map(engine.explanation))


def _findings(con) -> pd.DataFrame:
    """findings(include_dismissed=True, explained=False), computed."""
    frame = reviews.with_reviews(con, results.detected(con), include_dismissed=True)
    live = frame["status"] != "dismissed"
    frame["money"] = frame["rule"].map(money.kind)
    counted = pd.Series(0.0, index=frame.index)
    if live.any():
        counted[live] = money.counted_live(con, frame, live, results.stored_counted(con))
    frame["at_stake_counted"] = counted   # a new column, not a .loc write: that merged every column's block (26 s)
    return frame.copy()   # its blocks merged once: each reader's copy is then a plain copy (at 3M findings, seconds)


# findings() of one state of a database, shared by its readers in this process: the Overview's audit tile, both
# quarters of the Vendors scorecard, the Cost audit page and the reports each ask for them. A state is the database
# file, its data version and the review states (the explanations are put into words per reader). Only findings the
# job stored are shared: computed ones follow tables a test may write straight into, without a new data version.
_SHARED: dict[tuple, pd.DataFrame] = {}
_SHARING = threading.Lock()
SHARED_STATES = 4
STATE_SQL = """
select
    (select path from duckdb_databases() where database_name = current_database()) as path,
    v.version,
    exists (select 1 from audit_results r where r.data_version = v.version) as stored,
    (select count(*) || ':' || coalesce(sum(hash(finding_id, status, reason, amount_recovered, reviewed_at)), 0)
     from audit_reviews) as reviewed
from data_version v
"""


def _shared_key(con) -> tuple | None:
    """The state findings() would read on `con`, or None when it is not shared (in memory, not stored)."""
    if store.schema_version(con) < results.RESULTS_SCHEMA:
        return None
    path, version, stored, reviewed = con.execute(STATE_SQL).fetchone()
    if not path or not stored:
        return None
    return path, version, reviewed


def findings_listed(con, *, include_dismissed: bool = False) -> pd.DataFrame:
    """findings(explained=False) without the evidence references, with how many evidence rows each has
    (`evidence_count`): what the Cost audit page lists and filters (the lists were most of the frame: at 10M lines
    61 of 69 MB, 1.3 s to copy out of the page cache on every visit); the page puts the rows it shows into words
    (explain) and reads the picked finding's evidence with evidence()."""
    return findings(con, include_dismissed=include_dismissed, explained=False).drop(columns=["evidence"])


def matching(frame: pd.DataFrame, *, rules=(), severities=(), statuses=(), vendor: str | None = None) -> pd.DataFrame:
    """The findings of `frame` (from findings()) that the Cost audit page's filters keep: any of `rules`,
    `severities` and `statuses` (each empty: all; no status picked: all but dismissed) and the vendor named
    `vendor` (None: all), in the frame's order (largest amount at stake first)."""
    keep = frame["status"].isin(list(statuses)) if statuses else frame["status"] != "dismissed"
    if rules:
        keep &= frame["rule"].isin(list(rules))
    if severities:
        keep &= frame["severity"].isin(list(severities))
    if vendor is not None:
        keep &= frame["vendor"] == vendor
    return frame if keep.all() else frame[keep].reset_index(drop=True)   # no copy of 3M rows when all are kept


@dataclass(frozen=True)
class Listing:
    """What the Cost audit page shows for its filters (audit.listing)."""
    rows: pd.DataFrame      # the `limit` largest findings kept, explained, without evidence references
    count: int              # findings the filters keep
    totals: Totals          # their money (reviews.summarise)
    by_rule: pd.DataFrame   # by_rule() of the findings kept
    findings: int           # findings in all, dismissed included (none: nothing breaks a rule)


def listing(con, *, rules=(), severities=(), statuses=(), vendor: str | None = None,
            limit: int | None = 1000) -> Listing:
    """The Cost audit page's findings for its filters (see matching()): their totals and rule tiles, and the `limit`
    largest (None: all) with their evidence counts, not their references. The page gets these, not every finding:
    at 100M spend lines there are 3M, a 1 GB frame to copy out of the page cache on every visit."""
    everything = _state(con)
    kept = matching(everything, rules=rules, severities=severities, statuses=statuses, vendor=vendor)
    rows = kept if limit is None else kept.head(limit)
    return Listing(explain(rows.drop(columns=["evidence"])), len(kept),
                   reviews.summarise(kept, settings.get(con, "reporting_currency")),
                   by_rule(kept), len(everything))


def vendors_with_findings(con) -> list[str]:
    """The vendors named by a finding (dismissed ones included), in name order: the Cost audit page's vendor filter."""
    return sorted(str(v) for v in _state(con)["vendor"].dropna().unique())


AT_STAKE_BY = ("rule", "vendor", "money")


def at_stake(con, *, by: str | None = None, vendor: str | None = None) -> pd.DataFrame:
    """Money at stake in live (not dismissed) findings, counted once: one total row (by None) or one row
    per rule, vendor or money kind (recoverable | exposure); columns: [the key,] at_stake, findings.

    Rows add up to the total to the cent (each finding's counted amount is rounded to the cent first).
    vendor keeps the findings of that vendor (matched by name key); money is still counted once across
    all findings, so a vendor's amount never includes a line another rule counted first.
    """
    if by is not None and by not in AT_STAKE_BY:
        raise ValueError(f"unknown breakdown {by!r}; choose one of {', '.join(AT_STAKE_BY)}")
    live = findings(con, explained=False)
    if vendor is not None:
        live = live[live["vendor"].notna() & (vendor_names.keys(live["vendor"]) == vendor_names.normalise(vendor))]
    live = live.assign(cents=(live["at_stake_counted"] * 100).round().astype("int64"))
    if by is None:
        return pd.DataFrame({"at_stake": [int(live["cents"].sum()) / 100], "findings": [len(live)]})
    grouped = live.groupby(by, dropna=False, as_index=False).agg(cents=("cents", "sum"), findings=("cents", "size"))
    grouped["at_stake"] = grouped["cents"] / 100
    grouped = grouped.sort_values(["at_stake", by], ascending=[False, True], na_position="last")
    return grouped[[by, "at_stake", "findings"]].reset_index(drop=True)


def totals(con) -> Totals:
    """Money at stake found (counted once), confirmed and recovered, in the reporting currency."""
    return reviews.summarise(findings(con, explained=False), settings.get(con, "reporting_currency"))


def by_rule(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per rule of a findings frame: title (in the current language), money kind, number of findings and
    total at stake (counted once; dismissed excluded)."""
    live = frame[["finding_id", "rule", "status", "at_stake_counted"]]   # not every column of 3M findings copied
    live = live[live["status"] != "dismissed"]
    titles = {name: i18n.t(rule.title) for name, rule in rules().items()}
    result = (live.groupby("rule", as_index=False)
              .agg(findings=("finding_id", "size"), amount_at_stake=("at_stake_counted", "sum")))
    result.insert(1, "title", result["rule"].map(titles))
    result.insert(2, "money", result["rule"].map(money.kind))
    return result.sort_values(["amount_at_stake", "rule"], ascending=[False, True]).reset_index(drop=True)


EVIDENCE_SQL = """
with
wanted as (
    select e.finding_id, e.line_id
    from audit_current_evidence e
    where e.line_id is not null and e.finding_id in (select finding_id from wanted_findings)
        and ($limit is null or e.position <= $limit)
),
originals as (   -- the file's text of names the import cleaned or replaced by a placeholder (migration 011)
    select batch_id, row_no, string_agg(column_name || ': ' || original, '; ' order by column_name) as original_text
    from import_original_text
    where batch_id * 10000000000 + row_no in (select line_id from wanted)
    group by batch_id, row_no
),
final as (
    select w.finding_id, 'spend line' as kind, audit_ref(s.invoice_id, s.batch_id, s.row_no) as ref,
        s.date, s.vendor, s.description,
        cast(s.amount as double) as amount, s.currency, cast(s.amount_rc as double) as amount_rc,
        s.invoice_id, nullif(trim(s.contract_id), '') as contract_id, s.cost_center, s.category, s.batch_id,
        s.row_no, o.original_text
    from wanted w join spend_rc s on s.batch_id * 10000000000 + s.row_no = w.line_id
    left join originals o on o.batch_id = s.batch_id and o.row_no = s.row_no
)
select * from final
"""


def evidence(con, *, finding_ids: list[str] | None = None, frame: pd.DataFrame | None = None,
             limit: int | None = None) -> pd.DataFrame:
    """One row per finding x evidence row (spend lines, contracts, licences), in the order found.

    Pass `frame` (from findings()) to use those findings; else the stored (or in-memory) ones. `limit` keeps each
    finding's first evidence rows in the order the rule found them (what a page shows: at 100M spend lines one
    finding cites 23M lines); its evidence_count says how many there are.
    """
    if frame is None:
        frame = _state(con)   # the shared findings of this state: at 100M lines reading them again took 45 s
    con.execute(engine.MACROS_SQL)
    if finding_ids is not None:
        frame = frame[frame["finding_id"].isin(list(finding_ids))]
    columns = ["finding_id", "rule", "kind", "ref", "date", "vendor", "description", "amount", "currency",
               "amount_rc", "invoice_id", "contract_id", "cost_center", "category", "batch_id", "row_no",
               "original_text"]
    with store.frame_as_table(con, "wanted_findings", frame[["finding_id"]]):
        lines = con.execute(EVIDENCE_SQL, {"limit": limit}).df()
        refs = con.execute(OTHER_REFS_SQL, {"limit": limit}).df()
    # a reviewed finding no longer detected has no evidence rows now: the references its review kept
    gone = frame[~frame["is_detected"].astype(bool)] if "is_detected" in frame.columns else frame.iloc[:0]
    gone_refs = gone[["finding_id", "evidence"]].explode("evidence").dropna().rename(columns={"evidence": "ref"})
    if limit is not None:
        gone_refs = gone_refs.groupby("finding_id", sort=False).head(limit)
    others = _other_evidence(con, pd.concat([refs, gone_refs], ignore_index=True))
    result = pd.concat([f for f in (lines, others) if len(f)], ignore_index=True) if len(lines) or len(others) \
        else pd.DataFrame(columns=columns)
    result = result.merge(frame[["finding_id", "rule"]], on="finding_id", how="left")
    order = {fid: i for i, fid in enumerate(frame["finding_id"])}
    result["_order"] = result["finding_id"].map(order)
    # lines of one invoice share date and reference: their place in the import breaks the tie (the page's first rows)
    result = result.reindex(columns=columns + ["_order"]).sort_values(
        ["_order", "date", "ref", "batch_id", "row_no"], kind="stable", na_position="last")
    return result.reindex(columns=columns).reset_index(drop=True)


# Grain: one row per contract or licence reference (evidence row citing no spend line) of the wanted findings.
OTHER_REFS_SQL = """
select finding_id, ref
from audit_current_evidence
where line_id is null and finding_id in (select finding_id from wanted_findings)
    and ($limit is null or position <= $limit)
order by finding_id, position
"""
# Grain: one row per wanted finding with evidence: all its references, in order (what its row keeps the first of).
REFS_SQL = """
select finding_id, list(ref order by position) as evidence
from audit_current_evidence
where finding_id in (select finding_id from wanted_findings)
group by finding_id
"""


def evidence_refs(con, frame: pd.DataFrame) -> pd.Series:
    """Every evidence reference of each finding of `frame` (from findings() on `con`), in order: a list per finding
    (same index). A reviewed finding no longer detected keeps the references its review stored."""
    with store.frame_as_table(con, "wanted_findings", frame[["finding_id"]]):
        found = con.execute(REFS_SQL).df().set_index("finding_id")["evidence"]
    listed = frame["finding_id"].map(found)
    return pd.Series([[str(r) for r in refs] if isinstance(refs, (list, tuple, np.ndarray)) else list(kept)
                      for refs, kept in zip(listed, frame["evidence"])], index=frame.index, dtype="object")


def _other_evidence(con, refs: pd.DataFrame) -> pd.DataFrame:
    """Contract, licence, ticket and SLA measurement evidence rows for the references `refs` (finding_id, ref)
    citing no spend line. A service-credit finding cites its contract, the tickets that breached their clocks and
    the month's availability measurement ('sla C-0006 2026-05 availability', analytics/sla/credits.py)."""
    if refs.empty:
        return pd.DataFrame()
    con.register("wanted_refs", refs)
    try:
        return con.execute("""
            with
            contract_rows as (
                select w.finding_id, 'contract' as kind, w.ref, c.start_date as date, c.vendor,
                    c.service || ' (' || strftime(c.start_date, '%Y-%m-%d') || ' to '
                        || strftime(c.end_date, '%Y-%m-%d') || ')' as description,
                    cast(c.annual_value as double) as amount, c.currency, c.contract_id
                from wanted_refs w join contracts c on c.contract_id = w.ref
            ),
            licence_rows as (
                select w.finding_id, 'licence' as kind, w.ref, l.period as date, l.vendor,
                    l.seats_purchased || ' seats purchased, ' || l.seats_assigned || ' assigned, '
                        || l.seats_active || ' active at ' || l.unit_cost || ' ' || l.currency || ' per seat a year'
                        as description,
                    cast(l.seats_purchased * l.unit_cost as double) as amount, l.currency, l.contract_id
                from wanted_refs w
                join (select *, row_number() over (partition by product, vendor
                                                   order by period desc nulls last) as rn from licenses) l
                    on l.product = w.ref and l.rn = 1
                where w.ref not in (select contract_id from contracts)
            ),
            ticket_rows as (
                select w.finding_id, 'ticket' as kind, w.ref, cast(i.opened_at as date) as date, c.vendor,
                    i.priority || ', opened ' || strftime(i.opened_at, '%Y-%m-%d %H:%M')
                        || coalesce(', responded ' || strftime(i.responded_at, '%Y-%m-%d %H:%M'), ', no response')
                        || coalesce(', resolved ' || strftime(i.resolved_at, '%Y-%m-%d %H:%M'), ', not resolved')
                        as description,
                    i.contract_id
                from wanted_refs w
                join incidents i on i.ticket_id = w.ref
                left join contracts c on c.contract_id = i.contract_id
                where w.ref not in (select contract_id from contracts)
            ),
            measurement_refs as (
                -- 'sla C-0032 2026-10 availability': contract, month and metric, named groups of one pattern
                select finding_id, ref, unnest(regexp_extract(ref, '^sla (.+) ([0-9]{4}-[0-9]{2}) ([a-z_]+)$',
                                                              ['contract_id', 'month', 'metric']))
                from wanted_refs
                where ref like 'sla %'
            ),
            measurement_rows as (
                select m.finding_id, 'SLA measurement' as kind, m.ref, s.period as date, c.vendor,
                    s.metric || ' ' || s.actual || ' against a target of ' || s.target as description,
                    s.contract_id
                from measurement_refs m
                join sla s on s.contract_id = m.contract_id and strftime(s.period, '%Y-%m') = m.month
                    and s.metric = m.metric
                left join contracts c on c.contract_id = s.contract_id
            ),
            final as (
                select * from contract_rows union all by name select * from licence_rows
                union all by name select * from ticket_rows union all by name select * from measurement_rows
            )
            select * from final
        """).df()
    finally:
        con.unregister("wanted_refs")


def bench_cases(con) -> list[tuple[str, callable]]:
    """The queries the Cost audit page runs: the whole audit and each rule on its own."""
    # no floors: a rule is a detection (duplicates, gaps, drifts), not an aggregate with a plain-SQL equal
    cases = [("audit: all rules with reviews", lambda: findings(con, include_dismissed=True)),
             ("audit: the page's listing (totals, rule tiles, 1,000 largest)", lambda: listing(con))]
    for name in rules():
        cases.append((f"audit: {name}", lambda name=name: engine.run_rule(con, name)))
    return cases
