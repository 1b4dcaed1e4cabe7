"""Why a cost center is over or under budget: the categories and vendors behind its variance,
and for foreign-currency spend how much of a month's change comes from the fx rate.

Variance is actual - budget over the year to date (closed months), as in analytics.budget.
Vendor contributions: budgets are not set per vendor, so a vendor's part of a category's
variance is its spend above its own earlier level since the month the category went (and
stayed) over or under budget ("since May"); when the category was off from the year's first
month, the variance is shared among vendors in proportion to their spend.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from babel.lists import format_list

from analytics import calendar, i18n
from analytics import budget, settings

DRIVERS_SQL = """
-- grain: one 'cell' row per cost center x category x closed month (actual and budget YTD) and one 'vendor' row per
-- cost center x category x vendor x closed month (actual YTD), from one pass over the spend: the same shared
-- steps as budget_vs_actual_rc (spend_month_rc: 010_books.sql, budget_in_force: 019_one_conversion.sql), summed exactly in DECIMAL
with
spent as (
    select key1 as cost_center, key2 as category, key3 as vendor, period, amount_ytd * rate as amount
    from spend_month_rc('cost_center', 'category', 'vendor', 'total', $first, $ytd_last, $ytd_last,
                        $cost_center, null, null, null)
),
by_vendor as (
    select cost_center, category, vendor, period, coalesce(sum(amount), 0) as actual_ytd
    from spent
    group by all
),
cell_actual as (
    select cost_center, category, period, sum(amount) as actual_ytd from spent group by all
),
cell_plan as (
    select cost_center, category, period, sum(amount_rc) as budget_ytd
    from budget_in_force($version)
    where period between $first and $ytd_last and ($cost_center is null or cost_center = $cost_center)
    group by all
),
cells as (
    select coalesce(a.cost_center, p.cost_center) as cost_center, coalesce(a.category, p.category) as category,
        coalesce(a.period, p.period) as period, coalesce(a.actual_ytd, 0) as actual_ytd,
        coalesce(p.budget_ytd, 0) as budget_ytd
    from cell_actual a
    full outer join cell_plan p on a.cost_center is not distinct from p.cost_center
        and a.category is not distinct from p.category and a.period = p.period
),
final as (
    select 'cell' as kind, cost_center, category, cast(null as varchar) as vendor, period, actual_ytd, budget_ytd
    from cells
    union all
    select 'vendor', cost_center, category, vendor, period, actual_ytd, null from by_vendor
)
select * from final
order by kind, cost_center nulls last, category nulls last, vendor nulls last, period
"""


def drivers(con, *, year: int, version: str | None = None, cost_center: str | None = None,
            max_categories: int = 3, max_vendors: int = 2, coverage: float = 0.8,
            through: str | None = None) -> pd.DataFrame:
    """One row per driver: cost_center, category, vendor ('' for the category row), variance
    (the category's, or the vendor's contribution), since (YYYY-MM or ''), cost_center_variance."""
    win = calendar.window(con, year=year, through=through)
    columns = ["cost_center", "category", "vendor", "variance", "since", "cost_center_variance"]
    if not win.ytd_months:
        return pd.DataFrame(columns=columns)
    months = list(win.months[:win.ytd_months])
    params = {"first": win.first, "ytd_last": win.ytd_last_day, "cost_center": cost_center or None,
              "version": version or budget.default_version(con)}
    long = con.execute(DRIVERS_SQL, params).df()
    cells, vendors = long[long["kind"] == "cell"], long[long["kind"] == "vendor"]
    variance_by_month = _monthly(cells, months, ("cost_center", "category"), cells["actual_ytd"] - cells["budget_ytd"])
    spend_by_month = _monthly(vendors, months, ("cost_center", "category", "vendor"), vendors["actual_ytd"])
    rows = []
    for center in sorted({center for center, _ in variance_by_month}):
        by_category = {cat: sum(v) for (cc, cat), v in variance_by_month.items() if cc == center}
        center_variance = sum(by_category.values())
        if abs(center_variance) < 0.005:
            continue
        same_sign = sorted((c for c, v in by_category.items() if v * center_variance > 0),
                           key=lambda c: -abs(by_category[c]))
        covered = 0.0
        for category in same_sign[:max_categories]:
            category_variance = by_category[category]
            since = _since(variance_by_month[(center, category)], category_variance)
            label = months[since].strftime("%Y-%m") if since else ""
            rows.append([center, category, "", category_variance, label, center_variance])
            spend = {v: series for (cc, cat, v), series in spend_by_month.items() if (cc, cat) == (center, category)}
            for vendor, amount in _vendor_contributions(spend, category_variance, since)[:max_vendors]:
                rows.append([center, category, vendor, amount, label, center_variance])
            covered += abs(category_variance)
            if covered >= coverage * abs(center_variance):
                break
    frame = pd.DataFrame(rows, columns=columns)
    order = frame.groupby("cost_center")["cost_center_variance"].transform(lambda s: -abs(s.iloc[0]))
    return frame.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def _monthly(frame: pd.DataFrame, months: list, keys: tuple[str, ...], values: pd.Series) -> dict[tuple, list[float]]:
    """{key: [value per closed month]} from rows with a `period` column (keys in the order the rows first name them).
    Months are matched as numpy days (turning each row's period into a Python date cost ~4 ms a call)."""
    month_days = np.array(months, dtype="datetime64[D]")
    periods = frame["period"].to_numpy().astype("datetime64[D]")
    position = np.searchsorted(month_days, periods)
    inside = position < len(month_days)
    inside[inside] = month_days[position[inside]] == periods[inside]
    out: dict[tuple, list[float]] = {}
    for key, i, value, found in zip(zip(*(frame[k].tolist() for k in keys)), position.tolist(), values.tolist(),
                                    inside.tolist()):
        if found:
            out.setdefault(key, [0.0] * len(months))[i] += float(value)
    return out


def _since(series: list[float], total: float) -> int | None:
    """Index of the first month of the run of same-sign monthly variances that ends at the last
    closed month, or None when that run starts at the year's first month."""
    start = None
    for i in range(len(series) - 1, -1, -1):
        if series[i] * total > 0:
            start = i
        else:
            break
    return start or None


def _vendor_contributions(spend: dict[str, list[float]], variance: float, since: int | None) -> list[tuple[str, float]]:
    """(vendor, contribution) with the same sign as `variance`, largest first."""
    out = []
    if since is None:
        total = sum(sum(series) for series in spend.values())
        if total:
            out = [(vendor, sum(series) / total * variance) for vendor, series in spend.items()]
    else:
        after_months = len(next(iter(spend.values()), [])) - since
        for vendor, series in spend.items():
            before = sum(series[:since]) / since
            out.append((vendor, sum(series[since:]) - before * after_months))
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


# a category driver's sentence: (over budget?, vendors named?, since a month?) -> whole message
DRIVER_SENTENCES = {
    (True, False, False): i18n.N_("{category} in {center} is {amount} over budget."),
    (False, False, False): i18n.N_("{category} in {center} is {amount} under budget."),
    (True, True, False): i18n.N_("{category} in {center} is {amount} over budget, of which {vendors}."),
    (False, True, False): i18n.N_("{category} in {center} is {amount} under budget, of which {vendors}."),
    (True, False, True): i18n.N_("{category} in {center} is {amount} over budget since {month}."),
    (False, False, True): i18n.N_("{category} in {center} is {amount} under budget since {month}."),
    (True, True, True): i18n.N_("{category} in {center} is {amount} over budget, of which {vendors}, since "
                                "{month}."),
    (False, True, True): i18n.N_("{category} in {center} is {amount} under budget, of which {vendors}, since "
                                 "{month}."),
}


def _whole(value: float, currency: str) -> str:
    return i18n.money(abs(float(value)), currency, decimals=0)


def sentences(frame: pd.DataFrame, currency: str) -> list[str]:
    """Plain sentences for a drivers() frame, one per category driver, in the current language (made when asked:
    the page or pack sets the language):
    'Cloud Services in Infrastructure is 42.0k EUR over budget, 30.0k EUR of it from AWS since May 2026.'
    (English keeps its short amounts; the other languages name the vendors with their parts in a list)."""
    if i18n.current() == i18n.DEFAULT:
        return _english_sentences(frame, currency)
    out = []
    for (center, category), part in frame.groupby(["cost_center", "category"], sort=False):
        head = part[part["vendor"] == ""].iloc[0]
        vendors = part[part["vendor"] != ""]
        named = format_list([i18n.t("{vendor} ({amount})", vendor=r.vendor, amount=_whole(r.variance, currency))
                             for r in vendors.itertuples()], locale=i18n.locale()) if len(vendors) else ""
        since = i18n.month(head["since"] + "-01") if head["since"] else ""
        message = DRIVER_SENTENCES[bool(head["variance"] > 0), bool(len(vendors)), bool(since)]
        out.append(i18n.t(message, category=category, center=center, amount=_whole(head["variance"], currency),
                          vendors=named, month=since))
    return out


def _english_sentences(frame: pd.DataFrame, currency: str) -> list[str]:
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
    -- original-currency amounts from the raw table: the rates are joined once per row below
    select cost_center, currency,
        coalesce(sum(amount) filter (where date_trunc('month', date) = $previous), 0) as amount_previous,
        coalesce(sum(amount) filter (where date_trunc('month', date) = $current), 0) as amount_current
    from spend
    where currency <> $reporting and date between $first and $last
        and ($cost_center is null or cost_center = $cost_center)
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
    win = calendar.window(con, year=year)
    if period is None:
        if win.closed_through is None:
            return pd.DataFrame(columns=["cost_center", "currency", "amount_previous", "amount_current",
                                         "rate_previous", "rate_current", "change", "volume_effect", "fx_effect"])
        current = win.closed_through
    else:
        current = pd.Timestamp(period + "-01").date()
    previous = (pd.Timestamp(current) - pd.DateOffset(months=1)).date()
    last = (pd.Timestamp(current) + pd.DateOffset(months=1) - pd.Timedelta(days=1)).date()
    params = {"reporting": settings.get(con, "reporting_currency"), "first": previous, "last": last,
              "previous": previous, "current": current, "cost_center": cost_center or None}
    frame = con.execute(FX_VOLUME_SQL, params).df()
    frame["volume_effect"] = (frame["amount_current"] - frame["amount_previous"]) * frame["rate_previous"]
    frame["fx_effect"] = frame["amount_current"] * (frame["rate_current"] - frame["rate_previous"])
    frame["change"] = frame["volume_effect"] + frame["fx_effect"]
    frame.insert(0, "period", current.strftime("%Y-%m"))
    return frame


FX_SENTENCES = {True: i18n.N_("{center}: {currency} spend rose {change} from {previous} to {month}: {volume} from "
                               "volume, {fx} from the {currency} rate ({rate_previous} → {rate_current})."),
                False: i18n.N_("{center}: {currency} spend fell {change} from {previous} to {month}: {volume} from "
                               "volume, {fx} from the {currency} rate ({rate_previous} → {rate_current}).")}


def fx_sentences(frame: pd.DataFrame, currency: str) -> list[str]:
    """'Applications: EUR spend rose 1.2k USD from May to Jun 2025: 0.1k from volume, 1.1k from the EUR rate.'
    in the current language (English keeps its short amounts)."""
    if i18n.current() == i18n.DEFAULT:
        return _english_fx_sentences(frame, currency)
    out = []
    for r in frame.dropna(subset=["change"]).itertuples():
        if abs(r.change) < 0.5:
            continue
        current = pd.Timestamp(r.period + "-01")
        previous = current - pd.DateOffset(months=1)
        out.append(i18n.t(FX_SENTENCES[bool(r.change > 0)], center=r.cost_center, currency=r.currency,
                          change=_whole(r.change, currency), previous=i18n.month(previous),
                          month=i18n.month(current),
                          volume=("+" if r.volume_effect >= 0 else "−") + _whole(r.volume_effect, currency),
                          fx=("+" if r.fx_effect >= 0 else "−") + _whole(r.fx_effect, currency),
                          rate_previous=i18n.number(r.rate_previous, 4), rate_current=i18n.number(r.rate_current, 4)))
    return out


def _english_fx_sentences(frame: pd.DataFrame, currency: str) -> list[str]:
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


# floors for the bench: plain SQL over the raw tables. The drivers are picked from two aggregates, the variance by
# cost center x category x closed month and the spend by cost center x category x vendor x closed month; the floor
# computes both and rolls them up to the cost-center variance every driver row carries.
FLOOR_DRIVERS = """
with
actual as (
    select s.cost_center, s.category, s.vendor, date_trunc('month', s.date) as period,
        sum(cast(s.amount as decimal(38, 4)) * r.rate) as actual
    from spend s join fx_rc r on r.currency = s.currency and r.period = date_trunc('month', s.date)
    where s.date between $first and $ytd_last
    group by all
),
plan as (
    select b.cost_center, b.category, b.period, sum(cast(b.amount as decimal(38, 4)) * r.rate) as budget
    from budget b join fx_rc r on r.currency = b.currency and r.period = b.period
    where b.version = $version and b.period between $first and $ytd_last
    group by all
),
final as (
    select cost_center, sum(amount) as cost_center_variance
    from (select cost_center, actual as amount from actual union all select cost_center, -budget from plan)
    group by all
)
select * from final where abs(cost_center_variance) >= 0.005
"""
FLOOR_FX_VOLUME = """
with
lines as (
    select s.cost_center, s.currency,
        coalesce(sum(s.amount) filter (where s.date < $current), 0) as amount_previous,
        coalesce(sum(s.amount) filter (where s.date >= $current), 0) as amount_current
    from spend s
    where s.currency <> $reporting and s.date between $previous and $last
    group by all
)
select l.cost_center, l.currency, l.amount_previous, l.amount_current,
    l.amount_current * c.rate - l.amount_previous * p.rate as change
from lines l
left join fx_rc p on p.currency = l.currency and p.period = $previous
left join fx_rc c on c.currency = l.currency and c.period = $current
"""


def bench_cases(con) -> list[tuple]:
    """The Budget page's variance explanations, for `python -m analytics bench`, with their plain-SQL floors."""
    from analytics.bench import Floor
    year = calendar.current_year(con)
    win = calendar.window(con, year=year)
    current = win.closed_through or win.first
    params = {"first": win.first, "ytd_last": win.ytd_last_day, "version": budget.default_version(con),
              "reporting": settings.get(con, "reporting_currency"), "current": current,
              "previous": (pd.Timestamp(current) - pd.DateOffset(months=1)).date(),
              "last": (pd.Timestamp(current) + pd.DateOffset(months=1) - pd.Timedelta(days=1)).date()}
    return [("budget.variance_drivers", lambda: drivers(con, year=year), Floor(FLOOR_DRIVERS, params)),
            ("budget.fx_volume", lambda: fx_volume(con, year=year), Floor(FLOOR_FX_VOLUME, params))]
