"""Forecast: where the year lands against budget and how sure we are; accuracy, scenarios, next year's budget."""
import json

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import fiscal
from analytics.forecast.draft import apply_edits  # a pure function on frames already fetched
from analytics import forecast
from analytics.forecast import draft
from analytics.forecast import runs
from analytics.forecast import scenarios
from analytics.forecast import yearend
from analytics.forecast.explain import in_words  # the accuracy sentence, a pure function of the accuracy rows
from analytics.reports import funding_request
from views import common

conf = common.header("Forecast", "year-end landing = actuals to date + committed contract payments + forecast of the "
                                 "rest · stored until the data changes")
filters = common.global_filters()
if common.empty_state(["spend"]):
    st.stop()

year = filters["year"]
cur = conf["reporting_currency"]
start_month = conf["fiscal_year_start_month"]
current_year = fiscal.fiscal_year(conf["as_of"], start_month)
LEVELS = {"total": "Total", "cost_center": "Cost center", "category": "Category", "vendor": "Vendor"}
MONEY = "{:,.0f}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS = {"key": "", "actual_ytd": "Actual to date", "committed_rest": "Committed (rest)",
          "uncommitted_rest": "Forecast uncommitted (rest)", "forecast_rest": "Rest of year", "landing": "Landing",
          "lo80": "80% low", "hi80": "80% high", "lo95": "95% low", "hi95": "95% high", "budget": "Budget",
          "over_under": "Over (+) / under (−)", "p_overrun": "P(overrun)", "model": "Model", "note": "Note"}


def landing_table(level: str) -> pd.DataFrame:
    with st.spinner(f"Forecasting by {LEVELS[level].lower()} (stored until the data changes)…"):
        return common.cached(forecast.landing, fiscal_year=year, level=level)


def colour(value):
    if value is None or value != value or value == 0:
        return ""
    return f"color: {common.COLORS['over'] if value > 0 else common.COLORS['under']}"


def show(frame: pd.DataFrame, labels: dict, key: str, *, money=(), pct=(), signed=(), fixed=()):
    shown = frame.rename(columns=labels)
    formats = {**{labels.get(c, c): MONEY for c in money}, **{labels.get(c, c): "{:.0%}" for c in pct},
               **{labels.get(c, c): "{:+,.0f}" for c in signed}, **{labels.get(c, c): "{:.2f}" for c in fixed}}
    style = shown.style.format(formats, na_rep="–").map(colour, subset=[labels.get(c, c) for c in signed])
    st.dataframe(style, hide_index=True, key=f"{key}_table")
    return shown


if year > current_year + 1:
    st.info(f"Forecasts reach the end of {fiscal.label(current_year + 1, start_month)}. Pick an earlier fiscal year.")
    st.stop()

total = landing_table("total")
if total.empty:
    st.info("No spend, commitments or budget for this fiscal year.")
    st.stop()
t, scope = common.cached(forecast.headline, fiscal_year=year, cost_center=filters["cost_center"],
                         category=filters["category"], vendor=filters["vendor"])
st.markdown(f"**Year-end landing: {scope}**")
if t:
    tiles = st.columns(4)
    tiles[0].metric("Year-end landing", common.short_money(t["landing"], cur),
                    help=f"80% interval {common.money(t['lo80'], cur)} – {common.money(t['hi80'], cur)}; "
                         f"95% interval {common.money(t['lo95'], cur)} – {common.money(t['hi95'], cur)}")
    tiles[1].metric("Budget", common.short_money(t["budget"], cur),
                    delta=None if pd.isna(t["over_under"]) else f"{t['over_under']:+,.0f} {cur} vs budget",
                    delta_color="inverse", help="Budgets are set per cost center and category, not per vendor.")
    tiles[2].metric("Probability of overrun", "–" if pd.isna(t["p_overrun"]) else f"{t['p_overrun']:.0%}",
                    help="P(landing > full-year budget) from the forecast distribution")
    tiles[3].metric("Still to spend", common.short_money(t["forecast_rest"], cur),
                    help=f"committed contract payments {common.money(t['committed_rest'], cur)} + forecast of "
                         f"uncommitted spend {common.money(t['uncommitted_rest'], cur)}")
