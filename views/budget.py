"""Budget: budget vs actual by cost center, category and month, drill-down, versions, projects,
variance explained, budget editing and the report packs."""
import streamlit as st

from analytics import accounts, calendar, fiscal, i18n, present
from analytics import variance as variance_text
from analytics.budget_edit import BudgetEditError, grid_changes
from analytics import budget
from analytics import budget_edit
from analytics.reports import annual
from analytics.reports import monthly
from views import charts, common

conf = common.header(i18n.N_("Budget"))
t, lang = i18n.t, i18n.current()
filters = common.global_filters()
if common.empty_state(["budget"]):
    st.stop()

year = filters["year"]
cur = conf["reporting_currency"]
names = common.cached(budget.version_names)
version = common.remembered_select(t("Budget version"), "bv", names, "budget_version", names[0],
                                   help=t("The version actuals are compared with. Edited versions appear here too."))
args = {"cost_center": filters["cost_center"], "category": filters["category"]}
win = common.cached(calendar.window, year=year)
st.caption(t("{year} · year to date = closed months ({ytd}) · version “{version}” · variance = actual − budget: "
             "over budget positive (🔴), under budget in brackets (🟢)", year=win.label, ytd=win.ytd_label,
             version=version))
if filters["vendor"]:
    st.info(t("Budgets are not set per vendor: the vendor filter applies to the Overview and to spend lines here, "
              "not to budget figures."))

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIGNAL = "over_under_signal"  # a word and a colour beside the variance (no Styler: it cost 0.25 s a run)


def with_total_in_words(frame):
    """Money rounded to the cent with the Total row as the presentation layer rounds it, then the Total row
    named in the reader's language (the rounding knows it by its English name)."""
    shown = present.tidy(frame)
    first = shown.columns[0]
    if shown[first].dtype == object:
        shown[first] = shown[first].where(shown[first] != "Total", t("Total"))
    return shown


def signal(variance) -> str:
    if variance is None or variance != variance or round(variance) == 0:
        return ""
    return t("🔴 over budget") if variance > 0 else t("🟢 under budget")


def with_signal(frame, column="variance"):
    """The variance's meaning beside it: over budget in red, under in green."""
    at = list(frame.columns).index(column) + 1
    shown = frame.copy()
    shown.insert(at, SIGNAL, frame[column].map(signal))
    return shown


def month_columns(months, *, format="accounting") -> dict:
    """Month columns ('2026-01') headed by the month's name in the reader's language."""
    config = st.column_config
    return {m: config.NumberColumn(t("Total") if m == "Total" else i18n.month(m + "-01"), format=format)
            for m in months}


def money_columns(columns) -> dict:
    return {c: st.column_config.NumberColumn(c, format="accounting") for c in columns}


def table(frame, name, key, *, config=None):
    """A table with people's headings and money formats (analytics.present), and its CSV/XLSX downloads."""
    common.table(frame, f"{key}_table", currency=cur, download=f"{name}_{year}",
                 config={SIGNAL: st.column_config.TextColumn(t("Over or under budget")), **(config or {})})


missing = common.cached(budget.fx_missing, year=year)
if len(missing):
    st.warning(i18n.n("{count} line has no fx rate for its month and is left out of the totals (never converted "
                      "at 1). Import these rates on the Data page:",
                      "{count} lines have no fx rate for their month and are left out of the totals (never "
                      "converted at 1). Import these rates on the Data page:", int(missing["lines"].sum())))
    table(missing, "fx_missing", "budget_fx_missing")
fx_used = st.expander(t("Fx rates used (units of {currency} per unit, by month)", currency=cur), key="budget_fx_used",
                      on_change="rerun")
with fx_used:
    rates = common.cached(budget.rates_used, year=year) if fx_used.open else None
    if rates is not None and rates.empty:
        st.write(t("Every amount this year is in {currency}.", currency=cur))
    elif rates is not None:
        table(rates, "fx_rates", "budget_rates",
              config=month_columns([c for c in rates.columns if c != "currency"], format="%.4f"))

ROWS = {"cost_center_category": (i18n.N_("Cost center × category"), ["cost_center", "category"]),
        "cost_center": (i18n.N_("Cost center"), ["cost_center"]), "category": (i18n.N_("Category"), ["category"])}
