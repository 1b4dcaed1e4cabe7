"""Forecast: where the year lands against budget and how sure we are; accuracy, scenarios, next year's budget."""
import json

import pandas as pd
import streamlit as st

from analytics import fiscal, i18n, present
from analytics.forecast.draft import apply_edits  # a pure function on frames already fetched
from analytics import forecast
from analytics.forecast import draft
from analytics.forecast import runs
from analytics.forecast import scenarios
from analytics.forecast import yearend
from analytics.forecast import readout  # the backtest in sentences, pure functions of the accuracy rows
from analytics.forecast.explain import method_in_words
from analytics.reports import funding_request
from views import charts, common

conf = common.header(i18n.N_("Forecast"), i18n.N_("year-end landing = actuals to date + committed contract payments "
                                                  "+ forecast of the rest · stored until the data changes"))
t, lang = i18n.t, i18n.current()
filters = common.global_filters()
if common.empty_state(["spend"]):
    st.stop()

year = filters["year"]
cur = conf["reporting_currency"]
start_month = conf["fiscal_year_start_month"]
current_year = fiscal.fiscal_year(conf["as_of"], start_month)
LEVELS = {"total": i18n.N_("Total"), "cost_center": i18n.N_("Cost center"), "category": i18n.N_("Category"),
          "vendor": i18n.N_("Vendor")}
BY_LEVEL = {"total": i18n.N_("Forecasting the total (stored until the data changes)…"),
            "cost_center": i18n.N_("Forecasting by cost center (stored until the data changes)…"),
            "category": i18n.N_("Forecasting by category (stored until the data changes)…"),
            "vendor": i18n.N_("Forecasting by vendor (stored until the data changes)…")}
IN_WORDS = {"cost_center": i18n.N_("cost center"), "category": i18n.N_("category"), "vendor": i18n.N_("vendor")}
BILLING = {"monthly": i18n.N_("monthly"), "quarterly": i18n.N_("quarterly"), "annual": i18n.N_("annual")}
NEW_SCENARIO = "(new scenario)"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# a date input writes dates as the language does (Streamlit offers these orders and separators)
DATE_FORMAT = {"de": "DD.MM.YYYY", "pl": "DD.MM.YYYY", "sv": "YYYY-MM-DD", "hu": "YYYY.MM.DD",
               "bg": "DD.MM.YYYY"}.get(lang, "YYYY/MM/DD")


def signed_money(value) -> str:
    """A change as a tile's delta: '+1,234 USD' / '−1.234 USD' (the sign sets the arrow)."""
    return ("+" if value > 0 else "") + f"{i18n.number(value)} {cur}"


def landing_table(level: str) -> pd.DataFrame:
    with st.spinner(t(BY_LEVEL[level])):
        return common.cached(forecast.landing, fiscal_year=year, level=level)


def over_budget(value) -> str:
    """Over budget in red, under in green (a budget variance, not a forecast error)."""
    if value is None or value != value or value == 0:
        return ""
    return f"color: {common.COLORS['over'] if value > 0 else common.COLORS['under']}"


def named(level: str) -> dict:
    """The key column headed by the level's name."""
    return {"key": st.column_config.TextColumn(t(LEVELS[level]))}


def series_name(key: str) -> str:
    """A series as people read it: the company total in words, a cost center, category or vendor by its name."""
    return t("Total") if key == "Total" else key


def scope_in_words(found: bool) -> str:
    """The scope of the tiles: the one cost center, category or vendor the filters name, else the company."""
    chosen = {k: filters[k] for k in IN_WORDS if filters.get(k)}
    if len(chosen) == 1:
        level, key = next(iter(chosen.items()))
        if found:
            return t("{level} {name}", level=t(IN_WORDS[level]), name=key)
        return t("{level} {name} (no spend, commitments or budget this year)", level=t(IN_WORDS[level]), name=key)
    if chosen:
        return t("company-wide (the forecast is made per cost center, category or vendor, not for a combination of "
                 "filters)")
    return t("company-wide")


