"""Showback: IT cost allocated to services and business units, the bill of IT, unit costs, budget vs actual."""
from __future__ import annotations

import streamlit as st

from analytics import i18n, showback
from analytics.showback import bill as bill_of_it
from analytics.showback import bill_pdf
from views import charts, common

conf = common.header(i18n.N_("Showback"), i18n.N_("IT cost allocated by the allocation rules and drivers, fiscal "
                                                  "year to date"))
t, lang = i18n.t, i18n.current()
currency = conf["reporting_currency"]
if common.empty_state(["spend", "allocation_rules", "drivers"]):
    st.caption(t("Showback needs the spend, a rule set (dataset allocation_rules: which cost centers go to which "
                 "services, and services to business units) and the drivers they split by (dataset drivers: "
                 "headcount, servers, tickets per month). Templates are on the Data page."))
    st.stop()


@common.figure
def flow_figure(links, currency, lang):
    """The Sankey: cost centers (or cost pools) → services → business units. A node is one name in one column: a
    cost center and the service (or business unit) of the same name stay apart, so the flow has no loop."""
    column = {name: 1 for name in links.loc[links["layer"] == 1, "source"]}

    def node(name, first: bool) -> str:
        return f"{0 if first else column.get(name, 2)}:{name}"

    nodes = {}
    for r in links.itertuples(index=False):
        nodes.setdefault(node(r.source, r.layer == 0), r.source)
        nodes.setdefault(node(r.target, False), r.target)
    return charts.sankey_labelled(list(nodes.items()), [(node(r.source, r.layer == 0), node(r.target, False),
                                                         float(r.value)) for r in links.itertuples(index=False)],
                                  currency=currency)


@common.figure
def unit_cost_figure(trend, driver, currency, lang):
    """A business unit's cost per driver unit by month (money to the cent in the tooltip)."""
    periods = sorted(trend["period"].unique())
    series = []
    for unit, rows in trend.groupby("business_unit", sort=True):
        cost = rows.set_index("period")["unit_cost"]
        series.append(charts.Series(str(unit), [cost.get(p) for p in periods], kind="line", markers=True))
    option = charts.category_chart([i18n.month(p) for p in periods], series, currency=currency, decimals=2,
                                   height=340)
    divisor = charts.money_scale(trend["unit_cost"])  # the axis' unit: "cost per server (K USD)"
    unit = f"{i18n.compact_unit(divisor)} {currency}" if divisor > 1 else currency
    option["yAxis"][0]["name"] = t("cost per {driver} ({currency})", driver=driver, currency=unit)
    return option


filters = common.global_filters()
year = filters["year"]
try:
    alloc = common.cached(showback.allocation, fy=year)
except showback.AllocationError as exc:
    st.error(t("The allocation rules cannot be applied: {problems}", problems="; ".join(exc.problems)))
    st.stop()

by_bu = showback.totals_by(alloc, by="business_unit")
left = float(by_bu.loc[by_bu["business_unit"] == showback.UNALLOCATED, "value"].sum())
tiles = st.columns(3)
tiles[0].metric(t("Spend in the window"), common.money(alloc.total, currency),
                help=t("YTD actual: the closed months."))
tiles[1].metric(t("Allocated to business units"), common.money(alloc.total - left, currency))
tiles[2].metric(t("Unallocated"), common.money(left, currency), help=t("Spend no rule covers; it is never spread."))
for note in alloc.notes:
    st.caption(f"ℹ️ {note}")
if alloc.fx_missing_lines:
    st.warning(i18n.n("{count} spend line has no fx rate for its month: it is not allocated.",
                      "{count} spend lines have no fx rate for their month: they are not allocated.",
                      alloc.fx_missing_lines))
ORIGIN = {"cost_center": i18n.N_("cost centers"), "category": i18n.N_("cost pools")}


def _bill(writer):
    def build() -> bytes:
        with common.cursor() as cur:
            return writer(cur, fy=year, lang=lang)  # built when clicked, outside this run: the reader's language
    return build


