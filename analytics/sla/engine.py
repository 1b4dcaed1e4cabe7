"""Per-ticket SLA clocks and per contract x month attainment.

Definitions (docs/sla.md has the long form):
- Incident timestamps are naive; they are read in the `incident_timezone` setting (default UTC).
- Target for a ticket and metric: the sla_targets row for (contract, metric, priority) with its
  schedule; else the contract's sla_response_hours / sla_resolution_hours on the
  `sla_default_schedule` (default 24x7). Priorities compare ignoring case and spaces.
- The clock runs from opened_at to the stop (responded_at for response, resolved_at for
  resolution; a ticket resolved with no response recorded counts its response at resolution),
  inside the schedule, minus on-hold pauses (overlapping pauses merged first, clipped to the clock).
  An open clock runs to the as-of moment: the end of the as-of date in the incident time zone,
  or now when that is earlier. A pause with no resumed_at lasts to the as-of moment.
- met: stopped and elapsed <= target; breached: elapsed > target (stopped, or still open and
  already past it); pending: open and not yet past. Compared in whole microseconds.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import settings
from analytics.sla import schedule as sched

_TO_UTC = {True: "{x}", False: "timezone('UTC', timezone($incident_tz, {x}))"}

TICKETS_SQL = """
with {calendar},
tickets as (
    select ticket_id, contract_id, priority, opened_at, {opened_u} as opened_u,
        {responded_u} as responded_u, {resolved_u} as resolved_u
    from incidents
),
clocks as (  -- one row per ticket x metric
    select t.ticket_id, t.contract_id, t.priority, t.opened_at, m.metric, t.opened_u as start_at,
        case m.metric when 'response' then coalesce(t.responded_u, t.resolved_u) else t.resolved_u end as stopped_at,
        coalesce(st.target_hours, case m.metric when 'response' then c.sla_response_hours
                                                 else c.sla_resolution_hours end) as target_hours,
        case when st.target_hours is not null then st.schedule else $default_schedule end as schedule
    from tickets t
    cross join (values ('response'), ('resolution')) m(metric)
    left join contracts c on c.contract_id = t.contract_id
    left join sla_targets st on st.contract_id = t.contract_id and st.metric = m.metric
        and lower(replace(st.priority, ' ', '')) = lower(replace(t.priority, ' ', ''))
),
bounded as (
    select *, coalesce(stopped_at, greatest($as_of_at, start_at)) as end_at from clocks
),
w_start as (
    select b.*, {w} as w_start
    from bounded b asof left join calendar c on b.schedule = c.schedule and b.start_at >= c.window_start
),
w_both as (
    select b.*, {w_end} as w_end
    from w_start b asof left join calendar c on b.schedule = c.schedule and b.end_at >= c.window_start
),
pauses as (
    select p.ticket_id, {paused_u} as ps,
        coalesce({resumed_u}, greatest($as_of_at, {paused_u})) as pe
    from incident_pauses p
    where p.ticket_id in (select ticket_id from incidents)
),
pause_runs as (
    select *, max(pe) over (partition by ticket_id order by ps, pe
                            rows between unbounded preceding and 1 preceding) as prev_end
    from pauses
),
pause_islands as (
    select *, sum(case when prev_end >= ps then 0 else 1 end) over (partition by ticket_id order by ps, pe
                                                                    rows unbounded preceding) as island
    from pause_runs
),
merged as (  -- overlapping or touching pauses become one, so no time is subtracted twice
    select ticket_id, min(ps) as ps, max(pe) as pe from pause_islands group by ticket_id, island
),
clipped as (
    select b.ticket_id, b.metric, b.schedule, greatest(m.ps, b.start_at) as ps, least(m.pe, b.end_at) as pe
    from w_both b join merged m on m.ticket_id = b.ticket_id
    where greatest(m.ps, b.start_at) < least(m.pe, b.end_at)
),
clipped_ps as (
    select b.*, {w_ps} as w_ps
    from clipped b asof left join calendar c on b.schedule = c.schedule and b.ps >= c.window_start
),
clipped_both as (
    select b.*, {w_pe} as w_pe
    from clipped_ps b asof left join calendar c on b.schedule = c.schedule and b.pe >= c.window_start
),
paused as (
    select ticket_id, metric, sum(w_pe - w_ps) as paused_us from clipped_both group by ticket_id, metric
),
measured as (
    select b.*,
        case when b.schedule = '{built_in}' or list_contains($sched_names, b.schedule)
             then b.w_end - b.w_start - coalesce(p.paused_us, 0) end as elapsed_us,
        cast(round(b.target_hours * 3600000000) as bigint) as target_us
    from w_both b left join paused p on p.ticket_id = b.ticket_id and p.metric = b.metric
),
final as (
    select ticket_id, contract_id, priority, opened_at, metric, schedule, target_hours,
        stopped_at is not null as is_stopped,
        elapsed_us,
        case when elapsed_us is null then 'unknown schedule'
             when target_us is null then 'no target'
             when elapsed_us > target_us then 'breached'
             when stopped_at is not null then 'met'
             else 'pending' end as status
    from measured
)
{select}
"""

LONG_SELECT = "select * from final order by ticket_id, metric"

# one row per ticket; hours are exact microseconds / 3600e6
WIDE_SELECT = """
select ticket_id, any_value(contract_id) as contract_id, any_value(priority) as priority,
    any_value(opened_at) as opened_at, cast(date_trunc('month', any_value(opened_at)) as date) as period,
    {cols}
