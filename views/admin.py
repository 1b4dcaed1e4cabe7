"""Accounts and activity (admins): who may sign in with which role and scope, and who changed what, when."""
import streamlit as st

from analytics import accounts, activity, i18n, overview
from views import common

conf = common.header(i18n.N_("Accounts and activity"), i18n.N_("the CLI shows the same: `python -m analytics users "
                                                               "list`, `users activity`"))
t = i18n.t
me = common.user()

if "admin_flash" in st.session_state:
    st.success(st.session_state.pop("admin_flash"))

st.subheader(t("Activity"))
st.caption(t("Every write: imports, undo, budget edits, reviews, settings, account changes; by the signed-in person, "
             "the API token's owner, or the OS user (os:NAME) of a CLI run without a server."))
with common.cursor() as cur:
    log = activity.recent(cur, limit=1000)
if log.empty:
    st.info(t("Nothing has been changed yet."))
else:
    common.table(log, "admin_activity", download="activity")

st.subheader(t("Accounts"))
with common.cursor() as cur:
    people = accounts.listing(cur)
if not people:
    st.info(t("No accounts: anyone who reaches the app uses it without signing in, so the server listens on this "
              "machine only (127.0.0.1). Add an admin account first; from then on everyone signs in."))
else:
    st.dataframe(people, hide_index=True, key="admin_accounts")

with st.form("admin_add", clear_on_submit=True):
    st.markdown("**" + t("Add an account") + "**")
    left, middle, right = st.columns(3)
    name = left.text_input(t("User name"), key="admin_name")
    role = middle.selectbox(t("Role"), accounts.ROLES, key="admin_role",
                            help=t("viewer reads; analyst + scenarios, audit reviews, budget drafts; editor + imports, "
                                   "undo, budget edits, contracts; admin + settings, accounts"))
    centers = right.multiselect(t("Only these cost centers (empty: all)"),
                                common.cached(overview.filter_values)["cost_center"], key="admin_centers")
    password = st.text_input(t("Password (at least 8 characters)"), type="password", key="admin_password")
    if st.form_submit_button(t("Add account"), type="primary"):
        try:
            with common.cursor() as cur:
                accounts.add(cur, name, role=role, password=password, cost_centers=tuple(sorted(centers)),
                             actor=me.name)
        except accounts.AccountError as exc:
            st.error(str(exc))
        else:
            st.session_state["admin_flash"] = t("Added {name} ({role}).", name=name.strip(), role=role)
            st.rerun()

if people:
    names = [p["name"] for p in people]
    left, middle, right = st.columns([2, 1, 1])
    chosen = left.selectbox(t("Account"), names, key="admin_pick")
    if middle.button(t("New API token"), key="admin_token", width="stretch"):
        with common.cursor() as cur:
            st.session_state["admin_token_shown"] = (chosen, accounts.issue_token(cur, chosen, actor=me.name))
    if right.button(t("Remove account"), key="admin_remove", width="stretch", disabled=chosen == me.name):
        try:
            with common.cursor() as cur:
                accounts.remove(cur, chosen, actor=me.name)
        except accounts.AccountError as exc:
            st.error(str(exc))
        else:
            st.session_state["admin_flash"] = t("Removed {name}.", name=chosen)
            st.rerun()
    if "admin_token_shown" in st.session_state:
        owner_name, token = st.session_state.pop("admin_token_shown")
        st.info(t("API token for {name} (shown once; it replaces the previous one):", name=owner_name))
        st.code(token, language=None)
