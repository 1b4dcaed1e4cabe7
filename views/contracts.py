"""Contracts: the register with its deadlines, alerts, the renewal timeline, committed spend and an .ics download."""
import datetime as dt

import pandas as pd
import streamlit as st

from analytics import contracts, fiscal, i18n
from analytics import calendar_ics
from views import charts, common

conf = common.header(i18n.N_("Contracts"), i18n.N_("cancel-by dates over the whole chain of renewal terms"))
t, lang = i18n.t, i18n.current()
STATUS = {"active": i18n.N_("active"), "not started": i18n.N_("not started"), "expired": i18n.N_("expired")}
RENEWAL = {"tacit": i18n.N_("tacit"), "express": i18n.N_("express"), "fixed": i18n.N_("fixed")}
# analytics.contracts.term_kind, in words and legend order
TERMS = {"current term": i18n.N_("current term"), "upcoming term": i18n.N_("not started yet"),
         "projected auto-renewal": i18n.N_("projected auto-renewal"), "past term": i18n.N_("past term")}
TIMELINE_ROWS = 20  # contracts drawn at a time on the renewal timeline; a scroll bar moves over the others
# the register's columns, as shown and downloaded
DATE_COLUMNS = ["current_term_start_date", "current_term_end_date", "cancel_by_date", "missed_cancel_by_date"]
REGISTER = ["contract_id", "vendor", "service", "owner", "renewal_type", "status", "current_term_start_date",
            "current_term_end_date", "cancel_by_date", "days_left", "missed_cancel_by_date", "notice_days",
            "annual_value", "next_term_value", "currency", "billing_frequency"]


def in_words(words: dict):
    """A code as people read it (a widget's format_func; the code is what is stored and compared)."""
    return i18n.bound(lambda code: t(words[code]) if code in words else str(code))


if common.empty_state(["contracts"]):
    st.stop()

on: dt.date = conf["as_of"]
register = common.cached(contracts.register, on=on)
alerts = common.cached(contracts.alerts, on=on)

# --- filters -----------------------------------------------------------------------------------
with st.sidebar:
    st.subheader(t("Filter contracts"))
    vendors = st.multiselect(t("Vendor"), sorted(register["vendor"].unique()), key="contracts_vendor",
                             placeholder=t("Choose options"))
    owners = st.multiselect(t("Owner"), sorted(register["owner"].dropna().unique()), key="contracts_owner",
                            placeholder=t("Choose options"))
    statuses = st.multiselect(t("Status"), list(STATUS), default=["active", "not started"],
                              key="contracts_status", format_func=in_words(STATUS), placeholder=t("Choose options"))
    types = st.multiselect(t("Renewal type"), list(RENEWAL), key="contracts_type", format_func=in_words(RENEWAL),
                           placeholder=t("Choose options"),
                           help=t("tacit: renews automatically unless cancelled by the cancel-by date; "
                                  "express: renews only by agreement; fixed: ends at its end date"))
shown = contracts.filter_register(register, vendors=vendors, owners=owners, statuses=statuses, renewal_types=types)
shown_ids = set(shown["contract_id"])
alerts = alerts[alerts["contract_id"].isin(shown_ids)]

# --- tiles -------------------------------------------------------------------------------------
within = st.sidebar.select_slider(t("Look-ahead (days)"), [30, 60, 90, 180], value=90, key="contracts_within",
                                  help=t("The window of the cancel-by and end-date tiles"))
cancel_by = common.cached(contracts.cancel_by_due, within_days=within, on=on)
ending = common.cached(contracts.ending_within, within_days=within, on=on)
tiles = st.columns(4)
tiles[0].metric(t("Contracts shown"), len(shown))
tiles[1].metric(t("Cancel-by within {within} days", within=within), int(cancel_by["contract_id"].isin(shown_ids).sum()),
                help=t("Automatically renewing contracts shown whose next cancel-by date falls within the window: "
                       "give notice by then or they renew (analytics.contracts.cancel_by_due)."))
tiles[2].metric(t("Ending within {within} days", within=within), int(ending["contract_id"].isin(shown_ids).sum()),
                help=t("Fixed-term and express-renewal contracts shown whose term ends within the window: nothing "
                       "to cancel, they end unless renewed by agreement (analytics.contracts.ending_within)."))
tiles[3].metric(t("Missed cancel-by"), int(shown["missed_cancel_by_date"].notna().sum()),
                help=t("The current term's cancel-by date has passed: these contracts renew at their term end."))

