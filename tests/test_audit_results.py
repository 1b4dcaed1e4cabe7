"""Findings are computed by audit.refresh (a job) and stored per data version; readers never write."""
import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from tests.test_audit_fixtures import D, add_spend, con  # noqa: F401

from analytics import audit, store
from analytics.audit import engine
from analytics.reports import audit_export


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
    assert listed["explanation"].tolist() != full["explanation"].tolist()   # as stored: the page explains what it shows
    pd.testing.assert_frame_equal(audit.explain(listed), full.drop(columns=["evidence"]))


def three_equal_payments(con):
    """Acme paid 980 three times in ten days (not evenly spaced) under three invoice numbers: one finding, two payments at stake."""
    add_spend(con, [{"date": D(2026, 5, day), "vendor": "Acme", "amount": 980, "invoice_id": f"A-{day}",
                     "description": "Support"} for day in (4, 6, 14)])


def test_a_finding_keeps_its_first_references_and_stores_every_evidence_row(con, monkeypatch):
    monkeypatch.setattr(engine, "EVIDENCE_KEPT", 2)
    three_equal_payments(con)
    audit.refresh(con)
    found = audit.findings(con)
    assert found[["rule", "evidence", "evidence_count", "amount_at_stake", "at_stake_counted"]].values.tolist() == [
        ["duplicate_payment", ["A-4", "A-6"], 3, 1960.0, 1960.0]]
    assert con.execute("select list(ref order by position) from audit_evidence").fetchone()[0] == ["A-4", "A-6", "A-14"]
    assert audit.evidence_refs(con, found).tolist() == [["A-4", "A-6", "A-14"]]
    rows = audit.evidence(con, finding_ids=found["finding_id"].tolist())
    assert rows[["ref", "date", "amount"]].values.tolist() == [
        ["A-4", pd.Timestamp(2026, 5, 4), 980.0], ["A-6", pd.Timestamp(2026, 5, 6), 980.0],
        ["A-14", pd.Timestamp(2026, 5, 14), 980.0]]


def test_the_workbook_has_every_evidence_row_of_a_finding_beyond_the_references_kept(con, monkeypatch):
    monkeypatch.setattr(engine, "EVIDENCE_KEPT", 2)
    three_equal_payments(con)
    audit.refresh(con)
    frame = audit.findings(con)
    wb = load_workbook(io.BytesIO(audit_export.to_bytes(con, frame)))
    findings, evidence = wb["Findings"], wb["Evidence"]
    header = [c.value for c in findings[4]]
    assert findings.cell(row=5, column=header.index("Evidence") + 1).value == "A-4; A-6; … (+1)"
    header = [c.value for c in evidence[4]]
    refs = [evidence.cell(row=r, column=header.index("Reference") + 1).value for r in range(5, evidence.max_row + 1)]
    assert refs == ["A-4", "A-6", "A-14"]


def test_money_counted_once_reads_the_stored_evidence_rows(con):
    """A duplicate payment to a vendor without a contract: its extra copy counts under duplicate_payment only."""
    add_spend(con, [{"date": D(2026, 3, 5), "vendor": "Acme", "amount": 12500, "invoice_id": "INV-1"},
                    {"date": D(2026, 3, 19), "vendor": "Acme", "amount": 12500, "invoice_id": "INV-1"}])
    in_memory = audit.findings(con)
    audit.refresh(con)
    stored = audit.findings(con)
    pd.testing.assert_frame_equal(stored, in_memory)
    assert sorted(stored[["rule", "amount_at_stake", "at_stake_counted"]].values.tolist()) == [
        ["duplicate_payment", 12500.0, 12500.0], ["no_contract", 25000.0, 12500.0]]


def test_the_findings_of_one_stored_state_are_computed_once_per_process(demo_rw, monkeypatch):
    """The Overview's tile, both Vendors quarters, the Cost audit page and the reports read the same findings: they
    are read once per database state (data version, review states), and a new state is read anew; the job counted
    their money, and a reader counts again only around a dismissed finding."""
    from analytics import i18n
    from analytics.audit import money
    audit.refresh(demo_rw)
    reads, calls = [], []
    computed, counted = audit._findings, money.counted
    monkeypatch.setattr(audit, "_findings", lambda con: reads.append(1) or computed(con))
    monkeypatch.setattr(money, "counted", lambda con, frame: calls.append(len(frame)) or counted(con, frame))
    first = audit.findings(demo_rw)
    assert len(reads) == 1 and len(first) > 10 and calls == []   # the money as the job counted it
    again = audit.findings(demo_rw.cursor())  # another reader of the same file: shared, with its evidence readable
    pd.testing.assert_frame_equal(first, again)
    assert len(reads) == 1
    cursor = demo_rw.cursor()
    shared = audit.findings(cursor)
    assert len(audit.evidence(cursor, frame=shared.head(3))) >= 3 and len(reads) == 1
    shared.loc[0, "vendor"] = "changed by a caller"  # a caller's changes stay its own
    assert audit.findings(demo_rw).loc[0, "vendor"] == first.loc[0, "vendor"]
    dismissed = first["finding_id"][0]
    audit.review(demo_rw, dismissed, status="dismissed", reason="known")
    after = audit.findings(demo_rw)
    assert len(reads) == 2 and dismissed not in set(after["finding_id"])
    assert all(n < len(after) for n in calls)   # only the findings around the dismissed one were counted again
    assert len(audit.findings(demo_rw, include_dismissed=True)) == len(first) and len(reads) == 2
    with i18n.use("de"):
        german = audit.findings(demo_rw)
    assert len(reads) == 2 and german["explanation"].tolist() != after["explanation"].tolist()
    assert german["at_stake_counted"].round(2).tolist() == after["at_stake_counted"].round(2).tolist()


