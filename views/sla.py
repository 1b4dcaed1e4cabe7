"""SLA: attainment by contract and month, breaches with their tickets, service credits, availability."""
import html

import pandas as pd
import streamlit as st

from analytics import fiscal, i18n
from analytics.sla.monthly import filtered, summarise
from analytics import sla
from views import charts, common

conf = common.header(i18n.N_("SLA"), i18n.N_("ticket clocks count only inside each contract's schedule, minus on-hold "
                                             "time; open tickets run to the end of the as-of date"))
t, lang = i18n.t, i18n.current()
filters = common.global_filters()
if common.empty_state(["contracts"]):
    st.stop()
counts = common.row_counts()
if counts.get("incidents", 0) == 0 and counts.get("sla", 0) == 0:
    common.empty_state(["incidents", "sla"])  # either one is enough: ticket clocks, or availability measurements
    st.stop()

cur = conf["reporting_currency"]
start, end = fiscal.bounds(filters["year"], conf["fiscal_year_start_month"])
scope = {"start": start, "end": end, "vendor": filters["vendor"]}
st.caption(t("{year}: {first} to {last}", year=fiscal.label(filters["year"], conf["fiscal_year_start_month"]),
             first=i18n.month(start), last=i18n.month(end))
           + (" · " + t("vendor {name}", name=filters["vendor"]) if filters["vendor"] else "")
           + " · " + t("cost center and category filters do not apply to SLAs"))

problems = common.cached(sla.problems)
for row in problems.itertuples():
    st.warning(i18n.n("{problem} ({count} row): those clocks are shown as 'unknown schedule', not guessed.",
                      "{problem} ({count} rows): those clocks are shown as 'unknown schedule', not guessed.",
                      row.rows, problem=row.problem))

months = common.cached(sla.contract_month_attainment, **scope)
credits = common.cached(sla.service_credits, **scope)
if months.empty:
    st.info(t("No tickets or SLA measurements in this fiscal year for these filters. Pick another year in the "
              "sidebar."))
    st.stop()
totals = summarise(months)  # headline numbers of the frame already fetched; no data access


def pct(value) -> str:
    return "–" if value is None or pd.isna(value) else i18n.percent(float(value) / 100)


def money_total(column: str):
    values = [v for v in credits[column] if v is not None] if not credits.empty else []
    return sum(values) if values else 0


tiles = st.columns(5)
tiles[0].metric(t("Months missed, of {count}", count=i18n.number(totals["contract_months"])),
                i18n.number(totals["missed"]),
                help=t("Contract × months with an SLA target: those with a breached ticket clock or availability "
                       "below target"))
tiles[1].metric(t("Breaches"), i18n.number(totals["breaches"]), help=t("Breached response plus resolution clocks"))
tiles[2].metric(t("Response met"), pct(totals["response_attainment_pct"]),
                help=t("Response clocks met ÷ response clocks decided (met or breached)"))
tiles[3].metric(t("Resolution met"), pct(totals["resolution_attainment_pct"]),
                help=t("Resolution clocks met ÷ resolution clocks decided (met or breached)"))
tiles[4].metric(t("Credits outstanding, {currency}", currency=cur),
                common.short_money(money_total("credit_outstanding_rc"), "").strip(),
                help=t("Credits owed under the contracts for missed months and not received as credit notes"))

# ---- heat map
st.subheader(t("Attainment by contract and month"))
MEASURES = {"Response": i18n.N_("Response"), "Resolution": i18n.N_("Resolution"),
            "Availability": i18n.N_("Availability")}
metric = st.segmented_control(t("Measure"), list(MEASURES), default="Response", key="sla_heat_metric",
                              format_func=i18n.bound(lambda m: t(MEASURES[m]))) or "Response"
column, flag = {"Response": ("response_attainment_pct", "response_breached"),
                "Resolution": ("resolution_attainment_pct", "resolution_breached"),
                "Availability": ("availability_pct", "availability_points_below")}[metric]
shown = months.assign(contract=months["contract_id"] + " · " + months["vendor"].fillna("?"),
                      month=pd.to_datetime(months["period"]).dt.strftime("%Y-%m"),
                      is_flagged=months[flag].astype(float) > 0)
grid = shown.pivot(index="contract", columns="month", values=column).dropna(how="all")
if grid.empty:
    st.write(t("No figures for this measure in this period."))
