"""The team server sends due scheduled reports by itself (`schedule run-due` on its timer), each slot once, across
a restart too, and stops cleanly; mail goes to a local SMTP sink on 127.0.0.1."""
import datetime as dt

import pytest

from analytics import owner, schedule, settings, store
from tests.test_schedule import smtp  # noqa: F401 - the SMTP sink fixture
from tests.test_server_api import start_server

pytestmark = pytest.mark.slow


def wait_until(condition, seconds: float) -> bool:
    import time
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def stop(proc) -> str:
    """SIGTERM, and the server's output once it has exited by itself (uvicorn raises the signal again after
    its orderly shutdown, so the exit status is -15 either way: the output says whether the lifespan ended)."""
    import signal
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=180)
    return out.decode(errors="replace")


def test_a_running_server_sends_a_due_schedule_once_and_not_again_after_a_restart(demo_copy, smtp):
    sink, port = smtp
    con = store.connect(demo_copy)
    settings.set_many(con, {"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_starttls": "no",
                            "smtp_from": "outlay@example.com"})
    created = dt.datetime.now() - dt.timedelta(days=32)  # a 07:00-on-the-2nd slot has come since
    schedule.add(con, name="board", report="board", cron="0 7 2 * *", recipients=["cfo@example.com"], now=created)
    schedule.add(con, name="later", report="board", cron="0 7 2 * *", recipients=["cfo@example.com"],
                 now=dt.datetime.now())  # its first slot is still to come
    con.close()

    ticks = {"OUTLAY_SCHEDULE_SECONDS": "1"}  # the timer looks every second instead of every minute
    proc, _, _ = start_server(demo_copy, **ticks)
    assert wait_until(lambda: len(sink.messages) == 1, 240), "the due report was not sent"
    wait_until(lambda: len(sink.messages) > 1, 5)  # five more ticks: nothing more goes
    out = stop(proc)
    assert "Outlay: stopped; the database is closed" in out, out[-2000:]  # the timer ended, the store closed
    assert not owner.state_path(demo_copy).exists()
    assert "scheduled report board (board " in out and ": sent, board-pack-" in out

    proc, _, _ = start_server(demo_copy, **ticks)  # a restart: the slot sent is recorded, not sent again
    wait_until(lambda: len(sink.messages) > 1, 8)
    stop(proc)
    assert len(sink.messages) == 1
    (rcpt, message), = sink.messages
    assert rcpt == ["cfo@example.com"] and message["Subject"].endswith(
        "board " + message.get_payload()[1].get_filename().removeprefix("board-pack-").removesuffix(".pdf"))
    con = store.connect(demo_copy, read_only=True)
    try:
        runs = schedule.runs_log(con)
    finally:
        con.close()
    assert runs[["name", "result"]].values.tolist() == [["board", "sent"]]
    assert runs["ran_by"].iloc[0].startswith("server timer (os:")
