"""The demo's smaller datasets as canonical frames: contracts, fx, budget, SLA, incidents, licences.

Each function returns a pandas frame with the dataset's canonical columns (typed values;
load.py turns them into the text an import file would hold).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics.demo import catalog, terms
from analytics.demo.spend import SPLIT_WEIGHTS, Horizon, month_index, month_start, stream_expected
from analytics.fiscal import add_months, bounds

PRIORITIES = ("P1", "P2", "P3", "P4")
PRIORITY_SHARE = (0.03, 0.12, 0.45, 0.40)
# (response hours, resolution hours, counted in business hours?) per priority
PRIORITY_TARGETS = {"P1": (0.5, 4, False), "P2": (1, 8, False), "P3": (4, 24, True), "P4": (8, 72, True)}
UK_SCHEDULE = "UK business hours"
US_SCHEDULE = "US business hours"
CREDIT_CLAIM_RATE = 0.4


def contracts_frame(contracts: list[terms.DemoContract]) -> pd.DataFrame:
    rows = []
    for c in contracts:
        rows.append({
            "contract_id": c.contract_id, "vendor": c.spec.vendor, "service": c.spec.service,
            "start_date": c.start, "end_date": c.end, "annual_value": f"{c.spec.annual_value:.2f}",
            "currency": c.spec.currency, "auto_renew": c.kind == "auto",
            "renewal_term_months": c.renewal_months, "notice_days": c.notice_days,
            "billing_frequency": c.spec.billing, "owner": c.owner,
            "sla_availability_pct": c.sla_availability_pct, "sla_response_hours": c.sla_response_hours,
            "sla_resolution_hours": c.sla_resolution_hours, "service_credit_pct": c.service_credit_pct,
            "service_credit_cap_pct": c.service_credit_cap_pct,
        })
    return pd.DataFrame(rows)


def fx_rates(rng: np.random.Generator, horizon: Horizon) -> dict[tuple[int, str], float]:
    """USD per unit of each currency, monthly from the first demo month to the end of the budget.

    A random walk up to the as-of month; later months carry the as-of month's rate (the
    planning rate). USD itself is listed at 1 so another reporting currency works too.
    """
    rates = {}
    last_actual = month_index(horizon.as_of)
    months = horizon.months(horizon.budget_end)
    for currency in catalog.CURRENCIES:
        level = catalog.FX_START.get(currency, 1.0)
        for m in months:
            if currency != "USD" and m <= last_actual and m != months[0]:
                level *= float(np.exp(rng.normal(0.0005, 0.014)))
            rates[(int(m), currency)] = round(level, 6)
    return rates


def fx_frame(rates: dict[tuple[int, str], float]) -> pd.DataFrame:
    rows = [{"period": month_start(m), "currency": c, "rate_to_base": f"{r:.6f}"} for (m, c), r in sorted(rates.items())]
    return pd.DataFrame(rows)


def sla_measurements(rng: np.random.Generator, contracts: list[terms.DemoContract], horizon: Horizon):
    """(sla frame, credits): monthly measurements per SLA metric, and the service credits claimed."""
    rows, credits = [], []
    last = month_index(horizon.as_of) - 1  # the as-of month is not measured yet
    for c in contracts:
        metrics = [(name, target) for name, target in (("availability", c.sla_availability_pct),
                                                       ("response", c.sla_response_hours),
                                                       ("resolution", c.sla_resolution_hours)) if target is not None]
        if not metrics:
            continue
        breach_rate = 0.22 if c.spec.vendor in terms.POOR_VENDORS else 0.05
        first = max(month_index(c.start), month_index(horizon.first))
        end = min(last, month_index(c.active_until(horizon.as_of)))
        for m in range(first, end + 1):
            breached = []
            for name, target in metrics:
                breach = rng.random() < breach_rate
                actual = _sla_actual(rng, name, target, breach)
                rows.append({"period": month_start(m), "contract_id": c.contract_id, "metric": name,
                             "target": target, "actual": actual})
                if breach:
                    breached.append(name)
            if breached and rng.random() < CREDIT_CLAIM_RATE:
                date = month_start(m + 1) + dt.timedelta(days=int(rng.integers(9, 20)))
                if date <= horizon.as_of:
                    cents = int(round(c.monthly_charge * c.service_credit_pct / 100 * 100))
                    credits.append({"contract_id": c.contract_id, "period": month_start(m), "metric": breached[0],
                                    "date": date, "cents": cents})
    return pd.DataFrame(rows), credits


def _sla_actual(rng, metric: str, target: float, breach: bool) -> float:
    if metric == "availability":
        if breach:
            return round(target - float(rng.uniform(0.02, 0.6)), 3)
        return round(min(100.0, target + float(rng.uniform(0.0, 100.0 - target))), 3)
    factor = rng.uniform(1.08, 2.2) if breach else rng.uniform(0.25, 0.95)
    return round(target * float(factor), 2)


def incidents_frame(rng: np.random.Generator, contracts: list[terms.DemoContract], horizon: Horizon,
                    count: int = 4200) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(incidents, pauses): two years of tickets, and the on-hold pauses of some of them.

    Response and resolution take a lognormal share of the ticket's target (about 6% over it,
    17% for the weaker vendors), counted on the wall clock, so business hours and pauses only
    help. Tickets not responded to or resolved by 17:00 on the as-of date stay open. made_sla is
    the ITSM tool's own flag: the wall-clock verdict, wrong on about 3% of tickets.
    """
    eligible = [c for c in contracts if c.spec.sla and c.start <= horizon.as_of]
    weight = np.array([3.0 if c.spec.sla in ("ticket", "both") else 1.0 for c in eligible])
    pick = rng.choice(len(eligible), size=count, p=weight / weight.sum())
    now = dt.datetime.combine(horizon.as_of, dt.time(17, 0))
    window_start = dt.datetime.combine(add_months(horizon.as_of, -24), dt.time(0, 0))
    opened_s = np.sort(rng.uniform(0, (now - window_start).total_seconds(), count))
    priority = rng.choice(PRIORITIES, size=count, p=PRIORITY_SHARE)
    rows, pauses = [], []
    for i in range(count):
        c = eligible[pick[i]]
        p = str(priority[i])
        opened = window_start + dt.timedelta(seconds=int(opened_s[i]))
        if rng.random() < 0.7:  # most tickets are raised in office hours
            opened = opened.replace(hour=int(rng.integers(8, 18)))
        opened = min(opened, now - dt.timedelta(minutes=1))
        slow = 1.4 if c.spec.vendor in terms.POOR_VENDORS else 1.0
        resp_h, resol_h, _ = PRIORITY_TARGETS[p]
        respond = dt.timedelta(hours=resp_h * float(rng.lognormal(np.log(0.4 * slow), 0.6)))
        resolve = max(respond, dt.timedelta(hours=resol_h * float(rng.lognormal(np.log(0.4 * slow), 0.6))))
        responded = _second(opened + respond) if opened + respond <= now else None
        resolved = _second(opened + resolve) if opened + resolve <= now and rng.random() > 0.006 else None
        met = respond <= dt.timedelta(hours=resp_h) and resolve <= dt.timedelta(hours=resol_h)
        if resolved is None:
            met = now - opened <= dt.timedelta(hours=resol_h) and (responded is not None or now - opened <= dt.timedelta(hours=resp_h))
        made_sla = (not met) if rng.random() < 0.03 else met
        rows.append({"contract_id": c.contract_id, "priority": p, "opened_at": opened, "responded_at": responded,
                     "resolved_at": resolved, "made_sla": made_sla})
        if resolved is not None and responded is not None and p in ("P3", "P4") and rng.random() < 0.12:
            paused = _second(responded + (resolved - responded) * float(rng.uniform(0.1, 0.5)))
            resumed = _second(paused + (resolved - paused) * float(rng.uniform(0.2, 0.6)))
            if responded < paused < resumed < resolved:
                pauses.append({"row": i, "paused_at": paused, "resumed_at": resumed})
    frame = pd.DataFrame(rows).sort_values("opened_at", kind="stable")
    ticket_ids = {index: f"INC{10001 + n:07d}" for n, index in enumerate(frame.index)}
    frame.insert(0, "ticket_id", [ticket_ids[i] for i in frame.index])
    pause_frame = pd.DataFrame([{"ticket_id": ticket_ids[x["row"]], "paused_at": x["paused_at"],
                                 "resumed_at": x["resumed_at"]} for x in pauses],
                               columns=["ticket_id", "paused_at", "resumed_at"])
    return frame.reset_index(drop=True), pause_frame.sort_values(["ticket_id", "paused_at"]).reset_index(drop=True)


