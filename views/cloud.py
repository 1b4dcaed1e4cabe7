"""Cloud: FinOps FOCUS billing by provider, service, region and sub-account, and commitment savings."""
from __future__ import annotations

import streamlit as st

from analytics import cloud, i18n
from views import charts, common

conf = common.header(i18n.N_("Cloud"), i18n.N_("FinOps FOCUS billing; savings = list cost − effective cost"))
t, lang = i18n.t, i18n.current()
DIMENSION = {"provider": i18n.N_("provider"), "service": i18n.N_("service"),
             "service category": i18n.N_("service category"), "region": i18n.N_("region"),
             "sub-account": i18n.N_("sub-account"), "charge category": i18n.N_("charge category"),
             "cost center": i18n.N_("cost center")}
currency = conf["reporting_currency"]

months = common.cached(cloud.periods)
if not months:
    st.info(t("No cloud billing yet. Import a FinOps FOCUS export (AWS, Azure, Google Cloud, Oracle: CSV, CSV.gz or "
              "Parquet) on the Data page with the dataset `focus`, or run `python -m analytics import focus FILE`."))
    st.page_link("views/data.py", label=t("Go to the Data page"), icon=":material/upload_file:")
    st.stop()

left, right, _ = st.columns([2, 2, 3])
in_month = i18n.bound(lambda m: i18n.month(m))
start = left.selectbox(t("From"), months, index=0, key="cloud_start", format_func=in_month)
end = right.selectbox(t("To"), months, index=len(months) - 1, key="cloud_end", format_func=in_month)
if start > end:
    st.warning(t("'From' is after 'To': showing the months between them."))
    start, end = end, start

totals = common.cached(cloud.summary, start=start, end=end)


def tile(value) -> str:
    """Millions as '18.65M USD' (fits a tile), small amounts to the cent."""
    large = value is not None and abs(float(value)) >= 10_000
    return common.short_money(value, currency) if large else common.money(value, currency, decimals=2)


tiles = st.columns(4)
tiles[0].metric(t("Billed cost"), tile(totals["billed_cost"]),
                help=t("Sum of BilledCost: what the invoices say ({amount}).",
                       amount=common.money(totals["billed_cost"], currency, decimals=2)))
tiles[1].metric(t("Effective cost"), tile(totals["effective_cost"]),
                help=t("Sum of EffectiveCost: amortised, after discounts and commitments ({amount}).",
                       amount=common.money(totals["effective_cost"], currency, decimals=2)))
tiles[2].metric(t("Savings vs list"), tile(totals["savings"]),
                help=t("ListCost − EffectiveCost over every charge ({amount}).",
                       amount=common.money(totals["savings"], currency, decimals=2)))
tiles[3].metric(t("Commitment-discount savings"), tile(totals["commitment_savings"]),
                help=t("ListCost − EffectiveCost on charges covered by a commitment (savings plan, reservation): "
                       "{amount}.", amount=common.money(totals["commitment_savings"], currency, decimals=2)))
if totals["rows_fx_missing"]:
    st.warning(i18n.n("{count} charge has no fx rate for its month into {currency}: it is left out of the totals. "
                      "Import the missing rates (dataset fx).",
                      "{count} charges have no fx rate for their month into {currency}: they are left out of the "
                      "totals. Import the missing rates (dataset fx).", totals["rows_fx_missing"], currency=currency))
cents = 2 if abs(float(totals["billed_cost"] or 0)) < 10_000 else 0  # as the tiles: a small bill to the cent


def breakdown_tab():
    """Billed cost by the dimension chosen (provider, service, region ...): the top 15 drawn, all in the table."""
    dimension = st.columns([2, 5])[0].selectbox(  # as wide as the From/To pickers above, not the whole page
        t("Cost by"), list(cloud.DIMENSIONS), key="cloud_dimension",
        format_func=i18n.bound(lambda d: t(DIMENSION.get(d, d)).capitalize()))
    by = common.cached(cloud.cost_by, dimension=dimension, start=start, end=end)
    top = by.head(15)
    billed = charts.Series(t("Billed cost"), top["billed_cost"].tolist(), color=common.COLORS["actual"])
    charts.show(charts.category_chart(
        top[dimension], [billed], currency=currency, horizontal=True, axis_title=t("Billed cost"), legend=False,
        height=max(260, 28 * len(top) + 100), decimals=cents,
        title=t("Billed cost by {dimension} (top {count})", dimension=t(DIMENSION.get(dimension, dimension)),
                count=len(top))), "cloud_chart")
    if not by["is_fx_missing"].any():
        by = by.drop(columns="is_fx_missing")
    common.table(by, "cloud_by_table", currency=currency, download=f"cloud-cost-by-{dimension.replace(' ', '-')}",
                 config={dimension: t(DIMENSION.get(dimension, dimension)).capitalize()})


def monthly_tab():
    """Billed cost by month, a bar segment per provider."""
    trend = common.cached(cloud.monthly, dimension="provider", start=start, end=end)
    months_shown = sorted(trend["period"].unique())
    by_provider = trend.pivot_table(index="period", columns="provider", values="billed_cost", aggfunc="sum")
    charts.show(charts.category_chart(
        [i18n.month(p) for p in months_shown],
        [charts.Series(str(provider), by_provider[provider].reindex(months_shown).tolist(), stack="provider",
                       color=charts.PALETTE[k % len(charts.PALETTE)])
         for k, provider in enumerate(by_provider.columns)],
        currency=currency, axis_title=t("Billed cost"), height=320, decimals=cents), "cloud_trend")


def commitments_tab():
    """What commitment discounts (savings plans, reservations) saved against list prices."""
    commitments = common.cached(cloud.commitment_savings, start=start, end=end)
    if commitments.empty:
        st.caption(t("No charge in these months is covered by a commitment discount."))
    else:
        common.table(commitments, "cloud_commit_table", currency=currency, download="cloud-commitment-savings")


# only the open tab runs (on_change="rerun"): a first visit draws the tiles and one chart and table, not two charts and
# two tables. The tab's label (in the reader's language) is its state: a tab is found by its label, drawn by its
# code's function.
TABS = {i18n.N_("Cost breakdown"): breakdown_tab, i18n.N_("Month by month"): monthly_tab,
        i18n.N_("Commitment discounts"): commitments_tab}
common.lazy_tabs(TABS, "cloud_tab")