st.caption(f"{fiscal.label(year, start_month)} · actual = closed months (books closed through "
           f"{conf['closed_through']:%b %Y}); from {conf['cutoff']:%b %Y} on, forecast · cost centers, categories "
           "and vendors add up to the total · uncommitted spend = lines not billed under a contract of the register · "
           "contract payments in other currencies at the latest known monthly rate")

level = st.radio("Level", list(LEVELS), format_func=LEVELS.get, horizontal=True, key="fc_level")
table = total if level == "total" else landing_table(level)

tab_landing, tab_accuracy, tab_scenario, tab_budget = st.tabs(
    ["Landing", "Accuracy", "Scenarios", f"Next year's budget ({fiscal.label(current_year + 1, start_month)})"])

with tab_landing:
    keys = table["key"].tolist()
    preferred = filters.get(level) if level in ("cost_center", "category", "vendor") else None
    key = st.selectbox("Chart", keys, index=keys.index(preferred) if preferred in keys else 0, key=f"fc_key_{level}")
    fan = common.cached(yearend.fan, fiscal_year=year, level=level, key=key)
    fig = go.Figure()
    rest = fan[fan["forecast"].notna()]
    for lo, hi, name, alpha in (("lo95", "hi95", "95% interval", 0.15), ("lo80", "hi80", "80% interval", 0.3)):
        fig.add_trace(go.Scatter(x=rest["period"], y=rest[hi], line={"width": 0}, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=rest["period"], y=rest[lo], fill="tonexty", line={"width": 0}, name=name,
                                 fillcolor=f"rgba(255,127,14,{alpha})"))
    fig.add_trace(go.Bar(x=rest["period"], y=rest["committed"], name="Committed contract payments",
                         marker_color=common.COLORS["committed"], opacity=0.45))
    fig.add_trace(go.Scatter(x=fan["period"], y=fan["actual"], name="Actual", line={"color": common.COLORS["actual"]}))
    fig.add_trace(go.Scatter(x=rest["period"], y=rest["forecast"], name="Forecast",
                             line={"color": common.COLORS["forecast"], "dash": "dash"}))
    if fan["budget"].notna().any():
        fig.add_trace(go.Scatter(x=fan["period"], y=fan["budget"], name="Budget", line={"color": common.COLORS["budget"],
                                                                                         "shape": "hv"}))
    fig.update_layout(height=380, margin={"t": 30, "b": 10}, yaxis_title=f"{cur} per month", legend={"orientation": "h"},
                      title=f"{key}: monthly spend, forecast and budget")
    st.plotly_chart(fig, key="fc_fan")
    shown = show(table, {**LABELS, "key": LEVELS[level]}, "fc_landing",
                 money=("actual_ytd", "committed_rest", "uncommitted_rest",
                                                     "forecast_rest", "landing", "lo80", "hi80", "lo95", "hi95",
                                                     "budget"), pct=("p_overrun",), signed=("over_under",))
    common.downloads(shown, f"landing_{level}_{year}", key="fc_landing")
    pays = common.cached(forecast.committed_for_year, fiscal_year=year)
    with st.expander(f"Committed contract payments still to come this year ({len(pays)}), with the fx rate used"):
        if pays.empty:
            st.write("None.")
        else:
            if pays["is_fx_missing"].any():
                st.warning("Some payments are in a currency with no fx rate at all: they are left out of the "
                           "landing (never converted at 1). Import the rates on the Data page.")
            shown = pays.assign(fx_period=pays["fx_period"].dt.strftime("%Y-%m"))
            st.dataframe(shown, hide_index=True, key="fc_payments_table",
                         column_config={"amount": st.column_config.NumberColumn(format="accounting"),
                                        "amount_rc": st.column_config.NumberColumn(f"amount ({cur})",
                                                                                   format="accounting"),
                                        "fx_period": "rate of month"})

