"""Who uses the app: sign-in once an account exists (or OIDC is configured), the role's rights, sign-out.

With no account and no OIDC, the visitor is `accounts.LOCAL` (every right), as before accounts existed: the
server then listens on 127.0.0.1 only (analytics.serving refuses otherwise). A session lasts
accounts.SESSION_HOURS, then signs in again; the account is read on every run, so a removed account or a
changed role takes effect at once. A password sign-in is also a server-side session (analytics.sessions)
whose cookie signs in the browser's next page loads.
"""
from __future__ import annotations

import datetime as dt
import json

import streamlit as st

from analytics import accounts, i18n, serving, sessions, settings
from views import common

SESSION = "_outlay_session"  # {"name": ..., "signed_in_at": datetime, "session_id": ... (password sign-in)}
NOTE = "_outlay_signin_note"
COOKIE_CALL = "_outlay_cookie_call"  # the browser's call to sessions.ROUTE to make: ("POST", ticket) | ("DELETE", "")


def _now() -> dt.datetime:
    return dt.datetime.now()


def _oidc_user() -> accounts.User | None:
    """The person signed in with the identity provider: the account named by their e-mail (its role and scope),
    else a viewer of every cost center."""
    if not st.user.is_logged_in:
        return None
    name = str(st.user.get("email") or st.user.get("sub") or "")
    with common.cursor() as cur:
        return accounts.get(cur, name) or accounts.User(name, "viewer")


def current_user() -> accounts.User | None:
    """The person using this session; LOCAL when sign-in is not required; None while nobody is signed in."""
    with common.cursor() as cur:
        has_accounts = accounts.any_accounts(cur)
    oidc = serving.oidc_configured()
    if not has_accounts and not oidc:
        # the server listens on loopback then; should it not (every account removed while serving the network),
        # a visitor from elsewhere is not let in (Streamlit gives no address for a loopback visitor)
        address = st.context.ip_address
        return accounts.LOCAL if not isinstance(address, str) or serving.is_loopback(address) else None
    held = st.session_state.get(SESSION)
    if held and accounts.session_expired(held["signed_in_at"], _now()):
        st.session_state.pop(SESSION)
        st.session_state[NOTE] = i18n.N_("Your session ended after {hours} hours: sign in again.")
        held = None
    if held is None:
        held = _from_cookie()
    if held:
        if held.get("oidc"):
            return _oidc_user()
        with common.cursor() as cur:
            if not held.get("session_id"):
                return accounts.get(cur, held["name"])  # None once the account is removed
            found = sessions.get(cur, held["session_id"])  # None once signed out elsewhere, or the account removed
        if found is None:
            st.session_state.pop(SESSION)
            st.session_state[NOTE] = i18n.N_("Your session has ended: sign in again.")
        return found.user if found else None
    if oidc and st.user.is_logged_in:
        user = _oidc_user()
        st.session_state[SESSION] = {"name": user.name, "signed_in_at": _now(), "oidc": True}
        return user
    return None


def _from_cookie() -> dict | None:
    """A new page load of a browser signed in with a password: its session, found by the cookie's token."""
    token = st.context.cookies.get(sessions.COOKIE)
    if not token or not isinstance(token, str):  # (AppTest has no browser: no cookies)
        return None
    with common.cursor() as cur:
        found = sessions.by_token(cur, token)
    if found is None:  # ended, signed out elsewhere, or its account removed: the browser forgets the cookie
        st.session_state[COOKIE_CALL] = ("DELETE", "")
        st.session_state[NOTE] = i18n.N_("Your session has ended: sign in again.")
        return None
    st.session_state[SESSION] = {"name": found.user.name, "signed_in_at": found.signed_in_at,
                                 "session_id": found.session_id}
    return st.session_state[SESSION]


