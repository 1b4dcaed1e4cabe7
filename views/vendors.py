"""Vendors: the scorecard ranking with editable weights, and one vendor's detail."""
import pandas as pd
import plotly.express as px
import streamlit as st

from analytics import vendors
from analytics.reports import scorecard
from views import common

conf = common.header("Vendors", "scorecards: a weighted 0-100 score per vendor · every vendor, all cost centers "
                               "and categories (the sidebar's fiscal-year and spend filters do not apply here)")
if common.empty_state(["contracts"]):
    st.stop()

# --- period and scope --------------------------------------------------------------------------
quarters = dict(common.cached(vendors.quarters, count=8))
with st.sidebar:
    quarter_end = st.selectbox("Quarter", list(quarters), format_func=quarters.get, key="vendors_quarter",
                               help="A complete fiscal quarter. SLA, availability and incidents are measured over "
                                    "the quarter; spend indicators over the 12 months ending with it.")
    include_all = st.toggle("Include vendors without a contract", key="vendors_all")
previous_end = common.cached(vendors.previous_quarter_end, quarter_end=quarter_end)
current = common.cached(vendors.components, quarter_end=quarter_end)
previous = common.cached(vendors.components, quarter_end=previous_end)
scope = common.cached(vendors.scope, quarter_end=quarter_end, include_uncontracted=include_all)

# --- weights (saved on every change; the ranking re-scores without re-querying) ------------------
NAMES = vendors.INDICATOR_NAMES
# Streamlit forgets a widget's state while another page is shown, so the weights live in a plain
# session key and are handed back to the number inputs on every run (else: KeyError on coming back).
MEMORY = "_vendors_weights"
if MEMORY not in st.session_state:
    st.session_state[MEMORY] = common.call(vendors.get_weights)
for name, value in st.session_state[MEMORY].items():
    st.session_state[f"weight_{name}"] = value


def _store(new: dict) -> None:
    st.session_state[MEMORY] = dict(new)
    for name, value in new.items():
        st.session_state[f"weight_{name}"] = value
    common.call(vendors.save_weights, weights=new)
    common.log("settings", "scorecard weights: " + ", ".join(f"{k} {v:g}" for k, v in new.items()))


def _weight_changed(name: str) -> None:
    _store(vendors.renormalise({n: st.session_state[f"weight_{n}"] for n in NAMES}, changed=name))


weights = {name: float(value) for name, value in st.session_state[MEMORY].items()}
with st.expander(f"Weights: {' · '.join(f'{vendors.indicator(n).label} {w:g}' for n, w in weights.items())}"):
    st.caption("Weights add up to 100: change one and the others are rescaled in proportion. Saved at once. "
               "An indicator without data for a vendor is n/a; that vendor's weights are shared among the rest.")
    columns = st.columns(len(NAMES))
    for column, ind in zip(columns, vendors.INDICATORS):
        column.number_input(ind.label, min_value=0.0, max_value=100.0, step=5.0, format="%.1f",
                            key=f"weight_{ind.name}", on_change=_weight_changed, args=(ind.name,),
                            disabled=not common.user().can("settings"),
                            help=f"{ind.better.capitalize()} is better ({ind.unit}, {ind.window}). {ind.mapping}.")
    st.button("Reset to default weights", key="vendors_reset_weights", on_click=_store,
              disabled=not common.user().can("settings"),
              args=(vendors.renormalise(vendors.DEFAULT_WEIGHTS),))
    common.table(vendors.indicator_table(weights).drop(columns="indicator").rename(
        columns=scorecard.INDICATOR_COLUMNS), "vendors_indicators_table")

table = vendors.score_table(current, previous, weights, scope)
scored = table[table["score"].notna()]
if scored.empty:
    st.info(f"No vendor has data for any indicator in {quarters[quarter_end]}: import SLA results, incidents "
            "or spend for that period on the Data page.")
    st.stop()

# --- tiles -------------------------------------------------------------------------------------
tiles = st.columns(4)
tiles[0].metric("Vendors scored", f"{len(scored)} of {len(table)}")
tiles[1].metric("Average score", f"{scored['score'].mean():.1f}")
moves = scored[scored["trend"].notna()].sort_values("trend")
if not moves.empty:
    best, worst = moves.iloc[-1], moves.iloc[0]
    tiles[2].metric("Most improved", f"{best['trend']:+.1f}", help="points against the previous quarter")
    tiles[2].caption(best["vendor"])
    tiles[3].metric("Biggest drop", f"{worst['trend']:+.1f}", help="points against the previous quarter")
    tiles[3].caption(worst["vendor"])

