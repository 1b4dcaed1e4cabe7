"""Money at stake counted once (audit.at_stake), on hand-worked cases."""
import pandas as pd
import pytest
from tests.test_audit_fixtures import D, add_contract, add_spend, con  # noqa: F401

from analytics import audit


def paid_twice_without_contract(con):
    # Apex has no contract and paid invoice A-1 twice: duplicate_payment (the later copy, 12,000.37) and
    # no_contract (both lines, 24,000.74) cite the same lines; the money paid is 24,000.74, counted once.
    add_spend(con, [{"date": D(2026, 3, 5), "vendor": "Apex IT", "amount": 12000.37, "invoice_id": "A-1"},
                    {"date": D(2026, 3, 19), "vendor": "APEX IT LTD", "amount": 12000.37, "invoice_id": "A-1"}])


def test_one_invoice_under_two_rules_is_counted_once(con):
    paid_twice_without_contract(con)
    frame = audit.findings(con).set_index("rule")
    assert frame["amount_at_stake"].to_dict() == {"no_contract": 24000.74, "duplicate_payment": 12000.37}
    assert frame["at_stake_counted"].to_dict() == {"no_contract": 12000.37, "duplicate_payment": 12000.37}
    assert audit.at_stake(con).to_dict("records") == [{"at_stake": 24000.74, "findings": 2}]


def test_rows_by_rule_vendor_and_money_add_up_to_the_total(con):
    paid_twice_without_contract(con)
    # a renewal (no spend lines: counted as it is) and a split purchase that is also uncontracted spend
    add_contract(con, "C-1", "Bolt", D(2024, 1, 1), D(2026, 12, 31), 6000, auto_renew=True, renewal_term_months=12,
                 notice_days=30)
    add_spend(con, [{"date": D(2026, 4, 1), "vendor": "Cobalt", "amount": 9600.11, "invoice_id": "B-1"},
                    {"date": D(2026, 4, 2), "vendor": "Cobalt", "amount": 9700.22, "invoice_id": "B-2"}])
    total = audit.at_stake(con)
    assert total.to_dict("records") == [{"at_stake": 49301.07, "findings": 5}]  # 24,000.74 + 6,000 + 19,300.33
    by_rule = audit.at_stake(con, by="rule")
    expected = pd.DataFrame({"rule": ["no_contract", "split_purchase", "duplicate_payment", "renewal_deadline"],
                             "at_stake": [12000.37, 19300.33, 12000.37, 6000.0], "findings": [2, 1, 1, 1]})
    expected = expected.sort_values(["at_stake", "rule"], ascending=[False, True]).reset_index(drop=True)
    pd.testing.assert_frame_equal(by_rule, expected)
    for by in ("rule", "vendor", "money"):
        rows = audit.at_stake(con, by=by)
        assert round(rows["at_stake"].sum() * 100) == round(total["at_stake"][0] * 100)
        assert rows["findings"].sum() == total["findings"][0]
    money = audit.at_stake(con, by="money").set_index("money")["at_stake"].to_dict()
    assert money == {"recoverable": 12000.37, "exposure": pytest.approx(12000.37 + 6000 + 19300.33)}


def test_vendor_filter_matches_by_name_key(con):
    paid_twice_without_contract(con)
    assert audit.at_stake(con, vendor="APEX IT LIMITED").to_dict("records") == [{"at_stake": 24000.74, "findings": 2}]
    assert audit.at_stake(con, vendor="Nobody").to_dict("records") == [{"at_stake": 0.0, "findings": 0}]


def test_dismissing_the_higher_priority_finding_gives_the_money_back(con):
    paid_twice_without_contract(con)
    dup = audit.findings(con).set_index("rule").loc["duplicate_payment", "finding_id"]
    audit.review(con, dup, status="dismissed", reason="deposit")
    assert audit.at_stake(con, by="rule").to_dict("records") == [
        {"rule": "no_contract", "at_stake": 24000.74, "findings": 1}]


def test_unknown_breakdown_is_refused(con):
    with pytest.raises(ValueError, match="unknown breakdown"):
        audit.at_stake(con, by="severity")