@common.figure
def timeline_figure(terms, start, end, on, lang):
    """Contract terms as bars, cancel-by dates as diamonds, today as a dotted line (built once per data)."""
    def kind(r) -> str:
        return TERMS[r.term_kind]
    # two short lines (id, vendor) keep the label column narrow, so the bars stay readable on a phone
    labels = terms["contract_id"] + "\n" + terms["vendor"].str.slice(0, 14)
    service, term, first, last, renewal = t("Service"), t("Term"), t("Start date"), t("End date"), t("Renewal type")
    bars, marks = [], []
    for label, r in zip(labels, terms.itertuples()):
        who = f"{r.contract_id} · {r.vendor}"
        bars.append((label, r.start_date, r.end_date + dt.timedelta(days=1), t(kind(r)),
                     [who, f"{service}: {r.service}", f"{term}: {t(kind(r))}", f"{first}: {i18n.date(r.start_date)}",
                      f"{last}: {i18n.date(r.end_date)}", f"{renewal}: {in_words(RENEWAL)(r.renewal_type)}"]))
        if not pd.isna(r.cancel_by_date):
            marks.append((label, r.cancel_by_date, [who, t("cancel by {date}", date=i18n.date(r.cancel_by_date))]))
    rows = list(dict.fromkeys(labels))
    return charts.gantt(rows, bars, start=start, end=end, today=on, marks=marks, mark_name=t("cancel-by date"),
                        colors={t(TERMS["current term"]): charts.COLORS["actual"],
                                t(TERMS["upcoming term"]): charts.PALETTE[5],
                                t(TERMS["projected auto-renewal"]): charts.COLORS["committed"],
                                t(TERMS["past term"]): charts.COLORS["budget"]}, rows_shown=TIMELINE_ROWS)


@common.figure
def committed_figure(totals, currency, lang):
    """Committed payments by month, current terms and the terms contracts will auto-renew into: one bar segment per
    month and kind of term (contracts.committed_totals), its vendors named in the tooltip."""
    periods = sorted(totals["period"].unique())
    vendors, top = t("Vendors"), t("Top vendors")
    series = []
    for is_projected, name, colour in ((False, t("current terms"), charts.COLORS["actual"]),
                                       (True, t("terms it will auto-renew into"), charts.COLORS["committed"])):
        part = totals[totals["is_projected"] == is_projected].set_index("period").reindex(periods)
        values = [None if pd.isna(v) else round(float(v), 2) for v in part["amount_rc"]]
        text = ["–" if v is None
                else f"{charts.money_text(v, currency)} · {vendors}: {i18n.number(n)} · {top}: {largest}"
                for v, n, largest in zip(values, part["vendors"], part["largest"])]
        series.append(charts.Series(name, values, color=colour, stack="committed", text=text))
    option = charts.category_chart([i18n.month(p) for p in periods], series, currency=currency,
                                   axis_title=t("Committed"), height=380)
    option["tooltip"]["confine"] = True  # a line names three vendors: kept inside the chart, not under the sidebar
    return option


def alerts_tab():
    """Open alerts (and, on request, acknowledged ones), with the button that acknowledges one."""
    st.caption(t("Raised 90, 60 and 30 days before each cancel-by or end date, and on the day. "
                 "Acknowledging one silences that level only; the next level and the next term alert again."))
    show_acked = st.toggle(t("Show acknowledged alerts"), key="contracts_show_acked")
    visible = alerts if show_acked else alerts[~alerts["is_acknowledged"]]
    if visible.empty:
        st.success(t("No open alerts for the contracts shown."))
    else:
        common.table(visible[["level", "days_left", "deadline_date", "contract_id", "vendor", "service", "owner",
                              "message", "is_acknowledged"]].astype({"deadline_date": "datetime64[ns]"}),
                     "contracts_alerts_table", config={"deadline_date": st.column_config.DateColumn(t("Date"))})
        open_alerts = visible[~visible["is_acknowledged"]]
        if not open_alerts.empty:
            labels = {i: f"{r.contract_id} · {r.vendor} · {r.level} · {i18n.day(r.deadline_date)}"
                      for i, r in open_alerts.iterrows()}
            left, right = st.columns([3, 1])
            picked = left.selectbox(t("Alert to acknowledge"), list(labels), format_func=labels.get,
                                    key="contracts_ack_pick")
            if right.button(t("Acknowledge"), key="contracts_ack", width="stretch",
                            disabled=not common.user().can("contracts")):
                row = open_alerts.loc[picked]
                common.call(contracts.acknowledge_alert, contract_id=row.contract_id, kind=row.kind,
                            deadline_date=row.deadline_date, level_days=int(row.level_days), by=common.user().name)
                # the activity log stays in English with codes (row.level is in the reader's language)
                common.after_write("contracts", f"acknowledged the {row.kind} alert at {int(row.level_days)} days of "
                                                f"{row.contract_id}")
                st.rerun()