else:
    flagged = shown.pivot(index="contract", columns="month", values="is_flagged").reindex(
        index=grid.index, columns=grid.columns)
    digits = 2 if metric == "Availability" else 0
    text = [[("" if pd.isna(v) else i18n.number(v, digits)) + (" ✗" if f is True else "") for v, f in zip(row_v, row_f)]
            for row_v, row_f in zip(grid.to_numpy(), flagged.to_numpy())]
    low = 0 if metric != "Availability" else min(99.0, float(grid.min().min()))
    months_shown = [i18n.month(m + "-01") for m in grid.columns]
    tooltips = [[html.escape(contract) + f"<br/>{month}: <b>{charts.percent_text(v, max(digits, 1))}</b>"
                 for v, month in zip(row, months_shown)] for contract, row in zip(grid.index, grid.to_numpy())]
    # contract ids as row labels (the vendor is in the tooltip) and month names on two lines keep the cells wide on
    # a phone (390 px): the label column takes ~50 px instead of ~150
    option = charts.heatmap([m.replace(" ", "\n", 1) for m in months_shown], [str(c).split(" · ")[0] for c in grid.index],
                            grid.to_numpy(dtype=float).tolist(), text, low=low, high=100, tooltips=tooltips,
                            height=max(240, 26 * len(grid) + 110))
    charts.show(option, "sla_heatmap")
    st.caption(t("✗ = at least one breach of this measure (availability: below target). Attainment = clocks met ÷ "
                 "clocks decided; tickets still open and not yet past their target are left out until they are."))


def missed_tab():
    """Missed months as a table (and a download), the breached tickets of the one picked."""
    missed = shown[shown["is_missed"]].sort_values(["period", "contract_id"], ascending=[False, True])
    if missed.empty:
        st.success(t("Every contract met its SLAs in this period."))
        return
    table = missed[["contract_id", "vendor", "month", "tickets", "breaches", "response_attainment_pct",
                    "resolution_attainment_pct", "availability_pct", "availability_target_pct",
                    "reported_response_hours", "reported_resolution_hours"]].astype(
        {c: float for c in ("response_attainment_pct", "resolution_attainment_pct", "availability_pct",
                            "availability_target_pct", "reported_response_hours", "reported_resolution_hours")})
    common.table(table, "sla_missed_table", config={
        "month": t("Month"),
        "availability_pct": st.column_config.NumberColumn(t("Availability %"), format="%.3f%%"),
        "availability_target_pct": st.column_config.NumberColumn(t("Target %"), format="%.3f%%"),
        "reported_response_hours": st.column_config.NumberColumn(
            t("Vendor-reported response (h)"), format="%.2f",
            help=t("The vendor's own figure (sla dataset), for comparison")),
        "reported_resolution_hours": st.column_config.NumberColumn(
            t("Vendor-reported resolution (h)"), format="%.2f", help=t("The vendor's own figure (sla dataset)"))})
    common.downloads(table, f"sla_missed_{filters['year']}", key="sla_missed")
    options = [f"{r.contract_id} · {r.month}" for r in missed.itertuples() if r.breaches > 0]
    if options:
        picked = st.selectbox(t("Show the breached tickets of"), options, key="sla_drill")
        contract_id, month = picked.split(" · ")
        tickets = common.cached(sla.breaches, contract_id=contract_id,
                                period=pd.Timestamp(month + "-01").date())
        st.caption(i18n.n("{count} breached ticket of {contract} opened in {month}; hours are counted inside the "
                          "schedule named beside them.",
                          "{count} breached tickets of {contract} opened in {month}; hours are counted inside the "
                          "schedule named beside them.", len(tickets), contract=contract_id,
                          month=i18n.month(month + "-01")))
        common.table(tickets[["ticket_id", "priority", "opened_at", "response_hours", "response_target_hours",
                              "response_status", "resolution_hours", "resolution_target_hours",
                              "resolution_status", "resolution_schedule", "made_sla"]], "sla_tickets_table")


@common.figure
def credits_figure(chart, cur, lang):
    """Credits received and outstanding by missed month, stacked (built once per data)."""
    # one bar segment per month and credit ("2026-01" before "2026-02": in time order); blank where every amount is
    # (no fx rate), not 0
    amounts = chart.groupby(["month", "credit"])["amount"].sum(min_count=1).unstack()
    amounts = amounts.reindex(columns=["received", "outstanding"])
    series = [charts.Series(t("Received"), amounts["received"].tolist(), color=charts.COLORS["under"], stack="credit"),
              charts.Series(t("Outstanding"), amounts["outstanding"].tolist(), color=charts.COLORS["over"],
                            stack="credit")]
    option = charts.category_chart([i18n.month(m + "-01") for m in amounts.index], series, currency=cur,
                                   axis_title=t("Credit"), height=340)
    option["xAxis"].update(name=t("Missed month"), nameLocation="middle", nameGap=30)
    return option


