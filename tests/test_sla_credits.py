"""Contract x month attainment and service credits: known answers, caps, matching received credits."""
import datetime as dt
from decimal import Decimal

import pytest

from analytics import audit, memo, settings
from analytics.sla import (attainment, contract_month_attainment, credits_outstanding, outstanding_months,
                           service_credits)
from analytics.sla.credits import audit_findings
from tests.sla_data import contract, import_rows, new_db, ticket

AS_OF = dt.datetime(2026, 11, 12)


def hours_later(start: str, hours: float) -> str:
    at = dt.datetime.fromisoformat(start) + dt.timedelta(hours=hours)
    return at.isoformat(sep=" ")


def breaching_tickets(prefix: str, n: int, month: str, contract_id="C1") -> list[dict]:
    """n tickets answered in 5 h against a 4 h response target (24x7), resolved in time."""
    out = []
    for i in range(n):
        opened = f"{month}-{10 + i:02d} 10:00:00"
        out.append(ticket(f"{prefix}{i}", opened, hours_later(opened, 5), hours_later(opened, 6),
                          priority="P3", contract_id=contract_id))
    return out


@pytest.fixture
def db(tmp_path):
    con = new_db()
    settings.set_value(con, "reporting_currency", "USD")
    import_rows(con, tmp_path, "contracts", [contract("C1", "Acme"), contract("C2", "Beta", currency="USD",
                                                                              annual_value="60000.00",
                                                                              service_credit_cap_pct="")])
    import_rows(con, tmp_path, "fx", [{"period": p, "currency": "EUR", "rate_to_base": "1.1"}
                                      for p in ("2026-05", "2026-06", "2026-07")])
    return con, tmp_path


def test_attainment_counts_met_and_breached_clocks(db):
    con, tmp_path = db
    opened = "2026-05-04 10:00:00"
    import_rows(con, tmp_path, "incidents", breaching_tickets("B", 1, "2026-05") + [
        ticket("M1", opened, hours_later(opened, 4), hours_later(opened, 16), priority="P3")])
    row = contract_month_attainment(con, as_of_at=AS_OF).iloc[0]
    assert (row["contract_id"], row["period"]) == ("C1", dt.date(2026, 5, 1))
    assert (row["tickets"], row["response_met"], row["response_breached"], row["breaches"]) == (2, 1, 1, 1)
    assert row["response_attainment_pct"] == 50.0
    assert row["resolution_attainment_pct"] == 100.0
    assert row["status"] == "missed"


def test_availability_below_target_misses_the_month(db):
    con, tmp_path = db
    import_rows(con, tmp_path, "sla", [{"period": "2026-06", "contract_id": "C2", "metric": "availability",
                                        "target": "99.9", "actual": "99.89"}])
    row = contract_month_attainment(con, as_of_at=AS_OF).iloc[0]
    assert (row["contract_id"], row["tickets"], bool(row["is_availability_missed"]), row["status"]) == \
        ("C2", 0, True, "missed")
    assert row["availability_points_below"] == pytest.approx(0.01)


def test_credit_per_breach_in_reporting_currency(db):
    con, tmp_path = db
    import_rows(con, tmp_path, "incidents", breaching_tickets("B", 3, "2026-05"))
    row = service_credits(con, as_of_at=AS_OF).iloc[0]
    # 10,000 EUR a month x 3 breaches x 5 % = 1,500 EUR, at 1.1 = 1,650 USD
    assert (row["credit_units"], row["credit_pct"], row["is_capped"]) == (3, Decimal(15), False)
    assert (row["credit_owed"], row["currency"]) == (Decimal("1500.0000"), "EUR")
    assert row["credit_owed_rc"] == Decimal("1650.0000")
    assert row["credit_outstanding_rc"] == Decimal("1650.0000")
    assert row["evidence_owed"] == "3 response breach(es)"


def test_credit_is_capped(db):
    con, tmp_path = db
    import_rows(con, tmp_path, "incidents", breaching_tickets("B", 5, "2026-05"))
    row = service_credits(con, as_of_at=AS_OF).iloc[0]
    # 5 x 5 % = 25 %, capped at 20 % of 10,000 EUR
    assert (row["credit_pct"], row["is_capped"], row["credit_owed"]) == (Decimal(20), True, Decimal("2000.0000"))


