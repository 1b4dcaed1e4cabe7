"""SLA: attainment by contract and month, breaches with their tickets, service credits, availability."""
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics import fiscal, i18n
from analytics.sla.monthly import filtered, summarise
from analytics import sla
from views import common

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
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(dtype=float), x=list(grid.columns), y=list(grid.index), text=text,
                               texttemplate="%{text}", zmin=low, zmax=100, colorscale="RdYlGn",
                               hovertemplate="%{y}<br>%{x}: %{z:.2f}%<extra></extra>",
                               colorbar={"title": "%", "orientation": "h", "y": -0.12, "yanchor": "top",
                                         "thickness": 12}))
    # short contract labels and the colour bar below the grid keep the cells wide on a phone
    # contract ids as row labels (the vendor is in the hover) and short month names keep the cells wide on a
    # phone (390 px): the label column takes ~50 px instead of ~150
    short = [str(c).split(" · ")[0] for c in grid.index]
    fig.update_traces(textfont={"size": 9})
    # margins that fit the contract ids, the two-line month ticks and the colour bar (hung 12 % of the grid's
    # height below it): the browser draws the heat map once instead of twice (plotly's automargin redraws)
    height = max(300, 26 * len(grid) + 160)
    fig.update_layout(height=height, margin={"l": common.label_px(short, font_size=10) + 14, "r": 4, "t": 10,
                                             "b": round((0.12 * (height - 10) + 62) / 1.12)},
                      yaxis={"autorange": "reversed", "tickvals": list(grid.index), "ticktext": short,
                             "tickfont": {"size": 10}},
                      xaxis={"tickvals": list(grid.columns), "tickfont": {"size": 10},
                             "ticktext": [i18n.month(m + "-01").replace(" ", "<br>", 1) for m in grid.columns]},
                      separators=i18n.plotly_separators())
    st.plotly_chart(fig, key="sla_heatmap")
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
    """Credits received and outstanding by missed month (plotly express: built once per data)."""
    received, outstanding = t("Received"), t("Outstanding")
    chart = chart.sort_values("month", kind="stable")  # "2026-01" before "2026-02": the months in time order
    chart = chart.assign(credit=chart["credit"].map({"received": received, "outstanding": outstanding}),
                         month=[i18n.month(m + "-01") for m in chart["month"]])
    fig = px.bar(chart, x="month", y="amount", color="credit", barmode="stack",
                 color_discrete_map={received: common.COLORS["under"], outstanding: common.COLORS["over"]},
                 labels={"amount": cur, "month": t("Missed month"), "credit": t("Credit")})
    fig.update_xaxes(type="category")
    # the legend above and margins that fit the ticks and titles: drawn once, not twice (plotly's automargin)
    fig.update_layout(height=340, margin={"l": 80, "r": 10, "t": 60, "b": 70}, separators=i18n.plotly_separators(),
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0})
    return fig


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
    st.plotly_chart(credits_figure(chart, cur, lang), key="sla_credits_chart")
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
    fig = go.Figure()
    fig.add_scatter(x=one["period"], y=one["availability_pct"], mode="lines+markers", name=t("Availability"),
                    line={"color": common.COLORS["actual"]})
    fig.add_scatter(x=one["period"], y=one["availability_target_pct"], mode="lines", name=t("Target"),
                    line={"color": common.COLORS["budget"], "dash": "dash"})
    below = one[one["is_missed"]]
    fig.add_scatter(x=below["period"], y=below["availability_pct"], mode="markers", name=t("Below target"),
                    marker={"color": common.COLORS["over"], "size": 10})
    fig.update_layout(height=340, margin={"l": 80, "r": 10, "t": 40, "b": 40}, yaxis={"title": "%"},
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
                      separators=i18n.plotly_separators())
    st.plotly_chart(fig, key="sla_availability_chart")


# Below the headline and the heat map, one tab at a time: only the open tab runs (on_change="rerun"), so a visit
# draws the heat map and one table, not three figures, three tables and four download buttons (the SLA page's
# revisit took 1.1-1.6 s in Chromium at 1M spend lines, most of it plotly drawing). The tab's label (in the
# reader's language) is its state: a tab is found by its label, drawn by its code's function.
TABS = {i18n.N_("Missed months and their tickets"): missed_tab,
        i18n.N_("Service credits owed and received ({currency})"): credits_tab,
        i18n.N_("Availability against target"): availability_tab}
for tab, draw in zip(st.tabs([t(label, currency=cur) for label in TABS], key="sla_tab", on_change="rerun"),
                     TABS.values()):
    with tab:
        if tab.open:
            draw()
