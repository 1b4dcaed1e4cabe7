"""Overview: the fiscal year at a glance for executives (KPIs, actual vs budget, where the money goes)."""
import streamlit as st

from analytics import budget, calendar, i18n
from analytics import overview
from analytics.reports import board
from views import charts, common

conf = common.header(i18n.N_("Overview"))
t, lang = i18n.t, i18n.current()
filters = common.global_filters()
if common.empty_state(["spend"]):
    st.stop()

year = filters["year"]
args = {"cost_center": filters["cost_center"], "category": filters["category"], "vendor": filters["vendor"]}
ctx = common.cached(overview.context, year=year, **args)
cur = ctx.currency
tiles = {t.metric: t for t in common.cached(overview.tiles, year=year, **args)}

st.caption(t("{year} · year to date = closed months ({ytd}) · budget version “{version}”", year=ctx.window_label,
             ytd=ctx.ytd_label, version=ctx.version))


def shown(tile) -> str:
    if tile.value is None:
        return "–"
    if tile.unit == "ratio":
        return i18n.percent(tile.value)
    if tile.unit == "count":
        return i18n.number(int(tile.value))
    return i18n.short_money(tile.value)


def draw(column, name: str, **extra) -> None:
    tile = tiles[name]
    if tile.scope and common.user().scoped:  # a company-wide figure: not for a user limited to cost centers
        column.metric(tile.label, "–", help=t("Company-wide: not shown to accounts limited to cost centers."),
                      border=True)
        return
    label = t("{label}, {currency}", label=tile.label, currency=cur) if tile.unit == "money" else tile.label
    scope = tile.scope[:1].upper() + tile.scope[1:]
    help_text = tile.help + (f"\n\n**{scope}.**" if scope else "")
    column.metric(label, shown(tile), help=help_text, border=True, **extra)
    if scope:
        column.caption(scope)


row = st.columns(4)
draw(row[0], "ytd_actual")
draw(row[1], "ytd_budget")
pct = tiles["variance_pct"].value
draw(row[2], "variance", delta=None if pct is None else i18n.percent(pct, signed=True), delta_color="inverse")
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
            return board.pdf_bytes(cur_, period=period, lang=lang)

    row[3].download_button(t("Board pack, {month} (PDF)", month=i18n.month(closed)), board_pdf,
                           f"board-pack-{period}.pdf", "application/pdf", key="overview_board_pdf",
                           icon=":material/picture_as_pdf:",
                           help=t("Summary in sentences, budget vs actual, landing with intervals, top risks and the "
                                  "vendor ranking, for the last closed month of this fiscal year."))

if ctx.fx_missing_lines:
    st.warning(i18n.n("{count} spend line this year has no fx rate for its month and is left out of the totals. "
                      "Import the missing rates on the Data page (the Budget page lists them).",
                      "{count} spend lines this year have no fx rate for their month and are left out of the "
                      "totals. Import the missing rates on the Data page (the Budget page lists them).",
                      ctx.fx_missing_lines))


# the charts are cached by their arguments: `lang` keeps one per language (their words and number formats)
@common.figure
def monthly_figure(monthly, cur, lang):
    months = [i18n.month(p) for p in monthly["period"]]
    return charts.category_chart(months, [
        charts.Series(t("Budget"), list(monthly["budget"]), color=charts.COLORS["budget"]),
        charts.Series(t("Actual"), list(monthly["actual"]), color=charts.COLORS["actual"]),
        charts.Series(t("Cumulative budget"), list(monthly["cum_budget"]), kind="line", axis=1, dashed=True,
                      color=charts.COLORS["budget"]),
        charts.Series(t("Cumulative actual"), list(monthly["cum_actual"]), kind="line", axis=1,
                      color=charts.COLORS["actual"])],
        currency=cur, title=t("Actual vs budget by month ({currency})", currency=cur), height=380,
        axis_title=t("{currency} per month"), right_title=t("cumulative, {currency}"))


@common.figure
def bars_figure(frame, column, title, cur, lang):
    frame = frame.sort_values("actual_ytd", ascending=False)
    series = []
    if frame["budget_ytd"].notna().any():
        series.append(charts.Series(t("Budget"), list(frame["budget_ytd"]), color=charts.COLORS["budget"]))
    series.append(charts.Series(t("Actual"), list(frame["actual_ytd"]), color=charts.COLORS["actual"]))
    return charts.category_chart(list(frame[column]), series, currency=cur, title=title, horizontal=True,
                                 height=max(280, 50 * len(frame) + 120))


@common.figure
def vendors_figure(vendors, cur, lang):
    shown = vendors.sort_values("actual", ascending=False)
    shares = [i18n.percent(s, 0) for s in shown["share"].fillna(0)]
    return charts.category_chart(list(shown["vendor"]), [
        charts.Series(t("Actual"), list(shown["actual"]), color=charts.COLORS["actual"], labels=shares)],
        currency=cur, title=t("Top 10 vendors YTD ({currency}, share of all spend)", currency=cur),
        horizontal=True, height=420, legend=False)


KINDS = {"capex": i18n.N_("Capex"), "opex": i18n.N_("Opex")}


@common.figure
def capex_figure(split, cur, lang):
    option = charts.pie([t(KINDS[v]) if v in KINDS else v for v in split["capex_opex"]], list(split["actual_ytd"]),
                        currency=cur, title=t("Capex vs opex YTD"), height=420)
    option["color"] = [charts.COLORS["committed"] if v == "capex" else charts.COLORS["actual"]
                       for v in split["capex_opex"]]
    return option


monthly = common.cached(budget.monthly, year=year, **args)
charts.show(monthly_figure(monthly, cur, lang), "overview_monthly")
left, right = st.columns(2)
with left:
    by_category = common.cached(overview.breakdown, year=year, by="category", **args)
    charts.show(bars_figure(by_category, "category", t("YTD by category (cost pool), {currency}", currency=cur),
                            cur, lang), "overview_category")
with right:
    by_cc = common.cached(overview.breakdown, year=year, by="cost_center", **args)
    charts.show(bars_figure(by_cc, "cost_center", t("YTD by cost center, {currency}", currency=cur), cur, lang),
                "overview_cost_center")

left, right = st.columns([3, 2])
with left:
    vendors = common.cached(overview.top_vendors, year=year, limit=10, **args)
    charts.show(vendors_figure(vendors, cur, lang), "overview_vendors")
with right:
    split = common.cached(overview.breakdown, year=year, by="capex_opex", **args)
    charts.show(capex_figure(split, cur, lang), "overview_capex")

TABLES = {"monthly": i18n.N_("Monthly"), "by_category": i18n.N_("By category"),
          "by_cost_center": i18n.N_("By cost center"), "top_vendors": i18n.N_("Top vendors"),
          "capex_opex": i18n.N_("Capex and opex")}
behind = st.expander(t("Tables behind the charts"), key="overview_tables", on_change="rerun")
with behind:  # drawn only while open: five tables and ten download buttons cost ~0.4 s a run at 1M lines
    for name, frame in (("monthly", monthly), ("by_category", by_category), ("by_cost_center", by_cc),
                        ("top_vendors", vendors), ("capex_opex", split)) if behind.open else ():
        st.markdown(f"**{t(TABLES[name])}**")
        common.table(frame, f"overview_table_{name}", currency=cur, download=f"overview_{name}_{year}")