if year > current_year + 1:
    st.info(t("Forecasts reach the end of {year}. Pick an earlier fiscal year.",
              year=fiscal.label(current_year + 1, start_month)))
    st.stop()

total = landing_table("total")
if total.empty:
    st.info(t("No spend, commitments or budget for this fiscal year."))
    st.stop()
head, _ = common.cached(forecast.headline, fiscal_year=year, cost_center=filters["cost_center"],
                        category=filters["category"], vendor=filters["vendor"])
st.markdown("**" + t("Year-end landing: {scope}", scope=scope_in_words(bool(head))) + "**")
if head:
    tiles = st.columns(4)
    tiles[0].metric(t("Year-end landing"), common.short_money(head["landing"], cur),
                    help=t("80% interval {low80} – {high80}; 95% interval {low95} – {high95}",
                           low80=common.money(head["lo80"], cur), high80=common.money(head["hi80"], cur),
                           low95=common.money(head["lo95"], cur), high95=common.money(head["hi95"], cur)))
    tiles[1].metric(t("Budget"), common.short_money(head["budget"], cur),
                    delta=None if pd.isna(head["over_under"]) else t(
                        "{amount} vs budget", amount=signed_money(head["over_under"])),
                    delta_color="inverse", help=t("Budgets are set per cost center and category, not per vendor."))
    tiles[2].metric(t("Probability of overrun"), "–" if pd.isna(head["p_overrun"]) else i18n.percent(head["p_overrun"], 0),
                    help=t("P(landing > full-year budget) from the forecast distribution"))
    tiles[3].metric(t("Still to spend"), common.short_money(head["forecast_rest"], cur),
                    help=t("committed contract payments {committed} + forecast of uncommitted spend {uncommitted}",
                           committed=common.money(head["committed_rest"], cur),
                           uncommitted=common.money(head["uncommitted_rest"], cur)))
st.caption(t("{year} · actual = closed months (books closed through {closed}); from {cutoff} on, forecast · cost "
             "centers, categories and vendors add up to the total · uncommitted spend = lines not billed under a "
             "contract of the register · contract payments in other currencies at the latest known monthly rate",
             year=fiscal.label(year, start_month), closed=i18n.month(conf["closed_through"]),
             cutoff=i18n.month(conf["cutoff"])))


def fan_chart(fan: pd.DataFrame, key: str) -> dict:
    """Actual, forecast (its 80% and 95% intervals as bands), committed contract payments and budget by month.
    A band is an invisible line at its lower bound with the band's width stacked on it; its tooltip gives the
    interval as low – high."""
    rest = fan["forecast"].notna()

    def later(column):  # the column in the forecast months only
        return fan[column].where(rest).tolist()

    bands = (("lo95", "hi95", t("95% interval"), 0.15), ("lo80", "hi80", t("80% interval"), 0.3))
    series = []
    for n, (lo, hi, name, fill) in enumerate(bands):
        stack = f"band{n}"
        # the helper's name is shown nowhere (no tooltip, no legend)
        series.append(charts.Series(lo, later(lo), kind="line", stack=stack, width=0, tooltip=False, legend=False))
        series.append(charts.Series(
            name, (fan[hi] - fan[lo]).where(rest).tolist(), kind="area", stack=stack, width=0, fill=fill,
            color=common.COLORS["forecast"],
            text=[f"{charts.money_text(low, cur)} – {charts.money_text(high, cur)}" if is_rest else "–"
                  for low, high, is_rest in zip(fan[lo], fan[hi], rest)]))
    series += [charts.Series(t("Committed contract payments"), later("committed"), color=common.COLORS["committed"]),
               charts.Series(t("Actual"), fan["actual"].tolist(), kind="line", color=common.COLORS["actual"]),
               charts.Series(t("Forecast"), later("forecast"), kind="line", dashed=True, markers=True,
                             color=common.COLORS["forecast"])]
    if fan["budget"].notna().any():
        series.append(charts.Series(t("Budget"), fan["budget"].tolist(), kind="line", dashed=True,
                                    color=common.COLORS["budget"]))
    option = charts.category_chart([i18n.month(p) for p in fan["period"]], series, currency=cur, height=380,
                                   axis_title=t("{currency} per month"),  # unformatted: the axis' unit goes in
                                   title=t("{name}: monthly spend, forecast and budget", name=series_name(key)))
    for entry in option["series"]:
        if entry.get("stack", "").startswith("band"):
            entry["stackStrategy"] = "all"  # a lower bound below 0 still carries its band
            entry["symbol"] = "none"  # no marks on the band's edges when the reader points at a month
    fills = {name: fill for *_, name, fill in bands}  # a band's legend mark: a square of its fill
    option["legend"]["data"] = [{"name": name, "icon": "rect", "itemStyle": {"color": common.COLORS["forecast"],
                                                                            "opacity": fills[name]}}
                                if name in fills else name for name in option["legend"]["data"]]
    return option