def test_no_cap_when_contract_has_none(db):
    con, tmp_path = db
    import_rows(con, tmp_path, "incidents", breaching_tickets("B", 5, "2026-05", contract_id="C2"))
    row = service_credits(con, as_of_at=AS_OF).iloc[0]
    assert (row["credit_pct"], row["credit_owed"], row["credit_owed_rc"]) == \
        (Decimal(25), Decimal("1250.0000"), Decimal("1250.0000"))


def test_availability_credit_per_started_point(db):
    con, tmp_path = db
    # 99.9 - 98.8 = 1.1 points below (exact, not 1.1000000000000085): 2 started points x 5 % of 5,000 USD
    import_rows(con, tmp_path, "sla", [{"period": "2026-06", "contract_id": "C2", "metric": "availability",
                                        "target": "99.9", "actual": "98.8"}])
    row = service_credits(con, as_of_at=AS_OF).iloc[0]
    assert (row["credit_units"], row["credit_owed"]) == (2, Decimal("500.0000"))


def test_availability_exactly_one_point_below_is_one_unit(db):
    con, tmp_path = db
    import_rows(con, tmp_path, "sla", [{"period": "2026-06", "contract_id": "C2", "metric": "availability",
                                        "target": "99.9", "actual": "98.9"}])
    assert service_credits(con, as_of_at=AS_OF).iloc[0]["credit_units"] == 1


def test_missing_fx_rate_is_reported_not_one(db):
    con, tmp_path = db
    import_rows(con, tmp_path, "incidents", breaching_tickets("B", 1, "2026-09"))
    row = service_credits(con, as_of_at=AS_OF).iloc[0]
    assert row["credit_owed"] == Decimal("500.0000")
    assert row["credit_owed_rc"] is None and bool(row["is_fx_missing"]) is True


def spend_line(date, amount, vendor="Acme", currency="EUR", invoice="CN-1"):
    return {"date": date, "vendor": vendor, "amount": amount, "currency": currency, "cost_center": "IT",
            "category": "Outside Services", "invoice_id": invoice}


def test_received_credits_are_matched_oldest_month_first(db):
    con, tmp_path = db
    import_rows(con, tmp_path, "incidents", breaching_tickets("A", 1, "2026-05") + breaching_tickets("B", 2, "2026-06"))
    import_rows(con, tmp_path, "spend", [spend_line("2026-07-15", "-1000.00"),      # 1,100 USD
                                         spend_line("2026-04-15", "-300.00", invoice="CN-0"),  # before any miss
                                         spend_line("2026-07-20", "900.00", invoice="INV-9")])
    out = service_credits(con, as_of_at=AS_OF)
    # May owes 550 USD, June 1,100 USD; the July credit note pays May then 550 of June
    assert list(out["credit_owed_rc"]) == [Decimal("550.0000"), Decimal("1100.0000")]
    assert list(out["credit_received_rc"]) == [Decimal("550.0000"), Decimal("550.0000")]
    assert list(out["credit_outstanding_rc"]) == [Decimal("0.0000"), Decimal("550.0000")]
    assert out.iloc[1]["evidence_received"] == "2026-07-15 CN-1 (batch 4 row 2): 550.00"
    outstanding = outstanding_months(con, as_of_at=AS_OF)
    assert list(outstanding["period"].astype(str)) == ["2026-06-01"]
    assert credits_outstanding(con, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)) == 550.0
    assert credits_outstanding(con, start=dt.date(2026, 1, 1), end=dt.date(2026, 5, 31)) == 0.0   # May was paid
    assert credits_outstanding(con, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), vendor="Nobody") == 0.0


def test_audit_findings_name_the_evidence(db):
    con, tmp_path = db
    import_rows(con, tmp_path, "incidents", breaching_tickets("B", 2, "2026-05"))
    import_rows(con, tmp_path, "spend", [spend_line("2026-06-15", "-500.00", invoice="CN-7")])  # 550 of 1,100 USD
    [finding] = audit_findings(con).to_dict("records")
    assert (finding["key"], finding["severity"], finding["amount_at_stake"]) == ("C1|2026-05", "medium", 550.0)
    assert finding["evidence"] == ["C1", "B0", "B1", "2026-06-15 CN-7"]
    assert finding["explanation"] == ("C1 (Service desk) missed its SLA in 2026-05: 2 response breach(es). The "
                                      "contract grants 10% of the monthly charge: 1,000.00 EUR; 550.00 received, "
                                      "550.00 USD outstanding.")