# --- ranking -----------------------------------------------------------------------------------
st.subheader(f"Ranking, {quarters[quarter_end]}")
# a score from few indicators says less: say so beside the name, and rank equal scores by coverage (scoring.py)
thin = vendors.rests_on_few(scored)
few = int(scored["indicators_used"].max())
shown_name = {r.vendor: f"{r.vendor} ({int(r.indicators_used)}/{len(NAMES)})" if is_thin else r.vendor
              for r, is_thin in zip(scored.itertuples(index=False), thin)}
parts = vendors.contributions(scored, weights)
parts = parts.assign(vendor=parts["vendor"].map(shown_name))
order = [shown_name[v] for v in scored.sort_values("rank", ascending=False)["vendor"]]
if thin.any():
    st.warning(f"{int(thin.sum())} of the {len(scored)} scores rest on fewer than {few} of the {len(NAMES)} "
               "indicators (marked with their count, e.g. 4/6): they say less than the others. Equal scores rank "
               "by how many indicators they rest on.", icon=":material/info:")
else:
    st.caption("Equal scores rank by how many indicators they rest on.")


@common.figure
def ranking_figure(parts, order):
    """Each vendor's score as stacked indicator contributions (plotly express takes ~0.9 s: built once per data)."""
    fig = px.bar(parts, x="points", y="vendor", color="indicator", orientation="h",
                 category_orders={"vendor": order[::-1], "indicator": [i.label for i in vendors.INDICATORS]},
                 hover_data={"score": ":.1f", "effective_weight": ":.1f", "points": ":.1f"},
                 labels={"points": "points of the 0-100 score", "vendor": ""},
                 color_discrete_sequence=px.colors.qualitative.Safe)
    fig.update_xaxes(range=[0, 100])
    fig.update_layout(height=max(300, 24 * len(order) + 140), legend_title=None, legend_orientation="h",
                      legend_y=1.0, legend_yanchor="bottom", legend_x=0, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


fig = ranking_figure(parts, order)
st.plotly_chart(fig, width="stretch", key="vendors_ranking_chart")
st.caption("Each bar is a vendor's score split into what each indicator contributes "
           "(indicator score × its effective weight).")

score_columns = {f"{i.name}_score": st.column_config.NumberColumn(i.label, format="%.0f",
                                                                   help=f"{i.better} is better; {i.mapping}")
                 for i in vendors.INDICATORS}
table = table.assign(basis=[("" if pd.isna(n) else f"{int(n)} of {len(NAMES)}" + (" — says less" if is_thin else ""))
                             for n, is_thin in zip(table["indicators_used"], vendors.rests_on_few(table))])
st.dataframe(table, hide_index=True, width="stretch",
             column_order=["rank", "vendor", "score", "trend", "previous_score", "basis", *score_columns],
             column_config={"rank": st.column_config.NumberColumn("Rank", format="%d"), "vendor": "Vendor",
                            "score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100,
                                                                     format="%.1f"),
                            "trend": st.column_config.NumberColumn("Trend", format="%+.1f",
                                                                   help=f"against {quarters.get(previous_end, 'the previous quarter')}"),
                            "previous_score": st.column_config.NumberColumn("Previous", format="%.1f"),
                            "basis": st.column_config.TextColumn(
                                "Rests on", help=f"how many of the {len(NAMES)} indicators have data; a score from "
                                                 "fewer than the best-covered vendor's says less; equal scores rank by this count"),
                            **score_columns})

weight_items = tuple(weights.items())
left, right = st.columns(2)
if left.button("Prepare the Excel scorecard", key="vendors_prepare_xlsx",
               help="Ranking, indicator definitions and one printable page per vendor (landscape, fits one page)"):
    st.session_state["vendors_xlsx"] = (quarter_end, weight_items, include_all, common.cached(
        scorecard.workbook_bytes, quarter_end=quarter_end, weights=weight_items,
        include_uncontracted=include_all))
