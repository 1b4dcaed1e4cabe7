"""SLA engine (issue 6): ticket clocks inside business-hour schedules, monthly attainment, service credits.

- schedule.py: schedules and the working-time clock (set-based, DuckDB ASOF joins)
- engine.py: per ticket clocks and statuses (`ticket_sla`)
- monthly.py: per contract x month attainment, breaches, availability (`contract_month_attainment`)
- credits.py: service credits owed, received and outstanding (`service_credits`)
docs/sla.md documents every column.
"""
from __future__ import annotations

import zoneinfo

from analytics import settings
from analytics.audit.engine import Rule
from analytics.i18n import N_
from analytics.sla.credits import audit_findings, credits_outstanding, outstanding_months, service_credits
from analytics.sla.engine import as_of_moment, ticket_sla
from analytics.sla.monthly import (attainment, availability_trend, breaches, contract_month_attainment, problems,
                                   summarise, summary)

__all__ = ["ticket_sla", "as_of_moment", "contract_month_attainment", "attainment", "breaches",
           "availability_trend", "problems", "summary", "summarise", "service_credits", "credits_outstanding",
           "outstanding_months", "SETTINGS", "AUDIT_RULES", "bench_cases"]


def _timezone(value: str) -> str:
    name = value.strip()
    if name != "UTC" and name not in zoneinfo.available_timezones():
        raise settings.SettingError(f"{value!r} is not an IANA time zone (like UTC or Europe/Paris)")
    return name


def _schedule_name(value: str) -> str:
    if not value.strip():
        raise settings.SettingError("the default schedule must be named (24x7, or a schedule you imported)")
    return value.strip()


SETTINGS = [
    settings.Setting("incident_timezone", "UTC",
                     "Time zone of the naive timestamps in incidents and incident_pauses (IANA name, like Europe/Paris).",
                     _timezone),
    settings.Setting("sla_default_schedule", "24x7",
                     "Schedule for the contracts' default sla_response_hours / sla_resolution_hours "
                     "(24x7, or a schedule from the schedules dataset).", _schedule_name),
]


AUDIT_RULES = [
    Rule("service_credits", "SLC", N_("Service credits not received"),
         N_("Months a contract missed its SLA (ticket breaches or availability below target) whose service credit, "
            "worked out from the contract's credit % and cap, was not received as a credit note from the vendor."),
         audit_findings, ("incident_timezone", "sla_default_schedule", "reporting_currency")),
]


def bench_cases(con) -> list[tuple[str, object]]:
    """The queries the SLA page runs."""
    # no floors: ticket clocks run inside business-hour schedules (ASOF joins over schedule intervals), and the
    # attainment and credits are built on them; plain SQL over the raw tables would be that engine written again
    return [
        ("ticket clocks (ticket_sla)", lambda: ticket_sla(con)),
        ("contract x month attainment", lambda: contract_month_attainment(con)),
        ("service credits", lambda: service_credits(con)),
    ]
