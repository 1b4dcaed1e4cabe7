"""Per-ticket SLA clocks, computed set-based in one DuckDB query.

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
    select ticket_id, contract_id, priority, opened_at, made_sla, {opened_u} as opened_u,
        {responded_u} as responded_u, {resolved_u} as resolved_u,
        lower(replace(priority, ' ', '')) as priority_key
    from incidents
    where ($only_contract is null or contract_id = $only_contract)
      and ($only_period is null or cast(date_trunc('month', opened_at) as date) = $only_period)
),
targets as (
    select contract_id, metric, lower(replace(priority, ' ', '')) as priority_key, target_hours, schedule
    from sla_targets
),
clocks as (  -- one row per ticket, both clocks side by side
    select t.ticket_id, t.contract_id, t.priority, t.opened_at, t.made_sla, t.opened_u,
        coalesce(t.responded_u, t.resolved_u) as resp_stop,
        t.resolved_u as resol_stop,
        coalesce(tr.target_hours, c.sla_response_hours) as resp_target,
        case when tr.target_hours is not null then tr.schedule else $default_schedule end as resp_schedule,
        coalesce(ts.target_hours, c.sla_resolution_hours) as resol_target,
        case when ts.target_hours is not null then ts.schedule else $default_schedule end as resol_schedule
    from tickets t
    left join contracts c on c.contract_id = t.contract_id
    left join targets tr on tr.contract_id = t.contract_id and tr.metric = 'response' and tr.priority_key = t.priority_key
    left join targets ts on ts.contract_id = t.contract_id and ts.metric = 'resolution' and ts.priority_key = t.priority_key
),
bounded as (
    select *,
        coalesce(resp_stop, greatest($as_of_at, opened_u)) as resp_end,
        coalesce(resol_stop, greatest($as_of_at, opened_u)) as resol_end
    from clocks
),
{w_chain},
pauses as (
    select p.ticket_id, {paused_u} as ps, coalesce({resumed_u}, greatest($as_of_at, {paused_u})) as pe
    from incident_pauses p
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
clipped as (  -- each merged pause clipped to each clock (empty parts drop out of the W difference)
    select b.ticket_id, b.resp_schedule, b.resol_schedule,
        least(greatest(m.ps, b.opened_u), b.resp_end) as rps, least(greatest(m.pe, b.opened_u), b.resp_end) as rpe,
        least(greatest(m.ps, b.opened_u), b.resol_end) as sps, least(greatest(m.pe, b.opened_u), b.resol_end) as spe
    from bounded b join merged m on m.ticket_id = b.ticket_id
),
{p_chain},
paused as (
    select ticket_id, cast(sum(p_rpe - p_rps) as bigint) as resp_paused_us,
        cast(sum(p_spe - p_sps) as bigint) as resol_paused_us
    from p4 group by ticket_id
),
measured as (
    select b.*,
        case when list_contains($known_schedules, b.resp_schedule)
             then b.w_resp_end - b.w_resp_start - coalesce(p.resp_paused_us, 0) end as resp_us,
        case when list_contains($known_schedules, b.resol_schedule)
             then b.w_resol_end - b.w_resol_start - coalesce(p.resol_paused_us, 0) end as resol_us,
        cast(round(b.resp_target * 3600000000) as bigint) as resp_target_us,
        cast(round(b.resol_target * 3600000000) as bigint) as resol_target_us
    from w4 b left join paused p on p.ticket_id = b.ticket_id
),
decided as (
    select *, {resol_status} as resol_status from measured
),
final as (
    select ticket_id, contract_id, priority, opened_at, cast(date_trunc('month', opened_at) as date) as period,
        {metric_cols},
        made_sla,
        -- the ITSM tool's legacy flag against the recomputed resolution clock (null when either is undecided)
        case when resol_status in ('met', 'breached') then made_sla = (resol_status = 'met') end as made_sla_agrees
    from decided
)
{select}
"""

