"""The activity log: who changed what, when (imports, undo, edits, reviews, settings, accounts).

A write records itself here inside its own transaction where it can (accounts), else right after it; the
admin page and `python -m analytics users activity` list it. The actor is the signed-in person or token
owner; a CLI run without a server is its OS user, written `os:NAME`.
"""
from __future__ import annotations

import datetime as dt
import getpass

import pandas as pd

from analytics import store


def os_actor() -> str:
    try:
        return f"os:{getpass.getuser()}"
    except Exception:  # no user name in this environment (a container without passwd entry)
        return "os:unknown"


def record(con, actor: str, action: str, detail: str = "") -> None:
    """Append one entry; joins the caller's transaction when there is one (it does not change data)."""
    with store.transaction(con, changes_data=False):
        con.execute("insert into activity (logged_at, actor, action, detail) values (?, ?, ?, ?)",
                    [dt.datetime.now().replace(microsecond=0), actor, action, detail[:2000]])


def recent(con, *, limit: int = 500) -> pd.DataFrame:
    """One row per write, newest first: activity_id, logged_at, actor, action, detail."""
    return con.execute("select activity_id, logged_at, actor, action, detail from activity "
                       "order by activity_id desc limit ?", [limit]).df()


def recent_records(con, *, limit: int = 500) -> list[dict]:
    """recent() as JSON-ready dicts (times as ISO text), for the CLI and the API."""
    frame = recent(con, limit=limit)
    frame["logged_at"] = frame["logged_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return frame.to_dict(orient="records")
