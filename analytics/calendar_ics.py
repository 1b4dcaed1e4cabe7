"""An iCalendar (RFC 5545) file of contract deadlines, for Outlook, Google Calendar or Apple Calendar.

One all-day event per cancel-by date of every tacit renewal term in the horizon (the chain of terms,
not only the next one) and per end date of fixed and express contracts, each with reminders at the
90, 60 and 30 days before. UIDs are stable, so importing an
updated file again updates the events instead of duplicating them.
"""
from __future__ import annotations

import datetime as dt

from analytics import contracts, settings
from analytics.fiscal import add_months

CRLF = "\r\n"


def escape(text) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines."""
    value = "" if text is None else str(text)
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (continuation lines start with a space)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for ch in line:
        encoded = ch.encode("utf-8")
        if len(current) + len(encoded) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74  # the leading space counts
        current += encoded
    parts.append(current.decode("utf-8"))
    return (CRLF + " ").join(parts)


def deadline_events(con, *, on: dt.date | None = None, years_ahead: int = 3) -> list[dict]:
    """One dict per deadline from `on` to `years_ahead` years later: contract_id, vendor, service, kind, date, summary."""
    on = on or settings.as_of(con)
    horizon = add_months(on, 12 * years_ahead)
    chain = contracts.timeline(con, start=on, end=horizon, on=on)
    events = []
    for t in chain.itertuples(index=False):
        if t.renewal_type == "tacit":
            if t.cancel_by_date is not None and on <= t.cancel_by_date <= horizon:
                events.append({"contract_id": t.contract_id, "vendor": t.vendor, "service": t.service,
                               "kind": "cancel_by", "date": t.cancel_by_date,
                               "summary": f"Cancel-by: {t.vendor} – {t.service} ({t.contract_id})",
                               "description": f"Last day to give notice. Otherwise {t.contract_id} renews "
                                              f"automatically on {t.end_date + contracts.ONE_DAY:%Y-%m-%d}."})
        elif t.term_index == 0 and on <= t.end_date <= horizon:
            verb = "ends unless renewed by agreement" if t.renewal_type == "express" else "expires"
            events.append({"contract_id": t.contract_id, "vendor": t.vendor, "service": t.service,
                           "kind": "end", "date": t.end_date,
                           "summary": f"Contract end: {t.vendor} – {t.service} ({t.contract_id})",
                           "description": f"{t.contract_id} {verb} on {t.end_date:%Y-%m-%d}."})
    return sorted(events, key=lambda e: (e["date"], e["contract_id"]))


def calendar(con, *, on: dt.date | None = None, years_ahead: int = 3, stamp: dt.datetime | None = None) -> str:
    """The .ics text of every deadline in the horizon (see deadline_events)."""
    stamp = stamp or dt.datetime.now(dt.timezone.utc)
    reminders = contracts.ALERT_DAYS
    company = settings.get(con, "company_name")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Outlay//Contract deadlines//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(company + ' contract deadlines')}"]
    for event in deadline_events(con, on=on, years_ahead=years_ahead):
        day = event["date"]
        lines += ["BEGIN:VEVENT",
                  f"UID:{escape(event['contract_id'])}-{event['kind']}-{day:%Y%m%d}@outlay",
                  f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
                  f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{day + contracts.ONE_DAY:%Y%m%d}",
                  f"SUMMARY:{escape(event['summary'])}",
                  f"DESCRIPTION:{escape(event['description'])}",
                  "TRANSP:TRANSPARENT"]
        for days in reminders:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"TRIGGER:-P{days}D",
                      f"DESCRIPTION:{escape(event['summary'])} in {days} days", "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return CRLF.join(fold(line) for line in lines) + CRLF
