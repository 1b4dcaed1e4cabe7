"""Vendors: the scorecard ranking with editable weights, and one vendor's detail."""
import pandas as pd
import streamlit as st

from analytics import i18n, vendors
from analytics.reports import scorecard, xlsx
from views import charts, common

conf = common.header(i18n.N_("Vendors"), i18n.N_("scorecards: a weighted 0-100 score per vendor · every vendor, all "
                                                 "cost centers and categories (the sidebar's fiscal-year and spend "
                                                 "filters do not apply here)"))
t, lang = i18n.t, i18n.current()
# the indicators' names and directions in the reader's language (analytics.vendors declares them in English)
INDICATOR = {"sla_attainment": i18n.N_("SLA attainment"), "availability": i18n.N_("Availability"),
             "incidents": i18n.N_("Incident volume and severity"), "spend_vs_contract": i18n.N_("Spend against contract"),
             "audit_findings": i18n.N_("Audit findings on its invoices"), "spend_trend": i18n.N_("Spend trend")}
BETTER = {"higher": i18n.N_("higher"), "lower": i18n.N_("lower")}
BY_LABEL = {i.label: INDICATOR.get(i.name, i.label) for i in vendors.INDICATORS}


def indicator_label(ind) -> str:
    return t(INDICATOR.get(ind.name, ind.label))


def score(value, decimals: int = 1, *, signed: bool = False) -> str:
    text = i18n.number(value, decimals)
    return ("+" + text) if signed and value > 0 else text
if common.empty_state(["contracts"]):
    st.stop()

# --- period and scope --------------------------------------------------------------------------
quarters = dict(common.cached(vendors.quarters, count=8))
with st.sidebar:
    quarter_end = st.selectbox(t("Quarter"), list(quarters), format_func=quarters.get, key="vendors_quarter",
                               help=t("A complete fiscal quarter. SLA, availability and incidents are measured over "
                                      "the quarter; spend indicators over the 12 months ending with it."))
    include_all = st.toggle(t("Include vendors without a contract"), key="vendors_all")
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
weights_line = " · ".join(f"{indicator_label(vendors.indicator(n))} {i18n.number(w, 1 if w % 1 else 0)}"
                          for n, w in weights.items())
# the weights are read on every run; their inputs and the indicators table are drawn only while the box is open (its
# label stays the same, or a change of weight would make it a new box, closed)
st.caption(t("Weights: {weights}", weights=weights_line))
weights_box = st.expander(t("Weights and how each indicator is scored"), key="vendors_weights_box", on_change="rerun")
with weights_box:
    if weights_box.open:
        st.caption(t("Weights add up to 100: change one and the others are rescaled in proportion. Saved at once. "
                     "An indicator without data for a vendor is n/a; that vendor's weights are shared among the rest."))
        columns = st.columns(len(NAMES))
        for column, ind in zip(columns, vendors.INDICATORS):
            column.number_input(indicator_label(ind), min_value=0.0, max_value=100.0, step=5.0, format="%.1f",
                                key=f"weight_{ind.name}", on_change=_weight_changed, args=(ind.name,),
                                disabled=not common.user().can("settings"),
                                help=t("{better} is better ({unit}, {window}). {mapping}.",
                                       better=t(BETTER.get(ind.better, ind.better)).capitalize(), unit=t(ind.unit),
                                       window=t(ind.window), mapping=t(ind.mapping)))
        st.button(t("Reset to default weights"), key="vendors_reset_weights", on_click=_store,
                  disabled=not common.user().can("settings"),
                  args=(vendors.renormalise(vendors.DEFAULT_WEIGHTS),))
        indicators = vendors.indicator_table(weights)
        indicators = indicators.assign(label=[indicator_label(vendors.indicator(n)) for n in indicators["indicator"]],
                                       better=indicators["better"].map(lambda b: t(BETTER.get(b, b))),
                                       unit=indicators["unit"].map(t), window=indicators["window"].map(t),
                                       mapping=indicators["mapping"].map(t))
        common.table(indicators.drop(columns="indicator"), "vendors_indicators_table",
                     config={"label": t("Indicator"), "better": t("Better"), "unit": t("Unit"), "window": t("Window"),
                             "mapping": t("How it is scored"),
                             "weight": st.column_config.NumberColumn(t("Weight"), format="%.1f")})

table = vendors.score_table(current, previous, weights, scope)
scored = table[table["score"].notna()]
if scored.empty:
    st.info(t("No vendor has data for any indicator in {quarter}: import SLA results, incidents or spend for that "
              "period on the Data page.", quarter=quarters[quarter_end]))
    st.stop()

