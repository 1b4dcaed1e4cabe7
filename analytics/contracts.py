"""Contract terms, cancel-by dates and committed payments, computed over the whole chain of terms.

Term ends are computed from the start date, never by adding to the previous end (no month-end
drift): the initial term ends at start + initial months - 1 day, renewal k at
start + (initial + k x renewal) months - 1 day. When the initial term is not a whole number of
months, renewals are anchored on the day after the initial end instead.
A term's cancel-by date is its end minus the notice period. For a tacit (automatic) renewal the
cancel-by date moves forward with each renewal term.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from analytics import settings
from analytics.fiscal import add_months

ONE_DAY = dt.timedelta(days=1)
BILLING_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


@dataclass(frozen=True)
class Term:
    index: int              # 0 = initial term, k = k-th renewal
    start_date: dt.date
    end_date: dt.date
    cancel_by_date: dt.date | None


@dataclass(frozen=True)
class Deadline:
    """Where a contract stands on a given day."""
    renewal_type: str             # tacit | express | fixed
    status: str                   # not started | active | expired
    term: Term | None             # the term running on the day (the last one once expired)
    cancel_by_date: dt.date | None    # next cancel-by date on or after the day (tacit renewal only)
    missed_cancel_by_date: dt.date | None  # the current term's cancel-by date when it has passed
    term_end_date: dt.date | None     # end of the term that cancel_by_date controls (or of the current term)
    days_left: int | None


def renewal_type(auto_renew: bool, renewal_term_months) -> str:
    if auto_renew and renewal_term_months:
        return "tacit"
    if renewal_term_months:
        return "express"
    return "fixed"


def whole_months(start: dt.date, end: dt.date) -> int | None:
    """m when end is exactly start + m months - 1 day, else None."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    for m in (months - 1, months, months + 1):
        if m > 0 and add_months(start, m) - ONE_DAY == end:
            return m
    return None


def term_end(start: dt.date, end: dt.date, renewal_months: int, k: int) -> dt.date:
    """End of term k (0 = initial) from the start date, without cumulative drift."""
    if k == 0:
        return end
    initial = whole_months(start, end)
    if initial is not None:
        return add_months(start, initial + k * renewal_months) - ONE_DAY
    return add_months(end + ONE_DAY, k * renewal_months) - ONE_DAY


def terms(start: dt.date, end: dt.date, *, auto_renew: bool, renewal_term_months: int | None,
          notice_days: int | None, until: dt.date) -> list[Term]:
    """The initial term and, for tacit renewals, every renewal term that starts on or before `until`."""
    notice = dt.timedelta(days=int(notice_days or 0))
    has_notice = notice_days is not None and not pd.isna(notice_days)
    result = [Term(0, start, end, end - notice if has_notice else None)]
    if renewal_type(auto_renew, renewal_term_months) != "tacit":
        return result
    months = int(renewal_term_months)
    k = 1
    while result[-1].end_date < until:
        term_start = result[-1].end_date + ONE_DAY
        term_last = term_end(start, end, months, k)
        result.append(Term(k, term_start, term_last, term_last - notice if has_notice else None))
        k += 1
    return result


def deadline(start: dt.date, end: dt.date, *, auto_renew: bool, renewal_term_months: int | None,
             notice_days: int | None, on: dt.date) -> Deadline:
    """The contract's current term and next cancel-by date as seen on day `on`."""
    kind = renewal_type(auto_renew, renewal_term_months)
    # enough terms to find a cancel-by date on or after `on`, even when notice exceeds a term
    horizon = on + dt.timedelta(days=int(notice_days or 0) + 400)
    chain = terms(start, end, auto_renew=auto_renew, renewal_term_months=renewal_term_months,
                  notice_days=notice_days, until=horizon)
    if on < start:
        current, status = chain[0], "not started"
    else:
        running = [t for t in chain if t.start_date <= on <= t.end_date]
        current = running[0] if running else chain[-1]
        status = "active" if running else "expired"
    if kind != "tacit":
        days = (current.end_date - on).days if status != "expired" else None
        return Deadline(kind, status, current, None, None, current.end_date, days)
    missed = current.cancel_by_date if current.cancel_by_date and current.cancel_by_date < on else None
    upcoming = [t for t in chain if t.cancel_by_date is not None and t.cancel_by_date >= on]
    nxt = upcoming[0] if upcoming else None
    cancel_by = nxt.cancel_by_date if nxt else None
    days = (cancel_by - on).days if cancel_by else None
    return Deadline(kind, status, current, cancel_by, missed, nxt.end_date if nxt else current.end_date, days)


def _contracts(con) -> pd.DataFrame:
    return con.execute(
        "select contract_id, vendor, service, owner, start_date, end_date, annual_value, currency, auto_renew, "
        "renewal_term_months, notice_days, billing_frequency from contracts order by contract_id"
    ).df()