with tab_accuracy:
    accuracy = common.cached(runs.accuracy, level=level)
    words = in_words(accuracy)  # from the stored columns, so runs stored before the sentence existed have it too
    accuracy = accuracy.drop(columns="accuracy_in_words", errors="ignore")
    accuracy.insert(accuracy.columns.get_loc("model") + 1, "accuracy_in_words", words)
    overall = common.cached(forecast.accuracy_overall, level=level)
    info = common.cached(runs.run_info, level=level)
    if overall.get("series"):
        cols = st.columns(4)
        cols[0].metric("MASE (chosen)", f"{overall['mase']:.2f}", help="below 1 beats seasonal naive in-sample error")
        cols[1].metric("MASE (seasonal naive)", f"{overall['snaive_mase']:.2f}")
        cols[2].metric("sMAPE chosen / seasonal naive", f"{overall['smape']:.1f}% / {overall['snaive_smape']:.1f}%")
        cols[3].metric("Coverage 80% / 95% intervals", f"{overall['coverage80']:.0%} / {overall['coverage95']:.0%}")
    st.caption(f"Last 12 months held out (18 for long series), per series of uncommitted spend · seasonal naive "
               f"replaces the combination of models only where it is decisively better there · {int(info['n_series'])} series computed in {info['seconds']:.1f} s at "
               f"{info['computed_at']:%d %b %H:%M} · interval calibration ×{info['k80']:.2f} (80%), "
               f"×{info['k95']:.2f} (95%)")
    acc_labels = {"key": "", "n_months": "Months", "model": "Model", "accuracy_in_words": "Backtested accuracy",
                  "reason": "Why", "mase": "MASE",
                  "smape": "sMAPE %", "bias": "Bias (forecast − actual, per month)", "coverage80": "In 80% interval",
                  "coverage95": "In 95% interval", "snaive_mase": "MASE seasonal naive",
                  "snaive_smape": "sMAPE % seasonal naive", "snaive_bias": "Bias seasonal naive",
                  "n_holdout": "Months held out"}
    shown = show(accuracy, {**acc_labels, "key": LEVELS[level]}, "fc_accuracy",
                 fixed=("mase", "snaive_mase", "smape", "snaive_smape"),
                 pct=("coverage80", "coverage95"), signed=("bias", "snaive_bias"))
    common.downloads(shown, f"forecast_accuracy_{level}", key="fc_accuracy")