# --- tiles -------------------------------------------------------------------------------------
tiles = st.columns(4)
tiles[0].metric(t("Vendors scored"), t("{count} of {total}", count=i18n.number(len(scored)),
                                       total=i18n.number(len(table))))
tiles[1].metric(t("Average score"), score(scored["score"].mean()))
moves = scored[scored["trend"].notna()].sort_values("trend")
if not moves.empty:
    best, worst = moves.iloc[-1], moves.iloc[0]
    tiles[2].metric(t("Most improved"), score(best["trend"], signed=True),
                    help=t("points against the previous quarter"))
    tiles[2].caption(best["vendor"])
    tiles[3].metric(t("Biggest drop"), score(worst["trend"], signed=True),
                    help=t("points against the previous quarter"))
    tiles[3].caption(worst["vendor"])

# --- ranking -----------------------------------------------------------------------------------
st.subheader(t("Ranking, {quarter}", quarter=quarters[quarter_end]))
# a score from few indicators says less: say so beside the name, and rank equal scores by coverage (scoring.py)
thin = vendors.rests_on_few(scored)
few = int(scored["indicators_used"].max())
shown_name = {r.vendor: f"{r.vendor} ({int(r.indicators_used)}/{len(NAMES)})" if is_thin else r.vendor
              for r, is_thin in zip(scored.itertuples(index=False), thin)}
parts = vendors.contributions(scored, weights)
parts = parts.assign(vendor=parts["vendor"].map(shown_name),
                     indicator=parts["indicator"].map(lambda label: t(BY_LABEL.get(label, label))))
order = [shown_name[v] for v in scored.sort_values("rank", ascending=False)["vendor"]]
if thin.any():
    st.warning(t("{count} of the {scored} scores rest on fewer than {few} of the {indicators} indicators (marked "
                 "with their count, e.g. 4/6): they say less than the others. Equal scores rank by how many "
                 "indicators they rest on.", count=int(thin.sum()), scored=len(scored), few=few,
                 indicators=len(NAMES)), icon=":material/info:")
else:
    st.caption(t("Equal scores rank by how many indicators they rest on."))


@common.figure
def ranking_figure(parts, order, lang):
    """Each vendor's score as stacked indicator contributions, best at the top (built once per data and language);
    the tooltip gives each part as points = score × effective weight."""
    vendors_top_down = order[::-1]
    score_word, weight_word = t("Score"), t("Effective weight")
    series = []
    for k, ind in enumerate(vendors.INDICATORS):
        mine = parts[parts["indicator"] == indicator_label(ind)].set_index("vendor")
        rows = [mine.loc[v] if v in mine.index else None for v in vendors_top_down]
        series.append(charts.Series(
            indicator_label(ind), [None if r is None else float(r["points"]) for r in rows], stack="score",
            color=charts.PALETTE[k % len(charts.PALETTE)],
            text=["–" if r is None else f"{score(r['points'])} ({score_word} {score(r['score'])} × "
                  f"{weight_word} {i18n.percent(r['effective_weight'] / 100, 1)})" for r in rows]))
    return charts.category_chart(vendors_top_down, series, horizontal=True, value_range=(0, 100),
                                 axis_title=t("points of the 0-100 score"), height=max(300, 24 * len(order) + 140))


charts.show(ranking_figure(parts, order, lang), "vendors_ranking_chart")
st.caption(t("Each bar is a vendor's score split into what each indicator contributes (indicator score × its "
             "effective weight)."))

score_columns = {f"{i.name}_score": st.column_config.NumberColumn(
    indicator_label(i), format="%.0f", help=t("{better} is better; {mapping}", better=t(BETTER.get(i.better, i.better)),
                                              mapping=t(i.mapping)))
                 for i in vendors.INDICATORS}
table = table.assign(basis=[("" if pd.isna(n) else t("{count} of {total}", count=int(n), total=len(NAMES))
                             + (t(" — says less") if is_thin else ""))
                             for n, is_thin in zip(table["indicators_used"], vendors.rests_on_few(table))])