level = st.radio(t("Level"), list(LEVELS), format_func=i18n.bound(lambda v: t(LEVELS[v])), horizontal=True,
                 key="fc_level")
table = total if level == "total" else landing_table(level)

# only the open tab runs (on_change="rerun")
tab_landing, tab_accuracy, tab_scenario, tab_budget = st.tabs(
    [t("Landing"), t("Accuracy"), t("Scenarios"),
     t("Next year's budget ({year})", year=fiscal.label(current_year + 1, start_month))],
    key="fc_tab", on_change="rerun")

with tab_landing:
    if tab_landing.open:
        keys = table["key"].tolist()
        preferred = filters.get(level) if level in ("cost_center", "category", "vendor") else None
        key = st.selectbox(t("Chart"), keys, format_func=i18n.bound(series_name),
                           index=keys.index(preferred) if preferred in keys else 0, key=f"fc_key_{level}")
        fan = common.cached(yearend.fan, fiscal_year=year, level=level, key=key)
        charts.show(fan_chart(fan, key), "fc_fan")
        landing = table.rename(columns={"budget": "budget_year"}).assign(
            model=table["model"].map(lambda m: method_in_words(str(m))))
        if not landing["note"].astype(str).str.strip().any():
            landing = landing.drop(columns="note")
        common.table(landing, "fc_landing_table", currency=cur, download=f"landing_{level}_{year}",
                     config=named(level), colours={"over_under": over_budget})
        pays = common.cached(forecast.committed_for_year, fiscal_year=year)
        with st.expander(t("Committed contract payments still to come this year ({count}), with the fx rate used",
                           count=i18n.number(len(pays)))):
            if pays.empty:
                st.write(t("None."))
            else:
                if pays["is_fx_missing"].any():
                    st.warning(t("Some payments are in a currency with no fx rate at all: they are left out of the "
                                 "landing (never converted at 1). Import the rates on the Data page."))
                shown = pays.rename(columns={"fx_period": "rate_month"}).drop(columns="is_fx_missing")
                common.table(shown, "fc_payments_table", currency=cur,
                             config={"rate_month": st.column_config.DateColumn(t("Rate of month"), format="YYYY-MM")})

