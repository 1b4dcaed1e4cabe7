"""Layout step for ITSM exports: a ticket event log becomes one row per ticket.

ServiceNow's incident event log has one row per update of a ticket (number, incident_state,
sys_updated_at, sys_mod_count, opened_at, resolved_at, closed_at, priority, assignment_group,
made_sla, ...; '?' for missing; dates like 29/2/2016 01:16). Reduced in DuckDB, per ticket:
- opened_at: the earliest opened_at;
- responded_at: the first update at or after opening that moved the ticket out of 'New'
  (the first moment someone worked on it), when the log shows one;
- resolved_at: the final resolution (resolved_at of the last update; a ticket whose last state
  is Closed without a resolved_at takes closed_at, and the notices say how many);
- priority, made_sla and assignment group: from the last update;
- contract_id: the assignment group (or vendor) through the saved ticket_contract_map.
`_row` is the ticket's first row in the file, so errors point to a line a person can find.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from analytics import i18n, store
from analytics.ingest import normalise
from analytics.ingest.mapping import normalise_header
from analytics.ingest.read import RawTable

NEW_STATES = ["new", "open", "logged", "neu", "nowy"]
# role -> header names (normalised) it may have in an export
ROLES = {
    "number": ["number", "ticketnumber", "incidentnumber", "ticketid", "ticket", "id"],
    "state": ["incidentstate", "state", "status"],
    "updated_at": ["sysupdatedat", "updatedat", "updated", "lastupdated"],
    "mod_count": ["sysmodcount", "modcount", "updatecount"],
    "opened_at": ["openedat", "opened", "createdat", "syscreatedat"],
    "resolved_at": ["resolvedat", "resolved"],
    "closed_at": ["closedat", "closed"],
    "priority": ["priority"],
    "made_sla": ["madesla"],
    "assignment_group": ["assignmentgroup", "group", "assignedgroup"],
    "vendor": ["vendor", "supplier"],
}
TIMESTAMPS = ("updated_at", "opened_at", "resolved_at", "closed_at")


class LayoutError(ValueError):
    """The export's layout cannot be turned into tickets."""


@dataclass
class Reduced:
    frame: pd.DataFrame
    notices: list[str]


ROLE_TYPO_CUTOFF = 0.85   # incident_stat, incidnet_state; openedby/openedat (0.75) stay apart
REPEAT_SUFFIX = re.compile(r" \(\d+\)$")   # read.py names a repeated header 'opened_at (2)'
DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


def _role_of(norm: str) -> str | None:
    """The role a normalised header names, exactly or with a typo (one role per header)."""
    for role, names in ROLES.items():
        if norm in names:
            return role
    best, best_role = ROLE_TYPO_CUTOFF, None
    for role, names in ROLES.items():
        for name in names:
            ratio = difflib.SequenceMatcher(None, norm, name).ratio()
            if len(name) > 4 and ratio >= best:
                best, best_role = ratio, role
    return best_role


def _fit(frame: pd.DataFrame | None, header: str, role: str) -> int:
    """How well a column's first values fit a role (dates for the time roles); used between repeated headers."""
    if frame is None:
        return 0
    values = frame[header].head(200).astype(str)
    if role in TIMESTAMPS:
        return int(values.str.match(DATE_LIKE).sum())
    return int((values.str.strip() != "").sum())


def _roles(headers: list[str], frame: pd.DataFrame | None = None) -> dict[str, str]:
    """role -> header: exact names first, then typos; among repeated headers the one whose values fit."""
    candidates: dict[str, list[tuple[int, int, str]]] = {}
    for position, header in enumerate(h for h in headers if h != "_row"):
        norm = normalise_header(REPEAT_SUFFIX.sub("", header))
        role = _role_of(norm)
        if role is None:
            continue
        rank = ROLES[role].index(norm) if norm in ROLES[role] else len(ROLES[role])
        candidates.setdefault(role, []).append((rank, position, header))
    found = {}
    for role, options in candidates.items():
        best_rank = min(o[0] for o in options)
        tied = [o for o in options if o[0] == best_rank]
        found[role] = max(tied, key=lambda o: (_fit(frame, o[2], role), -o[1]))[2]
    return found


