"""Each audit rule on small inline data: what it must find, and the near misses it must not."""
import datetime as dt
import hashlib

import pandas as pd
import pytest
from tests.test_audit_fixtures import D, add_contract, add_fx, add_license, add_spend, con, monthly, run  # noqa: F401

from analytics import settings
from analytics.audit import engine, payments

MS = "Microsoft Ireland Operations Ltd"


def line(date, amount, vendor=MS, **extra):
    return {"date": date, "vendor": vendor, "amount": amount, **extra}


# --- vendor names ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["MICROSOFT IRELAND OPERATIONS LIMITED", "Microsoft Ireland Operations, Ltd.",
                                  "microsoft ireland operations"])
def test_vendor_names_normalise_to_one_key(name):
    assert engine.vendor_key(name) == engine.vendor_key(MS) == "microsoft ireland operations"


def test_vendor_key_sql_matches_python(con):
    names = [MS, "ACME, Inc", "The Widget Company", "Müller GmbH & Co. KG", "Limited"]
    sql = "select " + engine.vendor_key_sql("n") + " from (select ? as n)"
    found = [con.execute(sql, [n]).fetchone()[0] for n in names]
    assert found == [engine.vendor_key(n) for n in names]


# --- duplicate_payment ---------------------------------------------------------------------

def test_same_invoice_paid_twice_under_name_variants(con):
    add_spend(con, [line(D(2026, 3, 5), 1250, invoice_id="INV-2026-0042"),
                    line(D(2026, 5, 19), 1250, vendor="MICROSOFT IRELAND OPERATIONS LIMITED", invoice_id="inv 2026 0042")])
    found = run(con, "duplicate_payment")
    assert found[["severity", "amount_at_stake", "evidence"]].values.tolist() == [
        ["high", 1250.0, ["INV-2026-0042", "inv 2026 0042"]]]
    assert found["finding_id"][0].startswith("DUP-")


def test_same_amount_within_window_with_different_invoice_numbers(con):
    add_spend(con, [line(D(2026, 3, 5), 980.40, invoice_id="A-1"), line(D(2026, 3, 12), 980.40, invoice_id="A-7")])
    found = run(con, "duplicate_payment")
    assert found[["severity", "amount_at_stake", "evidence"]].values.tolist() == [["medium", 980.4, ["A-1", "A-7"]]]