st.dataframe(table, hide_index=True, width="stretch", placeholder="",  # no data reads empty, never "None"
             column_order=["rank", "vendor", "score", "trend", "previous_score", "basis", *score_columns],
             column_config={"rank": st.column_config.NumberColumn(t("Rank"), format="%d"), "vendor": t("Vendor"),
                            "score": st.column_config.ProgressColumn(t("Score"), min_value=0, max_value=100,
                                                                     format="%.1f"),
                            "trend": st.column_config.NumberColumn(
                                t("Trend"), format="%+.1f",
                                help=t("against {quarter}", quarter=quarters.get(previous_end,
                                                                                t("the previous quarter")))),
                            "previous_score": st.column_config.NumberColumn(t("Previous"), format="%.1f"),
                            "basis": st.column_config.TextColumn(
                                t("Rests on"), help=t("how many of the {count} indicators have data; a score from "
                                                      "fewer than the best-covered vendor's says less; equal scores "
                                                      "rank by this count", count=len(NAMES))),
                            **score_columns})

weight_items = tuple(weights.items())
left, right = st.columns(2)
if left.button(t("Prepare the Excel scorecard"), key="vendors_prepare_xlsx",
               help=t("Ranking, indicator definitions and one printable page per vendor (landscape, fits one page)")):
    st.session_state["vendors_xlsx"] = (quarter_end, weight_items, include_all, common.cached(
        scorecard.workbook_bytes, quarter_end=quarter_end, weights=weight_items,
        include_uncontracted=include_all))
