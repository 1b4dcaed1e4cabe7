"""Who uses the app: sign-in once an account exists (or OIDC is configured), the role's rights, sign-out.

With no account and no OIDC, the visitor is `accounts.LOCAL` (every right), as before accounts existed: the
server then listens on 127.0.0.1 only (analytics.serving refuses otherwise). A session lasts
accounts.SESSION_HOURS, then signs in again; the account is read on every run, so a removed account or a
changed role takes effect at once.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics import accounts, i18n, serving
from views import common

SESSION = "_outlay_session"  # {"name": ..., "signed_in_at": datetime}
NOTE = "_outlay_signin_note"


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
    if held:
        if held.get("oidc"):
            return _oidc_user()
        with common.cursor() as cur:
            return accounts.get(cur, held["name"])  # None once the account is removed
    if oidc and st.user.is_logged_in:
        user = _oidc_user()
        st.session_state[SESSION] = {"name": user.name, "signed_in_at": _now(), "oidc": True}
        return user
    return None


def _sign_in(name: str, password: str) -> None:
    with common.cursor() as cur:
        user = accounts.sign_in(cur, name, password)
    if user is None:
        st.session_state[NOTE] = i18n.N_("Wrong user name or password.")
        return
    st.session_state[SESSION] = {"name": user.name, "signed_in_at": _now()}
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
    was_oidc = bool(st.session_state.get(SESSION, {}).get("oidc"))
    st.session_state.pop(SESSION, None)
    st.session_state[NOTE] = i18n.N_("You are signed out.")
    if was_oidc:
        st.logout()


def gate() -> accounts.User:
    """The session's user; shows the sign-in page and stops the run while nobody is signed in."""
    user = current_user()
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
    return user
