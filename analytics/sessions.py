"""Browser sessions of password sign-ins, so that a sign-in survives a reload of the page.

A signed-in tab holds its session in Streamlit's session state, which a reload loses. So the server also
gives the browser a cookie. A page run talks to the browser over a WebSocket and cannot set an HttpOnly
cookie, hence a ticket: at sign-in the page opens a session with a one-time ticket (valid TICKET_SECONDS),
the browser posts it to the server's /auth/session route (analytics.api), which trades it for the session's
token in a cookie (HttpOnly, SameSite=Lax, Secure over https). The next page load sends the cookie and the
gate (views.auth) finds the session by it. Only sha256 hashes of tickets and tokens are stored (both are 256
random bits). A session ends accounts.SESSION_HOURS after the sign-in, at sign-out, or when its account is
removed; each page run checks that it still stands.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from analytics import accounts, store

COOKIE = "outlay_session"
ROUTE = "/auth/session"  # POST ticket=...: the cookie; DELETE: sign-out (the cookie cleared, its session ended)
TICKET_SECONDS = 60


@dataclass(frozen=True)
class Session:
    session_id: str
    user: accounts.User
    signed_in_at: dt.datetime


def open_session(con, name: str, *, now: dt.datetime | None = None) -> tuple[Session, str]:
    """(the new session of account `name`, its one-time ticket); sessions that ended are cleared meanwhile."""
    user = accounts.get(con, name)
    if user is None:
        raise accounts.AccountError(f"no account {name!r}")
    now = now or _now()
    session_id, ticket = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
    with store.transaction(con, changes_data=False):
        con.execute("delete from sessions where expires_at <= ?", [now])
        con.execute("insert into sessions values (?, ?, ?, null, ?, ?)",
                    [session_id, user.name, accounts.token_hash(ticket), now,
                     now + dt.timedelta(hours=accounts.SESSION_HOURS)])
    return Session(session_id, user, now), ticket


def trade_ticket(con, ticket: str, *, now: dt.datetime | None = None) -> str | None:
    """The session's cookie token for a ticket used once within TICKET_SECONDS of its sign-in; else None."""
    now = now or _now()
    token = accounts.new_token()
    rows = con.execute(
        "update sessions set ticket_hash = null, token_hash = ? "
        "where ticket_hash = ? and created_at > ? and expires_at > ? returning session_id",
        [accounts.token_hash(token), accounts.token_hash(ticket or ""), now - dt.timedelta(seconds=TICKET_SECONDS),
         now]).fetchall()
    return token if rows else None


SESSION_SQL = """
select s.session_id, s.created_at, s.user_name
from sessions s
where (s.session_id = $session_id or s.token_hash = $token_hash) and s.expires_at > $now
"""


def by_token(con, token: str, *, now: dt.datetime | None = None) -> Session | None:
    """The session a cookie's token belongs to, while it stands (not ended, not revoked, its account there)."""
    return _one(con, {"session_id": None, "token_hash": accounts.token_hash(token or ""), "now": now or _now()})


def get(con, session_id: str, *, now: dt.datetime | None = None) -> Session | None:
    """The session while it stands (a signed-in tab asks on every run)."""
    return _one(con, {"session_id": session_id, "token_hash": None, "now": now or _now()})


def _one(con, params: dict) -> Session | None:
    rows = con.execute(SESSION_SQL, params).fetchall()
    if not rows:
        return None
    user = accounts.get(con, rows[0][2])
    return Session(rows[0][0], user, rows[0][1]) if user else None


def end(con, session_id: str) -> None:
    """Sign-out: the session is gone, its cookie no longer lets anyone in."""
    con.execute("delete from sessions where session_id = ?", [session_id])


def end_by_token(con, token: str) -> None:
    con.execute("delete from sessions where token_hash = ?", [accounts.token_hash(token or "")])


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
