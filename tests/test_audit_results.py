"""Findings are computed by audit.refresh (a job) and stored per data version; readers never write."""
import pandas as pd
from tests.test_audit_fixtures import D, add_spend, con  # noqa: F401

from analytics import audit, store


def stored_rows(con):
    return con.execute("select count(*) from audit_results").fetchone()[0]


def dup(con):
    add_spend(con, [{"date": D(2026, 3, 5), "vendor": "Acme", "amount": 1250, "invoice_id": "INV-1"},
                    {"date": D(2026, 3, 19), "vendor": "Acme", "amount": 1250, "invoice_id": "INV-1"}])


def test_readers_compute_in_memory_without_writing(con):
    dup(con)
    version = store.data_version(con)
    assert len(audit.findings(con)) == 1
    assert (stored_rows(con), store.data_version(con)) == (0, version)


def test_refresh_stores_the_same_frame_without_bumping_the_version(con):
    dup(con)
    in_memory = audit.findings(con)
    version = store.data_version(con)
    audit.refresh(con)
    assert (stored_rows(con), store.data_version(con)) == (1, version)
    pd.testing.assert_frame_equal(audit.findings(con), in_memory)


def test_stored_findings_are_read_not_recomputed(con):
    dup(con)
    audit.refresh(con)
    # a line written without bumping the version: the stored result still answers
    add_spend(con, [{"date": D(2026, 4, 5), "vendor": "Bolt", "amount": 700, "invoice_id": "B-1"},
                    {"date": D(2026, 4, 6), "vendor": "Bolt", "amount": 700, "invoice_id": "B-1"}])
    assert audit.findings(con)["vendor"].tolist() == ["Acme"]
    con.execute("update data_version set version = version + 1")   # what store.transaction does on import
    assert sorted(audit.findings(con)["vendor"]) == ["Acme", "Bolt"]  # stale: computed in memory


def test_an_empty_result_is_stored_too(con):
    audit.refresh(con)
    assert audit.results.stored(con) is not None and audit.findings(con).empty


def test_a_review_needs_no_recompute(con):
    dup(con)
    audit.refresh(con)
    version = store.data_version(con)
    finding_id = audit.findings(con)["finding_id"][0]
    audit.review(con, finding_id, status="confirmed")
    assert store.data_version(con) == version and audit.results.stored(con) is not None
    assert audit.findings(con)["status"].tolist() == ["confirmed"]


def test_the_listed_findings_are_the_findings_with_their_evidence_counted_not_carried(con):
    dup(con)
    audit.refresh(con)
    full, listed = audit.findings(con), audit.findings_listed(con)
    assert "evidence" not in listed
    assert listed["evidence_count"].tolist() == full["evidence"].map(len).tolist() == [2]
    pd.testing.assert_frame_equal(listed, full.drop(columns=["evidence"]))
