"""Review workflow, stable finding ids, totals, evidence and the pluggable rule registry."""
import pandas as pd
import pytest
from tests.test_audit_fixtures import D, add_spend, con  # noqa: F401

from analytics import audit
from analytics.audit import engine


def duplicate_and_split(con, *, batch_id=1):
    add_spend(con, [
        {"date": D(2026, 3, 5), "vendor": "Acme Ltd", "amount": 1250, "invoice_id": "INV-1"},
        {"date": D(2026, 3, 19), "vendor": "ACME LIMITED", "amount": 1250, "invoice_id": "INV-1"},
        {"date": D(2026, 4, 1), "vendor": "Bolt", "amount": 9600, "invoice_id": "B-1"},
        {"date": D(2026, 4, 2), "vendor": "Bolt", "amount": 9700, "invoice_id": "B-2"},
    ], batch_id=batch_id)


def ids_by_rule(con, **options):
    frame = audit.findings(con, **options)
    return dict(zip(frame["rule"], frame["finding_id"]))


def test_findings_sorted_by_amount_at_stake(con):
    duplicate_and_split(con)
    frame = audit.findings(con)
    assert frame[["rule", "amount_at_stake", "status"]].values.tolist() == [
        ["no_contract", 19300.0, "open"], ["split_purchase", 19300.0, "open"], ["duplicate_payment", 1250.0, "open"]]


def test_ids_survive_a_reimport_under_a_new_batch(con):
    duplicate_and_split(con)
    before = ids_by_rule(con)
    con.execute("delete from spend")
    duplicate_and_split(con, batch_id=7)
    assert ids_by_rule(con) == before


def test_dismissed_needs_a_reason_and_is_hidden_unless_asked(con):
    duplicate_and_split(con)
    dup = ids_by_rule(con)["duplicate_payment"]
    with pytest.raises(audit.ReviewError, match="needs a reason"):
        audit.review(con, dup, status="dismissed")
    audit.review(con, dup, status="dismissed", reason="second payment was a deposit")
    assert dup not in audit.findings(con)["finding_id"].tolist()
    shown = audit.findings(con, include_dismissed=True).set_index("finding_id")
    assert shown.loc[dup, ["status", "reason"]].tolist() == ["dismissed", "second payment was a deposit"]


def test_review_state_survives_new_imports(con):
    duplicate_and_split(con)
    split = ids_by_rule(con)["split_purchase"]
    audit.review(con, split, status="confirmed")
    add_spend(con, [{"date": D(2026, 5, 1), "vendor": "Other", "amount": 10, "invoice_id": "O-1"}], batch_id=9)
    assert audit.findings(con).set_index("finding_id").loc[split, "status"] == "confirmed"


def test_totals_found_confirmed_recovered(con):
    duplicate_and_split(con)
    ids = ids_by_rule(con)
    audit.review(con, ids["split_purchase"], status="confirmed")
    audit.review(con, ids["duplicate_payment"], status="resolved", amount_recovered=1000)
    totals = audit.totals(con)
    # Bolt's two payments are both split_purchase and no_contract: their 19,300 counts once (split first)
    assert (totals.found, totals.confirmed, totals.recovered) == (
        pytest.approx(19300.0 + 1250.0), pytest.approx(19300.0 + 1250.0), 1000.0)
    assert (totals.recoverable, totals.exposure) == (1250.0, 19300.0)
    assert (totals.n_confirmed, totals.n_resolved) == (2, 1)


def test_resolved_finding_stays_counted_after_it_disappears(con):
    duplicate_and_split(con)
    dup = ids_by_rule(con)["duplicate_payment"]
    audit.review(con, dup, status="resolved")
    add_spend(con, [{"date": D(2026, 3, 25), "vendor": "Acme", "amount": -1250, "invoice_id": "CN-1"}], batch_id=8)
    row = audit.findings(con).set_index("finding_id").loc[dup]
    assert (row["status"], row["is_detected"], row["amount_at_stake"]) == ("resolved", False, 1250.0)
    assert audit.totals(con).recovered == 1250.0


def test_reopening_clears_the_review_and_keeps_the_history(con):
    duplicate_and_split(con)
    dup = ids_by_rule(con)["duplicate_payment"]
    audit.review(con, dup, status="confirmed")
    audit.review(con, dup, status="open")
    assert audit.findings(con).set_index("finding_id").loc[dup, "status"] == "open"
    assert audit.history(con, dup)["status"].tolist() == ["open", "confirmed"]


@pytest.mark.parametrize("finding_id, options, message", [
    ("DUP-0000000000", {"status": "confirmed"}, "no finding"),
    (None, {"status": "closed"}, "unknown status"),
    (None, {"status": "confirmed", "amount_recovered": 5}, "only be given when resolving"),
])
def test_invalid_reviews(con, finding_id, options, message):
    duplicate_and_split(con)
    with pytest.raises(audit.ReviewError, match=message):
        audit.review(con, finding_id or ids_by_rule(con)["duplicate_payment"], **options)


def test_evidence_rows_of_a_finding(con):
    duplicate_and_split(con)
    dup = ids_by_rule(con)["duplicate_payment"]
    rows = audit.evidence(con, finding_ids=[dup])
    assert rows[["kind", "ref", "vendor", "amount"]].values.tolist() == [
        ["spend line", "INV-1", "Acme Ltd", 1250.0], ["spend line", "INV-1", "ACME LIMITED", 1250.0]]


def test_another_module_can_add_a_rule(con, monkeypatch):
    def always_one(con, params):
        return pd.DataFrame([{"key": "k", "severity": "low", "vendor": "V", "contract_id": None,
                              "amount_at_stake": 5.0, "finding_date": D(2026, 1, 1), "explanation": "x.",
                              "evidence": ["C-1"]}])
    extra = engine.Rule("extra_rule", "XTR", "Extra rule", "test", always_one)
    collect = engine.registry.collect
    monkeypatch.setattr(engine.registry, "collect",
                        lambda name: collect(name) + ([extra] if name == "AUDIT_RULES" else []))
    frame = audit.findings(con)
    assert frame[["rule", "amount_at_stake", "evidence"]].values.tolist() == [["extra_rule", 5.0, ["C-1"]]]
    assert frame["finding_id"][0].startswith("XTR-")


def test_a_rule_missing_columns_is_rejected(con, monkeypatch):
    broken = engine.Rule("broken", "BRK", "Broken", "test", lambda con, params: pd.DataFrame({"key": ["a"]}))
    collect = engine.registry.collect
    monkeypatch.setattr(engine.registry, "collect",
                        lambda name: collect(name) + ([broken] if name == "AUDIT_RULES" else []))
    with pytest.raises(engine.RuleError, match="returned no column"):
        audit.findings(con)
