"""Per contract x month SLA attainment: ticket clocks aggregated, plus availability from the `sla` dataset.

A ticket belongs to the month it was opened in (incident time zone). Attainment % counts decided
clocks only (met + breached); pending clocks are left out until they stop or breach. A month is
missed when any clock breached or availability is below its target (compared on the imported
values, never on a rounded percentage).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import memo, vendor_names
from analytics.sla import engine, schedule

MONTHLY_SELECT = """
, ticket_months as (
    select contract_id, period,
        count(*) as tickets,
        count(*) filter (where response_status = 'met') as response_met,
        count(*) filter (where response_status = 'breached') as response_breached,
        count(*) filter (where response_status = 'pending') as response_pending,
        count(*) filter (where resolution_status = 'met') as resolution_met,
        count(*) filter (where resolution_status = 'breached') as resolution_breached,
        count(*) filter (where resolution_status = 'pending') as resolution_pending,
        count(*) filter (where not made_sla_agrees) as made_sla_disagreements
    from final where contract_id is not null
    group by all
),
availability as (  -- the sla dataset: availability, plus the vendor's own response/resolution figures
    select contract_id, period,
        max(target) filter (where metric = 'availability') as availability_target_pct,
        max(actual) filter (where metric = 'availability') as availability_pct,
        max(actual) filter (where metric = 'response') as reported_response_hours,
        max(actual) filter (where metric = 'resolution') as reported_resolution_hours
    from sla group by contract_id, period
),
joined as (
    select coalesce(t.contract_id, a.contract_id) as contract_id, coalesce(t.period, a.period) as period,
        coalesce(t.tickets, 0) as tickets,
        coalesce(t.response_met, 0) as response_met, coalesce(t.response_breached, 0) as response_breached,
        coalesce(t.response_pending, 0) as response_pending,
        coalesce(t.resolution_met, 0) as resolution_met, coalesce(t.resolution_breached, 0) as resolution_breached,
        coalesce(t.resolution_pending, 0) as resolution_pending,
        coalesce(t.made_sla_disagreements, 0) as made_sla_disagreements,
        a.availability_target_pct, a.availability_pct, a.reported_response_hours, a.reported_resolution_hours
    from ticket_months t full outer join availability a on a.contract_id = t.contract_id and a.period = t.period
),
monthly as (
    select j.contract_id, c.vendor, c.service, j.period, j.tickets,
        j.response_met, j.response_breached, j.response_pending,
        100.0 * j.response_met / nullif(j.response_met + j.response_breached, 0) as response_attainment_pct,
        j.resolution_met, j.resolution_breached, j.resolution_pending,
        100.0 * j.resolution_met / nullif(j.resolution_met + j.resolution_breached, 0) as resolution_attainment_pct,
        j.response_breached + j.resolution_breached as breaches,
        j.availability_target_pct, j.availability_pct,
        greatest(cast(j.availability_target_pct as decimal(9, 4)) - cast(j.availability_pct as decimal(9, 4)), 0)
            as availability_points_below,
        coalesce(j.availability_pct < j.availability_target_pct, false) as is_availability_missed,
        j.reported_response_hours, j.reported_resolution_hours, j.made_sla_disagreements
    from joined j left join contracts c on c.contract_id = j.contract_id
)
select *,
    breaches > 0 or is_availability_missed as is_missed,
    case when breaches > 0 or is_availability_missed then 'missed'
         when response_met + resolution_met + response_pending + resolution_pending > 0
              or availability_target_pct is not null then 'met'
         else 'no target' end as status