def is_event_log(raw: RawTable) -> bool:
    """True when the file has a state and an update time per row and repeats ticket numbers."""
    roles = _roles(list(raw.frame.columns), raw.frame)
    if not {"number", "state", "updated_at", "opened_at"} <= set(roles):
        return False
    numbers = raw.frame[roles["number"]]
    return bool(numbers.duplicated().any())


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def reduce_events(con, raw: RawTable, *, options: normalise.FormatOptions | None = None,
                  force: bool = False) -> Reduced | None:
    """One row per ticket (canonical incident columns as text), or None when the file is not an event log."""
    if not is_event_log(raw):
        if force:
            raise LayoutError(i18n.t("not a ticket event log (needs number, incident_state, sys_updated_at and "
                                     "opened_at columns, with several rows per ticket)"))
        return None
    roles = _roles(list(raw.frame.columns), raw.frame)
    options = options or normalise.FormatOptions()
    con.complete()  # DuckDB 2.0 refuses register() while a fetchone() result is open
    con.register("itsm_raw", pa.Table.from_pandas(raw.frame[["_row"] + list(roles.values())], preserve_index=False))
    try:
        select = ["_row"] + [
            f"case when trim(coalesce({_q(h)}, '')) in {normalise.NULL_SQL} then '' else trim({_q(h)}) end as {_q(role)}"
            for role, h in roles.items()]
        sql = "create or replace temp table itsm_events_text as select " + ", ".join(select) + " from itsm_raw"
        con.execute(sql)
    finally:
        con.unregister("itsm_raw")
    parts, params, structs = ["_row"], {}, {}
    notices = []
    for i, role in enumerate(ROLES):
        if role not in roles:
            kind = "timestamp" if role in TIMESTAMPS else ("integer" if role == "mod_count" else "varchar")
            parts.append(f"cast(null as {kind}) as {_q(role)}")
        elif role in TIMESTAMPS:
            expr, p, fmt = normalise.column_sql(con, "itsm_events_text", role, "timestamp", options=options, i=i)
            notices.extend(fmt.notices)
            structs.update(fmt.structs)
            params.update(p)
            parts.append(f"try_cast(nullif({expr}, '') as timestamp) as {_q(role)}")
        elif role == "mod_count":
            parts.append(f"try_cast({_q(role)} as integer) as {_q(role)}")
        else:
            parts.append(f"nullif({_q(role)}, '') as {_q(role)}")
    inner = "select *" + "".join(f", {e} as {_q(a)}" for a, e in structs.items()) + " from itsm_events_text"
    sql = "create or replace temp table itsm_events as select " + ", ".join(parts) + f" from ({inner})"
    con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
    con.execute("drop table if exists itsm_events_text")
    frame, summary = _tickets(con)
    notices.insert(0, i18n.t("ticket event log: {events} updates reduced to {tickets} tickets",
                             events=i18n.number(summary["events"]), tickets=i18n.number(summary["tickets"])))
    unusual = [f"{role} <- {header!r}" for role, header in roles.items()
               if normalise_header(header) not in ROLES[role]]
    if unusual:
        notices.insert(1, i18n.t("ticket event log: column(s) taken despite a typo or a repeated name: {columns}",
                                 columns="; ".join(unusual)))
    if summary["closed_without_resolution"]:
        notices.append(i18n.n("{count} closed ticket(s) have no resolved_at: their closed_at is used as the "
                              "resolution time", "{count} closed ticket(s) have no resolved_at: their closed_at is "
                              "used as the resolution time", summary["closed_without_resolution"]))
    if summary["mapped"]:
        notices.append(i18n.n("{count} ticket(s) linked to a contract through the saved group mapping",
                              "{count} ticket(s) linked to a contract through the saved group mapping",
                              summary["mapped"]))
    return Reduced(frame, notices)


TICKETS_SQL = """
with
events as (select * from itsm_events where number is not null),
firsts as (
    select number, min(_row) as first_row, min(opened_at) as opened_at
    from events group by number
),
responses as (
    select e.number, min(e.updated_at) as responded_at
    from events e join firsts f using (number)
    where not list_contains($new_states, lower(coalesce(e.state, ''))) and e.updated_at >= f.opened_at
    group by e.number
),
last_update as (
    select * from events
    qualify row_number() over (
        partition by number order by mod_count desc nulls last, updated_at desc nulls last, _row desc) = 1
),
final as (
    select
        f.first_row as _row,
        f.number as ticket_id,
        coalesce(mg.contract_id, mv.contract_id, '') as contract_id,
        coalesce(l.priority, '') as priority,
        coalesce(strftime(f.opened_at, '%Y-%m-%d %H:%M:%S'), '') as opened_at,
        coalesce(strftime(r.responded_at, '%Y-%m-%d %H:%M:%S'), '') as responded_at,
        coalesce(strftime(coalesce(l.resolved_at,
            case when lower(l.state) = 'closed' then l.closed_at end), '%Y-%m-%d %H:%M:%S'), '') as resolved_at,
        coalesce(l.made_sla, '') as made_sla,
        l.resolved_at is null and lower(l.state) = 'closed' and l.closed_at is not null as closed_without_resolution,
        mg.contract_id is not null or mv.contract_id is not null as is_mapped
    from firsts f
    join last_update l using (number)
    left join responses r using (number)
    left join ticket_contract_map mg on mg.source_value = l.assignment_group
    left join ticket_contract_map mv on mv.source_value = l.vendor
)
select * from final order by _row
"""


def _tickets(con) -> tuple[pd.DataFrame, dict]:
    tickets = con.execute(TICKETS_SQL, {"new_states": NEW_STATES}).df()
    events = con.execute("select count(*) from itsm_events").fetchall()[0][0]
    con.execute("drop table if exists itsm_events")
    summary = {"events": int(events), "tickets": len(tickets),
               "closed_without_resolution": int(tickets["closed_without_resolution"].sum()),
               "mapped": int(tickets["is_mapped"].sum())}
    frame = tickets.drop(columns=["closed_without_resolution", "is_mapped"]).astype({"_row": "int64"})
    return frame, summary


# --- the saved group -> contract mapping ------------------------------------------------------

def contract_map(con) -> pd.DataFrame:
    """One row per mapped assignment group or vendor: source_value, contract_id."""
    return con.execute("select source_value, contract_id from ticket_contract_map order by source_value").df()


def save_contract_map(con, pairs: dict[str, str]) -> int:
    """Store group/vendor -> contract pairs (an empty contract removes the pair); returns pairs stored."""
    with store.transaction(con):
        for source, contract in pairs.items():
            con.execute("delete from ticket_contract_map where source_value = ?", [source.strip()])
            if str(contract).strip():
                con.execute("insert into ticket_contract_map values (?, ?)", [source.strip(), str(contract).strip()])
    return sum(1 for c in pairs.values() if str(c).strip())