def credits_tab():
    """Service credits owed and received by missed month: chart, table, downloads."""
    if credits.empty:
        st.write(t("No missed month earns a credit in this period."))
        return
    owed = credits.assign(owed=credits["credit_owed_rc"].map(lambda v: None if v is None else float(v)),
                          received=credits["credit_received_rc"].map(float),
                          outstanding=credits["credit_outstanding_rc"].map(lambda v: None if v is None else float(v)),
                          month=pd.to_datetime(credits["period"]).dt.strftime("%Y-%m"))
    chart = owed.melt(id_vars=["month"], value_vars=["received", "outstanding"], var_name="credit", value_name="amount")
    charts.show(credits_figure(chart, cur, lang), "sla_credits_chart")
    if owed["is_fx_missing"].any():
        st.warning(t("Some credits have no fx rate for their month: their amount in {currency} is left blank (never "
                     "converted at 1). Import the rates on the Data page.", currency=cur))
    outstanding = owed[owed["outstanding"].fillna(0) > 0]
    st.caption(i18n.n("{count} missed month with credit not received: {amount} outstanding. Credits are owed only if "
                      "claimed: use the evidence below to claim them.",
                      "{count} missed months with credit not received: {amount} outstanding. Credits are owed only "
                      "if claimed: use the evidence below to claim them.", len(outstanding),
                      amount=common.money(outstanding["outstanding"].sum(), cur)))
    cols = ["contract_id", "vendor", "month", "credit_units", "credit_pct", "is_capped", "credit_owed", "currency",
            "owed", "received", "outstanding", "evidence_owed", "evidence_received"]
    view = owed[cols].rename(columns={"owed": "credit_owed_rc", "received": "credit_received_rc",
                                      "outstanding": "credit_outstanding_rc"})
    view["credit_owed"] = view["credit_owed"].map(float)
    view["credit_pct"] = view["credit_pct"].map(float)
    common.table(view, "sla_credits_table", currency=cur, config={"month": t("Month")})
    common.downloads(view, f"sla_credits_{filters['year']}", key="sla_credits", currency=cur)


@common.figure
def availability_figure(one, lang):
    """One contract's availability by month against its target, the months below it marked red."""
    values = one["availability_pct"].astype(float).tolist()
    target = one["availability_target_pct"].astype(float).tolist()
    below = [v if missed else None for v, missed in zip(values, one["is_missed"])]
    # availability lives in the last point (99.2-100 %): a 0-100 axis, or one in whole points, would flatten it into
    # one line, and ECharts would write the axis' decimals in English. So the axis spans the values closely and has
    # no numbers: the levels that matter are labelled in the reader's language (100 % at the left, the target at the
    # right), and the tooltip writes every month's figures.
    lowest = min(v for v in values + target if not pd.isna(v))
    option = charts.category_chart(
        [i18n.month(p) for p in one["period"]],
        [charts.Series(t("Availability"), values, kind="line", markers=True, color=charts.COLORS["actual"]),
         charts.Series(t("Target"), target, kind="line", dashed=True, color=charts.COLORS["budget"]),
         charts.Series(t("Below target"), below, kind="scatter", color=charts.COLORS["over"], tooltip=False)],
        percent=True, decimals=3, value_range=(lowest - max(0.25 * (100 - lowest), 0.05), 100),
        lines=[(charts.percent_text(100, 0), 100)], height=340)
    axis = option["yAxis"][0]
    axis.pop("minInterval")
    axis.update(name=None, axisLabel={"show": False}, splitLine={"show": False})
    option["series"][0]["markLine"]["label"] = {"position": "insideStartTop"}  # 100 % left, the target right
    last = next((v for v in reversed(target) if not pd.isna(v)), None)
    if last is not None:  # 99.9 %, 99.95 %: as many decimals as the target has, up to 3
        decimals = next(d for d in range(4) if round(last, d) == round(last, 3))
        option["series"][1]["endLabel"] = {"show": True, "formatter": charts.percent_text(last, decimals),
                                           "color": charts.COLORS["budget"]}
    option["grid"]["right"] = 72  # room for the labels at the right
    return option


def availability_tab():
    """Availability against target, one contract at a time, every month imported."""
    st.caption(t("All months imported, not only the fiscal year picked")
               + ("; " + t("vendor {name}", name=filters["vendor"]) if filters["vendor"] else ""))
    trend = common.cached(sla.availability_trend)
    trend = filtered(trend, vendor=filters["vendor"])  # every year: the chart shows the whole history
    if trend.empty:
        st.write(t("No availability measurements imported (dataset sla, metric availability)."))
        return
    contracts = sorted(trend["contract_id"].unique())
    vendor_of = dict(zip(trend["contract_id"], trend["vendor"]))
    chosen = st.selectbox(t("Contract"), contracts, key="sla_avail_contract",
                          format_func=lambda c: f"{c} · {vendor_of[c]}")
    one = trend[trend["contract_id"] == chosen]
    charts.show(availability_figure(one, lang), "sla_availability_chart")


# Below the headline and the heat map, one tab at a time: only the open tab runs (on_change="rerun"), so a visit
# draws the heat map and one table, not three figures, three tables and four download buttons (the SLA page's
# revisit took 1.1-1.6 s in Chromium at 1M spend lines, most of it plotly drawing). The tab's label (in the
# reader's language) is its state: a tab is found by its label, drawn by its code's function.
TABS = {i18n.N_("Missed months and their tickets"): missed_tab,
        i18n.N_("Service credits owed and received ({currency})"): credits_tab,
        i18n.N_("Availability against target"): availability_tab}
common.lazy_tabs(TABS, "sla_tab", currency=cur)
