"""Contracts: the register with its deadlines, alerts, the renewal timeline, committed spend and an .ics download."""
import datetime as dt

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics import contracts, fiscal
from analytics import calendar_ics
from views import common

conf = common.header("Contracts", "cancel-by dates over the whole chain of renewal terms")
if common.empty_state(["contracts"]):
    st.stop()

on: dt.date = conf["as_of"]
register = common.cached(contracts.register, on=on)
alerts = common.cached(contracts.alerts, on=on)

# --- filters -----------------------------------------------------------------------------------
with st.sidebar:
    st.subheader("Filter contracts")
    vendors = st.multiselect("Vendor", sorted(register["vendor"].unique()), key="contracts_vendor")
    owners = st.multiselect("Owner", sorted(register["owner"].dropna().unique()), key="contracts_owner")
    statuses = st.multiselect("Status", ["active", "not started", "expired"], default=["active", "not started"],
                              key="contracts_status")
    types = st.multiselect("Renewal type", ["tacit", "express", "fixed"], key="contracts_type",
                           help="tacit: renews automatically unless cancelled by the cancel-by date; "
                                "express: renews only by agreement; fixed: ends at its end date")
shown = contracts.filter_register(register, vendors=vendors, owners=owners, statuses=statuses, renewal_types=types)
shown_ids = set(shown["contract_id"])
alerts = alerts[alerts["contract_id"].isin(shown_ids)]

# --- tiles -------------------------------------------------------------------------------------
within = st.sidebar.select_slider("Look-ahead (days)", [30, 60, 90, 180], value=90, key="contracts_within",
                                  help="The window of the cancel-by and end-date tiles")
cancel_by = common.cached(contracts.cancel_by_due, within_days=within, on=on)
ending = common.cached(contracts.ending_within, within_days=within, on=on)
tiles = st.columns(4)
tiles[0].metric("Contracts shown", len(shown))
tiles[1].metric(f"Cancel-by within {within} days", int(cancel_by["contract_id"].isin(shown_ids).sum()),
                help="Automatically renewing contracts shown whose next cancel-by date falls within the window: "
                     "give notice by then or they renew (analytics.contracts.cancel_by_due).")
tiles[2].metric(f"Ending within {within} days", int(ending["contract_id"].isin(shown_ids).sum()),
                help="Fixed-term and express-renewal contracts shown whose term ends within the window: "
                     "nothing to cancel, they end unless renewed by agreement (analytics.contracts.ending_within).")
tiles[3].metric("Missed cancel-by", int(shown["missed_cancel_by_date"].notna().sum()),
                help="The current term's cancel-by date has passed: these contracts renew at their term end.")

# --- alerts ------------------------------------------------------------------------------------
st.subheader("Alerts")
st.caption("Raised 90, 60 and 30 days before each cancel-by or end date, and on the day. "
           "Acknowledging one silences that level only; the next level and the next term alert again.")
show_acked = st.toggle("Show acknowledged alerts", key="contracts_show_acked")
visible = alerts if show_acked else alerts[~alerts["is_acknowledged"]]
if visible.empty:
    st.success("No open alerts for the contracts shown.")
else:
    common.table(visible[["level", "days_left", "deadline_date", "contract_id", "vendor", "service", "owner",
                          "message", "is_acknowledged"]].astype({"deadline_date": "datetime64[ns]"}),
                 "contracts_alerts_table", config={"deadline_date": st.column_config.DateColumn("Date")})
    open_alerts = visible[~visible["is_acknowledged"]]
    if not open_alerts.empty:
        labels = {i: f"{r.contract_id} · {r.vendor} · {r.level} · {r.deadline_date:%d %b %Y}"
                  for i, r in open_alerts.iterrows()}
        left, right = st.columns([3, 1])
        picked = left.selectbox("Alert to acknowledge", list(labels), format_func=labels.get, key="contracts_ack_pick")
        if right.button("Acknowledge", key="contracts_ack", width="stretch",
                        disabled=not common.user().can("contracts")):
            row = open_alerts.loc[picked]
            common.call(contracts.acknowledge_alert, contract_id=row.contract_id, kind=row.kind,
                        deadline_date=row.deadline_date, level_days=int(row.level_days), by=common.user().name)
            common.after_write("contracts", f"acknowledged the {row.level} alert of {row.contract_id}")
            st.rerun()

# --- register ----------------------------------------------------------------------------------
st.subheader("Register")
DATE_COLUMNS = ["current_term_start_date", "current_term_end_date", "cancel_by_date", "missed_cancel_by_date"]
REGISTER = ["contract_id", "vendor", "service", "owner", "renewal_type", "status", "current_term_start_date",
            "current_term_end_date", "cancel_by_date", "days_left", "missed_cancel_by_date", "notice_days",
            "annual_value", "next_term_value", "currency", "billing_frequency"]
common.table(shown[REGISTER].astype({c: "datetime64[ns]" for c in DATE_COLUMNS}), "contracts_register_table",
             config={"cancel_by_date": st.column_config.DateColumn(
                         "Next cancel-by", format="YYYY-MM-DD", help="Tacit renewals only: last day to give notice"),
                     "days_left": st.column_config.NumberColumn(
                         "Days left", format="%d", help="To the cancel-by date (tacit) or the end date (express, "
                                                        "fixed)"),
                     "annual_value": st.column_config.NumberColumn("Annual value (contract currency)",
                                                                   format="accounting"),
                     "next_term_value": st.column_config.NumberColumn("Next term value (contract currency)",
                                                                      format="accounting")})