from monthly
order by contract_id, period
"""


def contract_month_attainment(con, *, as_of_at: dt.datetime | None = None, start: dt.date | None = None,
                              end: dt.date | None = None, vendor: str | None = None) -> pd.DataFrame:
    """One row per contract x month (tickets by month opened, availability by its period): vendor, service,
    tickets, response_/resolution_ met, breached, pending and attainment_pct, breaches, availability target
    and actual %, availability_points_below, is_availability_missed, is_missed, status (met/missed/no target).
    Optional filters: months from `start` to `end` (dates), one vendor."""
    return filtered(_all_months(con, as_of_at=as_of_at), start=start, end=end, vendor=vendor)


@memo.reusable
def _all_months(con, *, as_of_at: dt.datetime | None) -> pd.DataFrame:
    """contract_month_attainment over every month and vendor: one query, shared inside a `memo.reads()` block by
    every filter asked for (the Overview's SLA tile reads its year, its credits tile every month: 2 x 0.16 s)."""
    # MONTHLY_SELECT continues the engine's CTE chain after its `final` CTE (one row per ticket)
    frame = engine.query(con, MONTHLY_SELECT, as_of_at)
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame


def filtered(frame: pd.DataFrame, *, start: dt.date | None = None, end: dt.date | None = None,
             vendor: str | None = None) -> pd.DataFrame:
    """The rows of a frame with `period` (date) and `vendor` columns inside the filters (vendor by name key,
    so "ACME LIMITED" in spend is "Acme Ltd" in contracts)."""
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["period"] >= start
    if end is not None:
        keep &= frame["period"] <= end
    if vendor is not None:
        keep &= frame["vendor"].map(lambda v: isinstance(v, str) and vendor_names.normalise(v)) \
            == vendor_names.normalise(vendor)
    return frame[keep].reset_index(drop=True)


def summary(con, *, start: dt.date | None = None, end: dt.date | None = None, vendor: str | None = None) -> dict:
    """Headline numbers for the filters (see summarise)."""
    return summarise(contract_month_attainment(con, start=start, end=end, vendor=vendor))


def attainment(con, *, start: dt.date, end: dt.date, vendor: str | None = None) -> float | None:
    """Share (0-1) of contract-months from `start` to `end` with an SLA target that met every target (no breached
    ticket clock, availability not below target); one vendor (by name key) or all; None without any."""
    months = contract_month_attainment(con, start=start, end=end, vendor=vendor)
    decided = months[months["status"].isin(["met", "missed"])]
    return None if decided.empty else float((decided["status"] == "met").mean())


def summarise(months: pd.DataFrame) -> dict:
    """Headline numbers of a contract_month_attainment frame, over contract x months with a target:
    contract_months, missed, tickets, breaches, response_/resolution_attainment_pct (over all decided clocks)."""
    months = months[months["status"] != "no target"]
    totals = months[["tickets", "breaches", "response_met", "response_breached", "resolution_met",
                     "resolution_breached"]].sum()

    def pct(met, breached):
        return None if met + breached == 0 else 100.0 * met / (met + breached)
    return {"contract_months": len(months), "missed": int(months["is_missed"].sum()),
            "tickets": int(totals["tickets"]), "breaches": int(totals["breaches"]),
            "response_attainment_pct": pct(totals["response_met"], totals["response_breached"]),
            "resolution_attainment_pct": pct(totals["resolution_met"], totals["resolution_breached"])}


def breaches(con, *, contract_id: str | None = None, period: dt.date | None = None,
             as_of_at: dt.datetime | None = None) -> pd.DataFrame:
    """One row per ticket with a breached response or resolution clock (optionally one contract and/or month)."""
    tickets = engine.ticket_sla(con, as_of_at=as_of_at, contract_id=contract_id, period=period)
    tickets["period"] = pd.to_datetime(tickets["period"]).dt.date
    keep = tickets["response_breached"] | tickets["resolution_breached"]
    return tickets[keep].reset_index(drop=True)


def availability_trend(con, *, contract_id: str | None = None) -> pd.DataFrame:
    """One row per contract x month from the `sla` dataset: availability_pct against availability_target_pct."""
    frame = con.execute(
        "select s.contract_id, c.vendor, c.service, s.period, s.target as availability_target_pct, "
        "s.actual as availability_pct, s.actual < s.target as is_missed "
        "from sla s left join contracts c on c.contract_id = s.contract_id "
        "where s.metric = 'availability' and (s.contract_id = $contract or $contract is null) "
        "order by s.contract_id, s.period", {"contract": contract_id}).df()
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame


def problems(con) -> pd.DataFrame:
    """One row per data problem that stops SLA clocks being computed: what, and the rows concerned."""
    known = [schedule.BUILT_IN] + schedule.load(con).names
    return con.execute("""
        with default_schedule as (
            select coalesce((select value from settings where name = 'sla_default_schedule'), $built_in) as schedule
        ),
        final as (
            select 'sla_targets uses unknown schedule ' || schedule as problem, count(*) as rows
            from sla_targets where not list_contains($known, schedule) group by schedule
            union all
            select 'sla_default_schedule names unknown schedule ' || schedule, 1
            from default_schedule where not list_contains($known, schedule)
            union all
            select 'holidays for unknown schedule ' || schedule, count(*)
            from sla_holidays where not list_contains($known, schedule) group by schedule
            union all
            select 'incidents name unknown contract ' || contract_id, count(*)
            from incidents i where contract_id is not null
              and not exists (select 1 from contracts c where c.contract_id = i.contract_id) group by contract_id
        )
        select * from final order by problem""", {"known": known, "built_in": schedule.BUILT_IN}).df()
