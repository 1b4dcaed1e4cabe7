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
