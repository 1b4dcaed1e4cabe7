"""Why a cost center is over or under budget: the categories and vendors behind its variance,
and for foreign-currency spend how much of a month's change comes from the fx rate.

Variance is actual - budget over the year to date (closed months), as in analytics.budget.
Vendor contributions: budgets are not set per vendor, so a vendor's part of a category's
variance is its spend above its own earlier level since the month the category went (and
stayed) over or under budget ("since May"); when the category was off from the year's first
month, the variance is shared among vendors in proportion to their spend.
"""
from __future__ import annotations

import pandas as pd

from analytics import budget, settings

def drivers(con, *, year: int, version: str | None = None, cost_center: str | None = None,
            max_categories: int = 3, max_vendors: int = 2, coverage: float = 0.8,
            through: str | None = None) -> pd.DataFrame:
    """One row per driver: cost_center, category, vendor ('' for the category row), variance
    (the category's, or the vendor's contribution), since (YYYY-MM or ''), cost_center_variance."""
    win = budget.window(con, year=year, through=through)
    columns = ["cost_center", "category", "vendor", "variance", "since", "cost_center_variance"]
    if not win.ytd_months:
        return pd.DataFrame(columns=columns)
    cells = budget.budget_vs_actual(con, year=year, by=("cost_center", "category", "period"), version=version,
                                    cost_center=cost_center, totals=False, through=through)
    cells["period"] = pd.to_datetime(cells["period"]).dt.date
    closed = cells[cells["period"] <= win.closed_through]
    closed = closed.assign(variance=closed["actual_ytd"] - closed["budget_ytd"])
    vendors = budget.budget_vs_actual(con, year=year, by=("cost_center", "category", "vendor", "period"),
                                      cost_center=cost_center, totals=False, through=through)
    vendors = vendors.rename(columns={"actual_ytd": "actual"})
    vendors["period"] = pd.to_datetime(vendors["period"]).dt.date
    by_cell = {key: part for key, part in vendors[["cost_center", "category", "vendor", "period", "actual"]]
               .groupby(["cost_center", "category"], sort=False)}
    empty = vendors.iloc[0:0]
    rows = []
    for center, part in closed.groupby("cost_center", sort=True):
        center_variance = float(part["variance"].sum())
        if abs(center_variance) < 0.005:
            continue
        by_category = part.groupby("category")["variance"].sum()
        same_sign = by_category[by_category * center_variance > 0].abs().sort_values(ascending=False)
        covered = 0.0
        for category in same_sign.index[:max_categories]:
            category_variance = float(by_category[category])
            months = part[part["category"] == category].set_index("period")["variance"].reindex(
                list(win.months[:win.ytd_months]), fill_value=0.0)
            since = _since(months, category_variance)
            rows.append([center, category, "", category_variance, since.strftime("%Y-%m") if since else "",
                         center_variance])
            spend = by_cell.get((center, category), empty)
            for vendor, amount in _vendor_contributions(spend, category_variance, since, win)[:max_vendors]:
                rows.append([center, category, vendor, amount, since.strftime("%Y-%m") if since else "",
                             center_variance])
            covered += abs(category_variance)
            if covered >= coverage * abs(center_variance):
                break
    frame = pd.DataFrame(rows, columns=columns)
    order = frame.groupby("cost_center")["cost_center_variance"].transform(lambda s: -abs(s.iloc[0]))
    return frame.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def _since(months: pd.Series, total: float):
    """First month of the run of same-sign monthly variances that ends at the last closed month,
    or None when that run starts at the year's first month."""
    start = None
    for period, value in reversed(list(months.items())):
        if value * total > 0:
            start = period
        else:
            break
    if start is None or start == months.index[0]:
        return None
    return start


def _vendor_contributions(spend: pd.DataFrame, variance: float, since, win) -> list[tuple[str, float]]:
    """(vendor, contribution) with the same sign as `variance`, largest first."""
    out = []
    if since is None:
        total = spend["actual"].sum()
        if total:
            for vendor, amount in spend.groupby("vendor")["actual"].sum().items():
                out.append((vendor, float(amount / total * variance)))
    else:
        before_months = win.months.index(since)
        after_months = win.ytd_months - before_months
        for vendor, part in spend.groupby("vendor"):
            before = part.loc[part["period"] < since, "actual"].sum() / before_months
            after = part.loc[part["period"] >= since, "actual"].sum()
            out.append((vendor, float(after - before * after_months)))
    # never say a vendor explains more than the whole variance
    out = [(v, a if abs(a) <= abs(variance) else variance) for v, a in out if a * variance > 0]
    return sorted(out, key=lambda item: -abs(item[1]))


