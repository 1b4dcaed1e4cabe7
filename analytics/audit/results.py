"""Detected findings stored per data version: refresh() computes them (a job, after every write), detected() reads.

Pages and commands never compute the audit as a side effect of reading: detected() returns the
stored findings of the current data version and, when none are stored (a test writing straight
into tables, a read-only connection), runs the rules in memory and returns the same frame without
writing. Review states are joined later (reviews.with_reviews), so a review needs no recompute.
"""
from __future__ import annotations

import pandas as pd

from analytics import store
from analytics.audit import engine, money
from analytics.ingest.load import memory_limit

# DuckDB's memory limit while the job runs (its default is 80% of the machine's memory, shared with the app and the
# other jobs): the working tables (audit_spend holds every spend line: 2.3 GB at 10M lines) and the evidence spill
# to the database's temp directory beyond it. Measured at 10M and 100M lines (README, "100M lines").
JOB_MEMORY_LIMIT = "4GB"

RESULTS_SCHEMA = 20   # migration 012_results.sql; the evidence rows in their own table since 020_audit_evidence.sql
COUNTED_SCHEMA = 21   # 021_audit_counted.sql: each finding's money counted once, stored by the job
LOAD_SQL = """
select finding_id, rule, severity, vendor, contract_id, amount_at_stake, currency, finding_date, explanation,
    evidence, evidence_count
from audit_results
where data_version = $version
order by rule, finding_id
"""

# Every reader of the evidence rows (money.py, audit.evidence) reads the temp view audit_current_evidence
# (finding_id, position, ref, line_id): the stored rows of the current data version, or the rows of the rules just
# run in memory (engine.FOUND_EVIDENCE_SQL). detected() points it at the right one on the connection it reads.
STORED_EVIDENCE_VIEW = """
create or replace temp view audit_current_evidence as
select finding_id, position, ref, line_id
from audit_evidence
where data_version = (select version from data_version)
"""
COMPUTED_EVIDENCE_VIEW = """
create or replace temp view audit_current_evidence as
select finding_id, position, ref, line_id from audit_found_evidence
"""


# Grain: one row per stored finding of the current data version: its money counted once with every detected finding
# live (money.counted), as the job stored it; null when stored before migration 021 and not yet filled.
COUNTED_SQL = """
select finding_id, at_stake_counted
from audit_results
where data_version = $version and finding_id <> $marker
"""


def stored_counted(con) -> pd.Series | None:
    """{finding_id: money counted once} of the stored findings of the current data version, as the job counted it
    with every detected finding live (none dismissed); None when none are stored, or stored without it."""
    if store.schema_version(con) < COUNTED_SCHEMA:
        return None
    found = con.execute(COUNTED_SQL, {"version": store.data_version(con), "marker": EMPTY_MARKER}).df()
    if found.empty or found["at_stake_counted"].isna().any():
        return None
    return found.set_index("finding_id")["at_stake_counted"]


def stored(con) -> pd.DataFrame | None:
    """The findings stored for the current data version (columns FINDING_COLUMNS), None when none are stored."""
    if store.schema_version(con) < RESULTS_SCHEMA:  # a read-only database not yet migrated to 012
        return None
    version = store.data_version(con)
    has = con.execute("select count(*) > 0 from audit_results where data_version = ?", [version]).fetchone()[0]
    if not has and not _is_empty_marker(con, version):
        return None
    frame = con.execute(LOAD_SQL, {"version": version}).df()
    frame = frame[frame["finding_id"] != EMPTY_MARKER].reset_index(drop=True)
    frame["finding_date"] = pd.to_datetime(frame["finding_date"]).dt.date
    frame["evidence"] = frame["evidence"].map(lambda v: [str(x) for x in v] if v is not None else [])
    frame["evidence_count"] = frame["evidence_count"].fillna(0).astype("int64")
    frame["contract_id"] = frame["contract_id"].astype("object").where(frame["contract_id"].notna(), None)
    return frame[list(engine.FINDING_COLUMNS)]


# a run that found nothing is stored as one marker row, so "nothing found" differs from "not computed"
EMPTY_MARKER = "-"


def _is_empty_marker(con, version: int) -> bool:
    return bool(con.execute("select count(*) > 0 from audit_results where data_version = ? and finding_id = ?",
                            [version, EMPTY_MARKER]).fetchone()[0])


