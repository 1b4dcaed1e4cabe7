"""Budget: budget vs actual by cost center, category and month, drill-down, versions, projects,
variance explained, budget editing and the report packs."""
import plotly.graph_objects as go
import streamlit as st

from analytics import accounts, calendar
from analytics import variance as variance_text
from analytics.present import LABELS
from analytics.budget_edit import BudgetEditError, grid_changes
from analytics import budget
from analytics import budget_edit
from analytics.reports import annual
from analytics.reports import monthly
from views import common

conf = common.header("Budget")
filters = common.global_filters()
if common.empty_state(["budget"]):
    st.stop()

year = filters["year"]
cur = conf["reporting_currency"]
names = common.cached(budget.version_names)
version = common.remembered_select("Budget version", "bv", names, "budget_version", names[0],
                                   help="The version actuals are compared with. Edited versions appear here too.")
args = {"cost_center": filters["cost_center"], "category": filters["category"]}
win = common.cached(calendar.window, year=year)
st.caption(f"{win.label} · year to date = closed months ({win.ytd_label}) · version “{version}” · "
           f"variance = actual − budget: over budget in red, under in green")
if filters["vendor"]:
    st.info("Budgets are not set per vendor: the vendor filter applies to the Overview and to spend lines here, "
            "not to budget figures.")

MONEY = "{:,.0f}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def styled(frame, money=(), pct=(), variance=(), rate=()):
    """Number formats, and red (over) / green (under) for variance columns."""
    def colour(value):
        if value is None or value != value or value == 0:
            return ""
        return f"color: {common.COLORS['over'] if value > 0 else common.COLORS['under']}"
    formats = {**{c: MONEY for c in money}, **{c: "{:+.1%}" for c in pct}, **{c: "{:.4f}" for c in rate}}
    style = frame.style.format(formats, na_rep="–") if formats else frame.style
    return style.map(colour, subset=[c for c in (*variance, *pct) if c in frame.columns])


def table(frame, name, key, **style):
    """A styled table with people's headings, and its CSV/XLSX downloads."""
    shown = frame.rename(columns=LABELS)
    style = {k: [LABELS.get(c, c) for c in v] for k, v in style.items()}
    st.dataframe(styled(shown, **style), hide_index=True, key=f"{key}_table", placeholder="–")
    common.downloads(shown, f"{name}_{year}", key=key)


missing = common.cached(budget.fx_missing, year=year)
if len(missing):
    st.warning(f"{int(missing['lines'].sum()):,} line(s) have no fx rate for their month and are left out of "
               "the totals (never converted at 1). Import these rates on the Data page:")
    table(missing, "fx_missing", "budget_fx_missing", money=("amount",))
fx_used = st.expander(f"Fx rates used (units of {cur} per unit, by month)", key="budget_fx_used", on_change="rerun")
with fx_used:
    rates = common.cached(budget.rates_used, year=year) if fx_used.open else None
    if rates is not None and rates.empty:
        st.write(f"Every amount this year is in {cur}.")
    elif rates is not None:
        table(rates, "fx_rates", "budget_rates", rate=[c for c in rates.columns if c != "currency"])

SUMMARY_COLS = dict(money=("actual_ytd", "budget_ytd", "variance", "budget_year", "run_rate", "actual_to_date"),
                    pct=("variance_pct",), variance=("variance",))

def summary_tab():
    by_label = st.radio("Rows", ["Cost center × category", "Cost center", "Category"], horizontal=True,
                        key="budget_rows")
    by = {"Cost center × category": ["cost_center", "category"], "Cost center": ["cost_center"],
          "Category": ["category"]}[by_label]
    summary = common.cached(budget.budget_vs_actual, year=year, by=by, version=version, **args)
    shown = summary.drop(columns=["is_total", "fx_missing_lines", "budget_fx_missing_lines"])
    shown = shown.fillna({"category": ""} if "category" in by else {})
    st.markdown("**Year to date, full-year budget and run-rate (YTD average × 12)**")
    table(shown, "budget_vs_actual", "budget_summary", **SUMMARY_COLS)

    measure = st.radio("Monthly grid shows", ["variance", "actual", "budget", "variance_pct"], horizontal=True,
                       key="budget_measure", format_func=lambda m: {"variance_pct": "variance %"}.get(m, m))
    grid = common.cached(budget.grid, year=year, measure=measure, version=version, **args)
    months = [c for c in grid.columns if c not in ("cost_center", "category")]
    grid_style = styled(grid.rename(columns=LABELS), money=() if measure == "variance_pct" else months,
                        pct=months if measure == "variance_pct" else (),
                        variance=months if measure == "variance" else ())
    st.caption("Select a cell to see the spend lines behind it. Actual and variance are shown for closed months.")
    event = st.dataframe(grid_style, hide_index=True, key="budget_grid", on_select="rerun",
                         selection_mode="single-cell", placeholder="–")
    common.downloads(grid, f"budget_grid_{measure}_{year}", key="budget_grid_dl")
    cells = event.selection.cells if event is not None else []
    if cells:
        row, column = cells[0]
        line = grid.iloc[int(row)]
        drill = {"cost_center": None if line["cost_center"] == "Total" else line["cost_center"],
                 "category": line["category"] or None,
                 "period": column if column in months and column != "Total" else None}
        drill = {k: v or args.get(k) for k, v in drill.items()}
        lines = common.cached(budget.spend_lines, year=year, vendor=filters["vendor"], **drill)
        where = " · ".join(str(v) for v in drill.values() if v) or "all"
        st.markdown(f"**Spend lines: {where}** ({len(lines):,} lines, "
                    f"{lines['amount_rc'].sum():,.2f} {cur})")
        table(lines, "spend_lines", "budget_lines", money=("amount_rc",), rate=("fx_rate",))

