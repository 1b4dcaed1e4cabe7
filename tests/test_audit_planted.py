"""The audit finds what was planted: every anomaly of the demo company, and recall/precision per
rule on a synthetic company with many planted anomalies of every rule among clean data."""
import pytest

from analytics import audit, store
from analytics.audit import engine, synthetic

DEMO_RULES = {
    "duplicate_invoice": "duplicate_payment",
    "spend_after_contract_end": "outside_contract_dates",
    "price_above_contract": "price_creep",
    "vendor_without_contract": "no_contract",
}


@pytest.fixture(scope="module")
def demo_findings(demo_db):
    con = store.connect(demo_db, read_only=True)
    try:
        found = audit.findings(con)
        return found.assign(evidence=audit.evidence_refs(con, found))  # every reference, not the first ones kept
    finally:
        con.close()


def test_demo_plants_every_kind_the_audit_knows(demo_anomalies):
    assert sorted({a.kind for a in demo_anomalies}) == sorted(DEMO_RULES)


def test_every_planted_demo_anomaly_is_found(demo_anomalies, demo_findings):
    missing = []
    for anomaly in demo_anomalies:
        rule = DEMO_RULES[anomaly.kind]
        same_rule = demo_findings[demo_findings["rule"] == rule]
        if anomaly.contract_id and rule != "no_contract":
            same_rule = same_rule[same_rule["contract_id"] == anomaly.contract_id]
        else:
            same_rule = same_rule[same_rule["vendor"].map(engine.vendor_key) == engine.vendor_key(anomaly.vendor)]
        cited = {ref for refs in same_rule["evidence"] for ref in refs}
        if not cited & set(anomaly.invoice_ids):
            missing.append(anomaly)
    assert missing == []


def test_every_demo_vendor_without_contract_invoice_is_evidence(demo_anomalies, demo_findings):
    planted = next(a for a in demo_anomalies if a.kind == "vendor_without_contract")
    found = demo_findings[demo_findings["rule"] == "no_contract"]
    cited = {ref for refs in found["evidence"] for ref in refs}
    assert set(planted.invoice_ids) <= cited


def test_demo_renewals_due_are_renewal_findings(demo_result, demo_findings):
    found = demo_findings[demo_findings["rule"] == "renewal_deadline"]
    assert sorted(zip(found["contract_id"], found["finding_date"])) == sorted(demo_result.renewals_due)


@pytest.fixture(scope="module")
def synthetic_run():
    con = store.connect(":memory:")
    try:
        planted = synthetic.build(con, seed=11, per_rule=20)
        found = audit.findings(con)
        return planted, found.assign(evidence=audit.evidence_refs(con, found))
    finally:
        con.close()


def _matches(finding, planted) -> bool:
    if planted.match == "evidence":
        return planted.value in finding.evidence
    if planted.match == "vendor":
        return engine.vendor_key(finding.vendor) == engine.vendor_key(planted.value)
    if planted.match == "category":
        return finding.explanation.startswith(f"{planted.value} was bought from")
    return getattr(finding, planted.match) == planted.value


@pytest.mark.parametrize("rule", synthetic.RULES)
def test_recall_and_precision_per_rule(synthetic_run, rule):
    planted, found = synthetic_run
    planted = list(planted[planted["rule"] == rule].itertuples())
    found = list(found[found["rule"] == rule].itertuples())
    recalled = sum(any(_matches(f, p) for f in found) for p in planted)
    true_positives = sum(any(_matches(f, p) for p in planted) for f in found)
    assert len(planted) >= 20
    assert recalled / len(planted) >= 0.95
    assert true_positives / len(found) >= 0.90