common.downloads(shown[REGISTER], "contracts", key="contracts_register_dl")
st.download_button("Download cancel-by dates (.ics)", key="contracts_ics",
                   data=common.cached(calendar_ics.calendar, on=on).encode("utf-8"),
                   file_name="contract-deadlines.ics", mime="text/calendar", icon=":material/event:",
                   help="Every contract's cancel-by dates for the next 3 years and end dates (all contracts, "
                        "not only those shown), with reminders 90, 60 and 30 days before; import into Outlook, "
                        "Google or Apple Calendar.")


@common.figure
def timeline_figure(terms, start, end, on):
    """Contract terms as bars, cancel-by dates as diamonds, today as a dotted line (built once per data)."""
    terms = terms.assign(
        # two short lines (id, vendor) keep the label column narrow, so the bars stay readable on a phone
        contract=terms["contract_id"] + "<br>" + terms["vendor"].str.slice(0, 14),
        finish=terms["end_date"] + dt.timedelta(days=1),
        term=terms.apply(lambda r: "projected auto-renewal" if r.is_projected
                         else ("current term" if r.is_current else "past term"), axis=1))
    fig = px.timeline(terms, x_start="start_date", x_end="finish", y="contract", color="term",
                      color_discrete_map={"current term": common.COLORS["actual"],
                                          "projected auto-renewal": common.COLORS["committed"],
                                          "past term": common.COLORS["budget"]},
                      hover_data={"service": True, "renewal_type": True, "end_date": True, "finish": False})
    marks = terms[terms["cancel_by_date"].notna()]
    fig.add_trace(go.Scatter(x=marks["cancel_by_date"], y=marks["contract"], mode="markers", name="cancel-by date",
                             marker={"symbol": "diamond", "size": 10, "color": common.COLORS["over"]},
                             hovertemplate="cancel by %{x|%d %b %Y}<extra>%{y}</extra>"))
    fig.add_vline(x=dt.datetime.combine(on, dt.time()), line_dash="dot", line_color="grey")
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(range=[start, end], title=None)
    fig.update_layout(height=max(320, 34 * terms["contract"].nunique() + 140), legend_title=None,
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "font": {"size": 11}},
                      margin={"l": 4, "r": 4, "t": 40, "b": 10})
    fig.update_yaxes(automargin=True, tickfont={"size": 10})
    fig.update_xaxes(tickformat="%b %y", tickfont={"size": 10})
    return fig


@common.figure
def committed_figure(committed, currency):
    """Committed payments by month, current terms and the terms contracts will auto-renew into."""
    plot = committed.assign(amount=committed["amount_rc"].astype(float),
                            terms=committed["is_projected"].map({True: "terms it will auto-renew into",
                                                                 False: "current terms"}))
    fig = px.bar(plot, x="period", y="amount", color="terms", hover_data=["vendor"],
                 category_orders={"terms": ["current terms", "terms it will auto-renew into"]},
                 color_discrete_map={"current terms": common.COLORS["actual"],
                                     "terms it will auto-renew into": common.COLORS["committed"]},
                 labels={"amount": f"Committed ({currency})", "period": ""})
    fig.update_layout(legend_title=None, margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=360)
    return fig


# --- timeline ----------------------------------------------------------------------------------
st.subheader("Renewal timeline")
years_ahead = st.slider("Years ahead", 1, 5, 2, key="contracts_years_ahead")
start = fiscal.add_months(on.replace(day=1), -12)
end = fiscal.add_months(on.replace(day=1), 12 * years_ahead)
terms = common.cached(contracts.timeline, start=start, end=end, on=on)
terms = terms[terms["contract_id"].isin(shown_ids)]
if terms.empty:
    st.info("No contract terms in this window for the contracts shown.")
else:
    st.plotly_chart(timeline_figure(terms, start, end, on), width="stretch", key="contracts_timeline")

# --- committed spend ---------------------------------------------------------------------------
st.subheader("Committed spend by month")
first = on.replace(day=1)
last = fiscal.add_months(first, 24) - dt.timedelta(days=1)
committed = common.cached(contracts.committed_by_month, start=first, end=last, on=on,
                          contract_ids=tuple(sorted(shown_ids)))
if committed.empty:
    st.info("No contract payments fall in this window for the contracts shown.")
else:
    currency = conf["reporting_currency"]
    st.plotly_chart(committed_figure(committed, currency), width="stretch", key="contracts_committed")
    st.caption(f"24 months from {first:%b %Y}: each contract's annual value spread by its billing frequency "
               f"(in advance), converted at each month's fx rate (the latest known rate for future months).")
    if committed["is_fx_missing"].any():
        st.warning("Some payments are in a currency without any fx rate; they are left out of the chart.")
    common.downloads(committed.drop(columns=["is_fx_missing"]), "committed_spend", key="contracts_committed_dl",
                     currency=currency)