def _cookie_call() -> None:
    """Make the browser call sessions.ROUTE once: to get the session cookie for its ticket (HttpOnly, so only
    the server can set it), or to clear it at sign-out."""
    if COOKIE_CALL not in st.session_state:
        return
    method, ticket = st.session_state.pop(COOKIE_CALL)
    body = f", body: new URLSearchParams({{ticket: {json.dumps(ticket)}}})" if ticket else ""
    with st.sidebar:
        st.html(f"<script>fetch({json.dumps(sessions.ROUTE)}, {{method: {json.dumps(method)}, "
                f"credentials: 'same-origin'{body}}});</script>", unsafe_allow_javascript=True)


def _sign_in(name: str, password: str) -> None:
    with common.cursor() as cur:
        user = accounts.sign_in(cur, name, password)
        session, ticket = sessions.open_session(cur, user.name) if user else (None, None)
    if user is None:
        st.session_state[NOTE] = i18n.N_("Wrong user name or password.")
        return
    st.session_state[SESSION] = {"name": user.name, "signed_in_at": session.signed_in_at,
                                 "session_id": session.session_id}
    st.session_state[COOKIE_CALL] = ("POST", ticket)
    st.session_state.pop(NOTE, None)


def sign_in_page() -> None:
    common.use_language()  # nobody is signed in yet: the company's language
    t = i18n.t
    st.title(t("Sign in to Outlay"))
    if NOTE in st.session_state:  # kept as its message id: said in the language of the page that shows it
        st.warning(t(st.session_state[NOTE], hours=accounts.SESSION_HOURS))
    with st.form("signin_form"):
        name = st.text_input(t("User name"), key="signin_name")
        password = st.text_input(t("Password"), type="password", key="signin_password")
        submitted = st.form_submit_button(t("Sign in"), type="primary")
    if submitted:
        _sign_in(name, password)
        st.rerun()
    if serving.oidc_configured():
        st.button(t("Sign in with your company account"), key="signin_oidc", on_click=st.login)
    if not serving.oidc_configured():
        with common.cursor() as cur:
            if not accounts.any_accounts(cur):
                st.info(t("This installation has no accounts: open it on the machine it runs on."))
    st.caption(t("No account? Ask an administrator: `python -m analytics users add NAME --role viewer "
                 "--password-stdin`."))


def sign_out() -> None:
    held = st.session_state.pop(SESSION, None) or {}
    was_oidc = bool(held.get("oidc"))
    if held.get("session_id"):
        with common.cursor() as cur:
            sessions.end(cur, held["session_id"])
        st.session_state[COOKIE_CALL] = ("DELETE", "")
    st.session_state[NOTE] = i18n.N_("You are signed out.")
    if was_oidc:
        st.logout()


def gate() -> accounts.User:
    """The session's user; shows the sign-in page and stops the run while nobody is signed in."""
    user = current_user()
    _cookie_call()
    if user is None:
        sign_in_page()
        st.stop()
    st.session_state["_outlay_user"] = user
    if user is not accounts.LOCAL:
        common.use_language()  # the person's own language, else the company's
        scope = f" · {', '.join(user.cost_centers)}" if user.scoped else ""
        st.sidebar.caption(i18n.t("Signed in as **{name}** ({role}{scope})", name=user.name, role=user.role,
                                  scope=scope))
        st.sidebar.button(i18n.t("Sign out"), key="signout", on_click=sign_out)
        _language_choice(user)
    return user


def _language_choice(user: accounts.User) -> None:
    """"My language": the signed-in person's own language, kept with their account (else the company's)."""
    with common.cursor() as cur:
        if accounts.get(cur, user.name) is None:  # a company-account visitor without an account here
            return
        company = i18n.LANGUAGES[settings.get(cur, "language")]
    common.use_language()  # the choice's own words in the language read now
    codes = ["", *i18n.LANGUAGES]
    st.sidebar.selectbox(
        i18n.t("My language"), codes, index=codes.index(user.language or ""), key="my_language",
        format_func=lambda code: i18n.LANGUAGES[code] if code else i18n.t("The company's: {language}",
                                                                            language=company),
        on_change=_save_language, args=(user.name,))


def _save_language(name: str) -> None:
    with common.cursor() as cur:
        accounts.set_language(cur, name, st.session_state["my_language"] or None, actor=name)
