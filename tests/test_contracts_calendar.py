"""The iCalendar download of contract deadlines."""
import datetime as dt

from analytics import calendar_ics
from tests.contracts_fixtures import D, database

STAMP = dt.datetime(2026, 11, 15, 8, 0, tzinfo=dt.timezone.utc)


def _con():
    return database([
        ("C-1", "Acme, Ltd; UK", "Service desk", D(2022, 1, 1), D(2024, 12, 31), 1200, "USD", True, 12, 90),
        ("C-3", "Initech", "Laptops", D(2024, 2, 1), D(2027, 1, 31), 3600, "USD", False, 12, 60),
        ("C-4", "Umbrella", "Printing", D(2023, 1, 1), D(2023, 12, 31), 500, "USD", False, None, None),
    ])


def test_events_cover_every_cancel_by_date_in_the_horizon():
    events = calendar_ics.deadline_events(_con(), on=D(2026, 11, 15), years_ahead=2)
    assert [(e["contract_id"], e["kind"], e["date"]) for e in events] == [
        ("C-3", "end", D(2027, 1, 31)), ("C-1", "cancel_by", D(2027, 10, 2)), ("C-1", "cancel_by", D(2028, 10, 2))]


def test_calendar_is_valid_ics_with_escaped_text_and_reminders():
    text = calendar_ics.calendar(_con(), on=D(2026, 11, 15), years_ahead=1, stamp=STAMP)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "UID:C-1-cancel_by-20271002@outlay" in lines
    assert "DTSTART;VALUE=DATE:20271002" in lines
    assert "SUMMARY:Cancel-by: Acme\\, Ltd\\; UK – Service desk (C-1)" in lines
    assert [line for line in lines if line.startswith("TRIGGER")] == ["TRIGGER:-P90D", "TRIGGER:-P60D",
                                                                      "TRIGGER:-P30D"] * 2
    assert max(len(line.encode()) for line in lines) <= 75


def test_fold_splits_long_lines_on_character_boundaries():
    line = "DESCRIPTION:" + "é" * 60
    folded = calendar_ics.fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    assert all(len(p.encode()) <= 75 for p in parts)
