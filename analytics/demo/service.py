"""The demo's service desk: SLA schedules, public holidays, priority targets, incidents and on-hold pauses.

Each ticket-SLA contract gets response and resolution targets per priority (P1/P2 on 24x7,
P3/P4 in business hours of the EU or US schedule by the contract's currency). Ticket clocks are
drawn in schedule hours against those targets (each contract has its own breach rate, higher for
terms.POOR_VENDORS) and laid onto the calendar with the schedule's working windows, time zone and
holidays, so the SLA engine measures what was drawn. Incident timestamps are naive UTC (the
default incident_timezone).
"""
from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
import pandas as pd

from analytics.demo import terms
from analytics.demo.spend import Horizon
from analytics.fiscal import add_months

ALWAYS = "24x7"
EU, US = "business-hours-eu", "business-hours-us"
# schedule: (time zone, working days, start, end)
SCHEDULES = {EU: ("Europe/Amsterdam", "mon-fri", "08:00", "18:00"),
             US: ("America/New_York", "mon-fri", "08:00", "18:00")}

PRIORITIES = ("P1", "P2", "P3", "P4")
PRIORITY_SHARE = (0.03, 0.12, 0.45, 0.40)
# target hours to choose from, per metric and priority (P3/P4 are business hours)
TARGET_CHOICES = {
    "response": {"P1": (0.5, 1.0), "P2": (2.0, 2.0, 4.0), "P3": (8.0,), "P4": (16.0,)},
    "resolution": {"P1": (4.0,), "P2": (8.0, 12.0), "P3": (24.0, 27.0), "P4": (40.0, 50.0)},
}
BREACH_RATE = {"normal": (0.005, 0.045), "poor": (0.10, 0.16)}
PAUSE_SHARE = 0.1            # P3/P4 tickets put on hold waiting on the customer once
STUCK_SHARE = 0.004          # tickets nobody resolves (still open, long past target)
SAFE_MARGIN_H = 0.05         # drawn clocks stay this far from the target (3 minutes)


def schedule_of(contract: terms.DemoContract, priority: str) -> str:
    if priority in ("P1", "P2"):
        return ALWAYS
    return US if contract.spec.currency == "USD" else EU


# --- public holidays --------------------------------------------------------------------------

def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """n-th (1-based; -1 = last) given weekday (0 = Monday) of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    """US rule: a Saturday holiday is observed on Friday, a Sunday one on Monday."""
    return day - dt.timedelta(days=1) if day.weekday() == 5 else day + dt.timedelta(days=1) if day.weekday() == 6 else day


def holidays_nl(year: int) -> list[tuple[dt.date, str]]:
    easter = _easter(year)
    kings = dt.date(year, 4, 27)
    out = [(dt.date(year, 1, 1), "New Year's Day"), (easter - dt.timedelta(days=2), "Good Friday"),
           (easter + dt.timedelta(days=1), "Easter Monday"),
           (kings - dt.timedelta(days=1) if kings.weekday() == 6 else kings, "King's Day"),
           (easter + dt.timedelta(days=39), "Ascension Day"), (easter + dt.timedelta(days=50), "Whit Monday"),
           (dt.date(year, 12, 25), "Christmas Day"), (dt.date(year, 12, 26), "Boxing Day")]
    if year % 5 == 0:
        out.append((dt.date(year, 5, 5), "Liberation Day"))
    return sorted(out)


def holidays_us(year: int) -> list[tuple[dt.date, str]]:
    return sorted([
        (_observed(dt.date(year, 1, 1)), "New Year's Day"),
        (_nth_weekday(year, 1, 0, 3), "Martin Luther King Jr. Day"),
        (_nth_weekday(year, 2, 0, 3), "Presidents' Day"),
        (_nth_weekday(year, 5, 0, -1), "Memorial Day"),
        (_observed(dt.date(year, 6, 19)), "Juneteenth"),
        (_observed(dt.date(year, 7, 4)), "Independence Day"),
        (_nth_weekday(year, 9, 0, 1), "Labor Day"),
        (_observed(dt.date(year, 11, 11)), "Veterans Day"),
        (_nth_weekday(year, 11, 3, 4), "Thanksgiving Day"),
        (_observed(dt.date(year, 12, 25)), "Christmas Day"),
    ])


HOLIDAYS = {EU: holidays_nl, US: holidays_us}


def schedules_frame() -> pd.DataFrame:
    return pd.DataFrame([{"schedule": name, "timezone": tz, "working_days": days, "start_time": start, "end_time": end}
                         for name, (tz, days, start, end) in SCHEDULES.items()])


def holidays_frame(horizon: Horizon) -> pd.DataFrame:
    """Public holidays of every year the demo's tickets and budgets span, per business-hour schedule."""
    years = range(horizon.first.year, horizon.budget_end.year + 1)
    rows = [{"schedule": name, "date": day, "name": what}
            for name, rule in HOLIDAYS.items() for year in years for day, what in rule(year)]
    return pd.DataFrame(rows).drop_duplicates(["schedule", "date"]).reset_index(drop=True)