MEASURES = {"variance": i18n.N_("Variance"), "actual": i18n.N_("Actual"), "budget": i18n.N_("Budget"),
            "variance_pct": i18n.N_("Variance %")}


def summary_tab():
    rows = st.radio(t("Rows"), list(ROWS), horizontal=True, key="budget_rows",
                    format_func=i18n.bound(lambda r: t(ROWS[r][0])))
    by = ROWS[rows][1]
    summary = common.cached(budget.budget_vs_actual, year=year, by=by, version=version, **args)
    shown = summary.drop(columns=["is_total", "fx_missing_lines", "budget_fx_missing_lines"])
    shown = shown.fillna({"category": ""} if "category" in by else {})
    st.markdown("**" + t("Year to date, full-year budget and run-rate (YTD average × 12)") + "**")
    table(with_signal(with_total_in_words(shown)), "budget_vs_actual", "budget_summary")

    measure = st.radio(t("Monthly grid shows"), list(MEASURES), horizontal=True, key="budget_measure",
                       format_func=i18n.bound(lambda m: t(MEASURES[m])))
    grid = common.cached(budget.grid, year=year, measure=measure, version=version, **args)
    months = [c for c in grid.columns if c not in ("cost_center", "category")]
    st.caption(t("Select a cell to see the spend lines behind it. Actual and variance are shown for closed months."))
    event = common.table(with_total_in_words(grid), "budget_grid", currency=cur, on_select="rerun",
                         selection_mode="single-cell",
                         config=month_columns(months, format="percent" if measure == "variance_pct" else "accounting"))
    common.downloads(grid, f"budget_grid_{measure}_{year}", key="budget_grid_dl", currency=cur)
    cells = event.selection.cells if event is not None else []
    if cells:
        row, column = cells[0]
        line = grid.iloc[int(row)]
        drill = {"cost_center": None if line["cost_center"] == "Total" else line["cost_center"],
                 "category": line["category"] or None,
                 "period": column if column in months and column != "Total" else None}
        drill = {k: v or args.get(k) for k, v in drill.items()}
        lines = common.cached(budget.spend_lines, year=year, vendor=filters["vendor"], **drill)
        where = " · ".join(i18n.month(v + "-01") if k == "period" else str(v) for k, v in drill.items() if v)
        st.markdown("**" + i18n.n("Spend lines: {where} ({count} line, {amount})",
                                  "Spend lines: {where} ({count} lines, {amount})", len(lines),
                                  where=where or t("all"), amount=i18n.money(lines["amount_rc"].sum(), cur))
                    + "**")
        table(lines, "spend_lines", "budget_lines",
              config={"fx_rate": st.column_config.NumberColumn(t("Fx rate"), format="%.4f")})


COMPARE_BY = {"cost_center": i18n.N_("Cost center"), "category": i18n.N_("Category")}
KINDS = {"capex": i18n.N_("Capex"), "opex": i18n.N_("Opex")}


@common.figure
def capex_figure(split, cur, lang):
    periods = list(dict.fromkeys(sorted(split["period"])))
    series = []
    for kind, colour in (("opex", charts.COLORS["actual"]), ("capex", charts.COLORS["committed"])):
        part = split[split["capex_opex"] == kind].groupby("period")["actual"].sum()
        series.append(charts.Series(t(KINDS[kind]), [part.get(p) for p in periods], color=colour, stack="kind"))
    return charts.category_chart([i18n.month(p) for p in periods], series, currency=cur, height=340,
                                 title=t("Capex vs opex actual by month ({currency})", currency=cur),
                                 axis_title=t("{currency} per month"))


def versions_tab():
    compare_by = st.radio(t("Compare versions by"), list(COMPARE_BY), horizontal=True, key="budget_compare_by",
                          format_func=i18n.bound(lambda v: t(COMPARE_BY[v])))
    compare = common.cached(budget.versions_compare, year=year, by=compare_by, **args)
    st.markdown("**" + t("Full-year budget by version, actual YTD and run-rate ({currency})", currency=cur) + "**")
    table(with_total_in_words(compare), "budget_versions_compare", "budget_compare",
          config=money_columns([c for c in compare.columns if c not in (compare_by, "actual_ytd", "run_rate")]))
    split = common.cached(budget.capex_opex, year=year, vendor=filters["vendor"], **args)
    charts.show(capex_figure(split, cur, lang), "budget_capex_chart")
    st.caption(t("Budget lines carry no capex/opex split, so the split is shown for actuals."))
    table(split.assign(capex_opex=split["capex_opex"].map(lambda k: t(KINDS[k]) if k in KINDS else k)),
          "capex_opex", "budget_capex")
    st.markdown("**" + t("Budget versions") + "**")
    table(common.cached(budget.versions), "budget_versions", "budget_versions_list",
          config={"version": t("Version"), "first_period": t("First month"), "last_period": t("Last month"),
                  "source": t("Source"), "base_version": t("Based on version"), "created_at": t("Created"),
                  "created_by": t("Created by")})


