"""Business-hour schedules: parsing, and the working-time clock the SLA engine counts with.

The clock is set-based. For each schedule we build a calendar of its working windows (one row
per working day that is not a holiday), with each window's start and length as real instants
in UTC: the local start and end times are converted with the schedule's IANA time zone, so a
day on which daylight-saving time changes has the right number of real hours. Each window also
carries the working time of all earlier windows (`cum_before_us`). The working time from the
calendar's origin up to an instant t is then

    W(t) = cum_before_us + clamp(t - window_start, 0, window_len_us)

for the last window starting at or before t (one ASOF join), and the working time between two
instants a <= b is W(b) - W(a). For the built-in schedule 24x7, W(t) is simply t in
microseconds. Everything is counted in whole microseconds, so comparisons are exact.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

BUILT_IN = "24x7"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScheduleError(ValueError):
    """A schedule definition that cannot be used."""


def working_days(text: str) -> list[int]:
    """ISO weekday numbers (1 = Monday) of 'mon-fri', 'mon,wed,fri' or 'fri-mon' (ranges may wrap)."""
    days: set[int] = set()
    for item in re.split(r"\s*,\s*", text.strip().lower()):
        parts = item.split("-")
        if len(parts) not in (1, 2) or any(p not in WEEKDAYS for p in parts):
            raise ScheduleError(f"{text!r} is not a list of days (expected like mon-fri or mon,tue,sat)")
        first, last = WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[-1])
        span = (last - first) % 7
        days.update((first + k) % 7 + 1 for k in range(span + 1))
    return sorted(days)


def minutes(text: str) -> int:
    """Minutes after midnight of 'HH:MM' (24:00 = 1440)."""
    match = re.fullmatch(r"(\d{2}):(\d{2})", text.strip())
    if not match or int(match.group(1)) > 24 or int(match.group(2)) > 59 or (int(match.group(1)) == 24 and int(match.group(2))):
        raise ScheduleError(f"{text!r} is not a time of day HH:MM")
    return int(match.group(1)) * 60 + int(match.group(2))


@dataclass(frozen=True)
class Schedules:
    """The imported schedules as bound-parameter lists (one entry per schedule)."""
    names: list[str]
    timezones: list[str]
    days: list[list[int]]
    start_minutes: list[int]
    end_minutes: list[int]

    def params(self) -> dict:
        return {"sched_names": self.names, "sched_tz": self.timezones, "sched_days": self.days,
                "sched_start": self.start_minutes, "sched_end": self.end_minutes}


def load(con) -> Schedules:
    """Every imported schedule, parsed (the built-in 24x7 needs no row)."""
    rows = con.execute("select schedule, timezone, working_days, start_time, end_time "
                       "from sla_schedules order by schedule").fetchall()
    return Schedules([r[0] for r in rows], [r[1] for r in rows], [working_days(r[2]) for r in rows],
                     [minutes(r[3]) for r in rows], [minutes(r[4]) for r in rows])


# One row per schedule x working window, between $cal_from and $cal_to (dates).
# A schedule whose end time is not after its start time has no working windows.
CALENDAR_CTE = """
sched as (
    select unnest($sched_names) as schedule, unnest($sched_tz) as tz, unnest($sched_days) as days,
           unnest($sched_start) as start_min, unnest($sched_end) as end_min
),
days as (
    select s.schedule, s.tz, s.start_min, s.end_min, cast(g.d as date) as day
    from sched s
    cross join generate_series(cast($cal_from as timestamp), cast($cal_to as timestamp), interval 1 day) g(d)
    where list_contains(s.days, isodow(g.d)) and s.end_min > s.start_min
),
windows as (
    select d.schedule,
        timezone('UTC', timezone(d.tz, cast(d.day as timestamp) + to_minutes(d.start_min))) as window_start,
        timezone('UTC', timezone(d.tz, cast(d.day as timestamp) + to_minutes(d.end_min))) as window_end
    from days d
    where not exists (select 1 from sla_holidays h where h.schedule = d.schedule and h.date = d.day)
),
calendar as (
    select schedule, window_start,
        epoch_us(window_start) as window_start_us,
        epoch_us(window_end) - epoch_us(window_start) as window_len_us,
        coalesce(sum(epoch_us(window_end) - epoch_us(window_start)) over (
            partition by schedule order by window_start rows between unbounded preceding and 1 preceding), 0)
            as cum_before_us
    from windows
)"""


def calendar_range(first: dt.datetime | dt.date, last: dt.datetime | dt.date) -> dict:
    """$cal_from/$cal_to covering instants first..last in any time zone (UTC offsets stay within a day)."""
    first_day = first.date() if isinstance(first, dt.datetime) else first
    last_day = last.date() if isinstance(last, dt.datetime) else last
    return {"cal_from": first_day - dt.timedelta(days=2), "cal_to": last_day + dt.timedelta(days=2)}


def working_hours(con, schedule: str, start: dt.datetime, end: dt.datetime) -> float:
    """Working hours of `schedule` between two UTC instants (for checks and the docs' examples)."""
    if end < start:
        raise ScheduleError("end is before start")
    if schedule == BUILT_IN:
        return (end - start).total_seconds() / 3600
    scheds = load(con)
    if schedule not in scheds.names:
        raise ScheduleError(f"unknown schedule {schedule!r}; import it in the schedules dataset")
    sql = f"""
    with {CALENDAR_CTE},
    points as (select * from (values (1, cast($a as timestamp)), (2, cast($b as timestamp))) p(k, t)),
    final as (
        select p.k, coalesce(c.cum_before_us + least(greatest(epoch_us(p.t) - c.window_start_us, 0), c.window_len_us), 0) as w
        from points p asof left join (select * from calendar where schedule = $schedule) c on p.t >= c.window_start
    )
    select max(case when k = 2 then w end) - max(case when k = 1 then w end) from final
    """
    params = scheds.params() | calendar_range(start, end) | {"a": start, "b": end, "schedule": schedule}
    return con.execute(sql, params).fetchone()[0] / 3_600_000_000