# --- working-time clock -------------------------------------------------------------------------

_EPOCH = dt.datetime(1970, 1, 1)


def _seconds(t: dt.datetime) -> float:
    return (t - _EPOCH).total_seconds()


class Clock:
    """Working seconds of one schedule: W(t) (working time since the calendar start) and its inverse."""

    def __init__(self, name: str, first: dt.date, last: dt.date):
        self.always = name == ALWAYS
        if self.always:
            return
        tz_name, _, start, end = SCHEDULES[name]
        tz = zoneinfo.ZoneInfo(tz_name)
        off = {d for year in range(first.year, last.year + 1) for d, _ in HOLIDAYS[name](year)}
        (sh, sm), (eh, em) = (map(int, start.split(":")), map(int, end.split(":")))
        starts, ends = [], []
        day = first
        while day <= last:
            if day.weekday() < 5 and day not in off:
                for bucket, (h, m) in ((starts, (sh, sm)), (ends, (eh, em))):
                    local = dt.datetime(day.year, day.month, day.day, h, m, tzinfo=tz)
                    bucket.append(_seconds(local.astimezone(dt.timezone.utc).replace(tzinfo=None)))
            day += dt.timedelta(days=1)
        self.starts = np.array(starts)
        lengths = np.array(ends) - self.starts
        self.lengths = lengths
        self.before = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
        self.after = self.before + lengths

    def w(self, t: np.ndarray) -> np.ndarray:
        """Working seconds up to instants t (epoch seconds)."""
        if self.always:
            return t
        i = np.searchsorted(self.starts, t, side="right") - 1
        inside = np.clip(t - self.starts[np.maximum(i, 0)], 0, self.lengths[np.maximum(i, 0)])
        return np.where(i < 0, 0.0, self.before[np.maximum(i, 0)] + inside)

    def at(self, w: np.ndarray) -> np.ndarray:
        """The instant (epoch seconds) at which working time w is reached."""
        if self.always:
            return w
        i = np.searchsorted(self.after, w, side="left")
        return self.starts[i] + (w - self.before[i])

    def add(self, t: np.ndarray, hours: np.ndarray) -> np.ndarray:
        return self.at(self.w(t) + hours * 3600.0)


# --- targets, incidents, pauses ---------------------------------------------------------------------

def ticket_contracts(contracts: list[terms.DemoContract]) -> list[terms.DemoContract]:
    return [c for c in contracts if c.sla_response_hours is not None or c.sla_resolution_hours is not None]


def draw_targets(rng: np.random.Generator, contracts: list[terms.DemoContract]) -> dict:
    """{(contract_id, metric, priority): hours} for every ticket-SLA contract."""
    targets = {}
    for c in ticket_contracts(contracts):
        for metric, by_priority in TARGET_CHOICES.items():
            for p, choices in by_priority.items():
                targets[(c.contract_id, metric, p)] = float(rng.choice(choices))
    return targets


def targets_frame(contracts: list[terms.DemoContract], targets: dict) -> pd.DataFrame:
    by_id = {c.contract_id: c for c in contracts}
    rows = [{"contract_id": cid, "metric": metric, "priority": p, "target_hours": hours,
             "schedule": schedule_of(by_id[cid], p)} for (cid, metric, p), hours in sorted(targets.items())]
    return pd.DataFrame(rows)


def _factors(rng: np.random.Generator, breach_rate: np.ndarray) -> np.ndarray:
    """Elapsed / target per ticket: below 1 - margin when met, 1.1 to 2.6 when breached."""
    breached = rng.random(len(breach_rate)) < breach_rate
    met = 0.06 + 0.86 * rng.beta(2.0, 2.6, len(breach_rate))
    late = rng.uniform(1.1, 2.6, len(breach_rate))
    return np.where(breached, late, met)


