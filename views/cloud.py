"""Cloud: FinOps FOCUS billing by provider, service, region and sub-account, and commitment savings."""
from __future__ import annotations

import plotly.express as px
import streamlit as st

from analytics import cloud
from views import common

conf = common.header("Cloud", "FinOps FOCUS billing; savings = list cost − effective cost")
currency = conf["reporting_currency"]

months = common.cached(cloud.periods)
if not months:
    st.info("No cloud billing yet. Import a FinOps FOCUS export (AWS, Azure, Google Cloud, Oracle: CSV, CSV.gz or "
            "Parquet) on the Data page with the dataset `focus`, or run "
            "`python -m analytics import focus FILE`.")
    st.page_link("views/data.py", label="Go to the Data page", icon=":material/upload_file:")
    st.stop()

left, middle, right = st.columns([2, 2, 3])
start = left.selectbox("From", months, index=0, key="cloud_start")
end = middle.selectbox("To", months, index=len(months) - 1, key="cloud_end")
dimension = right.selectbox("Cost by", list(cloud.DIMENSIONS), key="cloud_dimension", format_func=str.capitalize)
if start > end:
    st.warning("'From' is after 'To': showing the months between them.")
    start, end = end, start

totals = common.cached(cloud.summary, start=start, end=end)


def tile(value) -> str:
    """Millions as '18.65M USD' (fits a tile), small amounts to the cent."""
    large = value is not None and abs(float(value)) >= 10_000
    return common.short_money(value, currency) if large else common.money(value, currency, decimals=2)


tiles = st.columns(4)
tiles[0].metric("Billed cost", tile(totals["billed_cost"]),
                help=f"Sum of BilledCost: what the invoices say ({common.money(totals['billed_cost'], currency, decimals=2)}).")
tiles[1].metric("Effective cost", tile(totals["effective_cost"]),
                help="Sum of EffectiveCost: amortised, after discounts and commitments "
                     f"({common.money(totals['effective_cost'], currency, decimals=2)}).")
tiles[2].metric("Savings vs list", tile(totals["savings"]),
                help=f"ListCost − EffectiveCost over every charge ({common.money(totals['savings'], currency, decimals=2)}).")
tiles[3].metric("Commitment-discount savings", tile(totals["commitment_savings"]),
                help="ListCost − EffectiveCost on charges covered by a commitment (savings plan, reservation): "
                     f"{common.money(totals['commitment_savings'], currency, decimals=2)}.")
if totals["rows_fx_missing"]:
    st.warning(f"{totals['rows_fx_missing']:,} charges have no fx rate for their month into {currency}: "
               "they are left out of the totals. Import the missing rates (dataset fx).")

by = common.cached(cloud.cost_by, dimension=dimension, start=start, end=end)
top = by.head(15)
chart = px.bar(top.iloc[::-1], x="billed_cost", y=dimension, orientation="h",
               labels={"billed_cost": f"Billed cost ({currency})", dimension: ""},
               color_discrete_sequence=[common.COLORS["actual"]])
chart.update_layout(height=max(260, 28 * len(top) + 80), margin={"l": 10, "r": 10, "t": 30, "b": 10},
                    title=f"Billed cost by {dimension} (top {len(top)})")
st.plotly_chart(chart, key="cloud_chart")
if not by["is_fx_missing"].any():
    by = by.drop(columns="is_fx_missing")
common.table(by, "cloud_by_table", currency=currency, download=f"cloud-cost-by-{dimension.replace(' ', '-')}")

st.subheader("Month by month")
trend = common.cached(cloud.monthly, dimension="provider", start=start, end=end)
line = px.bar(trend, x="period", y="billed_cost", color="provider",
              labels={"billed_cost": f"Billed cost ({currency})", "period": "", "provider": "Provider"})
line.update_layout(height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10})
line.update_xaxes(type="category")
st.plotly_chart(line, key="cloud_trend")

st.subheader("Commitment discounts")
commitments = common.cached(cloud.commitment_savings, start=start, end=end)
if commitments.empty:
    st.caption("No charge in these months is covered by a commitment discount.")
else:
    common.table(commitments, "cloud_commit_table", currency=currency, download="cloud-commitment-savings")