def versions_tab():
    compare_by = st.radio("Compare versions by", ["cost_center", "category"], horizontal=True,
                          key="budget_compare_by", format_func=lambda v: v.replace("_", " "))
    compare = common.cached(budget.versions_compare, year=year, by=compare_by, **args)
    st.markdown(f"**Full-year budget by version, actual YTD and run-rate ({cur})**")
    table(compare, "budget_versions_compare", "budget_compare",
          money=[c for c in compare.columns if c != compare_by])
    split = common.cached(budget.capex_opex, year=year, vendor=filters["vendor"], **args)
    figure = go.Figure()
    for kind, colour in (("opex", common.COLORS["actual"]), ("capex", common.COLORS["committed"])):
        part = split[split["capex_opex"] == kind]
        figure.add_bar(x=part["period"], y=part["actual"], name=kind, marker_color=colour)
    figure.update_layout(barmode="stack", title=f"Capex vs opex actual by month ({cur})", height=340,
                         margin={"l": 10, "r": 10, "t": 50, "b": 10})
    st.plotly_chart(figure, key="budget_capex_chart")
    st.caption("Budget lines carry no capex/opex split, so the split is shown for actuals.")
    table(split, "capex_opex", "budget_capex", money=("actual",))
    st.markdown("**Budget versions**")
    table(common.cached(budget.versions), "budget_versions", "budget_versions_list")

def variance_tab():
    drivers = common.cached(variance_text.drivers, year=year, version=version,
                            cost_center=filters["cost_center"])
    if drivers.empty:
        st.write("No variance to explain yet (no closed month, or actuals match the budget).")
    else:
        st.markdown(f"**What explains each cost center's variance ({win.ytd_label})**")
        table(drivers, "variance_drivers", "budget_drivers", money=("variance", "cost_center_variance"),
              variance=("variance", "cost_center_variance"))
        for sentence in variance_text.sentences(drivers, cur):
            st.markdown(f"- {sentence}")
    fx_change = common.cached(variance_text.fx_volume, year=year, cost_center=filters["cost_center"])
    if len(fx_change):
        month = fx_change["period"].iloc[0]
        st.markdown(f"**Foreign-currency spend: fx vs volume ({month} against the month before)**")
        table(fx_change, "fx_volume", "budget_fx_volume",
              money=("amount_previous", "amount_current", "change", "volume_effect", "fx_effect"),
              rate=("rate_previous", "rate_current"))
        for sentence in variance_text.fx_sentences(fx_change, cur):
            st.markdown(f"- {sentence}")

def projects_tab():
    portfolio = common.cached(budget.projects, version=version, **args)
    if portfolio.empty:
        st.write("No spend or budget line carries a project.")
    else:
        st.caption("Whole project life (all months). Burn = average of the last three closed months; months left = "
                   "remaining ÷ burn.")
        table(portfolio, "projects", "budget_projects", money=("budget", "actual", "remaining", "monthly_burn"))
        figure = go.Figure()
        figure.add_bar(x=portfolio["project"], y=portfolio["budget"], name="Budget",
                       marker_color=common.COLORS["budget"])
        figure.add_bar(x=portfolio["project"], y=portfolio["actual"], name="Actual",
                       marker_color=common.COLORS["actual"])
        figure.update_layout(barmode="group", title=f"Projects: budget vs actual ({cur})", height=340,
                             margin={"l": 10, "r": 10, "t": 50, "b": 10})
        st.plotly_chart(figure, key="budget_projects_chart")

