"""Overview: the fiscal year at a glance for executives (KPIs, actual vs budget, where the money goes)."""
import plotly.graph_objects as go
import streamlit as st

from analytics import budget, calendar
from analytics import overview
from analytics.reports import board
from views import common

conf = common.header("Overview")
filters = common.global_filters()
if common.empty_state(["spend"]):
    st.stop()

year = filters["year"]
args = {"cost_center": filters["cost_center"], "category": filters["category"], "vendor": filters["vendor"]}
ctx = common.cached(overview.context, year=year, **args)
cur = ctx.currency
tiles = {t.metric: t for t in common.cached(overview.tiles, year=year, **args)}

st.caption(f"{ctx.window_label} · year to date = closed months ({ctx.ytd_label}) · budget version "
           f"“{ctx.version}”")


def shown(tile) -> str:
    if tile.value is None:
        return "–"
    if tile.unit == "ratio":
        return f"{tile.value:.1%}"
    if tile.unit == "count":
        return f"{int(tile.value):,}"
    return common.short_money(tile.value, "").strip()


def draw(column, name: str, **extra) -> None:
    tile = tiles[name]
    if tile.scope and common.user().scoped:  # a company-wide figure: not for a user limited to cost centers
        column.metric(tile.label, "–", help="Company-wide: not shown to accounts limited to cost centers.", border=True)
        return
    label = tile.label + (f", {cur}" if tile.unit == "money" else "")
    help_text = tile.help + (f"\n\n**{tile.scope.capitalize()}.**" if tile.scope else "")
    column.metric(label, shown(tile), help=help_text, border=True, **extra)
    if tile.scope:
        column.caption(tile.scope.capitalize())


row = st.columns(4)
draw(row[0], "ytd_actual")
draw(row[1], "ytd_budget")
pct = tiles["variance_pct"].value
draw(row[2], "variance", delta=None if pct is None else f"{pct:+.1%}", delta_color="inverse")
draw(row[3], "full_year_budget")
row = st.columns(4)
draw(row[0], "run_rate")
draw(row[1], "landing")
draw(row[2], "landing_p_overrun")
draw(row[3], "cancel_by_due")
row = st.columns(4)
draw(row[0], "sla_attainment")
draw(row[1], "credits_outstanding")
draw(row[2], "audit_at_stake")
closed = common.cached(calendar.window, year=year).closed_through
if closed is not None and not common.user().scoped:  # the board pack is company-wide
    period = f"{closed:%Y-%m}"

    def board_pdf() -> bytes:
        with common.cursor() as cur_:
            return board.pdf_bytes(cur_, period=period)

    row[3].download_button(f"Board pack, {closed:%b %Y} (PDF)", board_pdf, f"board-pack-{period}.pdf",
                           "application/pdf", key="overview_board_pdf", icon=":material/picture_as_pdf:",
                           help="Summary in sentences, budget vs actual, landing with intervals, top risks and "
                                "the vendor ranking, for the last closed month of this fiscal year.")

if ctx.fx_missing_lines:
    st.warning(f"{ctx.fx_missing_lines:,} spend line(s) this year have no fx rate for their month and are left "
               "out of the totals. Import the missing rates on the Data page (the Budget page lists them).")

@common.figure
def monthly_figure(monthly, cur):
    fig = go.Figure()
    fig.add_bar(x=monthly["period"], y=monthly["budget"], name="Budget", marker_color=common.COLORS["budget"])
    fig.add_bar(x=monthly["period"], y=monthly["actual"], name="Actual", marker_color=common.COLORS["actual"])
    fig.add_scatter(x=monthly["period"], y=monthly["cum_budget"], name="Cumulative budget", yaxis="y2",
                    line={"color": common.COLORS["budget"], "dash": "dash"})
    fig.add_scatter(x=monthly["period"], y=monthly["cum_actual"], name="Cumulative actual", yaxis="y2",
                    line={"color": common.COLORS["actual"]})
    fig.update_layout(barmode="group", title=f"Actual vs budget by month ({cur})", height=380,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, legend={"orientation": "h", "y": -0.15},
                      yaxis={"title": f"{cur} per month", "rangemode": "tozero"},
                      yaxis2={"title": f"cumulative, {cur}", "overlaying": "y", "side": "right",
                              "rangemode": "tozero", "showgrid": False})
    return fig


@common.figure
def bars_figure(frame, column, title):
    frame = frame.sort_values("actual_ytd")
    figure = go.Figure()
    if frame["budget_ytd"].notna().any():
        figure.add_bar(y=frame[column], x=frame["budget_ytd"], name="Budget", orientation="h",
                       marker_color=common.COLORS["budget"])
    figure.add_bar(y=frame[column], x=frame["actual_ytd"], name="Actual", orientation="h",
                   marker_color=common.COLORS["actual"])
    figure.update_layout(barmode="group", title=title, height=max(260, 50 * len(frame) + 80),
                         margin={"l": 10, "r": 10, "t": 50, "b": 10}, legend={"orientation": "h", "y": -0.1})
    return figure


@common.figure
def vendors_figure(vendors, cur):
    shown = vendors.sort_values("actual")
    figure = go.Figure(go.Bar(y=shown["vendor"], x=shown["actual"], orientation="h",
                              marker_color=common.COLORS["actual"],
                              text=[f"{s:.0%}" for s in shown["share"].fillna(0)], textposition="auto"))
    figure.update_layout(title=f"Top 10 vendors YTD ({cur}, share of all spend)", height=420,
                         margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return figure


@common.figure
def capex_figure(split):
    figure = go.Figure(go.Pie(labels=split["capex_opex"], values=split["actual_ytd"].clip(lower=0), hole=0.5,
                              marker={"colors": [common.COLORS["committed"] if v == "capex" else common.COLORS["actual"]
                                                 for v in split["capex_opex"]]}))
    figure.update_layout(title="Capex vs opex YTD", height=420, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return figure


monthly = common.cached(budget.monthly, year=year, **args)
st.plotly_chart(monthly_figure(monthly, cur), key="overview_monthly")
left, right = st.columns(2)
with left:
    by_category = common.cached(overview.breakdown, year=year, by="category", **args)
    st.plotly_chart(bars_figure(by_category, "category", f"YTD by category (cost pool), {cur}"),
                    key="overview_category")
with right:
    by_cc = common.cached(overview.breakdown, year=year, by="cost_center", **args)
    st.plotly_chart(bars_figure(by_cc, "cost_center", f"YTD by cost center, {cur}"), key="overview_cost_center")

left, right = st.columns([3, 2])
with left:
    vendors = common.cached(overview.top_vendors, year=year, limit=10, **args)
    st.plotly_chart(vendors_figure(vendors, cur), key="overview_vendors")
with right:
    split = common.cached(overview.breakdown, year=year, by="capex_opex", **args)
    st.plotly_chart(capex_figure(split), key="overview_capex")

behind = st.expander("Tables behind the charts", key="overview_tables", on_change="rerun")
with behind:  # drawn only while open: five tables and ten download buttons cost ~0.4 s a run at 1M lines
    for name, frame in (("monthly", monthly), ("by_category", by_category), ("by_cost_center", by_cc),
                        ("top_vendors", vendors), ("capex_opex", split)) if behind.open else ():
        st.markdown(f"**{name.replace('_', ' ').capitalize()}**")
        common.table(frame, f"overview_table_{name}", currency=cur, download=f"overview_{name}_{year}")