def incidents_frames(rng: np.random.Generator, contracts: list[terms.DemoContract], horizon: Horizon,
                     targets: dict, count: int = 4200) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(incidents, incident_pauses) over the last two years; tickets not yet answered at the as-of time stay open."""
    eligible = [c for c in contracts if c.spec.sla and c.start <= horizon.as_of]
    weight = np.array([3.0 if c.spec.sla in ("ticket", "both") else 1.0 for c in eligible])
    pick = rng.choice(len(eligible), size=count, p=weight / weight.sum())
    now = dt.datetime.combine(horizon.as_of, dt.time(17, 0))
    window_start = dt.datetime.combine(add_months(horizon.as_of, -24), dt.time(0, 0))
    opened = _seconds(window_start) + np.floor(np.sort(rng.uniform(0, (now - window_start).total_seconds(), count)))
    # most tickets are opened in office hours (07:00-17:00 UTC)
    in_office = rng.random(count) < 0.7
    hour = rng.integers(7, 17, count)
    day_start = np.floor(opened / 86400) * 86400
    opened = np.where(in_office, day_start + hour * 3600 + opened % 3600, opened)
    opened = np.minimum(opened, _seconds(now) - 60)
    priority = rng.choice(PRIORITIES, size=count, p=PRIORITY_SHARE)
    # each contract's own breach rates, per metric
    rates = {}
    for c in eligible:
        low, high = BREACH_RATE["poor" if c.spec.vendor in terms.POOR_VENDORS else "normal"]
        rates[c.contract_id] = (rng.uniform(low, high), rng.uniform(low, high))
    contract_ids = np.array([eligible[i].contract_id for i in pick], dtype=object)
    schedule = np.array([schedule_of(eligible[i], str(p)) for i, p in zip(pick, priority)], dtype=object)

    def target(metric: str, i: int) -> float:
        c, p = eligible[pick[i]], str(priority[i])
        # contracts without ticket terms have no targets; their tickets follow the usual pace
        return targets.get((c.contract_id, metric, p), TARGET_CHOICES[metric][p][0])

    resp_target = np.array([target("response", i) for i in range(count)])
    resol_target = np.array([target("resolution", i) for i in range(count)])
    resp_h = resp_target * _factors(rng, np.array([rates[c][0] for c in contract_ids]))
    resol_h = resol_target * _factors(rng, np.array([rates[c][1] for c in contract_ids]))
    resp_h = np.where(np.abs(resp_h - resp_target) < SAFE_MARGIN_H, resp_target - SAFE_MARGIN_H, resp_h)
    resol_h = np.maximum(resol_h, resp_h + rng.uniform(0.1, 1.0, count))
    resol_h = np.where(np.abs(resol_h - resol_target) < SAFE_MARGIN_H, resol_target + SAFE_MARGIN_H, resol_h)
    # on hold once (after the response), waiting on the customer: the pause's working time is not counted
    paused = (rng.random(count) < PAUSE_SHARE) & np.isin(priority, ["P3", "P4"])
    pause_at_h = resp_h + rng.uniform(0.1, 0.7, count) * (resol_h - resp_h)
    # usually a few hours to two days; sometimes the customer takes a week or more to answer
    pause_h = np.where(paused, np.where(rng.random(count) < 0.15, rng.uniform(20.0, 90.0, count),
                                        rng.uniform(2.0, 20.0, count)), 0.0)
    stuck = rng.random(count) < STUCK_SHARE

    first = (window_start - dt.timedelta(days=3)).date()
    last = horizon.as_of + dt.timedelta(days=400)
    responded = np.empty(count)
    resolved = np.empty(count)
    pause_start = np.empty(count)
    pause_end = np.empty(count)
    for name in (ALWAYS, EU, US):
        rows = schedule == name
        if not rows.any():
            continue
        clock = Clock(name, first, last)
        base = clock.w(opened[rows])
        responded[rows] = clock.at(base + resp_h[rows] * 3600)
        resolved[rows] = clock.at(base + (resol_h[rows] + pause_h[rows]) * 3600)
        pause_start[rows] = clock.at(base + pause_at_h[rows] * 3600)
        pause_end[rows] = clock.at(base + (pause_at_h[rows] + pause_h[rows]) * 3600)
    limit = _seconds(now)
    responded = np.floor(responded)
    resolved = np.floor(resolved)
    is_resolved = (resolved <= limit) & ~stuck
    frame = pd.DataFrame({
        "ticket_id": "", "contract_id": contract_ids, "priority": priority,
        "opened_at": _stamps(opened),
        "responded_at": _stamps(np.where((responded <= limit) & ~(stuck & (resp_h > resp_target)), responded, np.nan)),
        "resolved_at": _stamps(np.where(is_resolved, resolved, np.nan)),
        "made_sla": np.where(is_resolved, resol_h <= resol_target, None),
    })
    frame["made_sla"] = frame["made_sla"].astype(object).where(is_resolved, None)
    pauses = pd.DataFrame({"row": np.arange(count), "paused_at": _stamps(np.ceil(pause_start)),
                           "resumed_at": _stamps(np.where(pause_end <= limit, np.floor(pause_end), np.nan))})
    pauses = pauses[paused & (np.ceil(pause_start) <= limit)]
    order = np.argsort(frame["opened_at"].to_numpy(), kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)
    ids = pd.Series([f"INC{10001 + i:07d}" for i in range(count)])
    frame["ticket_id"] = ids
    position = np.empty(count, dtype=np.int64)
    position[order] = np.arange(count)
    pauses = pauses.assign(ticket_id=ids.iloc[position[pauses["row"].to_numpy()]].to_numpy())
    return frame, pauses[["ticket_id", "paused_at", "resumed_at"]].sort_values("ticket_id").reset_index(drop=True)


def _stamps(seconds: np.ndarray) -> list:
    return [None if s != s else _EPOCH + dt.timedelta(seconds=float(s)) for s in seconds]
