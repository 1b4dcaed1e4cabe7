"""Scheduled distribution: reports built on a cron schedule for the last closed month and sent by SMTP.

`schedule add` stores a schedule (name, report, cron expression, recipients, format); `schedule run-due`,
called by cron or by the team server on a timer, builds every report whose cron time has come since its last
run (or since it was created) and sends it, recording each run (who, when, what, result) in schedule_runs.
A run that fails is recorded and retried at the next call; one that was sent is not sent twice.
Cron expressions are parsed by croniter; mail goes through smtplib with the smtp_* settings.
"""
from __future__ import annotations

import datetime as dt
import getpass
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

import pandas as pd
from croniter import croniter

from analytics import calendar, settings

REPORTS = ("monthly-pack", "annual-pack", "board")
FORMATS = {"monthly-pack": ("xlsx",), "annual-pack": ("xlsx",), "board": ("pdf",)}
MIME = {"xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "pdf": ("application", "pdf")}
EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")

def _yes_no(value: str) -> bool:
    text = value.strip().lower()
    if text not in ("yes", "no", "true", "false", "1", "0"):
        raise settings.SettingError(f"{value!r} is not yes or no")
    return text in ("yes", "true", "1")


S = settings.Setting
SETTINGS = [
    S("smtp_host", "", "Scheduled reports: SMTP server host name (empty: scheduled reports cannot be sent).", str),
    S("smtp_port", "587", "Scheduled reports: SMTP server port (587 for STARTTLS, 25 for plain).",
      settings.positive_int),
    S("smtp_from", "outlay@localhost", "Scheduled reports: the sender address of report e-mails.", str),
    S("smtp_user", "", "Scheduled reports: SMTP user name (empty: no login).", str),
    S("smtp_password", "", "Scheduled reports: SMTP password (stored in the database; prefer a relay that "
      "needs none).", str),
    S("smtp_starttls", "yes", "Scheduled reports: upgrade the SMTP connection with STARTTLS (yes/no).",
      _yes_no),
]


class ScheduleError(ValueError):
    """A schedule that cannot be stored or sent as asked."""


@dataclass(frozen=True)
class Schedule:
    name: str
    report: str
    cron: str
    recipients: tuple[str, ...]
    format: str
    created_at: dt.datetime


def validate(*, name: str, report: str, cron: str, recipients: list[str], fmt: str | None) -> str:
    """Refuse what cannot run; returns the format (the report's own when none is given)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name or ""):
        raise ScheduleError(f"{name!r} is not a schedule name (letters, digits, - _ .)")
    if report not in REPORTS:
        raise ScheduleError(f"unknown report {report!r}; reports: {', '.join(REPORTS)}")
    if not croniter.is_valid(cron) or len(cron.split()) != 5:
        raise ScheduleError(f"{cron!r} is not a five-field cron expression (minute hour day month weekday)")
    bad = [r for r in recipients if not EMAIL.match(r)]
    if not recipients or bad:
        raise ScheduleError(f"not an e-mail address: {', '.join(bad) or '(none given)'}")
    fmt = fmt or FORMATS[report][0]
    if fmt not in FORMATS[report]:
        raise ScheduleError(f"{report} is written as {' or '.join(FORMATS[report])}, not {fmt}")
    return fmt


def add(con, *, name: str, report: str, cron: str, recipients: list[str], fmt: str | None = None,
        now: dt.datetime | None = None, by: str | None = None) -> Schedule:
    """Store a new schedule (its first run is the first cron time after now)."""
    fmt = validate(name=name, report=report, cron=cron, recipients=recipients, fmt=fmt)
    if con.execute("select 1 from schedules where name = ?", [name]).fetchone():
        raise ScheduleError(f"a schedule called {name!r} exists; remove it first")
    created = (now or dt.datetime.now()).replace(microsecond=0)
    con.execute("insert into schedules values (?, ?, ?, ?, ?, ?, ?)",
                [name, report, cron, ",".join(recipients), fmt, created, by or getpass.getuser()])
    return Schedule(name, report, cron, tuple(recipients), fmt, created)


def remove(con, *, name: str) -> None:
    if not con.execute("select 1 from schedules where name = ?", [name]).fetchone():
        raise ScheduleError(f"no schedule called {name!r}")
    con.execute("delete from schedules where name = ?", [name])


LIST_SQL = """
with
last_runs as (
    select name, max(due_at) filter (where result = 'sent') as last_sent_due_at,
           max(ran_at) as last_ran_at, arg_max(result, ran_at) as last_result
    from schedule_runs group by name
),
final as (
    select s.name, s.report, s.cron, s.recipients, s.format, s.created_at, s.created_by,
           r.last_sent_due_at, r.last_ran_at, r.last_result
    from schedules s left join last_runs r using (name)
)
select * from final order by name
"""


def schedules(con) -> pd.DataFrame:
    """One row per schedule with its last run: name, report, cron, recipients, format, created_at, created_by,
    last_sent_due_at, last_ran_at, last_result."""
    return con.execute(LIST_SQL).df()


def due(con, *, now: dt.datetime) -> list[tuple[Schedule, dt.datetime]]:
    """(schedule, the latest cron time at or before `now`) for each schedule whose cron time has come since
    its last sent run (or since it was created)."""
    out = []
    for r in schedules(con).itertuples(index=False):
        since = r.last_sent_due_at if not pd.isna(r.last_sent_due_at) else r.created_at
        latest = croniter(r.cron, now + dt.timedelta(seconds=1)).get_prev(dt.datetime)
        if latest > pd.Timestamp(since).to_pydatetime():
            out.append((Schedule(r.name, r.report, r.cron, tuple(r.recipients.split(",")), r.format,
                                 r.created_at), latest))
    return out


def report_period(con, report: str) -> str:
    """What a report covers when it runs: the last closed month ('YYYY-MM'), or for the annual pack the
    fiscal year of that month ('2026')."""
    closed = calendar.calendar(con).closed_through
    return str(calendar.calendar(con).year_of(closed)) if report == "annual-pack" else f"{closed:%Y-%m}"


def build(con, report: str, period: str) -> tuple[str, bytes]:
    """(file name, bytes) of one report for `period`."""
    from analytics.reports import annual, board, monthly
    if report == "board":
        return f"board-pack-{period}.pdf", board.pdf_bytes(con, period=period)
    if report == "monthly-pack":
        return f"monthly-pack-{period}.xlsx", monthly.pack_bytes(con, period=period)
    return f"annual-pack-{period}.xlsx", monthly.to_bytes(annual.build(con, year=int(period)))


def send(con, *, recipients: tuple[str, ...], subject: str, body: str, attachment: tuple[str, bytes]) -> None:
    """One e-mail with one attachment through the SMTP server of the settings."""
    host = settings.get(con, "smtp_host")
    if not host:
        raise ScheduleError("no SMTP server: set smtp_host (python -m analytics settings set smtp_host ...)")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.get(con, "smtp_from"), ", ".join(recipients), subject
    message.set_content(body)
    maintype, subtype = MIME[attachment[0].rsplit(".", 1)[-1]]
    message.add_attachment(attachment[1], maintype=maintype, subtype=subtype, filename=attachment[0])
    with smtplib.SMTP(host, settings.get(con, "smtp_port"), timeout=60) as smtp:
        if settings.get(con, "smtp_starttls"):
            smtp.starttls()
        if settings.get(con, "smtp_user"):
            smtp.login(settings.get(con, "smtp_user"), settings.get(con, "smtp_password"))
        smtp.send_message(message)


def run_due(con, *, now: dt.datetime | None = None, by: str | None = None) -> list[dict]:
    """Build and send every due report; record and return one run per schedule (result sent or failed)."""
    now = now or dt.datetime.now()
    runs = []
    for schedule, due_at in due(con, now=now):
        run = {"name": schedule.name, "due_at": due_at, "ran_at": now.replace(microsecond=0),
               "ran_by": by or getpass.getuser(), "report": schedule.report, "period": None,
               "recipients": ",".join(schedule.recipients)}
        try:
            run["period"] = report_period(con, schedule.report)
            attachment = build(con, schedule.report, run["period"])
            company = settings.get(con, "company_name")
            send(con, recipients=schedule.recipients, attachment=attachment,
                 subject=f"{company}: {schedule.report.replace('-', ' ')} {run['period']}",
                 body=f"Attached: {attachment[0]}, built by Outlay for {run['period']} (schedule {schedule.name}, "
                      f"cron {schedule.cron}).")
            run.update(result="sent", detail=f"{attachment[0]} ({len(attachment[1]):,} bytes)")
        except (ScheduleError, calendar.PeriodError, OSError, smtplib.SMTPException) as exc:
            run.update(result="failed", detail=str(exc) or type(exc).__name__)
        con.execute("insert into schedule_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [run[k] for k in ("name", "due_at", "ran_at", "ran_by", "report", "period", "recipients",
                                      "result", "detail")])
        runs.append(run)
    return runs


def runs_log(con, *, name: str | None = None) -> pd.DataFrame:
    """One row per run (newest first): name, due_at, ran_at, ran_by, report, period, recipients, result, detail."""
    return con.execute("select * from schedule_runs where $name is null or name = $name order by ran_at desc, name",
                       {"name": name}).df()