def variance_tab():
    drivers = common.cached(variance_text.drivers, year=year, version=version,
                            cost_center=filters["cost_center"])
    if drivers.empty:
        st.write(t("No variance to explain yet (no closed month, or actuals match the budget)."))
    else:
        st.markdown("**" + t("What explains each cost center's variance ({ytd})", ytd=win.ytd_label) + "**")
        table(with_signal(drivers), "variance_drivers", "budget_drivers")
        for sentence in variance_text.sentences(drivers, cur):
            st.markdown(f"- {sentence}")
    fx_change = common.cached(variance_text.fx_volume, year=year, cost_center=filters["cost_center"])
    if len(fx_change):
        month = fx_change["period"].iloc[0]
        st.markdown("**" + t("Foreign-currency spend: fx vs volume ({month} against the month before)",
                             month=i18n.month(month + "-01" if len(str(month)) == 7 else month)) + "**")
        table(fx_change, "fx_volume", "budget_fx_volume",
              config={c: st.column_config.NumberColumn(present.label(c), format="%.4f")
                      for c in ("rate_previous", "rate_current")})
        for sentence in variance_text.fx_sentences(fx_change, cur):
            st.markdown(f"- {sentence}")


@common.figure
def projects_figure(portfolio, cur, lang):
    return charts.category_chart(list(portfolio["project"]), [
        charts.Series(t("Budget"), list(portfolio["budget"]), color=charts.COLORS["budget"]),
        charts.Series(t("Actual"), list(portfolio["actual"]), color=charts.COLORS["actual"])],
        currency=cur, title=t("Projects: budget vs actual ({currency})", currency=cur), height=340)


def projects_tab():
    portfolio = common.cached(budget.projects, version=version, **args)
    if portfolio.empty:
        st.write(t("No spend or budget line carries a project."))
    else:
        st.caption(t("Whole project life (all months). Burn = average of the last three closed months; months left = "
                     "remaining ÷ burn."))
        table(portfolio.drop(columns="fx_missing_lines", errors="ignore"), "projects", "budget_projects")
        charts.show(projects_figure(portfolio, cur, lang), "budget_projects_chart")