def register(con, *, on: dt.date | None = None) -> pd.DataFrame:
    """One row per contract: renewal type, status, current term, next cancel-by date and days left."""
    on = on or settings.as_of(con)
    frame = _contracts(con)
    rows = []
    for c in frame.itertuples(index=False):
        months = None if pd.isna(c.renewal_term_months) else int(c.renewal_term_months)
        notice = None if pd.isna(c.notice_days) else int(c.notice_days)
        d = deadline(_date(c.start_date), _date(c.end_date), auto_renew=bool(c.auto_renew),
                     renewal_term_months=months, notice_days=notice, on=on)
        term_months = months if d.renewal_type == "tacit" else None
        rows.append({
            "contract_id": c.contract_id, "vendor": c.vendor, "service": c.service, "owner": c.owner,
            "renewal_type": d.renewal_type, "status": d.status,
            "start_date": _date(c.start_date), "end_date": _date(c.end_date),
            "current_term": d.term.index if d.term else None,
            "current_term_start_date": d.term.start_date if d.term else None,
            "current_term_end_date": d.term.end_date if d.term else None,
            "cancel_by_date": d.cancel_by_date, "missed_cancel_by_date": d.missed_cancel_by_date,
            "term_end_date": d.term_end_date, "days_left": d.days_left, "notice_days": notice,
            "annual_value": float(c.annual_value), "currency": c.currency,
            "next_term_value": float(c.annual_value) * term_months / 12 if term_months else None,
            "billing_frequency": c.billing_frequency,
        })
    columns = ["contract_id", "vendor", "service", "owner", "renewal_type", "status", "start_date", "end_date",
               "current_term", "current_term_start_date", "current_term_end_date", "cancel_by_date",
               "missed_cancel_by_date", "term_end_date", "days_left", "notice_days", "annual_value", "currency",
               "next_term_value", "billing_frequency"]
    return pd.DataFrame(rows, columns=columns)


def renewals(con, *, within_days: int = 90, on: dt.date | None = None) -> pd.DataFrame:
    """Tacit renewals whose next cancel-by date falls within `within_days` of `on`; one row per contract."""
    on = on or settings.as_of(con)
    reg = register(con, on=on)
    due = reg[(reg["renewal_type"] == "tacit") & reg["days_left"].notna() & (reg["days_left"] <= within_days)]
    return due.sort_values(["cancel_by_date", "contract_id"]).reset_index(drop=True)


def payments(start: dt.date, end: dt.date, *, annual_value: float, billing_frequency: str | None,
             auto_renew: bool, renewal_term_months: int | None, until: dt.date) -> list[tuple[dt.date, float, int]]:
    """(payment date, amount, term index) for each billing period starting on or before `until`.

    Billing is in advance at the start of each period; a term shorter than a period is billed pro rata.
    """
    step = BILLING_MONTHS.get(billing_frequency or "annual", 12)
    chain = terms(start, end, auto_renew=auto_renew, renewal_term_months=renewal_term_months,
                  notice_days=None, until=until)
    result = []
    for term in chain:
        i = 0
        while True:
            period_start = add_months(term.start_date, i * step)
            if period_start > term.end_date or period_start > until:
                break
            period_end = min(add_months(term.start_date, (i + 1) * step) - ONE_DAY, term.end_date)
            full_days = (add_months(term.start_date, (i + 1) * step) - period_start).days
            share = ((period_end - period_start).days + 1) / full_days
            result.append((period_start, round(annual_value * step / 12 * share, 2), term.index))
            i += 1
    return result


def committed_payments(con, *, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per contract payment dated in [start, end], including terms contracts will auto-renew into.

    Columns: contract_id, vendor, payment_date, period, amount, currency, term_index, is_renewal_term.
    """
    frame = con.execute(
        "select contract_id, vendor, start_date, end_date, annual_value, currency, auto_renew, "
        "renewal_term_months, billing_frequency from contracts order by contract_id").df()
    rows = []
    for c in frame.itertuples(index=False):
        months = None if pd.isna(c.renewal_term_months) else int(c.renewal_term_months)
        for day, amount, index in payments(_date(c.start_date), _date(c.end_date), annual_value=float(c.annual_value),
                                           billing_frequency=c.billing_frequency, auto_renew=bool(c.auto_renew),
                                           renewal_term_months=months, until=end):
            if start <= day <= end:
                rows.append((c.contract_id, c.vendor, day, day.replace(day=1), amount, c.currency, index, index > 0))
    return pd.DataFrame(rows, columns=["contract_id", "vendor", "payment_date", "period", "amount", "currency",
                                       "term_index", "is_renewal_term"])


def _date(value) -> dt.date:
    """A pandas Timestamp or date as a plain date."""
    return pd.Timestamp(value).date()