def detected(con) -> pd.DataFrame:
    """The findings detected at the current data version: stored, else computed in memory (never written); their
    evidence rows readable on `con` as the temp view audit_current_evidence."""
    found = stored(con)
    if found is not None:
        con.execute(STORED_EVIDENCE_VIEW)
        return found
    found = engine.run_all(con)
    con.execute(COMPUTED_EVIDENCE_VIEW)
    return found


SAVE_FINDINGS_SQL = """
insert into audit_results by name
select $version as data_version, finding_id, rule, severity, vendor, contract_id,
    cast(amount_at_stake as double) as amount_at_stake, currency, cast(finding_date as date) as finding_date,
    explanation, cast(evidence as varchar[]) as evidence, cast(evidence_count as bigint) as evidence_count,
    cast(at_stake_counted as double) as at_stake_counted
from audit_results_in
"""
# the evidence rows of the rules just run on this connection (engine.run_all), set-based: never through Python
SAVE_EVIDENCE_SQL = """
insert into audit_evidence by name
select $version as data_version, finding_id, position, ref, line_id
from audit_found_evidence
"""


def save(con, frame: pd.DataFrame, version: int) -> None:
    """Replace the stored findings with `frame` for `version`, and their evidence with the rows the rules left in
    audit_found_evidence on `con` (run_all just ran); a plain transaction: the data version stays. `frame` may
    carry at_stake_counted (money.counted with every finding live)."""
    columns = [*engine.FINDING_COLUMNS, "at_stake_counted"]
    rows = frame.reindex(columns=columns) if len(frame) else pd.DataFrame(
        [{**dict.fromkeys(columns), "finding_id": EMPTY_MARKER, "rule": EMPTY_MARKER,
          "evidence": [], "evidence_count": 0}])
    with store.frame_as_table(con, "audit_results_in", rows), store.transaction(con, changes_data=False):
        con.execute("delete from audit_results")
        con.execute("delete from audit_evidence")
        con.execute(SAVE_FINDINGS_SQL, {"version": version})
        con.execute(SAVE_EVIDENCE_SQL, {"version": version})


def _in_words(frame: pd.DataFrame) -> bool:
    """Whether the stored findings keep their explanations as messages (engine.explained), not English text as
    stored before the languages: this package's rules' findings stored earlier are computed again."""
    own = frame["rule"].isin(OWN_RULES)
    return bool(frame.loc[own, "explanation"].map(lambda text: str(text).startswith('{"m": ')).all())


# the rules of this package, whose explanations are messages (another module's rule may keep plain text)
OWN_RULES = ("duplicate_payment", "no_contract", "outside_contract_dates", "over_contract_value", "price_creep",
             "unusual_spend", "unused_licenses", "renewal_deadline", "vendor_consolidation", "split_purchase",
             "data_quality")


def refresh(con) -> None:
    """Compute every rule's findings and store them for the current data version (skipped when already stored,
    unless they were stored with English explanations)."""
    version = store.data_version(con)
    found = stored(con)
    if found is not None and _in_words(found):
        if stored_counted(con) is None:  # stored before migration 021: count their money, keep the findings
            with memory_limit(con, JOB_MEMORY_LIMIT):
                _fill_counted(con, found, version)
        return
    with memory_limit(con, JOB_MEMORY_LIMIT):
        found = engine.run_all(con)
        con.execute(COMPUTED_EVIDENCE_VIEW)
        found["at_stake_counted"] = money.counted(con, found)   # every detected finding live: none is reviewed yet
        save(con, found, version)


def _fill_counted(con, found: pd.DataFrame, version: int) -> None:
    """Store the money counted once of the stored findings `found` (of `version`), read from their stored evidence."""
    con.execute(STORED_EVIDENCE_VIEW)
    counted = pd.DataFrame({"finding_id": found["finding_id"], "at_stake_counted": money.counted(con, found)})
    with store.frame_as_table(con, "audit_counted_in", counted), store.transaction(con, changes_data=False):
        con.execute("""
            update audit_results r set at_stake_counted = c.at_stake_counted
            from audit_counted_in c
            where r.data_version = $version and r.finding_id = c.finding_id
        """, {"version": version})