prepared = st.session_state.get("vendors_xlsx")
if prepared and prepared[:3] == (quarter_end, weight_items, include_all):
    right.download_button("Download the Excel scorecard", prepared[3], f"vendor-scorecard-{quarter_end}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key="vendors_xlsx_download", type="primary")

# --- one vendor --------------------------------------------------------------------------------
st.divider()
names = dict(zip(table["vendor_key"], table["vendor"]))
key = st.selectbox("Vendor detail", list(names), format_func=names.get, key="vendors_detail")
row = table[table["vendor_key"] == key].iloc[0]
st.subheader(row["vendor"])
cols = st.columns(3)
cols[0].metric("Score", "n/a" if pd.isna(row["score"]) else f"{row['score']:.1f}",
               None if pd.isna(row["trend"]) else f"{row['trend']:+.1f} on the previous quarter",
               delta_color="off" if row["trend"] == 0 else "normal")
cols[1].metric("Rank", "–" if pd.isna(row["rank"]) else f"{int(row['rank'])} of {len(scored)}")
cols[2].metric("Indicators with data", f"{row['indicators_used']} of {len(NAMES)}")
st.dataframe(vendors.parts_table(current[current["vendor_key"] == key], weights), hide_index=True, width="stretch",
             column_config={"Value": st.column_config.NumberColumn(format="%.2f"),
                            "Score (0-100)": st.column_config.NumberColumn(format="%.1f")})
st.download_button("Download this vendor's QBR page (xlsx)", key="vendors_qbr_download",
                   data=common.cached(scorecard.workbook_bytes, quarter_end=quarter_end,
                                      weights=weight_items, include_uncontracted=include_all, vendor_key=key),
                   file_name=f"qbr-{key.replace(' ', '-')}-{quarter_end}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

currency = conf["reporting_currency"]
# only the open tab runs (on_change="rerun")
tabs = st.tabs(["Spend", "Contracts and deadlines", "SLA history", "Incidents", "Findings", "Credits"],
               key="vendors_detail_tab", on_change="rerun")
with tabs[0]:
    if tabs[0].open:
        history = common.cached(vendors.spend_history, vendor_key=key)
        if history.empty:
            st.info("No spend recorded for this vendor.")
        else:
            fig = px.bar(history.assign(amount=history["amount_rc"].astype(float)), x="period", y="amount",
                         labels={"amount": f"Spend ({currency})", "period": ""},
                         color_discrete_sequence=[common.COLORS["actual"]])
            fig.update_traces(xperiod="M1", xperiodalignment="middle")
            fig.update_xaxes(tickformat="%b %Y", dtick="M3" if len(history) > 12 else "M1")
            fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10})
            st.plotly_chart(fig, width="stretch", key="vendors_spend_chart")
            if history["fx_missing_lines"].sum():
                st.warning(f"{int(history['fx_missing_lines'].sum())} spend line(s) have no fx rate and are left out.")
with tabs[1]:
    if tabs[1].open:
        mine = common.cached(vendors.vendor_contracts, vendor_key=key, on=conf["as_of"])
        common.table(mine, "vendors_contracts_table", currency=currency,
                     column_order=["contract_id", "service", "renewal_type", "status", "current_term_end_date",
                                   "cancel_by_date", "days_left", "missed_cancel_by_date", "annual_value", "currency"])
with tabs[2]:
    if tabs[2].open:
        months = common.cached(vendors.sla_months, vendor_key=key)
        if not months.empty:
            st.caption("Ticket SLA clocks per contract and month (from the SLA engine)")
            common.table(months, "vendors_sla_months_table", currency=currency)
        sla = common.cached(vendors.sla_history, vendor_key=key)
        if sla.empty:
            st.info("No monthly SLA results imported for this vendor's contracts.")
        else:
            availability = sla[sla["metric"] == "availability"]
            if not availability.empty:
                fig = px.line(availability, x="period", y="actual", color="contract_id", markers=True,
                              labels={"actual": "availability %", "period": ""})
                fig.add_hline(y=float(availability["target"].min()), line_dash="dot", line_color="grey",
                              annotation_text="target")
                fig.update_xaxes(tickformat="%b %Y")
                fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10})
                st.plotly_chart(fig, width="stretch", key="vendors_sla_chart")
            common.table(sla, "vendors_sla_table", currency=currency)
with tabs[3]:
    if tabs[3].open:
        incidents = common.cached(vendors.vendor_incidents, vendor_key=key)
        if incidents.empty:
            st.info("No incidents on this vendor's contracts.")
        else:
            st.caption(f"{len(incidents)} incidents, {int(incidents['is_open'].sum())} open")
            common.table(incidents, "vendors_incidents_table", currency=currency)
with tabs[4]:
    if tabs[4].open:
        findings = common.cached(vendors.vendor_findings, vendor_key=key)
        if findings.empty:
            st.success("No open cost-audit findings on this vendor's invoices.")
        else:
            common.table(findings, "vendors_findings_table", currency=currency)
with tabs[5]:
    if tabs[5].open:
        credits = common.cached(vendors.vendor_credits, vendor_key=key)
        if credits.empty:
            st.success("No service credits for this vendor.")
        else:
            common.table(credits, "vendors_credits_table", currency=currency)