prepared = st.session_state.get("vendors_xlsx")
if prepared and prepared[:3] == (quarter_end, weight_items, include_all):
    right.download_button(t("Download the Excel scorecard"), prepared[3], f"vendor-scorecard-{quarter_end}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key="vendors_xlsx_download", type="primary")

# --- one vendor --------------------------------------------------------------------------------
st.divider()
names = dict(zip(table["vendor_key"], table["vendor"]))
key = st.selectbox(t("Vendor detail"), list(names), format_func=names.get, key="vendors_detail")
row = table[table["vendor_key"] == key].iloc[0]
st.subheader(row["vendor"])
cols = st.columns(3)
cols[0].metric(t("Score"), t("n/a") if pd.isna(row["score"]) else score(row["score"]),
               None if pd.isna(row["trend"]) else t("{points} on the previous quarter",
                                                    points=score(row["trend"], signed=True)),
               delta_color="off" if row["trend"] == 0 else "normal")
cols[1].metric(t("Rank"), "–" if pd.isna(row["rank"]) else t("{count} of {total}", count=int(row["rank"]),
                                                                total=len(scored)))
cols[2].metric(t("Indicators with data"), t("{count} of {total}", count=row["indicators_used"], total=len(NAMES)))
parts_of = vendors.parts_table(current[current["vendor_key"] == key], weights)
parts_of = parts_of.assign(Indicator=parts_of["Indicator"].map(lambda label: t(BY_LABEL.get(label, label))),
                           Better=parts_of["Better"].map(lambda b: t(BETTER.get(b, b))),
                           Unit=parts_of["Unit"].map(t))
st.dataframe(parts_of, hide_index=True, width="stretch", placeholder="",  # "n/a: no data" says why it is empty
             column_config={"Indicator": t("Indicator"), "Better": t("Better"), "Unit": t("Unit"),
                            "Value": st.column_config.NumberColumn(t("Value"), format="%.2f"),
                            "Score (0-100)": st.column_config.NumberColumn(t("Score (0-100)"), format="%.1f"),
                            "Weight": st.column_config.NumberColumn(t("Weight")),
                            "Effective weight": st.column_config.NumberColumn(t("Effective weight")),
                            "Basis": t("Basis")})
reader = i18n.current()  # built when clicked, outside this run (not on every visit): in the reader's language


def build_qbr() -> bytes:
    with common.cursor() as cur_, i18n.use(reader):
        return scorecard.workbook_bytes(cur_, quarter_end=quarter_end, weights=weight_items,
                                        include_uncontracted=include_all, vendor_key=key)


st.download_button(t("Download this vendor's QBR page (xlsx)"), key="vendors_qbr_download", data=build_qbr,
                   file_name=f"qbr-{key.replace(' ', '-')}-{quarter_end}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


SLA_METRICS = {"availability": i18n.N_("Availability (%)"), "response": i18n.N_("Response time (h)"),
               "resolution": i18n.N_("Resolution time (h)")}


def sla_in_words(sla: pd.DataFrame) -> pd.DataFrame:
    """The SLA history as the table shows it: each metric named with its unit, target and measured value as plain
    numbers in that unit (not money: a response time is hours, availability percent), and whether the month met
    its target in words ("met" / "missed": a missed month was an empty checkbox), through the workbook's words
    (xlsx.in_words: the status and the months in the reader's language)."""
    return xlsx.in_words(sla.assign(
        metric=[t(SLA_METRICS[m]) if m in SLA_METRICS else m for m in sla["metric"]],
        is_met=[None if pd.isna(v) else "met" if v else "missed" for v in sla["is_met"]]).rename(
        columns={"target": "sla_target", "actual": "measured", "is_met": "status"}))


def availability_chart(availability: pd.DataFrame) -> dict:
    """Monthly availability per contract (points of 100) against the lowest target. Availability lives in the last
    point (99.2-100 %): the axis spans the values closely and shows no numbers (ECharts would write its decimals in
    English); the levels that matter, 100 % and the target, are labelled in the reader's language at the right, and
    the tooltip writes each month's figures (as the SLA page's availability chart)."""
    periods = sorted(availability["period"].unique())
    target = float(availability["target"].min())
    series = []
    for contract_id, rows in availability.groupby("contract_id", sort=True):
        actual = rows.groupby("period")["actual"].mean()
        series.append(charts.Series(str(contract_id), [actual.get(p) for p in periods], kind="line", markers=True))
    lowest = min(float(availability["actual"].min()), target)
    target_label = t("target")
    option = charts.category_chart(
        [i18n.month(p) for p in periods], series, percent=True, decimals=2, axis_title=t("Availability"),
        value_range=(lowest - max(0.25 * (100 - lowest), 0.05), 100), height=320,
        lines=[(charts.percent_text(100, 0), 100), (f"{target_label} {charts.percent_text(target, 2)}", target)])
    option["yAxis"][0].update(minInterval=None, axisLabel={"show": False})
    for level in option["series"][0]["markLine"]["data"]:
        level["label"]["position"] = "end"  # right of the plot, off the lines
    option["grid"]["right"] = 110  # room for the level labels
    return option


currency = conf["reporting_currency"]
# only the open tab runs (on_change="rerun")
tabs = st.tabs([t("Spend"), t("Contracts and deadlines"), t("SLA history"), t("Incidents"), t("Findings"),
                t("Credits")], key="vendors_detail_tab", on_change="rerun")
with tabs[0]:
    if tabs[0].open:
        history = common.cached(vendors.spend_history, vendor_key=key)
        if history.empty:
            st.info(t("No spend recorded for this vendor."))
        else:
            history = history.assign(amount=history["amount_rc"].astype(float),
                                     month=[i18n.month(p) for p in history["period"]])
            spend = charts.Series(t("Spend"), history["amount"].tolist(), color=common.COLORS["actual"])
            charts.show(charts.category_chart(history["month"], [spend], currency=currency, axis_title=t("Spend"),
                                              height=320, legend=False), "vendors_spend_chart")
            if history["fx_missing_lines"].sum():
                st.warning(i18n.n("{count} spend line has no fx rate and is left out.",
                                  "{count} spend lines have no fx rate and are left out.",
                                  int(history["fx_missing_lines"].sum())))
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
            st.caption(t("Ticket SLA clocks per contract and month (from the SLA engine)"))
            common.table(months, "vendors_sla_months_table", currency=currency)
        sla = common.cached(vendors.sla_history, vendor_key=key)
        if sla.empty:
            st.info(t("No monthly SLA results imported for this vendor's contracts."))
        else:
            availability = sla[sla["metric"] == "availability"]
            if not availability.empty:
                charts.show(availability_chart(availability), "vendors_sla_chart")
            common.table(sla_in_words(sla), "vendors_sla_table", currency=currency)
with tabs[3]:
    if tabs[3].open:
        incidents = common.cached(vendors.vendor_incidents, vendor_key=key)
        if incidents.empty:
            st.info(t("No incidents on this vendor's contracts."))
        else:
            st.caption(i18n.n("{count} incident, {open} open", "{count} incidents, {open} open", len(incidents),
                              open=i18n.number(int(incidents["is_open"].sum()))))
            common.table(incidents, "vendors_incidents_table", currency=currency)
with tabs[4]:
    if tabs[4].open:
        findings = common.cached(vendors.vendor_findings, vendor_key=key)
        if findings.empty:
            st.success(t("No open cost-audit findings on this vendor's invoices."))
        else:
            common.table(findings, "vendors_findings_table", currency=currency)
with tabs[5]:
    if tabs[5].open:
        credits = common.cached(vendors.vendor_credits, vendor_key=key)
        if credits.empty:
            st.success(t("No service credits for this vendor."))
        else:
            common.table(credits, "vendors_credits_table", currency=currency)