def _second(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=0)


def schedule_of(contract: terms.DemoContract) -> str:
    return US_SCHEDULE if contract.spec.currency == "USD" else UK_SCHEDULE


def sla_targets_frame(contracts: list[terms.DemoContract]) -> pd.DataFrame:
    """Priority-specific targets for the contracts with ticket SLAs: P1-P2 around the clock, P3-P4 in business hours."""
    rows = []
    for c in contracts:
        if c.spec.sla not in ("ticket", "both"):
            continue
        for p in PRIORITIES:
            resp_h, resol_h, business = PRIORITY_TARGETS[p]
            schedule = schedule_of(c) if business else "24x7"
            rows.append({"contract_id": c.contract_id, "metric": "response", "priority": p, "target_hours": resp_h,
                         "schedule": schedule})
            rows.append({"contract_id": c.contract_id, "metric": "resolution", "priority": p, "target_hours": resol_h,
                         "schedule": schedule})
    return pd.DataFrame(rows)


def schedules_frame() -> pd.DataFrame:
    return pd.DataFrame([
        {"schedule": UK_SCHEDULE, "timezone": "Europe/London", "working_days": "mon-fri", "start_time": "08:00",
         "end_time": "18:00"},
        {"schedule": US_SCHEDULE, "timezone": "America/Chicago", "working_days": "mon-fri", "start_time": "08:00",
         "end_time": "18:00"},
    ])


