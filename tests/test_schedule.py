"""Scheduled distribution: cron schedules stored in the database, run-due sends each due report once over SMTP
to a local sink (aiosmtpd on 127.0.0.1, started here) and records every run."""
import datetime as dt
import email
import json
import socket

import pytest
from aiosmtpd.controller import Controller

from analytics import cli, schedule, settings, store


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def con(demo_copy, smtp):
    con = store.connect(demo_copy)
    settings.set_many(con, {"smtp_host": "127.0.0.1", "smtp_port": str(smtp[1]), "smtp_starttls": "no",
                            "smtp_from": "outlay@example.com"})
    yield con
    con.close()


CREATED = dt.datetime(2026, 11, 1, 12, 0)


def test_add_refuses_what_cannot_run(con):
    with pytest.raises(schedule.ScheduleError, match="cron"):
        schedule.add(con, name="x", report="board", cron="every day", recipients=["a@b.c"])
    with pytest.raises(schedule.ScheduleError, match="e-mail"):
        schedule.add(con, name="x", report="board", cron="0 7 2 * *", recipients=["finance"])
    with pytest.raises(schedule.ScheduleError, match="unknown report"):
        schedule.add(con, name="x", report="weekly", cron="0 7 2 * *", recipients=["a@b.c"])
    with pytest.raises(schedule.ScheduleError, match="pdf"):
        schedule.add(con, name="x", report="board", cron="0 7 2 * *", recipients=["a@b.c"], fmt="xlsx")
    schedule.add(con, name="x", report="board", cron="0 7 2 * *", recipients=["a@b.c"])
    with pytest.raises(schedule.ScheduleError, match="exists"):
        schedule.add(con, name="x", report="board", cron="0 7 2 * *", recipients=["a@b.c"])


def test_nothing_is_due_before_the_cron_time(con, smtp):
    schedule.add(con, name="board", report="board", cron="0 7 2 * *", recipients=["cfo@example.com"], now=CREATED)
    assert schedule.run_due(con, now=dt.datetime(2026, 11, 2, 6, 59)) == []
    assert smtp[0].messages == []


def test_due_board_pack_is_sent_once_with_the_last_closed_month(con, smtp):
    schedule.add(con, name="board", report="board", cron="0 7 2 * *", recipients=["cfo@example.com", "it@example.com"],
                 now=CREATED, by="tester")
    runs = schedule.run_due(con, now=dt.datetime(2026, 12, 2, 7, 5), by="cron")
    assert [(r["name"], r["result"], r["period"], r["due_at"]) for r in runs] == [
        ("board", "sent", "2026-10", dt.datetime(2026, 12, 2, 7, 0))]
    (rcpt, message), = smtp[0].messages
    assert rcpt == ["cfo@example.com", "it@example.com"]
    assert message["From"] == "outlay@example.com" and "board 2026-10" in message["Subject"]
    attachment, = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_filename() == "board-pack-2026-10.pdf"
    assert attachment.get_payload(decode=True)[:5] == b"%PDF-"
    assert schedule.run_due(con, now=dt.datetime(2026, 12, 2, 7, 30)) == []  # not sent twice
    log = schedule.runs_log(con)
    assert log[["name", "ran_by", "report", "result"]].values.tolist() == [["board", "cron", "board", "sent"]]


def test_monthly_pack_goes_as_xlsx(con, smtp):
    schedule.add(con, name="pack", report="monthly-pack", cron="0 7 2 * *", recipients=["a@example.com"], now=CREATED)
    assert [r["result"] for r in schedule.run_due(con, now=dt.datetime(2026, 12, 3))] == ["sent"]
    attachment, = [p for p in smtp[0].messages[0][1].walk() if p.get_filename()]
    assert attachment.get_filename() == "monthly-pack-2026-10.xlsx"
    assert attachment.get_payload(decode=True)[:2] == b"PK"


def test_a_failed_send_is_recorded_and_retried(con, smtp):
    schedule.add(con, name="board", report="board", cron="0 7 2 * *", recipients=["a@example.com"], now=CREATED)
    settings.set_value(con, "smtp_host", "")
    assert [r["result"] for r in schedule.run_due(con, now=dt.datetime(2026, 12, 2, 8))] == ["failed"]
    assert "smtp_host" in schedule.runs_log(con)["detail"].iloc[0]
    settings.set_value(con, "smtp_host", "127.0.0.1")
    assert [r["result"] for r in schedule.run_due(con, now=dt.datetime(2026, 12, 2, 9))] == ["sent"]
    assert len(smtp[0].messages) == 1


def test_cli_add_list_run_due_remove(con, demo_copy, smtp, capsys):
    con.close()
    db = ["--db", str(demo_copy)]
    assert cli.main(["schedule", "add", "board", "--report", "board", "--cron", "0 7 2 * *",
                     "--to", "cfo@example.com", "--format", "pdf", *db]) == 0
    assert cli.main(["schedule", "add", "bad", "--report", "board", "--cron", "7", "--to", "a@b.c", *db]) == 1
    capsys.readouterr()
    assert cli.main(["schedule", "list", "--json", *db]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(s["name"], s["report"], s["cron"], s["format"]) for s in listed] == [("board", "board", "0 7 2 * *", "pdf")]
    now = (dt.datetime.now() + dt.timedelta(days=62)).isoformat(timespec="minutes")
    assert cli.main(["schedule", "run-due", "--now", now, *db]) == 0
    assert '"result": "sent"' in capsys.readouterr().out
    assert len(smtp[0].messages) == 1
    assert cli.main(["schedule", "remove", "board", *db]) == 0
    assert cli.main(["schedule", "remove", "board", *db]) == 1
