"""Known answers for SLA clocks: weekends, holidays, time zones, daylight saving, pauses, open tickets."""
import datetime as dt

import pytest

from analytics import settings
from analytics.sla import engine, schedule
from tests.sla_data import PARIS_HOURS, contract, import_rows, new_db, ticket

T = dt.datetime
AS_OF = T(2026, 11, 12)


@pytest.fixture
def db(tmp_path):
    con = new_db()
    import_rows(con, tmp_path, "contracts", [contract()])
    import_rows(con, tmp_path, "schedules", [PARIS_HOURS, {
        "schedule": "Paris all day", "timezone": "Europe/Paris", "working_days": "mon-sun",
        "start_time": "00:00", "end_time": "24:00"}])
    import_rows(con, tmp_path, "holidays", [{"schedule": "EU", "date": "2026-05-01", "name": "Labour Day"}])
    import_rows(con, tmp_path, "sla_targets", [
        {"contract_id": "C1", "metric": "response", "priority": "P1", "target_hours": "1", "schedule": ""},
        {"contract_id": "C1", "metric": "response", "priority": "p2", "target_hours": "4", "schedule": "EU"},
        {"contract_id": "C1", "metric": "resolution", "priority": "P2", "target_hours": "8", "schedule": "EU"},
        {"contract_id": "C1", "metric": "resolution", "priority": "P3", "target_hours": "100", "schedule": "Paris all day"},
    ])
    return con, tmp_path


def run(db, tickets, pauses=(), as_of_at=AS_OF):
    con, tmp_path = db
    import_rows(con, tmp_path, "incidents", tickets)
    if pauses:
        import_rows(con, tmp_path, "incident_pauses", list(pauses))
    return engine.ticket_sla(con, as_of_at=as_of_at).set_index("ticket_id")


def test_weekend_is_not_counted(db):
    # Fri 16:00 Paris (15:00 UTC) -> Mon 10:00 Paris: 1 h Friday + 1 h Monday
    out = run(db, [ticket("T1", "2026-03-13 15:00:00", "2026-03-16 09:00:00")])
    assert out.loc["T1", "response_hours"] == 2.0
    assert out.loc["T1", "response_status"] == "met"


def test_public_holiday_is_not_counted(db):
    # Thu 30 Apr 16:00 CEST -> Mon 4 May 10:00 CEST, Fri 1 May is a holiday: 1 h + 1 h
    out = run(db, [ticket("T2", "2026-04-30 14:00:00", "2026-05-04 08:00:00")])
    assert out.loc["T2", "response_hours"] == 2.0


def test_daylight_saving_change_over_the_weekend(db):
    # Fri 27 Mar 16:00 CET (15:00 UTC) -> Mon 30 Mar 10:00 CEST (08:00 UTC): 1 h + 1 h, not 1 h + 0 h
    out = run(db, [ticket("T3", "2026-03-27 15:00:00", "2026-03-30 08:00:00")])
    assert out.loc["T3", "response_hours"] == 2.0


def test_daylight_saving_day_has_23_real_hours(db):
    # a schedule covering every local hour: Sat 12:00 UTC -> Mon 12:00 UTC is 48 real hours across the change
    out = run(db, [ticket("T4", "2026-03-28 12:00:00", "2026-03-28 12:30:00", "2026-03-30 12:00:00", priority="P3")])
    assert out.loc["T4", "resolution_hours"] == 48.0


def test_incident_timezone_setting_reads_naive_timestamps_as_local(db):
    settings.set_value(db[0], "incident_timezone", "Europe/Paris")
    # same instants as the daylight-saving test, written in Paris time
    out = run(db, [ticket("T3", "2026-03-27 16:00:00", "2026-03-30 10:00:00")])
    assert out.loc["T3", "response_hours"] == 2.0


def test_overlapping_pauses_are_subtracted_once(db):
    # Mon 16 Mar 10:00-16:00 Paris = 6 working hours; on hold 11-13 and 12-14 Paris = 3 h in all
    out = run(db, [ticket("T5", "2026-03-16 09:00:00", "2026-03-16 09:30:00", "2026-03-16 15:00:00")],
              [{"ticket_id": "T5", "paused_at": "2026-03-16 10:00:00", "resumed_at": "2026-03-16 12:00:00"},
               {"ticket_id": "T5", "paused_at": "2026-03-16 11:00:00", "resumed_at": "2026-03-16 13:00:00"}])
    assert out.loc["T5", "resolution_hours"] == 3.0
    assert out.loc["T5", "response_hours"] == 0.5  # the pauses came after the response


def test_pause_outside_working_hours_subtracts_nothing(db):
    # Mon 10:00-16:00 Paris, on hold Sat-Sun: 6 working hours either way
    out = run(db, [ticket("T6", "2026-03-13 15:00:00", "2026-03-13 15:10:00", "2026-03-16 11:00:00")],
              [{"ticket_id": "T6", "paused_at": "2026-03-14 08:00:00", "resumed_at": "2026-03-15 20:00:00"}])
    assert out.loc["T6", "resolution_hours"] == 4.0  # Fri 16-17 (1 h) + Mon 9-12 Paris (3 h)