def holidays_frame(horizon: Horizon) -> pd.DataFrame:
    """Public holidays of both schedules for every year from the first demo year to the year after the as-of date."""
    rows = []
    for year in range(horizon.first.year, horizon.as_of.year + 2):
        easter = _easter(year)
        uk = [(dt.date(year, 1, 1), "New Year's Day"), (easter - dt.timedelta(days=2), "Good Friday"),
              (easter + dt.timedelta(days=1), "Easter Monday"), (_nth_weekday(year, 5, 0, 1), "Early May bank holiday"),
              (_nth_weekday(year, 5, 0, -1), "Spring bank holiday"), (_nth_weekday(year, 8, 0, -1), "Summer bank holiday"),
              (dt.date(year, 12, 25), "Christmas Day"), (dt.date(year, 12, 26), "Boxing Day")]
        us = [(dt.date(year, 1, 1), "New Year's Day"), (_nth_weekday(year, 5, 0, -1), "Memorial Day"),
              (dt.date(year, 7, 4), "Independence Day"), (_nth_weekday(year, 9, 0, 1), "Labor Day"),
              (_nth_weekday(year, 11, 3, 4), "Thanksgiving Day"), (dt.date(year, 12, 25), "Christmas Day")]
        rows += [{"schedule": UK_SCHEDULE, "date": d, "name": n} for d, n in uk]
        rows += [{"schedule": US_SCHEDULE, "date": d, "name": n} for d, n in us]
    return pd.DataFrame(rows)


