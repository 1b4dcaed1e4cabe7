"""Cancel-by dates over the whole chain of terms (DOMAIN.md: where other tools get it wrong)."""
import datetime as dt

import pytest

from analytics import contracts

D = dt.date


def test_tacit_36_month_initial_then_yearly_cancel_by_in_year_five():
    # initial 36 months from 2022-01-01, yearly renewals, 3 months' notice (~90 days)
    d = contracts.deadline(D(2022, 1, 1), D(2024, 12, 31), auto_renew=True, renewal_term_months=12,
                           notice_days=92, on=D(2026, 3, 1))
    assert d.renewal_type == "tacit"
    assert d.term.index == 2  # year 5 is the second renewal term
    assert (d.term.start_date, d.term.end_date) == (D(2026, 1, 1), D(2026, 12, 31))
    assert d.cancel_by_date == D(2026, 12, 31) - dt.timedelta(days=92)
    assert d.missed_cancel_by_date is None


def test_missed_cancel_by_shows_next_terms_deadline():
    d = contracts.deadline(D(2024, 1, 1), D(2024, 12, 31), auto_renew=True, renewal_term_months=12,
                           notice_days=90, on=D(2025, 11, 1))
    assert d.missed_cancel_by_date == D(2025, 12, 31) - dt.timedelta(days=90)
    assert d.cancel_by_date == D(2026, 12, 31) - dt.timedelta(days=90)
    assert d.term_end_date == D(2026, 12, 31)


def test_term_ends_from_start_date_no_month_end_drift():
    # start on the 31st: renewal ends stay anchored on the start, not drifting to the 28th
    # one-month initial term 2024-01-31..2024-02-28 (start + 1 month - 1 day); monthly renewals
    ends = [contracts.term_end(D(2024, 1, 31), D(2024, 2, 28), 1, k) for k in range(4)]
    assert ends == [D(2024, 2, 28), D(2024, 3, 30), D(2024, 4, 29), D(2024, 5, 30)]


def test_initial_term_not_whole_months_anchors_renewals_on_day_after_end():
    ends = [contracts.term_end(D(2024, 1, 15), D(2024, 12, 31), 12, k) for k in range(3)]
    assert ends == [D(2024, 12, 31), D(2025, 12, 31), D(2026, 12, 31)]


def test_leap_year_initial_term():
    chain = contracts.terms(D(2024, 2, 29), D(2025, 2, 28), auto_renew=True, renewal_term_months=12,
                            notice_days=30, until=D(2027, 1, 1))
    assert [(t.start_date, t.end_date) for t in chain] == [
        (D(2024, 2, 29), D(2025, 2, 28)), (D(2025, 3, 1), D(2026, 2, 28)), (D(2026, 3, 1), D(2027, 2, 28))]


def test_notice_longer_than_renewal_term_skips_to_first_future_deadline():
    d = contracts.deadline(D(2025, 1, 1), D(2025, 12, 31), auto_renew=True, renewal_term_months=1,
                           notice_days=60, on=D(2026, 1, 10))
    assert d.cancel_by_date >= D(2026, 1, 10)
    assert d.cancel_by_date == D(2026, 3, 31) - dt.timedelta(days=60)


@pytest.mark.parametrize("auto_renew,months,kind", [(False, None, "fixed"), (False, 12, "express"), (True, 12, "tacit")])
def test_renewal_types(auto_renew, months, kind):
    d = contracts.deadline(D(2025, 1, 1), D(2025, 12, 31), auto_renew=auto_renew, renewal_term_months=months,
                           notice_days=30, on=D(2025, 6, 1))
    assert d.renewal_type == kind


def test_fixed_term_expires():
    d = contracts.deadline(D(2023, 1, 1), D(2023, 12, 31), auto_renew=False, renewal_term_months=None,
                           notice_days=30, on=D(2025, 6, 1))
    assert (d.status, d.cancel_by_date, d.days_left) == ("expired", None, None)


@pytest.mark.parametrize("freq,count,amount", [("monthly", 24, 1000.0), ("quarterly", 8, 3000.0), ("annual", 2, 12000.0)])
def test_payments_by_billing_frequency_include_auto_renewed_term(freq, count, amount):
    pays = contracts.payments(D(2025, 1, 1), D(2025, 12, 31), annual_value=12000.0, billing_frequency=freq,
                              auto_renew=True, renewal_term_months=12, until=D(2026, 12, 31))
    assert len(pays) == count
    assert {p[1] for p in pays} == {amount}
    assert sum(p[1] for p in pays) == 24000.0
    assert pays[-1][2] == 1  # the last payments belong to the renewal term


def test_payments_stop_at_end_for_fixed_term_and_prorate_short_term():
    pays = contracts.payments(D(2025, 1, 1), D(2025, 7, 31), annual_value=12000.0, billing_frequency="quarterly",
                              auto_renew=False, renewal_term_months=None, until=D(2026, 12, 31))
    assert [p[0] for p in pays] == [D(2025, 1, 1), D(2025, 4, 1), D(2025, 7, 1)]
    assert pays[-1][1] == round(3000 * 31 / 92, 2)


# --- known answers (issue 6, section 6): every date below was worked out by hand ---