with tab_scenario:
    if "fc_spec" not in st.session_state:
        st.session_state["fc_spec"] = {"budget_cuts": [], "cancel_contracts": [], "new_contracts": [],
                                       "fx_changes": []}
    spec = st.session_state["fc_spec"]
    saved = common.cached(scenarios.saved)

    def load_scenario():
        name = st.session_state["fc_load"]
        if name == "(new scenario)":
            return
        loaded = json.loads(saved.set_index("name").loc[name, "spec"])
        st.session_state["fc_spec"] = {k: loaded[k] for k in ("budget_cuts", "cancel_contracts", "new_contracts",
                                                              "fx_changes")}
        st.session_state["fc_uplift"] = float(loaded["renewal_uplift_pct"])
        st.session_state["fc_name"] = name

    st.selectbox("Saved scenarios", ["(new scenario)", *saved["name"].tolist()], key="fc_load",
                 on_change=load_scenario)
    options = common.cached(forecast.scenario_options)
    left, right = st.columns(2)
    with left.container(border=True):
        st.markdown("**(a) Cut a budget**")
        dim = st.radio("For a", ["cost_center", "category"], horizontal=True, key="fc_cut_dim",
                       format_func=lambda d: d.replace("_", " "))
        value = st.selectbox("Which", options[dim], key="fc_cut_value")
        pct = st.number_input("Cut by %", 0.0, 100.0, 10.0, 1.0, key="fc_cut_pct")
        if st.button("Add budget cut", key="fc_cut_add") and value:
            spec["budget_cuts"].append({"dimension": dim, "value": value, "pct": pct})
    with right.form("fc_cancel_form"):
        st.markdown("**(b) Cancel a contract**")
        cid = st.selectbox("Contract", options["contracts"], key="fc_cancel_id")
        since = st.date_input("From", conf["as_of"], key="fc_cancel_from")
        if st.form_submit_button("Add cancellation"):
            spec["cancel_contracts"].append({"contract_id": cid.split(" · ")[0], "from_date": since.isoformat()})
    with left.form("fc_new_form"):
        st.markdown("**(b) Add a new contract**")
        a, b = st.columns(2)
        name = a.text_input("Name", key="fc_new_name")
        vendor = b.text_input("Vendor", key="fc_new_vendor")
        ncc = a.selectbox("Cost center", options["cost_center"], key="fc_new_cc")
        ncat = b.selectbox("Category", options["category"], key="fc_new_cat")
        nval = a.number_input("Annual value (in its currency)", 0.0, None, 100000.0, 1000.0, key="fc_new_value")
        ncur = b.selectbox("Currency", options["currencies"], key="fc_new_cur")
        nfreq = a.selectbox("Billing", ["monthly", "quarterly", "annual"], key="fc_new_freq")
        nstart = b.date_input("Start", conf["as_of"].replace(day=1), key="fc_new_start")
        nterm = a.number_input("Term (months)", 1, 120, 12, key="fc_new_term")
        nauto = b.checkbox("Renews automatically", True, key="fc_new_auto")
        if st.form_submit_button("Add new contract") and name.strip():
            spec["new_contracts"].append({"name": name.strip(), "vendor": vendor.strip() or name.strip(),
                                          "cost_center": ncc, "category": ncat, "annual_value": nval,
                                          "currency": ncur, "billing_frequency": nfreq,
                                          "start_date": nstart.isoformat(), "term_months": int(nterm),
                                          "auto_renew": nauto})
    with right.form("fc_fx_form"):
        st.markdown("**(d) Fx rate change**")
        fcur = st.selectbox("Currency", [c for c in options["currencies"] if c != cur] or [cur], key="fc_fx_cur")
        fpct = st.number_input(f"Change in its value in {cur}, %", -90.0, 200.0, 10.0, 1.0, key="fc_fx_pct")
        if st.form_submit_button("Add fx change"):
            spec["fx_changes"].append({"currency": fcur, "pct": fpct})
    right.number_input("(c) Price uplift at renewals, %", -50.0, 100.0, 0.0, 0.5, key="fc_uplift",
                       help="Applies to contract payments in renewal terms that have not begun yet")
    full = {**spec, "renewal_uplift_pct": st.session_state["fc_uplift"]}
    spec_json = json.dumps(full, sort_keys=True)
    st.markdown("**This scenario:** " + "; ".join(common.cached(scenarios.describe_json,
                                                                 spec_json=spec_json)))
    if st.button("Clear changes", key="fc_clear"):
        st.session_state["fc_spec"] = {"budget_cuts": [], "cancel_contracts": [], "new_contracts": [], "fx_changes": []}
        st.rerun()
    try:
        compare = common.cached(scenarios.compare, fiscal_year=year, level=level,
                                spec_json=spec_json)
    except ValueError as exc:
        st.error(f"This scenario cannot be applied: {exc}")
        st.stop()
    base_total, scen_total = compare["landing_baseline"].sum(), compare["landing_scenario"].sum()
    cols = st.columns(3)
    cols[0].metric("Landing, baseline", common.short_money(base_total, cur))
    cols[1].metric("Landing, scenario", common.short_money(scen_total, cur),
                   delta=f"{scen_total - base_total:+,.0f} {cur}" if round(scen_total - base_total) else None,
                   delta_color="inverse")
    budgets = compare[["budget_baseline", "budget_scenario"]].sum(min_count=1)
    cols[2].metric("Budget, scenario", common.short_money(budgets["budget_scenario"], cur),
                   delta=None if pd.isna(budgets["budget_baseline"]) or not round(budgets["budget_scenario"] -
                                                                                  budgets["budget_baseline"]) else
                   f"{budgets['budget_scenario'] - budgets['budget_baseline']:+,.0f} {cur}", delta_color="off")
    cmp_labels = {"key": "", "landing_baseline": "Landing (baseline)", "budget_baseline": "Budget (baseline)",
                  "over_under_baseline": "Over/under (baseline)", "p_overrun_baseline": "P(overrun) baseline",
                  "landing_scenario": "Landing (scenario)", "budget_scenario": "Budget (scenario)",
                  "over_under_scenario": "Over/under (scenario)", "p_overrun_scenario": "P(overrun) scenario",
                  "landing_change": "Change in landing"}
    show(compare, {**cmp_labels, "key": LEVELS[level]}, "fc_compare",
         money=("landing_baseline", "budget_baseline", "landing_scenario",
                                                   "budget_scenario"),
         signed=("over_under_baseline", "over_under_scenario", "landing_change"),
         pct=("p_overrun_baseline", "p_overrun_scenario"))
    a, b, c = st.columns([2, 1, 1])
    scen_name = a.text_input("Scenario name", key="fc_name")
    if b.button("Save scenario", key="fc_save", disabled=not scen_name.strip() or not common.user().can("scenario")):
        common.call(scenarios.save, name=scen_name, spec=full)
        common.after_write("scenario", f"saved scenario {scen_name.strip()}")
        st.success(f"Saved scenario “{scen_name.strip()}”.")
    # written when clicked (it compares three levels), not on every run of the page
    c.download_button("Export to Excel", lambda: common.call(forecast.scenario_export, name=scen_name,
                                                             spec_json=spec_json, fiscal_year=year),
                      f"scenario_{year}.xlsx", XLSX, key="fc_export")