def test_service_credits_is_an_audit_rule(db):
    con, tmp_path = db
    import_rows(con, tmp_path, "incidents", breaching_tickets("B", 2, "2026-05"))
    found = audit.findings(con)
    mine = found[found["rule"] == "service_credits"]
    assert (list(mine["contract_id"]), list(mine["amount_at_stake"])) == (["C1"], [1100.0])
    assert list(mine["finding_id"].str[:4]) == ["SLC-"]


def test_share_of_contract_months_meeting_every_target(db):
    con, tmp_path = db
    settings.set_value(con, "as_of_date", "2026-11-12")
    # C1 (Acme): May missed (a breached ticket); C2 (Beta): June met, July missed (availability)
    import_rows(con, tmp_path, "incidents", breaching_tickets("B", 1, "2026-05"))
    import_rows(con, tmp_path, "sla", [
        {"period": "2026-06", "contract_id": "C2", "metric": "availability", "target": "99.9", "actual": "99.95"},
        {"period": "2026-07", "contract_id": "C2", "metric": "availability", "target": "99.9", "actual": "99.0"}])
    year = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31)}
    assert attainment(con, **year) == pytest.approx(1 / 3)
    assert attainment(con, **year, vendor="BETA LIMITED") == 0.5   # matched by name key
    assert attainment(con, start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30)) == 1.0
    assert attainment(con, **year, vendor="Nobody") is None


def test_one_read_of_the_contract_months_serves_every_filter_inside_a_block(db, monkeypatch):
    """The Overview's SLA tile reads the year's months, its credits tile every month: one query for both."""
    from analytics.sla import engine
    con, tmp_path = db
    settings.set_value(con, "as_of_date", "2026-11-12")
    import_rows(con, tmp_path, "incidents", breaching_tickets("B", 1, "2026-05"))
    year = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31)}
    alone = (attainment(con, **year), credits_outstanding(con, **year), len(contract_month_attainment(con)))
    queries, run = [], engine.query
    monkeypatch.setattr(engine, "query", lambda *a, **k: queries.append(1) or run(*a, **k))
    with memo.reads():
        together = (attainment(con, **year), credits_outstanding(con, **year), len(contract_month_attainment(con)))
    assert together == alone and alone[1] > 0 and queries == [1]


def test_a_service_credit_findings_evidence_shows_its_tickets_and_measurement(db):
    """The Cost audit page's evidence of a missed month: the contract, each breached ticket and the availability
    measured, each a row with what it says (before, only the contract was a row: the rest did not resolve)."""
    con, tmp_path = db
    import_rows(con, tmp_path, "incidents", breaching_tickets("B", 1, "2026-07", contract_id="C2"))
    import_rows(con, tmp_path, "sla", [
        {"period": "2026-07", "contract_id": "C2", "metric": "availability", "target": "99.9", "actual": "99.0"}])
    found = audit.findings(con)
    [finding] = found[found["rule"] == "service_credits"].to_dict("records")
    assert finding["evidence"] == ["C2", "B0", "sla C2 2026-07 availability"] and finding["evidence_count"] == 3
    rows = audit.evidence(con, finding_ids=[finding["finding_id"]])
    assert rows[["kind", "ref", "vendor", "contract_id"]].values.tolist() == [
        ["contract", "C2", "Beta", "C2"],
        ["SLA measurement", "sla C2 2026-07 availability", "Beta", "C2"],
        ["ticket", "B0", "Beta", "C2"]]   # in date order: the month's measurement (2026-07-01), the ticket (07-10)
    assert list(rows["description"][1:]) == [
        "availability 99.0 against a target of 99.9",
        "P3, opened 2026-07-10 10:00, responded 2026-07-10 15:00, resolved 2026-07-10 16:00"]