def test_fixed_term_has_no_cancel_by_and_counts_days_to_end():
    d = contracts.deadline(D(2025, 1, 1), D(2025, 12, 31), auto_renew=False, renewal_term_months=None,
                           notice_days=30, on=D(2025, 6, 1))
    assert (d.renewal_type, d.status, d.cancel_by_date, d.term_end_date, d.days_left) == (
        "fixed", "active", None, D(2025, 12, 31), 213)


def test_express_renewal_never_renews_by_itself():
    chain = contracts.terms(D(2025, 1, 1), D(2025, 12, 31), auto_renew=False, renewal_term_months=12,
                            notice_days=90, until=D(2030, 1, 1))
    d = contracts.deadline(D(2025, 1, 1), D(2025, 12, 31), auto_renew=False, renewal_term_months=12,
                           notice_days=90, on=D(2026, 2, 1))
    assert len(chain) == 1
    assert (d.renewal_type, d.status, d.cancel_by_date, d.days_left) == ("express", "expired", None, None)


def test_express_renewal_deadline_is_the_end_date():
    d = contracts.deadline(D(2025, 1, 1), D(2025, 12, 31), auto_renew=False, renewal_term_months=12,
                           notice_days=90, on=D(2025, 12, 1))
    assert (d.cancel_by_date, d.term_end_date, d.days_left) == (None, D(2025, 12, 31), 30)


def test_tacit_cancel_by_is_end_minus_notice_days():
    d = contracts.deadline(D(2025, 1, 1), D(2025, 12, 31), auto_renew=True, renewal_term_months=12,
                           notice_days=90, on=D(2025, 6, 1))
    assert (d.cancel_by_date, d.term_end_date, d.days_left) == (D(2025, 10, 2), D(2025, 12, 31), 123)


def test_tacit_36_month_initial_then_yearly_chain_of_cancel_by_dates():
    chain = contracts.terms(D(2022, 1, 1), D(2024, 12, 31), auto_renew=True, renewal_term_months=12,
                            notice_days=90, until=D(2027, 1, 1))
    assert [(t.start_date, t.end_date, t.cancel_by_date) for t in chain] == [
        (D(2022, 1, 1), D(2024, 12, 31), D(2024, 10, 2)),
        (D(2025, 1, 1), D(2025, 12, 31), D(2025, 10, 2)),
        (D(2026, 1, 1), D(2026, 12, 31), D(2026, 10, 2)),
        (D(2027, 1, 1), D(2027, 12, 31), D(2027, 10, 2)),
    ]


def test_tacit_36_month_initial_in_year_five_after_missing_the_deadline():
    d = contracts.deadline(D(2022, 1, 1), D(2024, 12, 31), auto_renew=True, renewal_term_months=12,
                           notice_days=90, on=D(2026, 11, 15))
    assert (d.term.index, d.missed_cancel_by_date, d.cancel_by_date, d.term_end_date, d.days_left) == (
        2, D(2026, 10, 2), D(2027, 10, 2), D(2027, 12, 31), 321)


def test_tacit_36_month_initial_mid_month_start():
    chain = contracts.terms(D(2023, 3, 15), D(2026, 3, 14), auto_renew=True, renewal_term_months=12,
                            notice_days=60, until=D(2028, 1, 1))
    assert [(t.end_date, t.cancel_by_date) for t in chain] == [
        (D(2026, 3, 14), D(2026, 1, 13)), (D(2027, 3, 14), D(2027, 1, 13)), (D(2028, 3, 14), D(2028, 1, 14))]


def test_notice_longer_than_a_renewal_term_cancel_by_falls_before_that_term_starts():
    # 3-month renewals, 120 days' notice: to stop at 2026-03-31 notice must be given by 2025-12-01,
    # a month before that renewal term even starts
    d = contracts.deadline(D(2025, 1, 1), D(2025, 12, 31), auto_renew=True, renewal_term_months=3,
                           notice_days=120, on=D(2025, 9, 15))
    assert (d.term.index, d.missed_cancel_by_date, d.cancel_by_date, d.term_end_date, d.days_left) == (
        0, D(2025, 9, 2), D(2025, 12, 1), D(2026, 3, 31), 77)


def test_leap_year_chain_from_29_february():
    chain = contracts.terms(D(2024, 2, 29), D(2025, 2, 28), auto_renew=True, renewal_term_months=12,
                            notice_days=30, until=D(2029, 1, 1))
    assert [(t.end_date, t.cancel_by_date) for t in chain[3:]] == [
        (D(2028, 2, 29), D(2028, 1, 30)), (D(2029, 2, 28), D(2029, 1, 29))]


def test_leap_year_cancel_by_lands_on_29_february():
    d = contracts.deadline(D(2023, 4, 1), D(2024, 3, 31), auto_renew=True, renewal_term_months=12,
                           notice_days=31, on=D(2024, 1, 15))
    assert d.cancel_by_date == D(2024, 2, 29)


def test_tacit_without_notice_can_be_cancelled_until_the_term_end():
    d = contracts.deadline(D(2025, 1, 1), D(2025, 12, 31), auto_renew=True, renewal_term_months=12,
                           notice_days=None, on=D(2026, 3, 1))
    assert (d.cancel_by_date, d.days_left) == (D(2026, 12, 31), 305)


def test_not_started_contract_shows_its_first_deadline():
    d = contracts.deadline(D(2027, 1, 1), D(2027, 12, 31), auto_renew=True, renewal_term_months=12,
                           notice_days=90, on=D(2026, 11, 15))
    assert (d.status, d.cancel_by_date) == ("not started", D(2027, 10, 2))
