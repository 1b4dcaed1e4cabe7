"""The demo's smaller datasets as canonical frames: contracts, fx, budget, SLA measurements, licences.

Each function returns a pandas frame with the dataset's canonical columns (typed values;
load.py turns them into the text an import file would hold).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics.demo import catalog, terms
from analytics.demo.spend import SPLIT_WEIGHTS, Horizon, month_index, month_start, stream_expected
from analytics.fiscal import bounds



def contracts_frame(contracts: list[terms.DemoContract]) -> pd.DataFrame:
    rows = []
    for c in contracts:
        rows.append({
            "contract_id": c.contract_id, "vendor": c.spec.vendor, "service": c.spec.service,
            "start_date": c.start, "end_date": c.end, "annual_value": f"{c.spec.annual_value:.2f}",
            "currency": c.spec.currency, "auto_renew": c.kind == "auto",
            "renewal_term_months": c.renewal_months, "notice_days": c.notice_days,
            "billing_frequency": c.spec.billing, "owner": c.owner,
            "sla_availability_pct": c.sla_availability_pct, "sla_response_hours": c.sla_response_hours,
            "sla_resolution_hours": c.sla_resolution_hours, "service_credit_pct": c.service_credit_pct,
            "service_credit_cap_pct": c.service_credit_cap_pct,
        })
    return pd.DataFrame(rows)


def fx_rates(rng: np.random.Generator, horizon: Horizon) -> dict[tuple[int, str], float]:
    """USD per unit of each currency, monthly from the first demo month to the end of the budget.

    A random walk up to the as-of month; later months carry the as-of month's rate (the
    planning rate). USD itself is listed at 1 so another reporting currency works too.
    """
    rates = {}
    last_actual = month_index(horizon.as_of)
    months = horizon.months(horizon.budget_end)
    for currency in catalog.CURRENCIES:
        level = catalog.FX_START.get(currency, 1.0)
        for m in months:
            if currency != "USD" and m <= last_actual and m != months[0]:
                level *= float(np.exp(rng.normal(0.0005, 0.014)))
            rates[(int(m), currency)] = round(level, 6)
    return rates


def fx_frame(rates: dict[tuple[int, str], float]) -> pd.DataFrame:
    rows = [{"period": month_start(m), "currency": c, "rate_to_base": f"{r:.6f}"} for (m, c), r in sorted(rates.items())]
    return pd.DataFrame(rows)


def sla_measurements(rng: np.random.Generator, contracts: list[terms.DemoContract], horizon: Horizon) -> pd.DataFrame:
    """Monthly measurements per SLA metric, as the vendors report them (about 5% of months short of
    target, 22% for terms.POOR_VENDORS)."""
    rows = []
    last = month_index(horizon.as_of) - 1  # the as-of month is not measured yet
    for c in contracts:
        metrics = [(name, target) for name, target in (("availability", c.sla_availability_pct),
                                                       ("response", c.sla_response_hours),
                                                       ("resolution", c.sla_resolution_hours)) if target is not None]
        if not metrics:
            continue
        breach_rate = 0.22 if c.spec.vendor in terms.POOR_VENDORS else 0.05
        first = max(month_index(c.start), month_index(horizon.first))
        end = min(last, month_index(c.active_until(horizon.as_of)))
        for m in range(first, end + 1):
            for name, target in metrics:
                breach = rng.random() < breach_rate
                actual = _sla_actual(rng, name, target, breach)
                rows.append({"period": month_start(m), "contract_id": c.contract_id, "metric": name,
                             "target": target, "actual": actual})
    return pd.DataFrame(rows)


def _sla_actual(rng, metric: str, target: float, breach: bool) -> float:
    if metric == "availability":
        if breach:
            return round(target - float(rng.uniform(0.02, 0.6)), 3)
        return round(min(100.0, target + float(rng.uniform(0.0, 100.0 - target))), 3)
    factor = rng.uniform(1.08, 2.2) if breach else rng.uniform(0.25, 0.95)
    return round(target * float(factor), 2)


def licenses_frame(rng: np.random.Generator, contracts: list[terms.DemoContract], horizon: Horizon) -> pd.DataFrame:
    """Monthly seat counts for the last twelve months, for each licence whose contract runs."""
    by_service = {c.spec.service: c for c in contracts}
    last = month_index(horizon.as_of)
    rows = []
    for product, service, seats, unit_cost, assigned_share, active_share in catalog.LICENSES:
        c = by_service[service]
        for m in range(last - 11, last + 1):
            if month_start(m) < dt.date(c.start.year, c.start.month, 1):
                continue
            assigned = min(seats, int(round(seats * assigned_share * rng.uniform(0.97, 1.02))))
            active = min(assigned, int(round(assigned * active_share * rng.uniform(0.96, 1.03))))
            rows.append({"product": product, "vendor": c.spec.vendor, "seats_purchased": seats,
                         "seats_assigned": assigned, "seats_active": active, "unit_cost": f"{unit_cost:.2f}",
                         "currency": c.spec.currency, "contract_id": c.contract_id, "period": month_start(m)})
    return pd.DataFrame(rows)


def budget_frame(rng: np.random.Generator, contracts: list[terms.DemoContract], horizon: Horizon,
                 rates: dict[tuple[int, str], float], scale: float) -> pd.DataFrame:
    """Monthly USD budgets per cost center x category (x project) for four fiscal years.

    The plan is the generator's own expectation (streams and contract billing schedules at the
    fiscal year's planning rate) with a bias per line and year, so some lines overspend.
    Version `original` for every year; `reforecast-1` for about a third of the current year's lines.
    """
    expected = _expected_usd(contracts, horizon, rates, scale)
    fy = horizon.fiscal_year
    rows = []
    for (cc, category, project), by_month in sorted(expected.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")):
        reforecast = project is None and rng.random() < 0.35
        for year in range(fy - 2, fy + 2):
            bias = float(rng.normal(0.03, 0.08))
            start = month_index(bounds(year, horizon.fy_start)[0])
            for m in range(start, start + 12):
                value = by_month.get(m, 0.0)
                if value <= 0:
                    continue
                rows.append(_budget_row(m, cc, category, project, value * (1 + bias), "original"))
                if reforecast and year == fy:
                    rows.append(_budget_row(m, cc, category, project, value * (1 + float(rng.normal(0.0, 0.025))),
                                            "reforecast-1"))
    return pd.DataFrame(rows)


def _budget_row(m, cc, category, project, value, version):
    step = 100 if value >= 10000 else 10
    amount = max(step, round(value / step) * step)
    return {"period": month_start(m), "cost_center": cc, "category": category, "amount": f"{amount:.2f}",
            "currency": "USD", "version": version, "project": project}


def _expected_usd(contracts, horizon: Horizon, rates, scale: float) -> dict:
    """{(cost center, category, project): {month index: expected USD}} over the budget years."""
    def planning_rate(currency: str, m: int) -> float:
        fy_first = month_index(bounds(_fy_of(m, horizon.fy_start), horizon.fy_start)[0])
        return rates[(min(fy_first, month_index(horizon.as_of)), currency)]

    out: dict = {}
    months = horizon.months(horizon.budget_end)
    for stream in catalog.STREAMS:
        values = stream_expected(stream, horizon, months) * scale
        line = out.setdefault((stream.cost_center, stream.category, stream.project), {})
        for m, v in zip(months.tolist(), values.tolist()):
            if v > 0:
                line[m] = line.get(m, 0.0) + v * planning_rate(stream.currency, m)
    for c in contracts:
        shares = list(zip((c.spec.cost_center, *c.spec.split), SPLIT_WEIGHTS[len(c.spec.split)]))
        for date, amount, _ in terms.billing_events(c, horizon.first, horizon.budget_end, planted=False):
            m = month_index(date)
            for cc, share in shares:
                line = out.setdefault((cc, c.spec.category, None), {})
                line[m] = line.get(m, 0.0) + amount * share * planning_rate(c.spec.currency, m)
    return out


def _fy_of(m: int, fy_start: int) -> int:
    year, month = m // 12, m % 12 + 1
    return year if fy_start == 1 else year + (month >= fy_start)