def test_pause_still_on_hold_runs_to_as_of(db):
    # open, on hold since 10:00 Paris with no resume: only 09:00-10:00 Paris counts
    out = run(db, [ticket("T7", "2026-11-09 08:00:00", "2026-11-09 08:30:00")],
              [{"ticket_id": "T7", "paused_at": "2026-11-09 09:00:00", "resumed_at": ""}])
    assert out.loc["T7", "resolution_elapsed_hours"] == 1.0
    assert out.loc["T7", "resolution_status"] == "pending"
    assert bool(out.loc["T7", "resolution_breached"]) is False


def test_open_ticket_exactly_at_target_is_pending(db):
    # opened Tue 10 Nov 09:00 Paris, no response; as of 13:00 Paris = 4 h = target
    out = run(db, [ticket("T8", "2026-11-10 08:00:00")], as_of_at=T(2026, 11, 10, 12, 0))
    assert out.loc["T8", "response_elapsed_hours"] == 4.0
    assert out.loc["T8", "response_status"] == "pending"
    assert out.loc["T8", "response_hours"] is None or out["response_hours"].isna()["T8"]


def test_open_ticket_past_target_is_breached(db):
    out = run(db, [ticket("T8", "2026-11-10 08:00:00")], as_of_at=T(2026, 11, 10, 12, 1))
    assert out.loc["T8", "response_status"] == "breached"
    assert bool(out.loc["T8", "response_breached"]) is True


@pytest.mark.parametrize("responded, status", [("2026-06-01 11:00:00", "met"),
                                                ("2026-06-01 11:00:01", "breached"),
                                                ("2026-06-01 11:01:00", "breached")])
def test_exactly_at_target_meets_it_one_past_breaches(db, responded, status):
    out = run(db, [ticket("T9", "2026-06-01 10:00:00", responded, priority="P1")])
    assert out.loc["T9", "response_status"] == status


def test_contract_default_targets_apply_without_a_priority_target(db):
    # P4 has no sla_targets row: the contract's 4 h / 16 h on the default schedule (24x7)
    out = run(db, [ticket("T10", "2026-06-06 10:00:00", "2026-06-06 14:00:00", "2026-06-07 02:00:01", priority="P4")])
    assert (out.loc["T10", "response_status"], out.loc["T10", "resolution_status"]) == ("met", "breached")
    assert out.loc["T10", "resolution_schedule"] == "24x7"


def test_resolved_without_response_counts_response_at_resolution(db):
    out = run(db, [ticket("T11", "2026-06-01 10:00:00", "", "2026-06-01 10:30:00", priority="P1")])
    assert out.loc["T11", "response_hours"] == 0.5


def test_unknown_schedule_is_reported_not_guessed(db):
    settings.set_value(db[0], "sla_default_schedule", "Nowhere")
    out = run(db, [ticket("T12", "2026-06-01 10:00:00", "2026-06-01 10:30:00", priority="P4")])
    assert out.loc["T12", "response_status"] == "unknown schedule"


def test_as_of_moment_is_end_of_as_of_date_in_incident_timezone(db):
    settings.set_value(db[0], "as_of_date", "2026-03-10")
    settings.set_value(db[0], "incident_timezone", "Europe/Paris")
    assert engine.as_of_moment(db[0]) == T(2026, 3, 10, 23, 0)  # midnight Paris (CET) in UTC


def test_working_hours_helper_matches_engine(db):
    assert schedule.working_hours(db[0], "EU", T(2026, 3, 27, 15), T(2026, 3, 30, 8)) == 2.0


@pytest.mark.parametrize("text, days", [("mon-fri", [1, 2, 3, 4, 5]), ("Mon, wed,FRI", [1, 3, 5]),
                                        ("fri-mon", [1, 5, 6, 7]), ("sun", [7])])
def test_working_days(text, days):
    assert schedule.working_days(text) == days


def test_autumn_daylight_saving_day_has_25_real_hours(db):
    # Sat 24 Oct 12:00 UTC -> Mon 26 Oct 12:00 UTC across the October change: still 48 real hours
    out = run(db, [ticket("T13", "2026-10-24 12:00:00", "2026-10-24 12:30:00", "2026-10-26 12:00:00", priority="P3")])
    assert out.loc["T13", "resolution_hours"] == 48.0


def test_ticket_sla_for_one_contract_and_month(db):
    out = run(db, [ticket("A", "2026-06-01 10:00:00", "2026-06-01 11:00:00", priority="P1"),
                   ticket("B", "2026-07-01 10:00:00", "2026-07-01 11:00:00", priority="P1"),
                   ticket("C", "2026-06-02 10:00:00", "2026-06-02 11:00:00", priority="P1", contract_id="")])
    only = engine.ticket_sla(db[0], as_of_at=AS_OF, contract_id="C1", period=dt.date(2026, 6, 1))
    assert list(only["ticket_id"]) == ["A"]
    assert list(out.index) == ["A", "B", "C"]


def test_made_sla_flag_is_kept_beside_the_recomputation(db):
    rows = [ticket("M1", "2026-06-01 10:00:00", "2026-06-01 10:30:00", "2026-06-02 10:00:00", priority="P4"),
            ticket("M2", "2026-06-01 10:00:00", "2026-06-01 10:30:00", "2026-06-01 12:00:00", priority="P4"),
            ticket("M3", "2026-06-01 10:00:00", priority="P4")]
    for row, flag in zip(rows, ("true", "true", "false")):
        row["made_sla"] = flag
    out = run(db, rows)  # P4: 16 h resolution on 24x7; M1 took 24 h, M2 2 h, M3 still open after months
    assert list(out["made_sla_agrees"].astype(object)) == [False, True, True]  # M3 breached while open