def test_money_counted_around_dismissed_findings_is_the_money_counted_anew(demo_rw):
    """The job counts the money with every finding live; a reader counts again only the findings sharing spend lines
    with a dismissed one (money.counted_live). Dismissing findings that share lines with others frees money for
    them: every finding's counted amount is what counting all live findings anew gives."""
    from analytics.audit import money, results
    audit.refresh(demo_rw)
    stored = results.stored_counted(demo_rw)
    assert stored is not None and len(stored) > 10
    shared = demo_rw.execute("""
        select finding_id, count(*) as lines from audit_evidence
        where line_id in (select line_id from audit_evidence where line_id is not null
                          group by line_id having count(distinct finding_id) > 1)
        group by finding_id order by lines desc, finding_id""").df()
    frame = audit.findings(demo_rw)
    rules_of = frame.set_index("finding_id")["rule"]
    picks = shared[shared["finding_id"].map(rules_of).isin(["duplicate_payment", "no_contract", "split_purchase"])]
    picked = picks.head(2)["finding_id"].tolist()
    assert len(picked) == 2, "the demo has findings sharing spend lines"
    for finding_id in picked:
        audit.review(demo_rw, finding_id, status="dismissed", reason="not a finding")
    after = audit.findings(demo_rw, include_dismissed=True)
    live = after["status"] != "dismissed"
    anew = money.counted(demo_rw, after[live])
    assert after.loc[live, "at_stake_counted"].tolist() == pytest.approx(anew.tolist(), abs=1e-6)
    freed = after[live].set_index("finding_id")["at_stake_counted"] - stored.reindex(after[live]["finding_id"]).values
    assert (freed.abs() > 0.005).any(), "dismissing them gave another finding the money of their lines"
    assert (after.loc[~live, "at_stake_counted"] == 0).all()


def test_findings_stored_before_their_money_was_counted_get_it_from_the_next_job_run(demo_rw, monkeypatch):
    """Migration 021 adds the counted money to findings already stored: the job fills it without running the rules."""
    from analytics.audit import results
    audit.refresh(demo_rw)
    counted = results.stored_counted(demo_rw)
    demo_rw.execute("update audit_results set at_stake_counted = null")
    assert results.stored_counted(demo_rw) is None
    monkeypatch.setattr(engine, "run_all", lambda con, **kw: pytest.fail("the rules ran again"))
    audit.refresh(demo_rw)
    pd.testing.assert_series_equal(results.stored_counted(demo_rw).sort_index(), counted.sort_index(),
                                   check_exact=False, atol=1e-6)


def test_readers_asking_for_one_state_at_once_wait_for_one_computation(demo_rw, monkeypatch):
    """At a server's start its warm-up, the Overview's tile and the Vendors scorecard ask at once: one computes the
    findings, the others get the same frame (at 100M spend lines each computation needed 9 GB)."""
    import threading
    import time
    audit.refresh(demo_rw)
    reads = []
    computed = audit._findings

    def slow(con):
        reads.append(1)
        time.sleep(0.5)   # long enough for the other readers to ask while it runs
        return computed(con)
    monkeypatch.setattr(audit, "_findings", slow)
    frames = [None] * 3

    def read(i, cursor):
        frames[i] = audit.findings(cursor)
    threads = [threading.Thread(target=read, args=(i, demo_rw.cursor())) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0])


def test_evidence_limited_to_each_findings_first_rows_in_the_order_found(demo_rw):
    """What the Cost audit page shows of a finding: its first evidence rows (at 100M lines one finding cites 23M),
    the same rows the full evidence starts with, and as many as its evidence_count when fewer."""
    audit.refresh(demo_rw)
    frame = audit.findings(demo_rw, include_dismissed=True)
    full = audit.evidence(demo_rw, frame=frame)
    limited = audit.evidence(demo_rw, frame=frame, limit=3)
    per_finding = limited.groupby("finding_id").size()
    expected = full.groupby("finding_id").size().clip(upper=3)
    assert per_finding.reindex(expected.index, fill_value=0).tolist() == expected.tolist()
    assert full.groupby("finding_id").size().max() > 3, "a finding cites more rows than the limit"
    lines = frame[frame["rule"] == "duplicate_payment"].set_index("finding_id")["evidence_count"]
    assert (full.groupby("finding_id").size().reindex(lines.index) == lines).all()   # what the page says there are
    for finding_id, rows in limited.groupby("finding_id", sort=False):
        first = full[full["finding_id"] == finding_id]
        assert set(rows["ref"]) <= set(first["ref"])
    biggest = frame.sort_values("evidence_count").iloc[-1]
    own = audit.evidence(demo_rw, finding_ids=[biggest["finding_id"]], limit=3)
    pd.testing.assert_frame_equal(own, limited[limited["finding_id"] == biggest["finding_id"]].reset_index(drop=True),
                                  check_dtype=False)   # with contract rows beside them, the line numbers are floats