_STATUS = """case when {m}_us is null then 'unknown schedule'
             when {m}_target_us is null then 'no target'
             when {m}_us > {m}_target_us then 'breached'
             when {m}_stop is not null then 'met'
             else 'pending' end"""

_METRIC_COLS = """
        case when {m}_stop is not null then {m}_us / 3600000000 end as {name}_hours,
        {m}_us / 3600000000 as {name}_elapsed_hours,
        {m}_target as {name}_target_hours,
        {m}_schedule as {name}_schedule,
        {status} as {name}_status,
        coalesce({m}_us > {m}_target_us, false) as {name}_breached"""


def _lookup_chain(source: str, prefix: str, lookups: list[tuple[str, str, str]]) -> str:
    """CTEs {prefix}1..n adding one W(instant) column each, by an equality join on the day calendar."""
    ctes, previous = [], source
    for n, (column, at, schedule) in enumerate(lookups, 1):
        name = f"{prefix}{n}"
        ctes.append(f"{name} as (select b.*, {sched.w_expr('b.' + at, 'b.' + schedule)} as {column} "
                    f"from {previous} b left join day_calendar c on {sched.day_join('b.' + at, 'b.' + schedule)})")
        previous = name
    return ",\n".join(ctes)


LONG_SELECT = "select * from final"
WIDE = "select * from final order by ticket_id"


def _sql(utc: bool, select: str) -> str:
    conv = _TO_UTC[utc]
    metric_cols = ",".join(_METRIC_COLS.format(m=m, name=name, status=_STATUS.format(m=m))
                           for m, name in (("resp", "response"), ("resol", "resolution")))
    w_chain = _lookup_chain("bounded", "w", [("w_resp_start", "opened_u", "resp_schedule"),
                                             ("w_resp_end", "resp_end", "resp_schedule"),
                                             ("w_resol_start", "opened_u", "resol_schedule"),
                                             ("w_resol_end", "resol_end", "resol_schedule")])
    p_chain = _lookup_chain("clipped", "p", [("p_rps", "rps", "resp_schedule"), ("p_rpe", "rpe", "resp_schedule"),
                                             ("p_sps", "sps", "resol_schedule"), ("p_spe", "spe", "resol_schedule")])
    return TICKETS_SQL.format(
        select=select, resol_status=_STATUS.format(m="resol"), calendar=sched.CALENDAR_CTE, w_chain=w_chain, p_chain=p_chain, metric_cols=metric_cols,
        opened_u=conv.format(x="opened_at"), responded_u=conv.format(x="responded_at"),
        resolved_u=conv.format(x="resolved_at"), paused_u=conv.format(x="p.paused_at"),
        resumed_u=conv.format(x="p.resumed_at"),
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


def query(con, select: str, as_of_at: dt.datetime | None, *, contract_id: str | None = None,
          period: dt.date | None = None) -> pd.DataFrame:
    """Run the clock query, ending with `select` (which may continue the CTE chain after `final`, one row per
    ticket); optionally only one contract's tickets and/or those opened in one month."""
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
        "known_schedules": [sched.BUILT_IN] + schedules.names,
        "only_contract": contract_id, "only_period": period,
    }
    utc = settings.get(con, "incident_timezone") == "UTC"
    if not utc:
        params["incident_tz"] = settings.get(con, "incident_timezone")
    return con.execute(_sql(utc, select), params).df()


def ticket_sla(con, *, as_of_at: dt.datetime | None = None, contract_id: str | None = None,
               period: dt.date | None = None) -> pd.DataFrame:
    """One row per ticket (optionally only one contract's, or those opened in one month), sorted by ticket_id:
    ticket_id, contract_id, priority, opened_at, period (month opened) and per metric (response_, resolution_):
    hours (inside the schedule, null while not reached), elapsed_hours (to the as-of moment while open),
    target_hours, schedule, status (met/breached/pending/no target/unknown schedule) and breached."""
    return query(con, WIDE, as_of_at, contract_id=contract_id, period=period)