def flows_tab():
    """The Sankey (cost centers or cost pools → services → business units), the bill of IT totals and its
    downloads."""
    origin = st.radio(t("Start from"), list(showback.report.ORIGINS), horizontal=True, key="showback_origin",
                      format_func=i18n.bound(lambda o: t(ORIGIN[o])))
    charts.show(flow_figure(showback.sankey_links(alloc, origin=origin), currency, lang), "showback_sankey")
    st.subheader(t("Bill of IT by business unit ({currency})", currency=currency))
    common.table(by_bu.rename(columns={"value": "allocated_cost"}), "showback_by_bu", currency=currency)
    left_dl, right_dl = st.columns(2)
    left_dl.download_button(t("Bill of IT (XLSX, a sheet per business unit)"), _bill(bill_of_it.for_window),
                            f"bill-of-it-{year}.xlsx", key="showback_bill_xlsx", icon=":material/table_view:")
    right_dl.download_button(t("Bill of IT (PDF, a page per business unit)"), _bill(bill_pdf.for_window),
                             f"bill-of-it-{year}.pdf", "application/pdf", key="showback_bill_pdf",
                             icon=":material/picture_as_pdf:")


def business_unit_tab():
    """One business unit's bill: its lines, the rules that fed it and the spend lines behind them."""
    units = [u for u in by_bu["business_unit"] if u != showback.UNALLOCATED]
    if not units:
        st.info(t("No spend is allocated to a business unit yet."))
    else:
        chosen = st.selectbox(t("Business unit"), units, key="showback_bu")
        common.table(showback.bill_lines(alloc, business_unit=chosen).drop(columns="business_unit")
                     .rename(columns={"amount": "allocated_cost"}), "showback_bill_lines", currency=currency)
        st.caption(t("Rules that fed {unit}", unit=chosen))
        fed = showback.rules_fed(alloc, business_unit=chosen)
        common.table(fed.rename(columns={"row_no": "rule_row", "rule": "allocation_rule",
                                         "amount": "allocated_cost"}), "showback_rules_fed", currency=currency)
        st.caption(t("Spend lines that fed {unit} (largest share first, at most 500)", unit=chosen))
        common.table(common.cached(showback.fed_lines, business_unit=chosen, fy=year), "showback_fed_lines",
                     currency=currency)


def unit_costs_tab():
    """Cost per driver unit (per head, per server ...) by business unit and month."""
    drivers = common.cached(showback.drivers_in_use)
    if not drivers:
        st.info(t("No allocation rule splits by a driver (headcount, servers, tickets ...): a unit cost needs one."))
    else:
        driver = st.selectbox(t("Driver"), drivers, index=drivers.index(conf["showback_unit_driver"])
                              if conf["showback_unit_driver"] in drivers else 0, key="showback_driver")
        trend = common.cached(showback.unit_costs, driver=driver, by="business_unit", fy=year)
        charts.show(unit_cost_figure(trend, driver, currency, lang), "showback_unit_trend")
        common.table(common.cached(showback.unit_cost_totals, driver=driver, by="business_unit", fy=year)
                     .rename(columns={"cost": "allocated_cost"}), "showback_unit_totals", currency=currency)


def versus_tab():
    """Budget and actual by business unit, allocated by the same rules."""
    if common.cached(showback.uses_vendor_rules):
        st.caption(t("Some rules allocate by vendor; budgets have no vendor, so they cannot be allocated the same "
                     "way."))
    else:
        versus = common.cached(showback.budget_vs_actual, fy=year)
        common.table(versus, "showback_versus", currency=currency)
        st.caption(t("Budget (original version) and actual over the closed months, allocated by the same rules."))


# only the open tab runs (on_change="rerun"): a first visit draws the flow and the bill's totals, not six tables and
# two charts. The tab's label (in the reader's language) is its state: a tab is found by its label, drawn by its
# code's function.
TABS = {i18n.N_("Where the money flows"): flows_tab, i18n.N_("Business unit"): business_unit_tab,
        i18n.N_("Unit costs"): unit_costs_tab, i18n.N_("Budget vs actual by business unit"): versus_tab}
common.lazy_tabs(TABS, "showback_tab")