from final group by ticket_id order by ticket_id
"""
_METRIC_COLS = """
    max(case when metric = '{m}' and is_stopped then elapsed_us end) / 3600000000 as {m}_hours,
    max(case when metric = '{m}' then elapsed_us end) / 3600000000 as {m}_elapsed_hours,
    max(case when metric = '{m}' then target_hours end) as {m}_target_hours,
    max(case when metric = '{m}' then schedule end) as {m}_schedule,
    max(case when metric = '{m}' then status end) as {m}_status,
    bool_or(metric = '{m}' and status = 'breached') as {m}_breached"""
WIDE = WIDE_SELECT.format(cols=",".join(_METRIC_COLS.format(m=m) for m in ("response", "resolution")))


def _w(alias: str, at: str) -> str:
    """W(at): working microseconds from the calendar origin (24x7: the instant itself)."""
    return (f"case when {alias}.schedule = '{sched.BUILT_IN}' then epoch_us({alias}.{at}) "
            f"else coalesce(c.cum_before_us + least(greatest(epoch_us({alias}.{at}) - c.window_start_us, 0), "
            f"c.window_len_us), 0) end")


def _sql(utc: bool, select: str) -> str:
    conv = _TO_UTC[utc]
    return TICKETS_SQL.format(select=select,
        calendar=sched.CALENDAR_CTE, built_in=sched.BUILT_IN,
        opened_u=conv.format(x="opened_at"), responded_u=conv.format(x="responded_at"),
        resolved_u=conv.format(x="resolved_at"), paused_u=conv.format(x="p.paused_at"),
        resumed_u=conv.format(x="p.resumed_at"),
        w=_w("b", "start_at"), w_end=_w("b", "end_at"), w_ps=_w("b", "ps"), w_pe=_w("b", "pe"),
    )


def to_utc(con, local: dt.datetime) -> dt.datetime:
    """A naive incident-time-zone timestamp as a naive UTC one."""
    tz = settings.get(con, "incident_timezone")
    if tz == "UTC":
        return local
    return con.execute("select timezone('UTC', timezone(?, cast(? as timestamp)))", [tz, local]).fetchone()[0]


def as_of_moment(con) -> dt.datetime:
    """The instant open clocks run to (naive UTC): end of the as-of date in the incident time zone, capped at now."""
    end_of_day = dt.datetime.combine(settings.as_of(con) + dt.timedelta(days=1), dt.time())
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return min(to_utc(con, end_of_day), now)


def _run(con, select: str, as_of_at: dt.datetime | None) -> pd.DataFrame:
    as_of_at = as_of_at or as_of_moment(con)
    schedules = sched.load(con)
    first, last = con.execute(
        "select least(min(opened_at), (select min(paused_at) from incident_pauses)), "
        "greatest(max(greatest(opened_at, coalesce(responded_at, opened_at), coalesce(resolved_at, opened_at))), "
        "(select max(coalesce(resumed_at, paused_at)) from incident_pauses)) from incidents").fetchone()
    first = min(first or as_of_at, as_of_at)
    last = max(last or as_of_at, as_of_at)
    params = schedules.params() | sched.calendar_range(first, last) | {
        "as_of_at": as_of_at,
        "default_schedule": settings.get(con, "sla_default_schedule"),
    }
    utc = settings.get(con, "incident_timezone") == "UTC"
    if not utc:
        params["incident_tz"] = settings.get(con, "incident_timezone")
    return con.execute(_sql(utc, select), params).df()


def clocks(con, *, as_of_at: dt.datetime | None = None) -> pd.DataFrame:
    """One row per ticket x metric (response, resolution): schedule, target_hours, is_stopped,
    elapsed_us (working microseconds, to the as-of moment while open) and status."""
    return _run(con, LONG_SELECT, as_of_at)


def ticket_sla(con, *, as_of_at: dt.datetime | None = None) -> pd.DataFrame:
    """One row per ticket: ticket_id, contract_id, priority, opened_at, period (month opened) and per metric
    (response_, resolution_): hours (inside the schedule, null while not reached), elapsed_hours (to the
    as-of moment while open), target_hours, schedule, status (met/breached/pending/no target/unknown
    schedule) and breached."""
    return _run(con, WIDE, as_of_at)