def test_equal_payments_clustered_in_several_passes_are_the_findings_of_one(con, monkeypatch):
    """Clusters and their credit notes share a (vendor, currency, amount) key, so passes over shares of the keys find
    what one pass finds: here a cluster of three, one cancelled by a credit note, and two vendors' pairs."""
    add_spend(con, [line(D(2026, 3, 5), 980.40, invoice_id="A-1"), line(D(2026, 3, 7), 980.40, invoice_id="A-2"),
                    line(D(2026, 3, 16), 980.40, invoice_id="A-3"),
                    line(D(2026, 4, 2), 310, invoice_id="B-1"), line(D(2026, 4, 4), 310, invoice_id="B-2"),
                    line(D(2026, 4, 9), -310, invoice_id="CN-1"),
                    line(D(2026, 5, 2), 75, vendor="Acme", invoice_id="C-1"),
                    line(D(2026, 5, 3), 75, vendor="Acme", invoice_id="C-2")])
    one = run(con, "duplicate_payment").sort_values("finding_id").reset_index(drop=True)
    monkeypatch.setattr(payments, "CANDIDATES_PER_PASS", 1)   # a pass per candidate line: 9 passes
    passes = run(con, "duplicate_payment").sort_values("finding_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(passes, one)
    assert sorted(one[["vendor", "amount_at_stake", "evidence_count"]].values.tolist()) == [
        ["Acme", 75.0, 2], [MS, 1960.8, 3]]


def test_same_amount_without_invoice_numbers_cites_batch_rows(con):
    add_spend(con, [line(D(2026, 3, 5), 500), line(D(2026, 3, 6), 500)])
    assert run(con, "duplicate_payment")["evidence"].tolist() == [["batch 1 row 1", "batch 1 row 2"]]


@pytest.mark.parametrize("rows", [
    # a refund is not a duplicate
    [line(D(2026, 3, 5), 1250, invoice_id="I-1"), line(D(2026, 3, 9), -1250, invoice_id="CN-1")],
    # a duplicate already cancelled by a credit note
    [line(D(2026, 3, 5), 1250, invoice_id="I-1"), line(D(2026, 3, 8), 1250, invoice_id="I-1"),
     line(D(2026, 3, 20), -1250, invoice_id="CN-9")],
    # the same amount paid to two different vendors
    [line(D(2026, 3, 5), 1250, invoice_id="I-1"), line(D(2026, 3, 5), 1250, vendor="Oracle", invoice_id="I-1")],
    # a monthly subscription paid every month
    [line(d, 1250, invoice_id=f"SUB-{i}") for i, d in enumerate(monthly(D(2025, 1, 1), 12))],
    # a weekly fee: a regular schedule, not repeated payments
    [line(D(2026, 3, 2) + dt.timedelta(days=7 * i), 300, invoice_id=f"W-{i}") for i in range(6)],
    # the same amount, but further apart than the window
    [line(D(2026, 3, 5), 777, invoice_id="X-1"), line(D(2026, 3, 20), 777, invoice_id="X-2")],
], ids=["refund", "credited-duplicate", "two-vendors", "monthly-subscription", "weekly-fee", "outside-window"])
def test_duplicate_near_misses(con, rows):
    add_spend(con, rows)
    assert run(con, "duplicate_payment").empty


def test_duplicate_window_is_a_setting(con):
    add_spend(con, [line(D(2026, 3, 5), 777, invoice_id="X-1"), line(D(2026, 3, 20), 777, invoice_id="X-2")])
    settings.set_value(con, "audit_duplicate_window_days", "20")
    assert len(run(con, "duplicate_payment")) == 1


def test_triple_payment_counts_two_extra(con):
    add_spend(con, [line(D(2026, 3, d), 100, invoice_id="T-1") for d in (1, 9, 30)])
    assert run(con, "duplicate_payment")["amount_at_stake"].tolist() == [200.0]


# --- split_purchase ------------------------------------------------------------------------

def test_payments_just_under_the_approval_limit_close_together(con):
    add_spend(con, [line(D(2026, 4, 1), 9600, invoice_id="P-1"), line(D(2026, 4, 3), 9800, invoice_id="P-2")])
    found = run(con, "split_purchase")
    assert found[["amount_at_stake", "evidence"]].values.tolist() == [[19400.0, ["P-1", "P-2"]]]


@pytest.mark.parametrize("rows", [
    [line(D(2026, 4, 1), 9600, invoice_id="P-1")],
    [line(d, 9600, invoice_id=f"M-{i}") for i, d in enumerate(monthly(D(2026, 1, 1), 6))],
    [line(D(2026, 4, 1), 5000, invoice_id="P-1"), line(D(2026, 4, 2), 5000, invoice_id="P-2")],
    [line(D(2026, 4, 1), 9600, invoice_id="P-1"), line(D(2026, 4, 2), 9700, vendor="Oracle", invoice_id="P-2")],
], ids=["single", "monthly", "not-just-under", "two-vendors"])
def test_split_purchase_near_misses(con, rows):
    add_spend(con, rows)
    assert run(con, "split_purchase").empty


# --- no_contract ---------------------------------------------------------------------------

def test_vendor_without_contract_above_threshold(con):
    add_spend(con, [line(D(2026, 2, 1), 6000, vendor="Apex IT"), line(D(2026, 3, 1), 6000.5, vendor="APEX IT LTD")])
    found = run(con, "no_contract")
    assert found[["amount_at_stake", "contract_id"]].values.tolist() == [[12000.5, None]]
    assert "FY2026" in found["explanation"][0]


@pytest.mark.parametrize("setup", ["below-threshold", "contract-under-name-variant", "exempt-category"])
def test_no_contract_near_misses(con, setup):
    vendor, category, amount = "Apex IT", "Software", 12000
    if setup == "below-threshold":
        amount = 9000
    if setup == "contract-under-name-variant":
        add_contract(con, "C-1", "APEX IT LIMITED", D(2025, 1, 1), D(2027, 12, 31), 50000)
    if setup == "exempt-category":
        category = "Internal Services"
    add_spend(con, [line(D(2026, 2, 1), amount, vendor=vendor, category=category)])
    assert run(con, "no_contract").empty


def test_no_contract_totals_per_fiscal_year(con):
    settings.set_value(con, "fiscal_year_start_month", "4")
    add_spend(con, [line(D(2026, 3, 1), 11000, vendor="Apex IT"), line(D(2026, 4, 1), 11000, vendor="Apex IT")])
    assert sorted(run(con, "no_contract")["finding_date"].astype(str)) == ["2026-03-01", "2026-04-01"]


# --- outside_contract_dates ----------------------------------------------------------------

def test_spend_after_a_contract_ended(con):
    add_contract(con, "C-1", MS, D(2024, 1, 1), D(2025, 12, 31), 12000)
    add_spend(con, [line(D(2026, 1, 20), 1000, contract_id="C-1", invoice_id="late-ok"),
                    line(D(2026, 3, 5), 1000, contract_id="C-1", invoice_id="after-1"),
                    line(D(2026, 4, 5), 1000, contract_id="C-1", invoice_id="after-2")])
    found = run(con, "outside_contract_dates")
    assert found[["severity", "contract_id", "amount_at_stake", "evidence"]].values.tolist() == [
        ["high", "C-1", 2000.0, ["after-1", "after-2"]]]


def test_spend_before_a_contract_started(con):
    add_contract(con, "C-1", MS, D(2026, 6, 1), D(2027, 5, 31), 12000)
    add_spend(con, [line(D(2026, 3, 5), 1000, contract_id="C-1", invoice_id="early")])
    assert run(con, "outside_contract_dates")[["severity", "evidence"]].values.tolist() == [["medium", ["early"]]]


def test_tacit_renewal_keeps_the_contract_running(con):
    add_contract(con, "C-1", MS, D(2023, 1, 1), D(2023, 12, 31), 12000, auto_renew=True, renewal_term_months=12,
                 notice_days=90)
    add_spend(con, [line(D(2026, 3, 5), 1000, contract_id="C-1")])
    assert run(con, "outside_contract_dates").empty


def test_unlinked_spend_after_the_vendors_contract_ended_is_outside_that_contract(con):
    add_contract(con, "C-0", MS, D(2022, 1, 1), D(2022, 12, 31), 12000)
    add_contract(con, "C-1", MS, D(2024, 1, 1), D(2025, 12, 31), 12000)
    # no contract_id on the lines: matched by vendor (name variant) to the contract that ended last
    add_spend(con, [line(D(2026, 1, 20), 500, invoice_id="late-ok"),
                    line(D(2026, 4, 5), 1100, invoice_id="after-1"),
                    line(D(2026, 5, 5), 900, vendor="MICROSOFT IRELAND OPERATIONS LIMITED", invoice_id="after-2",
                         contract_id="C-UNKNOWN")])
    found = run(con, "outside_contract_dates")
    assert found[["severity", "contract_id", "amount_at_stake", "evidence"]].values.tolist() == [
        ["high", "C-1", 2000.0, ["after-1", "after-2"]]]
    assert "after it ended on 2025-12-31" in found["explanation"][0]
    assert "2 of them name no contract and are matched by vendor" in found["explanation"][0]
    assert run(con, "no_contract").empty


def test_unlinked_and_linked_spend_after_the_end_are_one_finding(con):
    add_contract(con, "C-1", MS, D(2024, 1, 1), D(2025, 12, 31), 12000)
    add_spend(con, [line(D(2026, 3, 5), 1000, contract_id="C-1", invoice_id="linked"),
                    line(D(2026, 4, 5), 11000, invoice_id="unlinked")])
    found = run(con, "outside_contract_dates")
    assert found[["contract_id", "amount_at_stake", "evidence"]].values.tolist() == [
        ["C-1", 12000.0, ["linked", "unlinked"]]]


def test_unlinked_spend_before_the_vendors_first_contract_is_uncontracted(con):
    add_contract(con, "C-1", MS, D(2026, 9, 1), D(2027, 8, 31), 12000)
    add_spend(con, [line(D(2026, 3, 5), 11000, invoice_id="before-1")])
    found = run(con, "no_contract")
    assert found["evidence"].tolist() == [["before-1"]]
    assert "no contract running yet" in found["explanation"][0]
    assert run(con, "outside_contract_dates").empty


def test_unlinked_spend_covered_by_another_contract_of_the_vendor(con):
    add_contract(con, "C-1", MS, D(2024, 1, 1), D(2024, 12, 31), 12000)
    add_contract(con, "C-2", MS, D(2025, 1, 1), D(2027, 12, 31), 12000)
    add_spend(con, [line(D(2026, 3, 5), 11000)])
    assert run(con, "no_contract").empty


# --- over_contract_value -------------------------------------------------------------------

def test_spend_above_annual_value_in_a_contract_year(con):
    add_contract(con, "C-1", MS, D(2025, 7, 1), D(2027, 6, 30), 12000)
    add_spend(con, [line(d, 1100, contract_id="C-1") for d in monthly(D(2025, 7, 1), 12)])
    found = run(con, "over_contract_value")
    assert found[["contract_id", "amount_at_stake"]].values.tolist() == [["C-1", pytest.approx(1200.0)]]
    assert "from 2025-07-01" in found["explanation"][0]


def test_spend_within_tolerance_is_not_reported(con):
    add_contract(con, "C-1", MS, D(2025, 7, 1), D(2027, 6, 30), 12000)
    add_spend(con, [line(d, 1040, contract_id="C-1") for d in monthly(D(2025, 7, 1), 12)])
    assert run(con, "over_contract_value").empty


def test_contract_years_are_counted_from_the_start_date(con):
    # 18 months at 1,000: neither contract year exceeds 12,000
    add_contract(con, "C-1", MS, D(2025, 7, 1), D(2027, 6, 30), 12000)
    add_spend(con, [line(d, 1000, contract_id="C-1") for d in monthly(D(2025, 7, 1), 18)])
    assert run(con, "over_contract_value").empty


def test_over_value_in_a_foreign_currency_contract(con):
    add_contract(con, "C-1", "SAP SE", D(2026, 1, 1), D(2026, 12, 31), 10000, currency="EUR")
    add_fx(con, "EUR", 1.10, monthly(D(2026, 1, 1), 12, day=1))
    add_spend(con, [line(D(2026, 2, 1), 6000, vendor="SAP SE", currency="EUR", contract_id="C-1"),
                    line(D(2026, 3, 1), 6000, vendor="SAP SE", currency="EUR", contract_id="C-1")])
    assert run(con, "over_contract_value")["amount_at_stake"].tolist() == [pytest.approx(2200.0)]


# --- price_creep ---------------------------------------------------------------------------

def test_recurring_charge_rising_above_allowed_uplift(con):
    months = monthly(D(2025, 10, 1), 13)
    prices = [1000] * 9 + [1180] * 4
    add_spend(con, [line(d, p, description=f"Support {d:%B %Y}", invoice_id=f"S-{i}")
                    for i, (d, p) in enumerate(zip(months, prices))])
    found = run(con, "price_creep")
    # allowed 1,050; 4 months at 130 over
    assert found[["amount_at_stake", "evidence"]].values.tolist() == [[pytest.approx(520.0), ["S-9", "S-10", "S-11", "S-12"]]]
    assert "+18.0%" in found["explanation"][0]


@pytest.mark.parametrize("prices", [
    [1000] * 12 + [1040] * 12 + [1080] * 6,     # yearly uplifts within 5%
    [1000] * 9 + [1050] * 4,                    # exactly the allowed uplift
    [1000, 1300, 900, 1250, 1100, 950, 1400, 1000, 1200, 980, 1330, 1010],  # usage, not a recurring price
], ids=["yearly-uplifts", "at-allowed", "usage"])
def test_price_creep_near_misses(con, prices):
    add_spend(con, [line(d, p, description="Support") for d, p in zip(monthly(D(2024, 1, 1), len(prices)), prices)])
    assert run(con, "price_creep").empty


def test_duplicate_in_a_month_is_not_a_price_rise(con):
    rows = [line(d, 1000, description="Support") for d in monthly(D(2025, 10, 1), 12)]
    rows.append(line(D(2026, 9, 20), 1000, description="Support"))
    add_spend(con, rows)
    assert run(con, "price_creep").empty


# --- unusual_spend -------------------------------------------------------------------------

def test_month_far_above_its_expected_range(con):
    months = monthly(D(2023, 11, 1), 36)
    amounts = [20000.0] * 35 + [80000.0]
    add_spend(con, [line(d, a, vendor="Dell", invoice_id=f"D-{i}", cost_center="Workplace")
                    for i, (d, a) in enumerate(zip(months, amounts))])
    found = run(con, "unusual_spend")
    vendor_rows = found[found["vendor"] == "Dell"]
    assert vendor_rows[["amount_at_stake", "evidence"]].values.tolist() == [[60000.0, ["D-35"]]]
    assert "expected 10,000.00 to 30,000.00 USD" in vendor_rows["explanation"].iloc[0]


def test_seasonal_peak_every_year_is_expected(con):
    months = monthly(D(2023, 11, 1), 36)
    add_spend(con, [line(d, 90000.0 if d.month == 3 else 20000.0, vendor="Dell") for d in months])
    assert run(con, "unusual_spend").empty


def test_current_partial_month_is_not_judged(con):
    months = monthly(D(2023, 11, 1), 37)   # up to November 2026, the as-of month
    add_spend(con, [line(d, 20000.0 if i < 36 else 500.0, vendor="Dell") for i, d in enumerate(months)])
    assert run(con, "unusual_spend").empty


# --- unused_licenses -----------------------------------------------------------------------

def test_idle_seats_and_their_annual_cost(con):
    add_license(con, "Zoom Workplace", "Zoom", 700, 430, 111.43, period=D(2026, 9, 1))
    add_license(con, "Zoom Workplace", "Zoom", 700, 400, 111.43, period=D(2026, 10, 1))
    found = run(con, "unused_licenses")
    assert found[["severity", "amount_at_stake", "evidence"]].values.tolist() == [
        ["high", pytest.approx(300 * 111.43), ["Zoom Workplace"]]]


@pytest.mark.parametrize("active", [700, 650], ids=["fully-used", "below-minimum-share"])
def test_unused_licence_near_misses(con, active):
    add_license(con, "Zoom Workplace", "Zoom", 700, active, 111.43)
    assert run(con, "unused_licenses").empty


# --- renewal_deadline ----------------------------------------------------------------------

def test_renewal_deadline_in_year_five_of_a_tacit_renewal(con):
    # 36-month initial term from 2022-03-01, then yearly tacit renewals: year 5 ends 2027-02-28,
    # so with 90 days' notice it must be cancelled by 2026-11-30 (not 90 days before 2025-02-28)
    add_contract(con, "C-9", "ServiceNow", D(2022, 3, 1), D(2025, 2, 28), 120000, auto_renew=True,
                 renewal_term_months=12, notice_days=90)
    found = run(con, "renewal_deadline")
    assert found[["contract_id", "finding_date", "amount_at_stake", "severity", "evidence"]].values.tolist() == [
        ["C-9", D(2026, 11, 30), 120000.0, "high", ["C-9"]]]


@pytest.mark.parametrize("kind", ["fixed", "far-away"])
def test_renewal_near_misses(con, kind):
    if kind == "fixed":
        add_contract(con, "C-9", "ServiceNow", D(2025, 3, 1), D(2027, 2, 28), 120000, notice_days=90)
    else:
        add_contract(con, "C-9", "ServiceNow", D(2022, 7, 1), D(2025, 6, 30), 120000, auto_renew=True,
                     renewal_term_months=12, notice_days=90)
    assert run(con, "renewal_deadline").empty


# --- vendor_consolidation ------------------------------------------------------------------

def test_category_with_many_small_vendors(con):
    add_spend(con, [line(D(2026, 6, 1), 1000 * (k + 1), vendor=f"Shop {k}", category="Printing") for k in range(5)]
              + [line(D(2026, 6, 1), 90000, vendor="Big Print", category="Printing")])
    found = run(con, "vendor_consolidation")
    assert found["amount_at_stake"].tolist() == [pytest.approx(1500.0)]   # 10% of 15,000
    assert found["explanation"][0].startswith("Printing was bought from 5 vendors")


def test_four_small_vendors_are_not_enough(con):
    add_spend(con, [line(D(2026, 6, 1), 1000, vendor=f"Shop {k}", category="Printing") for k in range(4)])
    assert run(con, "vendor_consolidation").empty


# --- money in the reporting currency ---------------------------------------------------------

def test_missing_fx_rate_leaves_the_amount_at_stake_unknown(con):
    add_spend(con, [line(D(2026, 3, 5), 1250, currency="EUR", invoice_id="E-1"),
                    line(D(2026, 3, 9), 1250, currency="EUR", invoice_id="E-1")])
    found = run(con, "duplicate_payment")
    assert len(found) == 1 and found["amount_at_stake"].isna().all()


def test_foreign_currency_duplicate_is_converted_at_its_months_rate(con):
    add_fx(con, "EUR", 1.10, [D(2026, 3, 1)])
    add_spend(con, [line(D(2026, 3, 5), 1000, currency="EUR", invoice_id="E-1"),
                    line(D(2026, 3, 9), 1000, currency="EUR", invoice_id="E-1")])
    assert run(con, "duplicate_payment")["amount_at_stake"].tolist() == [pytest.approx(1100.0)]


def test_counts_in_explanations_are_written_with_thousands_separated_in_the_readers_language():
    from analytics import i18n
    stored = engine.explained("{lines} lines", lines=engine.count(16491))
    assert engine.explanation(stored) == "16,491 lines"
    with i18n.use("de"):
        assert engine.explanation(stored).startswith("16.491")


def test_finding_ids_stay_short_and_stable_and_only_colliding_keys_take_long_ones(monkeypatch):
    """At 100M lines two pairs of the 3M duplicate-payment findings had the same 10-digit id. Keys whose short
    ids collide take 20 digits; every other finding keeps the id its reviews are stored under."""
    rule = engine.get_rule("duplicate_payment")
    keys = pd.Series([f"invoice|v{i}" for i in range(60)])
    assert engine.finding_ids(rule, keys) == [engine.finding_id(rule, k) for k in keys]  # no clash: as before
    assert engine.finding_id(rule, "invoice|v1") == "DUP-" + hashlib.md5(b"duplicate_payment|invoice|v1").hexdigest()[:10]
    monkeypatch.setattr(engine, "ID_DIGITS", 1)  # 16 short ids for 60 keys: clashes for sure
    ids = engine.finding_ids(rule, keys)
    assert len(set(ids)) == 60
    short = [i for i in ids if len(i) == len("DUP-") + 1]
    long_ = [i for i in ids if len(i) == len("DUP-") + engine.LONG_ID_DIGITS]
    assert len(short) + len(long_) == 60 and long_
    assert all(ids.count(i) == 1 for i in short)
    for key, found in zip(keys, ids):  # a short id is its key's own, a long one is its key's own too
        assert found in (engine.finding_id(rule, key), engine.finding_id(rule, key, engine.LONG_ID_DIGITS))
    assert engine.finding_ids(rule, keys) == ids  # the same keys, the same ids