with tab_accuracy:
    if tab_accuracy.open:
        accuracy = common.cached(runs.accuracy, level=level)
        words = readout.explained(accuracy, cur)
        overall = common.cached(forecast.accuracy_overall, level=level)
        info = common.cached(runs.run_info, level=level)
        if overall.get("series"):
            cols = st.columns(4)
            cols[0].metric(t("MASE (chosen)"), i18n.number(overall["mase"], 2),
                           help=t("The forecast's errors as a multiple of repeating last year's month: 1.0 would be "
                                  "as good as repeating last year, below 1 is better"))
            cols[1].metric(t("MASE (same month last year)"), i18n.number(overall["snaive_mase"], 2),
                           help=t("The same measure for simply repeating last year's month (seasonal naive)"))
            cols[2].metric(t("Off by, on average (sMAPE)"), i18n.percent(overall["smape"] / 100),
                           help=t("Repeating last year: {smape}", smape=i18n.percent(overall["snaive_smape"] / 100)))
            cols[3].metric(t("Coverage 80% / 95% intervals"),
                           f"{i18n.percent(overall['coverage80'], 0)} / {i18n.percent(overall['coverage95'], 0)}",
                           help=t("Share of held-back months inside the intervals: about 80% and 95% when they are "
                                  "honest"))
        shown_key = st.session_state.get(f"fc_key_{level}")  # the series charted on the Landing tab, if picked
        chosen = words[words["key"] == shown_key] if shown_key in set(words["key"]) else words.head(1)
        for row in chosen.itertuples(index=False):
            st.markdown(f"**{row.key}** · {row.reason} {row.accuracy_in_words} "
                        + (f":{'red' if row.bias_risk == readout.RISK else 'gray'}[{row.bias_in_words}]"
                           if row.bias_in_words else ""))
        st.caption(t("Last 12 months held back (18 for long series), per series of uncommitted spend · repeating "
                     "last year replaces the combination of models only where it is decisively better there · "
                     "{series} series computed in {seconds} s on {day} at {time} · interval calibration ×{k80} (80%), "
                     "×{k95} (95%) · bias = forecast − actual per month: red = under-forecast (spend may come in "
                     "higher), grey = over-forecast", series=i18n.number(int(info["n_series"])),
                     seconds=i18n.number(info["seconds"], 1), day=i18n.day(info["computed_at"]),
                     time=info["computed_at"].strftime("%H:%M"), k80=i18n.number(info["k80"], 2),
                     k95=i18n.number(info["k95"], 2)))
        shown = accuracy.drop(columns=["reason", "accuracy_in_words"], errors="ignore").merge(
            words[["key", "reason", "accuracy_in_words"]], on="key", how="left")
        shown = shown.assign(model=shown["model"].map(lambda m: method_in_words(str(m))))
        order = ["key", "reason", "accuracy_in_words", "mase", "smape", "bias", "coverage80", "coverage95",
                 "snaive_mase", "snaive_smape", "snaive_bias", "n_months", "n_holdout"]
        common.table(shown[[c for c in order if c in shown.columns]], "fc_accuracy_table", currency=cur,
                     download=f"forecast_accuracy_{level}", config=named(level),
                     colours={"bias": readout.bias_colour, "snaive_bias": readout.bias_colour})

