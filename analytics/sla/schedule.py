"""Business-hour schedules: parsing, and the working-time clock the SLA engine counts with.

The clock is set-based. For each schedule we build a calendar of its working windows (one row
per working day that is not a holiday), with each window's start and end as real instants in
UTC: the local start and end times are converted with the schedule's IANA time zone, so a day
on which daylight-saving time changes has the right number of real hours. W(t), the working time
from the calendar's origin up to instant t, is then tabulated per UTC day: W at the day's start
(`base_us`) plus the (at most three) working windows overlapping that day, clipped to it:

    W(t) = base_us + sum_k clamp(t - s_k, 0, e_k - s_k)

A ticket's instants find their day row with an equality join on (schedule, UTC date), which is
an order of magnitude faster than an ASOF join on millions of rows. The working time between
two instants a <= b is W(b) - W(a). For the built-in schedule 24x7, W(t) is simply t in
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
    select schedule, window_start, window_end,
        epoch_us(window_start) as window_start_us,
        epoch_us(window_end) - epoch_us(window_start) as window_len_us,
        cast(coalesce(sum(epoch_us(window_end) - epoch_us(window_start)) over (
            partition by schedule order by window_start rows between unbounded preceding and 1 preceding), 0)
            as bigint) as cum_before_us
    from windows
),
day_grid as (  -- every UTC day of the range, per schedule
    select s.schedule, cast(g.d as timestamp) as day_start, cast(g.d as timestamp) + interval 1 day as day_end
    from sched s
    cross join generate_series(cast($cal_from as timestamp), cast($cal_to as timestamp), interval 1 day) g(d)
),
day_base as (  -- W at the UTC day's start (small tables: the ASOF join is cheap here)
    select d.schedule, d.day_start,
        coalesce(c.cum_before_us + least(greatest(epoch_us(d.day_start) - c.window_start_us, 0), c.window_len_us), 0)
            as base_us
    from day_grid d asof left join calendar c on d.schedule = c.schedule and d.day_start >= c.window_start
),
day_segments as (  -- working windows overlapping each UTC day, clipped to it: at most 3 (local days start >= 23 h apart)
    select d.schedule, d.day_start,
        epoch_us(greatest(c.window_start, d.day_start)) as seg_start,
        epoch_us(least(c.window_end, d.day_end)) as seg_end,
        row_number() over (partition by d.schedule, d.day_start order by c.window_start) as k
    from day_grid d
    join calendar c on c.schedule = d.schedule and c.window_start < d.day_end and c.window_end > d.day_start
),
day_calendar as (  -- one row per schedule x UTC day: W(t) = base_us + the worked parts of s1-e1, s2-e2, s3-e3 before t
    select b.schedule, cast(b.day_start as date) as day, any_value(b.base_us) as base_us,
        max(g.seg_start) filter (where g.k = 1) as s1, max(g.seg_end) filter (where g.k = 1) as e1,
        max(g.seg_start) filter (where g.k = 2) as s2, max(g.seg_end) filter (where g.k = 2) as e2,
        max(g.seg_start) filter (where g.k = 3) as s3, max(g.seg_end) filter (where g.k = 3) as e3
    from day_base b left join day_segments g on g.schedule = b.schedule and g.day_start = b.day_start
    group by b.schedule, b.day_start
)"""


def w_expr(at: str, schedule: str, cal: str = "c") -> str:
    """SQL for W(at) under `schedule` (column expressions), `cal` being its joined day_calendar row."""
    t = f"epoch_us({at})"
    parts = " + ".join(f"coalesce(least(greatest({t} - {cal}.s{k}, 0), {cal}.e{k} - {cal}.s{k}), 0)" for k in (1, 2, 3))
    return (f"case when {schedule} = '{BUILT_IN}' then {t} "
            f"else coalesce({cal}.base_us, 0) + {parts} end")


def day_join(at: str, schedule: str, cal: str = "c") -> str:
    """Join condition matching instant `at` under `schedule` to its day_calendar row (same UTC day)."""
    return f"{cal}.schedule = {schedule} and {cal}.day = cast({at} as date)"


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
    points as (select *, $schedule as schedule from (values (1, cast($a as timestamp)), (2, cast($b as timestamp))) p(k, t)),
    final as (select p.k, {w_expr("p.t", "p.schedule")} as w
              from points p left join day_calendar c on {day_join("p.t", "p.schedule")})
    select max(case when k = 2 then w end) - max(case when k = 1 then w end) from final
    """
    params = scheds.params() | calendar_range(start, end) | {"a": start, "b": end, "schedule": schedule}
    return con.execute(sql, params).fetchone()[0] / 3_600_000_000
