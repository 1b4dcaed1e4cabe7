"""The demo's contracts: terms and renewal rules drawn from the seed, and their billing schedule.

Term ends follow DOMAIN.md: computed from the start date (initial + k x renewal months, minus a
day), never by adding to the previous end. Kinds: `auto` (tacit renewal), `fixed` (expires),
`express` (renews only by agreement: auto_renew false with a renewal term).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from analytics.demo import catalog
from analytics.fiscal import add_months

STEP_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}
POOR_VENDORS = frozenset({"BT Group", "Capgemini", "Verizon Business", "Tata Consultancy Services"})

# contracts the anomalies are planted on (by service)
SPEND_AFTER_END = "Data platform build (SOW 7)"
PRICE_RISE = "Testing centre of excellence"
DUPLICATE_INVOICE = "ServiceNow ITSM Pro"
NOT_STARTED = ("Twilio Messaging API committed spend", "Backup for Microsoft 365 and VMs")
RENEW_SOON_COUNT = 10
PRICE_RISE_FACTOR = 1.18
PRICE_RISE_MONTHS = 7


@dataclass
class DemoContract:
    contract_id: str
    spec: catalog.ContractSpec
    kind: str                       # auto, fixed, express
    start: dt.date
    end: dt.date
    renewal_months: int | None
    notice_days: int | None
    owner: str
    sla_availability_pct: float | None = None
    sla_response_hours: float | None = None
    sla_resolution_hours: float | None = None
    service_credit_pct: float | None = None
    service_credit_cap_pct: float | None = None
    renew_soon: bool = False

    @property
    def initial_months(self) -> int:
        nxt = self.end + dt.timedelta(days=1)
        return (nxt.year - self.start.year) * 12 + nxt.month - self.start.month

    def term_end(self, k: int) -> dt.date:
        """Last day of term k (0 = initial term), counted from the start date."""
        months = self.initial_months + k * (self.renewal_months or 0)
        return add_months(self.start, months) - dt.timedelta(days=1)

    def active_until(self, horizon: dt.date) -> dt.date:
        """The last day the contract runs, looking no further than `horizon`."""
        if self.kind != "auto":
            return self.end
        k = 0
        while self.term_end(k) < horizon:
            k += 1
        return self.term_end(k)

    def cancel_by(self, as_of: dt.date) -> dt.date | None:
        """The next cancel-by date on or after `as_of` over the chain of renewal terms."""
        if self.kind != "auto":
            return None
        k = 0
        while self.term_end(k) - dt.timedelta(days=self.notice_days or 0) < as_of:
            k += 1
        return self.term_end(k) - dt.timedelta(days=self.notice_days or 0)

    @property
    def monthly_charge(self) -> float:
        return self.spec.annual_value / 12


def month_end(day: dt.date) -> dt.date:
    return add_months(dt.date(day.year, day.month, 1), 1) - dt.timedelta(days=1)


def build_contracts(rng: np.random.Generator, as_of: dt.date) -> list[DemoContract]:
    """Every catalogue contract with drawn terms; a few planted to renew within 90 days."""
    this_month = dt.date(as_of.year, as_of.month, 1)
    specials = {SPEND_AFTER_END, PRICE_RISE, DUPLICATE_INVOICE, *NOT_STARTED}
    candidates = [i for i, s in enumerate(catalog.CONTRACTS) if s.service not in specials]
    renew_soon = set(rng.choice(candidates, size=RENEW_SOON_COUNT, replace=False).tolist())
    contracts = []
    for i, spec in enumerate(catalog.CONTRACTS):
        owner = catalog.OWNERS[int(rng.integers(len(catalog.OWNERS)))]
        if i in renew_soon:
            start, end, renewal, notice = _renew_soon_terms(rng, as_of)
            kind = "auto"
        elif spec.service == SPEND_AFTER_END:
            end = add_months(this_month, -5) - dt.timedelta(days=1)
            start, renewal, notice, kind = add_months(end + dt.timedelta(days=1), -18), None, 30, "fixed"
        elif spec.service == DUPLICATE_INVOICE:
            start = add_months(this_month, -4 - 36)
            end, renewal, notice, kind = add_months(start, 36) - dt.timedelta(days=1), 12, 90, "auto"
        elif spec.service in NOT_STARTED:
            start = add_months(this_month, 1 + NOT_STARTED.index(spec.service))
            end, renewal, notice, kind = add_months(start, 36) - dt.timedelta(days=1), 12, 90, "auto"
        else:
            kind, start, end, renewal, notice = _drawn_terms(rng, this_month)
        if spec.service == PRICE_RISE:
            kind, renewal, notice = "express", 12, 60
            start = add_months(this_month, -30)
            end = add_months(start, 48) - dt.timedelta(days=1)
        contract = DemoContract(f"C-{i + 1:04d}", spec, kind, start, end, renewal, notice, owner,
                                renew_soon=i in renew_soon)
        _add_sla_terms(rng, contract)
        contracts.append(contract)
    return contracts


def _renew_soon_terms(rng, as_of: dt.date):
    """Terms whose current renewal term has its cancel-by date 5 to 85 days after as_of."""
    notice = int(rng.choice([30, 60, 90]))
    offset = int(rng.integers(5, 56))
    term_end = month_end(as_of + dt.timedelta(days=notice + offset))
    initial = int(rng.choice([12, 24, 36]))
    renewals = int(rng.integers(0, 4))
    start = add_months(term_end + dt.timedelta(days=1), -(initial + 12 * renewals))
    end = add_months(start, initial) - dt.timedelta(days=1)
    return start, end, 12, notice


def _drawn_terms(rng, this_month: dt.date):
    kind = str(rng.choice(["auto", "fixed", "express"], p=[0.5, 0.28, 0.22]))
    initial = int(rng.choice([12, 24, 36, 36, 60]))
    if kind == "auto":
        start = add_months(this_month, -int(rng.integers(6, 73)))
        renewal = int(rng.choice([12, 12, 12, 24]))
        notice = int(rng.choice([30, 60, 90, 90, 180]))
    elif kind == "fixed":
        # ends between a year ago and two years ahead
        end_month = add_months(this_month, int(rng.integers(-12, 25)))
        start = add_months(end_month, 1 - initial)
        renewal, notice = None, int(rng.choice([30, 60, 90]))
    else:
        # express renewals run their current term over the as-of date
        start = add_months(this_month, -int(rng.integers(3, max(initial - 2, 4))))
        renewal, notice = 12, int(rng.choice([60, 90]))
    end = add_months(start, initial) - dt.timedelta(days=1)
    return kind, start, end, renewal, notice


def _add_sla_terms(rng, contract: DemoContract) -> None:
    sla = contract.spec.sla
    if sla is None:
        return
    if sla in ("avail", "both"):
        contract.sla_availability_pct = float(rng.choice([99.5, 99.9, 99.9, 99.95, 99.99]))
    if sla in ("ticket", "both"):
        contract.sla_response_hours = float(rng.choice([1, 2, 4, 4, 8]))
        contract.sla_resolution_hours = float(rng.choice([8, 24, 24, 48]))
    # credit per breach or point below target, % of the monthly charge, and its cap
    contract.service_credit_pct = float(rng.choice([1, 2, 2, 5]))
    contract.service_credit_cap_pct = float(rng.choice([5, 10, 10]))


def billing_events(contract: DemoContract, lo: dt.date, hi: dt.date, *, planted: bool = True):
    """(invoice date, amount in contract currency, note) for each billing between lo and hi.

    Bills in advance at the start of each billing period, a stable few days after it.
    With `planted`, the price rise, the duplicate payment and the bills after the end date
    are included (actuals); without, the result is the contract's plan (for budgets).
    """
    step = STEP_MONTHS[contract.spec.billing]
    last_day = contract.active_until(hi)
    amount = contract.spec.annual_value * step / 12
    delay = int(contract.contract_id[-2:]) % 9
    events = []
    j = 0
    while (period := add_months(contract.start, step * j)) <= min(last_day, hi):
        date = period + dt.timedelta(days=delay)
        if lo <= date <= hi:
            events.append((date, amount, "bill"))
        j += 1
    if planted:
        events = _plant(contract, events, hi, amount, delay)
    return events


def _plant(contract: DemoContract, events: list, hi: dt.date, amount: float, delay: int) -> list:
    service = contract.spec.service
    if service == SPEND_AFTER_END:
        first_after = dt.date(contract.end.year, contract.end.month, 1)
        for k in (1, 2):
            date = add_months(first_after, k) + dt.timedelta(days=delay)
            if date <= hi:
                events.append((date, amount, "after_end"))
    elif service == PRICE_RISE:
        cutoff = add_months(dt.date(hi.year, hi.month, 1), -PRICE_RISE_MONTHS + 1)
        events = [(d, a * PRICE_RISE_FACTOR, "price_rise") if d >= cutoff else (d, a, n) for d, a, n in events]
    elif service == DUPLICATE_INVOICE and events:
        date, paid, _ = events[-1]
        if date + dt.timedelta(days=12) <= hi:
            events.append((date + dt.timedelta(days=12), paid, "duplicate"))
    return events