with tab_scenario:
    if tab_scenario.open:
        if "fc_spec" not in st.session_state:
            st.session_state["fc_spec"] = {"budget_cuts": [], "cancel_contracts": [], "new_contracts": [],
                                           "fx_changes": []}
        spec = st.session_state["fc_spec"]
        saved = common.cached(scenarios.saved)

        def load_scenario():
            name = st.session_state["fc_load"]
            if name == NEW_SCENARIO:
                return
            loaded = json.loads(saved.set_index("name").loc[name, "spec"])
            st.session_state["fc_spec"] = {k: loaded[k] for k in ("budget_cuts", "cancel_contracts", "new_contracts",
                                                                  "fx_changes")}
            st.session_state["fc_uplift"] = float(loaded["renewal_uplift_pct"])
            st.session_state["fc_name"] = name

        st.selectbox(t("Saved scenarios"), [NEW_SCENARIO, *saved["name"].tolist()], key="fc_load",
                     on_change=load_scenario,
                     format_func=i18n.bound(lambda v: t("(new scenario)") if v == NEW_SCENARIO else v))
        options = common.cached(forecast.scenario_options)
        left, right = st.columns(2)
        with left.container(border=True):
            st.markdown("**" + t("(a) Cut a budget") + "**")
            dim = st.radio(t("For a"), ["cost_center", "category"], horizontal=True, key="fc_cut_dim",
                           format_func=i18n.bound(lambda d: t(IN_WORDS[d])))
            value = st.selectbox(t("Which"), options[dim], key="fc_cut_value")
            pct = st.number_input(t("Cut by %"), 0.0, 100.0, 10.0, 1.0, key="fc_cut_pct")
            if st.button(t("Add budget cut"), key="fc_cut_add") and value:
                spec["budget_cuts"].append({"dimension": dim, "value": value, "pct": pct})
        with right.form("fc_cancel_form"):
            st.markdown("**" + t("(b) Cancel a contract") + "**")
            cid = st.selectbox(t("Contract"), options["contracts"], key="fc_cancel_id")
            since = st.date_input(t("From"), conf["as_of"], key="fc_cancel_from", format=DATE_FORMAT)
            if st.form_submit_button(t("Add cancellation")):
                spec["cancel_contracts"].append({"contract_id": cid.split(" · ")[0], "from_date": since.isoformat()})
        with left.form("fc_new_form"):
            st.markdown("**" + t("(b) Add a new contract") + "**")
            a, b = st.columns(2)
            name = a.text_input(t("Name"), key="fc_new_name")
            vendor = b.text_input(t("Vendor"), key="fc_new_vendor")
            ncc = a.selectbox(t("Cost center"), options["cost_center"], key="fc_new_cc")
            ncat = b.selectbox(t("Category"), options["category"], key="fc_new_cat")
            nval = a.number_input(t("Annual value (in its currency)"), 0.0, None, 100000.0, 1000.0, key="fc_new_value")
            ncur = b.selectbox(t("Currency"), options["currencies"], key="fc_new_cur")
            nfreq = a.selectbox(t("Billing"), list(BILLING), key="fc_new_freq",
                                format_func=i18n.bound(lambda f: t(BILLING[f])))
            nstart = b.date_input(t("Start"), conf["as_of"].replace(day=1), key="fc_new_start", format=DATE_FORMAT)
            nterm = a.number_input(t("Term (months)"), 1, 120, 12, key="fc_new_term")
            nauto = b.checkbox(t("Renews automatically"), True, key="fc_new_auto")
            if st.form_submit_button(t("Add new contract")) and name.strip():
                spec["new_contracts"].append({"name": name.strip(), "vendor": vendor.strip() or name.strip(),
                                              "cost_center": ncc, "category": ncat, "annual_value": nval,
                                              "currency": ncur, "billing_frequency": nfreq,
                                              "start_date": nstart.isoformat(), "term_months": int(nterm),
                                              "auto_renew": nauto})
        with right.form("fc_fx_form"):
            st.markdown("**" + t("(d) Fx rate change") + "**")
            fcur = st.selectbox(t("Currency"), [c for c in options["currencies"] if c != cur] or [cur], key="fc_fx_cur")
            fpct = st.number_input(t("Change in its value in {currency}, %", currency=cur), -90.0, 200.0, 10.0, 1.0,
                                   key="fc_fx_pct")
            if st.form_submit_button(t("Add fx change")):
                spec["fx_changes"].append({"currency": fcur, "pct": fpct})
        right.number_input(t("(c) Price uplift at renewals, %"), -50.0, 100.0, 0.0, 0.5, key="fc_uplift",
                           help=t("Applies to contract payments in renewal terms that have not begun yet"))
        full = {**spec, "renewal_uplift_pct": st.session_state["fc_uplift"]}
        spec_json = json.dumps(full, sort_keys=True)
        st.markdown("**" + t("This scenario:") + "** " + "; ".join(common.cached(scenarios.describe_json,
                                                                     spec_json=spec_json)))
        if st.button(t("Clear changes"), key="fc_clear"):
            st.session_state["fc_spec"] = {"budget_cuts": [], "cancel_contracts": [], "new_contracts": [], "fx_changes": []}
            st.rerun()
        try:
            compare = common.cached(scenarios.compare, fiscal_year=year, level=level,
                                    spec_json=spec_json)
        except ValueError as exc:
            st.error(t("This scenario cannot be applied: {reason}", reason=exc))
            st.stop()
        base_total, scen_total = compare["landing_baseline"].sum(), compare["landing_scenario"].sum()
        cols = st.columns(3)
        cols[0].metric(t("Landing, baseline"), common.short_money(base_total, cur))
        cols[1].metric(t("Landing, scenario"), common.short_money(scen_total, cur),
                       delta=signed_money(scen_total - base_total) if round(scen_total - base_total) else None,
                       delta_color="inverse")
        budgets = compare[["budget_baseline", "budget_scenario"]].sum(min_count=1)
        cols[2].metric(t("Budget, scenario"), common.short_money(budgets["budget_scenario"], cur),
                       delta=None if pd.isna(budgets["budget_baseline"]) or not round(budgets["budget_scenario"] -
                                                                                      budgets["budget_baseline"]) else
                       signed_money(budgets["budget_scenario"] - budgets["budget_baseline"]), delta_color="off")
        common.table(compare, "fc_compare_table", currency=cur, config=named(level),
                     colours={c: over_budget for c in ("over_under_baseline", "over_under_scenario", "landing_change")})
        a, b, c = st.columns([2, 1, 1])
        scen_name = a.text_input(t("Scenario name"), key="fc_name")
        if b.button(t("Save scenario"), key="fc_save", disabled=not scen_name.strip() or not common.user().can("scenario")):
            common.call(scenarios.save, name=scen_name, spec=full)
            common.after_write("scenario", f"saved scenario {scen_name.strip()}")
            st.success(t("Saved scenario “{name}”.", name=scen_name.strip()))
        # written when clicked (it compares three levels), not on every run of the page
        c.download_button(t("Export to Excel"), lambda: common.call(forecast.scenario_export, name=scen_name,
                                                                 spec_json=spec_json, fiscal_year=year),
                          f"scenario_{year}.xlsx", XLSX, key="fc_export")