def register_tab():
    """The contracts shown, one row each, with their current term, next cancel-by date and values."""
    register_shown = shown[REGISTER].astype({c: "datetime64[ns]" for c in DATE_COLUMNS})
    register_shown = register_shown.assign(renewal_type=register_shown["renewal_type"].map(in_words(RENEWAL)),
                                           status=register_shown["status"].map(in_words(STATUS)))
    common.table(register_shown, "contracts_register_table",
                 config={"cancel_by_date": st.column_config.DateColumn(
                             t("Next cancel-by"), format="YYYY-MM-DD",
                             help=t("Tacit renewals only: last day to give notice")),
                         "days_left": st.column_config.NumberColumn(
                             t("Days left"), format="%d",
                             help=t("To the cancel-by date (tacit) or the end date (express, fixed)")),
                         "annual_value": st.column_config.NumberColumn(t("Annual value (contract currency)"),
                                                                       format="accounting"),
                         "next_term_value": st.column_config.NumberColumn(t("Next term value (contract currency)"),
                                                                          format="accounting")})
    common.downloads(shown[REGISTER], "contracts", key="contracts_register_dl")
    st.download_button(t("Download cancel-by dates (.ics)"), key="contracts_ics",
                       data=common.cached(calendar_ics.calendar, on=on).encode("utf-8"),
                       file_name="contract-deadlines.ics", mime="text/calendar", icon=":material/event:",
                       help=t("Every contract's cancel-by dates for the next 3 years and end dates (all contracts, "
                              "not only those shown), with reminders 90, 60 and 30 days before; import into Outlook, "
                              "Google or Apple Calendar."))


def timeline_tab():
    """Each contract's terms as bars over the years ahead, cancel-by dates as diamonds."""
    years_ahead = st.slider(t("Years ahead"), 1, 5, 2, key="contracts_years_ahead")
    start = fiscal.add_months(on.replace(day=1), -12)
    end = fiscal.add_months(on.replace(day=1), 12 * years_ahead)
    terms = common.cached(contracts.timeline, start=start, end=end, on=on)
    terms = terms[terms["contract_id"].isin(shown_ids)]
    # the nearest deadline first (the register's days_left), each contract's terms in time order
    nearest = shown.sort_values(["days_left", "contract_id"], na_position="last")["contract_id"]
    position = {contract_id: i for i, contract_id in enumerate(nearest)}
    terms = terms.iloc[terms["contract_id"].map(position).argsort(kind="stable")]
    if terms.empty:
        st.info(t("No contract terms in this window for the contracts shown."))
    else:
        charts.show(timeline_figure(terms, start, end, on, lang), "contracts_timeline")
        n_contracts = terms["contract_id"].nunique()
        st.caption(t("The nearest deadline first: the cancel-by date of a tacit renewal, else the end date.")
                   + (" " + t("{shown} of {n} contracts at a time: the bar on the right scrolls to the others.",
                              shown=TIMELINE_ROWS, n=i18n.number(n_contracts)) if n_contracts > TIMELINE_ROWS else ""))


def committed_tab():
    """Payments contracts commit to, by month, for 24 months."""
    first = on.replace(day=1)
    last = fiscal.add_months(first, 24) - dt.timedelta(days=1)
    committed = common.cached(contracts.committed_by_month, start=first, end=last, on=on,
                              contract_ids=tuple(sorted(shown_ids)))
    if committed.empty:
        st.info(t("No contract payments fall in this window for the contracts shown."))
    else:
        currency = conf["reporting_currency"]
        charts.show(committed_figure(contracts.committed_totals(committed), currency, lang), "contracts_committed")
        st.caption(t("24 months from {month}: each contract's annual value spread by its billing frequency "
                     "(in advance), converted at each month's fx rate (the latest known rate for future months).",
                     month=i18n.month(first)))
        if committed["is_fx_missing"].any():
            st.warning(t("Some payments are in a currency without any fx rate; they are left out of the chart."))
        common.downloads(committed.drop(columns=["is_fx_missing"]), "committed_spend", key="contracts_committed_dl",
                         currency=currency)


# only the open tab runs (on_change="rerun"): a first visit draws the tiles and the alerts, not two tables, two charts
# and three download buttons (it took 1.6-1.8 s in Chromium at 1M spend lines, 0.9-1.1 s with the alerts alone). The
# tab's label (in the reader's language) is its state: a tab is found by its label, drawn by its code's function.
TABS = {i18n.N_("Alerts"): alerts_tab, i18n.N_("Register"): register_tab, i18n.N_("Renewal timeline"): timeline_tab,
        i18n.N_("Committed spend by month"): committed_tab}
common.lazy_tabs(TABS, "contracts_tab")