def _k(value: float, currency: str) -> str:
    value = abs(value)
    if value >= 1e6:
        return f"{value / 1e6:,.2f}M {currency}"
    if value >= 1e3:
        return f"{value / 1e3:,.1f}k {currency}"
    return f"{value:,.0f} {currency}"


def sentences(frame: pd.DataFrame, currency: str) -> list[str]:
    """Plain sentences for a drivers() frame, one per category driver:
    'Cloud Services in Infrastructure is 42.0k EUR over budget, 30.0k EUR of it from AWS since May 2026.'"""
    out = []
    for (center, category), part in frame.groupby(["cost_center", "category"], sort=False):
        head = part[part["vendor"] == ""].iloc[0]
        side = "over" if head["variance"] > 0 else "under"
        text = f"{category} in {center} is {_k(head['variance'], currency)} {side} budget"
        vendors = part[part["vendor"] != ""]
        if len(vendors):
            named = " and ".join(f"{_k(r.variance, currency)} from {r.vendor}" for r in vendors.itertuples())
            text += ", " + named.replace(" from ", " of it from ", 1)
        if head["since"]:
            text += f" since {pd.Timestamp(head['since'] + '-01'):%b %Y}"
        out.append(text + ".")
    return out


FX_VOLUME_SQL = """
with
lines as (
    select cost_center, currency,
        coalesce(sum(amount) filter (where period = $previous), 0) as amount_previous,
        coalesce(sum(amount) filter (where period = $current), 0) as amount_current
    from spend_rc
    where currency <> $reporting and date between $first and $last {where}
    group by all
),
final as (
    select l.*, p.rate as rate_previous, c.rate as rate_current
    from lines l
    left join fx_rc p on p.currency = l.currency and p.period = $previous
    left join fx_rc c on c.currency = l.currency and c.period = $current
)
select * from final order by cost_center, currency
"""


def fx_volume(con, *, year: int, period: str | None = None, cost_center: str | None = None) -> pd.DataFrame:
    """One row per cost center x foreign currency: the change in spend (reporting currency) from the
    month before `period` (default: the last closed month) to `period`, split exactly into
    volume_effect = (amount_current - amount_previous) x rate_previous and
    fx_effect = amount_current x (rate_current - rate_previous). Rows missing a rate have NaN effects."""
    win = budget.window(con, year=year)
    if period is None:
        if win.closed_through is None:
            return pd.DataFrame(columns=["cost_center", "currency", "amount_previous", "amount_current",
                                         "rate_previous", "rate_current", "change", "volume_effect", "fx_effect"])
        current = win.closed_through
    else:
        current = pd.Timestamp(period + "-01").date()
    previous = (pd.Timestamp(current) - pd.DateOffset(months=1)).date()
    last = (pd.Timestamp(current) + pd.DateOffset(months=1) - pd.Timedelta(days=1)).date()
    where, params = budget.where_clause({"cost_center": cost_center}, budget.SPEND_DIMS, "s")
    params.update({"reporting": settings.get(con, "reporting_currency"), "first": previous, "last": last,
                   "previous": previous, "current": current})
    frame = con.execute(FX_VOLUME_SQL.format(where=where), params).df()
    frame["volume_effect"] = (frame["amount_current"] - frame["amount_previous"]) * frame["rate_previous"]
    frame["fx_effect"] = frame["amount_current"] * (frame["rate_current"] - frame["rate_previous"])
    frame["change"] = frame["volume_effect"] + frame["fx_effect"]
    frame.insert(0, "period", current.strftime("%Y-%m"))
    return frame


def fx_sentences(frame: pd.DataFrame, currency: str) -> list[str]:
    """'Applications: EUR spend rose 1.2k USD from May to Jun 2025: 0.1k from volume, 1.1k from the EUR rate.'"""
    out = []
    for r in frame.dropna(subset=["change"]).itertuples():
        if abs(r.change) < 0.5:
            continue
        current = pd.Timestamp(r.period + "-01")
        previous = current - pd.DateOffset(months=1)
        verb = "rose" if r.change > 0 else "fell"
        out.append(f"{r.cost_center}: {r.currency} spend {verb} {_k(r.change, currency)} from {previous:%b} to "
                   f"{current:%b %Y}: {_signed(r.volume_effect, currency)} from volume, "
                   f"{_signed(r.fx_effect, currency)} from the {r.currency} rate "
                   f"({r.rate_previous:.4f} → {r.rate_current:.4f}).")
    return out


def _signed(value: float, currency: str) -> str:
    return ("+" if value >= 0 else "−") + _k(value, currency)
