"""Detected findings stored per data version: refresh() computes them (a job, after every write), detected() reads.

Pages and commands never compute the audit as a side effect of reading: detected() returns the
stored findings of the current data version and, when none are stored (a test writing straight
into tables, a read-only connection), runs the rules in memory and returns the same frame without
writing. Review states are joined later (reviews.with_reviews), so a review needs no recompute.
"""
from __future__ import annotations

import pandas as pd

from analytics import store
from analytics.audit import engine

RESULTS_SCHEMA = 12   # migration 012_results.sql
LOAD_SQL = """
select finding_id, rule, severity, vendor, contract_id, amount_at_stake, currency, finding_date, explanation,
    evidence, evidence_lines
from audit_results
where data_version = $version
order by rule, finding_id
"""


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
    frame["evidence_lines"] = frame["evidence_lines"].map(lambda v: [int(x) for x in v] if v is not None else [])
    frame["contract_id"] = frame["contract_id"].astype("object").where(frame["contract_id"].notna(), None)
    return frame[list(engine.FINDING_COLUMNS)]


# a run that found nothing is stored as one marker row, so "nothing found" differs from "not computed"
EMPTY_MARKER = "-"


def _is_empty_marker(con, version: int) -> bool:
    return bool(con.execute("select count(*) > 0 from audit_results where data_version = ? and finding_id = ?",
                            [version, EMPTY_MARKER]).fetchone()[0])


def detected(con) -> pd.DataFrame:
    """The findings detected at the current data version: stored, else computed in memory (never written)."""
    found = stored(con)
    return found if found is not None else engine.run_all(con)


def save(con, frame: pd.DataFrame, version: int) -> None:
    """Replace the stored findings with `frame` for `version`; a plain transaction: the data version stays."""
    rows = frame[list(engine.FINDING_COLUMNS)] if len(frame) else pd.DataFrame(
        [{**dict.fromkeys(engine.FINDING_COLUMNS), "finding_id": EMPTY_MARKER, "rule": EMPTY_MARKER,
          "evidence": [], "evidence_lines": []}])
    rows = rows.assign(data_version=version)
    con.register("audit_results_in", rows)
    try:
        with store.transaction(con, changes_data=False):
            con.execute("delete from audit_results")
            con.execute("insert into audit_results by name select data_version, finding_id, rule, severity, vendor, "
                        "contract_id, cast(amount_at_stake as double) as amount_at_stake, currency, "
                        "cast(finding_date as date) as finding_date, explanation, "
                        "cast(evidence as varchar[]) as evidence, "
                        "cast(evidence_lines as bigint[]) as evidence_lines from audit_results_in")
    finally:
        con.unregister("audit_results_in")


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
        return
    save(con, engine.run_all(con), version)