def edit_tab():
    st.markdown(t("**Edit “{version}” as a new version** (amounts in each line's own currency; the original is never "
                  "overwritten). Add a row for a new budget line.", version=version))
    before = common.cached(budget_edit.edit_grid, year=year, version=version, **args)
    months = [c for c in before.columns if c not in ("cost_center", "category", "project", "currency")]
    labels = {c: present.label(c) for c in ("cost_center", "category", "project", "currency")}
    edited = st.data_editor(
        before, key=f"budget_editor_{version}_{year}_{args['cost_center']}_{args['category']}", num_rows="add",
        hide_index=True, column_config={**labels, **{m: st.column_config.NumberColumn(i18n.month(m + "-01"),
                                                                                      format="%.2f")
                                                     for m in months}})
    try:
        changes = grid_changes(before, edited)
        problem = None
    except BudgetEditError as exc:
        changes, problem = None, str(exc)
    if problem:
        st.error(problem)
    elif len(changes):
        st.write(i18n.n("{count} changed cell:", "{count} changed cells:", len(changes)))
        common.table(changes, "budget_changes_preview", currency=cur)
    left, right = st.columns(2)
    new_name = left.text_input(t("New version name"), key="budget_new_version", placeholder="reforecast-2")
    note = right.text_input(t("Note (why)"), key="budget_new_note")

    def save():
        try:
            common.call(budget_edit.save_version, base_version=version, new_version=new_name,
                        changes=changes, note=note or None, user=common.user().name)
        except BudgetEditError as exc:
            st.session_state["_budget_save_message"] = ("error", str(exc))
            return
        common.after_write("budget_edit", f"version {new_name.strip()} from {version}: {len(changes)} change(s)")
        st.session_state["_budget_save_message"] = ("success", i18n.n(
            "Saved version “{name}” ({count} change from “{version}”).",
            "Saved version “{name}” ({count} changes from “{version}”).", len(changes), name=new_name.strip(),
            version=version))
        st.session_state["_filter_bv"] = new_name.strip()
        st.session_state["budget_new_version"] = ""

    allowed = common.user().can("budget_edit")
    st.button(t("Save as new version"), key="budget_save", on_click=i18n.bound(save), type="primary",
              disabled=not allowed or problem is not None or changes is None or changes.empty,
              help=None if allowed else t("Saving budget versions needs the role {role}.",
                                          role=accounts.least_role("budget_edit")))
    if "_budget_save_message" in st.session_state:
        kind, text = st.session_state.pop("_budget_save_message")
        (st.success if kind == "success" else st.error)(text)
    st.markdown("**" + t("Change log") + "**")
    log = common.cached(budget_edit.change_log)
    if common.user().scoped:
        log = log[log["cost_center"].isin(common.user().cost_centers)]
    if log.empty:
        st.write(t("No budget line has been edited in the app yet."))
    else:
        table(log, "budget_change_log", "budget_change_log",
              config={"change_id": t("Change"), "version": t("Version"), "base_version": t("Based on version"),
                      "old_amount": st.column_config.NumberColumn(t("Old amount"), format="accounting"),
                      "new_amount": st.column_config.NumberColumn(t("New amount"), format="accounting"),
                      "difference": st.column_config.NumberColumn(t("Difference"), format="accounting"),
                      "changed_at": st.column_config.DatetimeColumn(t("Changed"), format="YYYY-MM-DD HH:mm"),
                      "changed_by": t("Changed by")})


def packs_tab():
    if common.user().scoped:  # the packs are company-wide
        st.info(t("The report packs cover the whole company: they are not available to accounts limited to cost "
                  "centers."))
        return
    st.caption(t("The packs cover the whole company (the sidebar filters do not apply), budget version “{version}”.",
                 version=version))
    closed = [m.strftime("%Y-%m") for m in win.months[:win.ytd_months]]
    left, right = st.columns(2)
    with left:
        st.markdown(t("**Monthly pack**: summary, budget vs actual by cost center and category, variance drivers, "
                      "fx, top vendors and the other pages' sections."))
        if closed:
            month = st.selectbox(t("Month"), closed[::-1], key="budget_pack_month",
                                 format_func=i18n.bound(lambda m: i18n.month(m + "-01", long=True)))
            if st.button(t("Build monthly pack"), key="budget_build_monthly"):
                data = common.call(monthly.pack_bytes, period=month, version=version)
                st.session_state["_monthly_pack"] = (month, version, data)
            pack = st.session_state.get("_monthly_pack")
            if pack and pack[:2] == (month, version):
                st.download_button(t("Download monthly pack {month}", month=i18n.month(month + "-01", long=True)),
                                   pack[2], f"outlay_monthly_{month}.xlsx", XLSX, key="budget_dl_monthly")
        else:
            st.write(t("No closed month in this fiscal year yet."))
    with right:
        st.markdown(t("**Annual pack**: {year} with month columns and year totals.", year=win.label))
        if st.button(t("Build annual pack"), key="budget_build_annual"):
            st.session_state["_annual_pack"] = (year, version, common.call(annual.pack_bytes,
                                                                         year=year, version=version))
        pack = st.session_state.get("_annual_pack")
        if pack and pack[:2] == (year, version):
            st.download_button(t("Download annual pack {year}", year=fiscal.label(year,
                                                                                  conf["fiscal_year_start_month"])),
                               pack[2], f"outlay_annual_FY{year}.xlsx", XLSX, key="budget_dl_annual")


# only the open tab runs (on_change="rerun"): a page run computes and draws one tab's tables, not six. The tab's
# label (in the reader's language) is its state: a tab is found by its label, drawn by its code's function.
TABS = {i18n.N_("Budget vs actual"): summary_tab, i18n.N_("Versions & capex/opex"): versions_tab,
        i18n.N_("Variance explained"): variance_tab, i18n.N_("Projects"): projects_tab,
        i18n.N_("Edit budget"): edit_tab, i18n.N_("Report packs"): packs_tab}
common.lazy_tabs(TABS, "budget_tab")