def _easter(year: int) -> dt.date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th (1-based; -1 = last) `weekday` (0 = Monday) of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def licenses_frame(rng: np.random.Generator, contracts: list[terms.DemoContract], horizon: Horizon) -> pd.DataFrame:
    """Monthly seat counts for the last twelve months, for each licence whose contract runs."""
    by_service = {c.spec.service: c for c in contracts}
    last = month_index(horizon.as_of)
    rows = []
    for product, service, seats, unit_cost, assigned_share, active_share in catalog.LICENSES:
        c = by_service[service]
        for m in range(last - 11, last + 1):
            if month_start(m) < dt.date(c.start.year, c.start.month, 1):
                continue
            assigned = min(seats, int(round(seats * assigned_share * rng.uniform(0.97, 1.02))))
            active = min(assigned, int(round(assigned * active_share * rng.uniform(0.96, 1.03))))
            rows.append({"product": product, "vendor": c.spec.vendor, "seats_purchased": seats,
                         "seats_assigned": assigned, "seats_active": active, "unit_cost": f"{unit_cost:.2f}",
                         "currency": c.spec.currency, "contract_id": c.contract_id, "period": month_start(m)})
    return pd.DataFrame(rows)


def budget_frame(rng: np.random.Generator, contracts: list[terms.DemoContract], horizon: Horizon,
                 rates: dict[tuple[int, str], float], scale: float) -> pd.DataFrame:
    """Monthly USD budgets per cost center x category (x project) for four fiscal years.

    The plan is the generator's own expectation (streams and contract billing schedules at the
    fiscal year's planning rate) with a bias per line and year, so some lines overspend.
    Version `original` for every year; `reforecast-1` for about a third of the current year's lines.
    """
    expected = _expected_usd(contracts, horizon, rates, scale)
    fy = horizon.fiscal_year
    rows = []
    for (cc, category, project), by_month in sorted(expected.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")):
        reforecast = project is None and rng.random() < 0.35
        for year in range(fy - 2, fy + 2):
            bias = float(rng.normal(0.03, 0.08))
            start = month_index(bounds(year, horizon.fy_start)[0])
            for m in range(start, start + 12):
                value = by_month.get(m, 0.0)
                if value <= 0:
                    continue
                rows.append(_budget_row(m, cc, category, project, value * (1 + bias), "original"))
                if reforecast and year == fy:
                    rows.append(_budget_row(m, cc, category, project, value * (1 + float(rng.normal(0.0, 0.025))),
                                            "reforecast-1"))
    return pd.DataFrame(rows)


def _budget_row(m, cc, category, project, value, version):
    step = 100 if value >= 10000 else 10
    amount = max(step, round(value / step) * step)
    return {"period": month_start(m), "cost_center": cc, "category": category, "amount": f"{amount:.2f}",
            "currency": "USD", "version": version, "project": project}


def _expected_usd(contracts, horizon: Horizon, rates, scale: float) -> dict:
    """{(cost center, category, project): {month index: expected USD}} over the budget years."""
    def planning_rate(currency: str, m: int) -> float:
        fy_first = month_index(bounds(_fy_of(m, horizon.fy_start), horizon.fy_start)[0])
        return rates[(min(fy_first, month_index(horizon.as_of)), currency)]

    out: dict = {}
    months = horizon.months(horizon.budget_end)
    for stream in catalog.STREAMS:
        values = stream_expected(stream, horizon, months) * scale
        line = out.setdefault((stream.cost_center, stream.category, stream.project), {})
        for m, v in zip(months.tolist(), values.tolist()):
            if v > 0:
                line[m] = line.get(m, 0.0) + v * planning_rate(stream.currency, m)
    for c in contracts:
        shares = list(zip((c.spec.cost_center, *c.spec.split), SPLIT_WEIGHTS[len(c.spec.split)]))
        for date, amount, _ in terms.billing_events(c, horizon.first, horizon.budget_end, planted=False):
            m = month_index(date)
            for cc, share in shares:
                line = out.setdefault((cc, c.spec.category, None), {})
                line[m] = line.get(m, 0.0) + amount * share * planning_rate(c.spec.currency, m)
    return out


def _fy_of(m: int, fy_start: int) -> int:
    year, month = m // 12, m % 12 + 1
    return year if fy_start == 1 else year + (month >= fy_start)
