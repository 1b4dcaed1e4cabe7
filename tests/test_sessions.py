"""Browser sessions of password sign-ins: a one-time ticket traded for the cookie's token, stored hashed, that
ends after its hours, at sign-out, or with its account."""
import datetime as dt

import pytest

from analytics import accounts, sessions

SIGNED_IN = dt.datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def vera(con):
    accounts.add(con, "vera", role="viewer", password="password-vera", actor="t")
    accounts.add(con, "boss", role="admin", password="password-boss", actor="t")
    return con


def signed_in(con, name="vera", at=SIGNED_IN) -> tuple[sessions.Session, str]:
    """(session, cookie token) of a sign-in at `at` whose ticket was traded a few seconds later."""
    session, ticket = sessions.open_session(con, name, now=at)
    token = sessions.trade_ticket(con, ticket, now=at + dt.timedelta(seconds=2))
    assert token is not None
    return session, token


def test_the_ticket_gives_the_cookie_token_once_and_only_hashes_are_stored(vera):
    session, ticket = sessions.open_session(vera, "vera", now=SIGNED_IN)
    token = sessions.trade_ticket(vera, ticket, now=SIGNED_IN + dt.timedelta(seconds=5))
    assert sessions.trade_ticket(vera, ticket, now=SIGNED_IN + dt.timedelta(seconds=6)) is None
    stored = vera.execute("select ticket_hash, token_hash from sessions").fetchall()
    assert stored == [(None, accounts.token_hash(token))]
    found = sessions.by_token(vera, token, now=SIGNED_IN + dt.timedelta(hours=1))
    assert found == sessions.Session(session.session_id, accounts.User("vera", "viewer"), SIGNED_IN)


def test_a_ticket_older_than_a_minute_or_unknown_is_refused(vera):
    _, ticket = sessions.open_session(vera, "vera", now=SIGNED_IN)
    late = SIGNED_IN + dt.timedelta(seconds=sessions.TICKET_SECONDS + 1)
    assert sessions.trade_ticket(vera, ticket, now=late) is None
    assert sessions.trade_ticket(vera, "made-up", now=SIGNED_IN) is None
    assert sessions.trade_ticket(vera, "", now=SIGNED_IN) is None


def test_a_session_ends_after_its_hours(vera):
    session, token = signed_in(vera)
    almost = SIGNED_IN + dt.timedelta(hours=accounts.SESSION_HOURS, seconds=-1)
    ended = SIGNED_IN + dt.timedelta(hours=accounts.SESSION_HOURS)
    assert sessions.by_token(vera, token, now=almost).user.name == "vera"
    assert sessions.by_token(vera, token, now=ended) is None
    assert sessions.get(vera, session.session_id, now=ended) is None


def test_sign_out_ends_the_session_for_the_tab_and_the_cookie(vera):
    session, token = signed_in(vera)
    other, other_token = signed_in(vera)  # the same person in another browser
    sessions.end(vera, session.session_id)
    assert sessions.by_token(vera, token, now=SIGNED_IN) is None
    assert sessions.get(vera, session.session_id, now=SIGNED_IN) is None
    assert sessions.by_token(vera, other_token, now=SIGNED_IN).session_id == other.session_id
    sessions.end_by_token(vera, other_token)
    assert sessions.get(vera, other.session_id, now=SIGNED_IN) is None


def test_removing_an_account_ends_its_sessions(vera):
    session, token = signed_in(vera)
    _, boss_token = signed_in(vera, "boss")
    accounts.remove(vera, "vera", actor="boss")
    assert sessions.by_token(vera, token, now=SIGNED_IN) is None
    assert vera.execute("select user_name from sessions").fetchall() == [("boss",)]
    assert sessions.by_token(vera, boss_token, now=SIGNED_IN).user.name == "boss"


def test_a_new_sign_in_clears_sessions_that_ended(vera):
    signed_in(vera)
    sessions.open_session(vera, "boss", now=SIGNED_IN + dt.timedelta(hours=accounts.SESSION_HOURS + 1))
    assert vera.execute("select user_name from sessions").fetchall() == [("boss",)]


def test_a_session_for_no_account_is_refused(vera):
    with pytest.raises(accounts.AccountError, match="no account"):
        sessions.open_session(vera, "nobody")