with tab_budget:
    if tab_budget.open:
        next_year = current_year + 1
        use = st.checkbox(t("Apply this scenario's changes"), value=True, key="fc_draft_apply")
        # the scenario as built on the Scenarios tab (tabs run lazily: read it from the session, not that tab's run)
        built = {**st.session_state.get("fc_spec", {}), "renewal_uplift_pct": st.session_state.get("fc_uplift", 0.0)}
        draft_json = json.dumps(built, sort_keys=True) if use and st.session_state.get("fc_spec") else "{}"
        lines = common.cached(draft.draft, fiscal_year=next_year, spec_json=draft_json)
        st.caption(t("committed = contract payments due (auto-renewals included) · forecast = statistical forecast "
                     "of uncommitted spend by cost center, split by category mix of the last 12 months · adjustment = "
                     "scenario and your edits. Edit the Proposed column, then save it as a budget version."))
        edited = st.data_editor(lines, hide_index=True, key="fc_draft_editor", disabled=[c for c in lines.columns
                                                                                          if c != "proposed"],
                                column_config={"cost_center": t("Cost center"), "category": t("Category"),
                                               "basis": st.column_config.TextColumn(t("Basis"), width="large"),
                                               **{c: st.column_config.NumberColumn(present.label(c),
                                                                                   format="accounting")
                                                  for c in ("committed", "forecast", "adjustment", "proposed")}})
        final = apply_edits(lines, edited)
        st.metric(t("Proposed budget {year}", year=fiscal.label(next_year, start_month)),
                  common.money(final["proposed"].sum(), cur),
                  help=t("committed {committed} + forecast {forecast} + adjustment {adjustment}",
                         committed=common.money(final["committed"].sum(), cur),
                         forecast=common.money(final["forecast"].sum(), cur),
                         adjustment=common.money(final["adjustment"].sum(), cur)))
        a, b, c = st.columns([2, 1, 1])
        version = a.text_input(t("Budget version name"), f"draft-{next_year}", key="fc_version")
        if b.button(t("Save as budget version"), key="fc_save_version", disabled=not common.user().can("budget_draft")):
            try:
                rows = common.call(draft.save_version, fiscal_year=next_year, version=version,
                                   lines=final, spec_json=draft_json)
                common.after_write()
                st.success(i18n.n("Saved {count} monthly budget line as version “{version}” for {year}.",
                                  "Saved {count} monthly budget lines as version “{version}” for {year}.", rows,
                                  version=version.strip(), year=fiscal.label(next_year, start_month)))
            except ValueError as exc:
                st.error(str(exc))
        c.download_button(t("Funding request (Excel)"),
                          lambda: common.call(funding_request.funding_request, fiscal_year=next_year,
                                              lines=final, spec_json=draft_json, version=version),
                          f"funding_request_{next_year}.xlsx", XLSX, key="fc_funding")