def edit_tab():
    st.markdown(f"**Edit “{version}” as a new version** (amounts in each line's own currency; the original "
                "is never overwritten). Add a row for a new budget line.")
    before = common.cached(budget_edit.edit_grid, year=year, version=version, **args)
    months = [c for c in before.columns if c not in ("cost_center", "category", "project", "currency")]
    edited = st.data_editor(
        before, key=f"budget_editor_{version}_{year}_{args['cost_center']}_{args['category']}", num_rows="add",
        hide_index=True, column_config={m: st.column_config.NumberColumn(m, format="%.2f") for m in months})
    try:
        changes = grid_changes(before, edited)
        problem = None
    except BudgetEditError as exc:
        changes, problem = None, str(exc)
    if problem:
        st.error(problem)
    elif len(changes):
        st.write(f"{len(changes)} changed cell(s):")
        st.dataframe(changes.rename(columns=LABELS), hide_index=True, key="budget_changes_preview")
    left, right = st.columns(2)
    new_name = left.text_input("New version name", key="budget_new_version", placeholder="reforecast-2")
    note = right.text_input("Note (why)", key="budget_new_note")

    def save():
        try:
            common.call(budget_edit.save_version, base_version=version, new_version=new_name,
                        changes=changes, note=note or None, user=common.user().name)
        except BudgetEditError as exc:
            st.session_state["_budget_save_message"] = ("error", str(exc))
            return
        common.after_write("budget_edit", f"version {new_name.strip()} from {version}: {len(changes)} change(s)")
        st.session_state["_budget_save_message"] = ("success", f"Saved version “{new_name.strip()}” "
                                                               f"({len(changes)} change(s) from “{version}”).")
        st.session_state["_filter_bv"] = new_name.strip()
        st.session_state["budget_new_version"] = ""

    allowed = common.user().can("budget_edit")
    st.button("Save as new version", key="budget_save", on_click=save, type="primary",
              disabled=not allowed or problem is not None or changes is None or changes.empty,
              help=None if allowed else f"Saving budget versions needs the role {accounts.least_role('budget_edit')}.")
    if "_budget_save_message" in st.session_state:
        kind, text = st.session_state.pop("_budget_save_message")
        (st.success if kind == "success" else st.error)(text)
    st.markdown("**Change log**")
    log = common.cached(budget_edit.change_log)
    if common.user().scoped:
        log = log[log["cost_center"].isin(common.user().cost_centers)]
    if log.empty:
        st.write("No budget line has been edited in the app yet.")
    else:
        table(log, "budget_change_log", "budget_change_log", money=("old_amount", "new_amount", "difference"))


def packs_tab():
    if common.user().scoped:  # the packs are company-wide
        st.info("The report packs cover the whole company: they are not available to accounts limited to cost "
                "centers.")
        return
    st.caption(f"The packs cover the whole company (the sidebar filters do not apply), budget version “{version}”.")
    closed = [m.strftime("%Y-%m") for m in win.months[:win.ytd_months]]
    left, right = st.columns(2)
    with left:
        st.markdown("**Monthly pack**: summary, budget vs actual by cost center and category, variance drivers, "
                    "fx, top vendors and the other pages' sections.")
        if closed:
            month = st.selectbox("Month", closed[::-1], key="budget_pack_month")
            if st.button("Build monthly pack", key="budget_build_monthly"):
                data = common.call(monthly.pack_bytes, period=month, version=version)
                st.session_state["_monthly_pack"] = (month, version, data)
            pack = st.session_state.get("_monthly_pack")
            if pack and pack[:2] == (month, version):
                st.download_button(f"Download monthly pack {month}", pack[2], f"outlay_monthly_{month}.xlsx",
                                   XLSX, key="budget_dl_monthly")
        else:
            st.write("No closed month in this fiscal year yet.")
    with right:
        st.markdown(f"**Annual pack**: {win.label} with month columns and year totals.")
        if st.button("Build annual pack", key="budget_build_annual"):
            st.session_state["_annual_pack"] = (year, version, common.call(annual.pack_bytes,
                                                                         year=year, version=version))
        pack = st.session_state.get("_annual_pack")
        if pack and pack[:2] == (year, version):
            st.download_button(f"Download annual pack FY{year}", pack[2], f"outlay_annual_FY{year}.xlsx", XLSX,
                               key="budget_dl_annual")


# only the open tab runs (on_change="rerun"): a page run computes and draws one tab's tables, not six
TABS = {"Budget vs actual": summary_tab, "Versions & capex/opex": versions_tab, "Variance explained": variance_tab,
        "Projects": projects_tab, "Edit budget": edit_tab, "Report packs": packs_tab}
for tab, draw in zip(st.tabs(list(TABS), key="budget_tab", on_change="rerun"), TABS.values()):
    with tab:
        if tab.open:
            draw()
