"""The SLA datasets go through the same import validation as every dataset."""
import pytest

from analytics.ingest import load
from tests.sla_data import PARIS_HOURS, import_rows, new_db


def refused(tmp_path, dataset, rows) -> list[str]:
    con = new_db()
    with pytest.raises(load.ImportRefused) as info:
        import_rows(con, tmp_path, dataset, rows)
    return [f"{e.column}: {e.reason}" for e in info.value.errors]


@pytest.mark.parametrize("column, value, reason", [
    ("timezone", "Europe/Pariss", "unknown time zone (expected an IANA name, like Europe/Paris)"),
    ("working_days", "monday-friday", "not a list of days (expected like mon-fri or mon,tue,sat)"),
    ("start_time", "9:00", "not a time of day (expected HH:MM, 00:00 to 24:00)"),
    ("end_time", "24:30", "not a time of day (expected HH:MM, 00:00 to 24:00)"),
])
def test_schedule_rows_are_checked(tmp_path, column, value, reason):
    assert refused(tmp_path, "schedules", [PARIS_HOURS | {column: value}]) == [f"{column}: {reason}"]


def test_schedule_end_before_start_is_refused(tmp_path):
    assert refused(tmp_path, "schedules", [PARIS_HOURS | {"start_time": "17:00", "end_time": "09:00"}]) == \
        ["end_time: end_time is before start_time"]


def test_schedule_working_days_accepts_lists_and_case(tmp_path):
    con = new_db()
    import_rows(con, tmp_path, "schedules", [PARIS_HOURS | {"working_days": "Mon-Thu, SAT"}])
    assert con.execute("select working_days from sla_schedules").fetchone()[0] == "Mon-Thu, SAT"


def test_pause_resumed_before_paused_is_refused(tmp_path):
    rows = [{"ticket_id": "T1", "paused_at": "2026-03-16 12:00", "resumed_at": "2026-03-16 11:00"}]
    assert refused(tmp_path, "incident_pauses", rows) == ["resumed_at: resumed_at is before paused_at"]


def test_open_pause_has_no_resumed_at(tmp_path):
    con = new_db()
    import_rows(con, tmp_path, "incident_pauses", [{"ticket_id": "T1", "paused_at": "2026-03-16 12:00", "resumed_at": ""}])
    assert con.execute("select resumed_at from incident_pauses").fetchone()[0] is None


def test_sla_target_duplicate_key_and_default_schedule(tmp_path):
    row = {"contract_id": "C1", "metric": "response", "priority": "P1", "target_hours": "1", "schedule": ""}
    assert refused(tmp_path, "sla_targets", [row, row]) == \
        ["contract_id: duplicate key (contract_id=C1, metric=response, priority=P1) also on row 2"]
    con = new_db()
    import_rows(con, tmp_path, "sla_targets", [row])
    assert con.execute("select schedule from sla_targets").fetchone()[0] == "24x7"