with tab_budget:
    next_year = current_year + 1
    use = st.checkbox("Apply this scenario's changes", value=True, key="fc_draft_apply")
    draft_json = spec_json if use else "{}"
    lines = common.cached(draft.draft, fiscal_year=next_year, spec_json=draft_json)
    st.caption("committed = contract payments due (auto-renewals included) · forecast = statistical forecast of "
               "uncommitted spend by cost center, split by category mix of the last 12 months · adjustment = scenario "
               "and your edits. Edit the Proposed column, then save it as a budget version.")
    edited = st.data_editor(lines, hide_index=True, key="fc_draft_editor", disabled=[c for c in lines.columns
                                                                                      if c != "proposed"],
                            column_config={"cost_center": "Cost center", "category": "Category",
                                           "basis": st.column_config.TextColumn("Basis", width="large"),
                                           **{c: st.column_config.NumberColumn(c.capitalize(), format="accounting")
                                              for c in ("committed", "forecast", "adjustment", "proposed")}})
    final = apply_edits(lines, edited)
    st.metric(f"Proposed {fiscal.label(next_year, start_month)} budget", common.money(final["proposed"].sum(), cur),
              help=f"committed {common.money(final['committed'].sum(), cur)} + forecast "
                   f"{common.money(final['forecast'].sum(), cur)} + adjustment "
                   f"{common.money(final['adjustment'].sum(), cur)}")
    a, b, c = st.columns([2, 1, 1])
    version = a.text_input("Budget version name", f"draft-{next_year}", key="fc_version")
    if b.button("Save as budget version", key="fc_save_version", disabled=not common.user().can("budget_draft")):
        try:
            rows = common.call(draft.save_version, fiscal_year=next_year, version=version,
                               lines=final, spec_json=draft_json)
            common.after_write()
            st.success(f"Saved {rows} monthly budget lines as version “{version.strip()}” for "
                       f"{fiscal.label(next_year, start_month)}.")
        except ValueError as exc:
            st.error(str(exc))
    c.download_button("Funding request (Excel)",
                      lambda: common.call(funding_request.funding_request, fiscal_year=next_year,
                                          lines=final, spec_json=draft_json, version=version),
                      f"funding_request_{next_year}.xlsx", XLSX, key="fc_funding")
