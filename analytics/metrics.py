"""The metric catalog: every figure Outlay shows, declared once with its definition, grain, dimensions
and filters. Pages, report packs, the CLI (`metric`) and the HTTP API read figures through evaluate();
none re-derives one. The period rules come from analytics.calendar (closed books, forecast cut-off).

A metric's compute function returns one row per value of the requested dimension (or one row when no
dimension is asked) with a `value` column. For additive metrics the rows add up to the total exactly.
docs/metrics.md is generated from this catalog (`python -m analytics metric --list --markdown`).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from analytics import audit, budget, calendar, contracts, fiscal, i18n, settings, showback, sla
from analytics.forecast import yearend

DIMENSION_LABELS = {"cost_center": "cost center", "category": "category", "vendor": "vendor", "month": "month",
                    "rule": "audit rule", "business_unit": "business unit", "service": "service"}
FILTERS = ("cost_center", "category", "vendor")


class MetricError(ValueError):
    """A metric, dimension or filter the catalog does not offer."""


@dataclass(frozen=True)
class Query:
    """What a caller asks: fiscal year, one dimension to break down by (or None), filters, look-ahead."""
    fy: int
    by: str | None = None
    cost_center: str | None = None
    category: str | None = None
    vendor: str | None = None
    within: int = 90
    version: str | None = None

    @property
    def filters(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in FILTERS if getattr(self, k) not in (None, "")}


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str  # money (reporting currency), count or ratio (0..1)
    definition: str
    grain: str
    dimensions: tuple[str, ...]
    filters: tuple[str, ...]
    compute: Callable[..., pd.DataFrame] = field(repr=False)
    additive: bool = True  # rows add up to the total
    widen: bool = True  # under a filter it does not take, a page may show it company-wide (saying so)


@dataclass(frozen=True)
class Result:
    metric: str
    fy: int
    unit: str
    currency: str | None
    value: float | None
    rows: list[dict]
    by: str | None = None

    def as_json(self) -> dict:
        return {"metric": self.metric, "fy": self.fy, "unit": self.unit, "currency": self.currency,
                "value": self.value, "rows": self.rows}


# --- budget vs actual (analytics.budget.budget_vs_actual: YTD = the closed months) --------------------------
BUDGET_DIMS = {"cost_center": "cost_center", "category": "category", "vendor": "vendor", "month": "period"}


def _bva(column: str):
    def compute(con, q: Query) -> pd.DataFrame:
        dim = BUDGET_DIMS[q.by] if q.by else None
        frame = budget.budget_vs_actual(con, year=q.fy, by=(dim,) if dim else (), version=q.version,
                                        totals=False, **q.filters)
        # built from the two columns (selecting and renaming a frame cost ~1 ms a tile, six tiles an Overview)
        out = pd.DataFrame({"value": frame[column].to_numpy()})
        if dim:
            keys = frame[dim]
            out.insert(0, q.by, pd.to_datetime(keys).dt.strftime("%Y-%m").to_numpy() if q.by == "month"
                       else keys.to_numpy())
        return out
    return compute


def _budget_only(column: str):
    inner = _bva(column)

    def compute(con, q: Query) -> pd.DataFrame:
        if q.vendor or q.by == "vendor":
            raise MetricError("budgets are set per cost center and category, not per vendor")
        return inner(con, q)
    return compute


# --- year-end landing (analytics.forecast.yearend.landing; levels reconciled to the total) -------------------
def _landing(column: str):
    def compute(con, q: Query) -> pd.DataFrame:
        chosen = q.filters
        if len(chosen) > 1:
            raise MetricError("the forecast is made per cost center, category or vendor: filter by one of them")
        if chosen and q.by:
            raise MetricError("the forecast cannot be broken down within a filtered cost center, category or vendor")
        level = q.by or (next(iter(chosen)) if chosen else "total")
        frame = yearend.landing(con, fiscal_year=q.fy, level=level, budget_version=q.version)
        if chosen:
            frame = frame[frame["key"] == chosen[level]]
        out = frame[["key", column]].rename(columns={"key": q.by or "key", column: "value"})
        return out if q.by else out[["value"]]
    return compute


# --- contracts, SLAs, audit ------------------------------------------------------------------------------
def _cancel_by_due(con, q: Query) -> pd.DataFrame:
    due = contracts.cancel_by_due(con, within_days=q.within, vendor=q.vendor)
    if q.by == "vendor":
        return due.groupby("vendor", as_index=False).size().rename(columns={"size": "value"})
    return pd.DataFrame({"value": [len(due)]})


def _sla_period(con, fy: int) -> tuple[dt.date, dt.date] | None:
    win = calendar.window(con, year=fy)
    return None if win.closed_through is None else (win.first, win.ytd_last_day)


def _sla_attainment(con, q: Query) -> pd.DataFrame:
    period = _sla_period(con, q.fy)
    value = None if period is None else sla.attainment(con, start=period[0], end=period[1], vendor=q.vendor)
    return pd.DataFrame({"value": [value]})


def _credits_outstanding(con, q: Query) -> pd.DataFrame:
    period = _sla_period(con, q.fy)
    value = 0.0 if period is None else sla.credits_outstanding(con, start=period[0], end=period[1], vendor=q.vendor)
    return pd.DataFrame({"value": [value]})


def _audit_at_stake(con, q: Query) -> pd.DataFrame:
    frame = audit.at_stake(con, by=q.by, vendor=q.vendor)
    return frame[[q.by, "at_stake"]].rename(columns={"at_stake": "value"}) if q.by else \
        frame[["at_stake"]].rename(columns={"at_stake": "value"})


# --- showback (analytics.showback: the stored allocation rules over the closed months) ------------------------
def _allocated_cost(con, q: Query) -> pd.DataFrame:
    alloc = showback.allocation(con, fy=q.fy)
    if q.by is None:
        return pd.DataFrame({"value": [alloc.total]})
    return showback.totals_by(alloc, by=q.by)


def _unit_cost(con, q: Query) -> pd.DataFrame:
    driver = settings.get(con, "showback_unit_driver")
    totals = showback.unit_cost_totals(con, driver=driver, by=q.by or "business_unit", fy=q.fy)
    if q.by is None:
        cost, quantity = totals["cost"].sum(), totals["quantity"].sum()
        return pd.DataFrame({"value": [cost / quantity if quantity else None]})
    return totals[[q.by, "unit_cost"]].rename(columns={"unit_cost": "value"})


YTD = "the closed months of the fiscal year (books closed through the `books_closed_through` month)"
BVA_DIMS = ("cost_center", "category", "vendor", "month")
LANDING_DIMS = ("cost_center", "category", "vendor")

CATALOG: tuple[Metric, ...] = (
    Metric("ytd_actual", "YTD actual", "money",
           f"Spend in {YTD}, each line converted at its month's fx rate; lines without a rate are left out "
           "and counted on the Budget page.", "fiscal year", BVA_DIMS, FILTERS, _bva("actual_ytd")),
    Metric("ytd_budget", "YTD budget", "money",
           f"Budget in force for the version (a revision replaces only the lines it revises) over {YTD}.",
           "fiscal year", ("cost_center", "category", "month"), ("cost_center", "category"),
           _budget_only("budget_ytd"), widen=False),
    Metric("variance", "Variance", "money",
           "YTD actual − YTD budget: positive is over budget. With a vendor filter there is no budget.",
           "fiscal year", ("cost_center", "category", "month"), ("cost_center", "category"),
           _budget_only("variance"), widen=False),
    Metric("variance_pct", "Variance %", "ratio", "Variance ÷ the absolute YTD budget (empty when the budget is zero).",
           "fiscal year", ("cost_center", "category", "month"), ("cost_center", "category"),
           _budget_only("variance_pct"), additive=False, widen=False),
    Metric("full_year_budget", "Full-year budget", "money",
           "Budget in force for the version over all twelve months of the fiscal year.",
           "fiscal year", ("cost_center", "category", "month"), ("cost_center", "category"),
           _budget_only("budget_year"), widen=False),
    Metric("run_rate", "Run-rate", "money", "YTD actual ÷ closed months × 12: the year at the YTD monthly average.",
           "fiscal year", ("cost_center", "category", "vendor"), FILTERS, _bva("run_rate")),
    Metric("committed", "Committed, rest of year", "money",
           "Contract payments scheduled from the forecast cut-off (the month after the closed books) to the "
           "year end, incl. terms contracts auto-renew into, at the month's or latest known fx rate.",
           "fiscal year", LANDING_DIMS, FILTERS, _landing("committed_rest")),
    Metric("landing", "Year-end landing", "money",
           "YTD actual + committed payments + the forecast of uncommitted spend for the open months. "
           "Cost center, category and vendor forecasts are reconciled to the total.",
           "fiscal year", LANDING_DIMS, FILTERS, _landing("landing")),
    Metric("landing_p_overrun", "Chance of overrun", "ratio",
           "Probability that the landing exceeds the full-year budget (from the forecast's calibrated spread).",
           "fiscal year", ("cost_center", "category"), ("cost_center", "category"),
           _landing("p_overrun"), additive=False, widen=False),
    Metric("cancel_by_due", "Cancel-by within {within} days", "count",
           "Automatically renewing contracts whose next cancel-by date (over the whole chain of terms) falls "
           "between the as-of date and N days later (--within, default 90). Contracts carry no cost center.",
           "as-of date", ("vendor",), ("vendor",), _cancel_by_due),
    Metric("sla_attainment", "SLA months met", "ratio",
           f"Share of contract-months with an SLA target, in {YTD}, in which every target was met.",
           "fiscal year", (), ("vendor",), _sla_attainment, additive=False),
    Metric("credits_outstanding", "SLA credits outstanding", "money",
           f"Service credits earned by SLA misses in {YTD} and not yet received as credit notes.",
           "fiscal year", (), ("vendor",), _credits_outstanding),
    Metric("audit_at_stake", "Audit: money at stake", "money",
           "Money the open cost-audit findings point at (recoverable payments and exposure), each spend line "
           "or contract counted once even when several rules point at it. Company-wide as of the as-of date.",
           "as-of date", ("rule", "vendor"), ("vendor",), _audit_at_stake),
    Metric("allocated_cost", "Allocated cost", "money",
           f"Spend in {YTD} allocated by the showback rules (allocation_rules, drivers) to each business unit or "
           "service; what no rule covers is the row (unallocated), so the rows add up to YTD actual.",
           "fiscal year", ("business_unit", "service"), (), _allocated_cost),
    Metric("unit_cost", "Unit cost", "money",
           f"Allocated cost in {YTD} ÷ the quantity of the `showback_unit_driver` driver (default headcount) summed "
           "over those months: cost per employee-month, per ticket, per device-month.",
           "fiscal year", ("business_unit", "service"), (), _unit_cost, additive=False),
)
BY_NAME = {m.name: m for m in CATALOG}


def get(name: str) -> Metric:
    if name not in BY_NAME:
        raise MetricError(f"unknown metric {name!r}; known metrics: {', '.join(BY_NAME)}")
    return BY_NAME[name]


def label(name: str, *, within: int = 90) -> str:
    """The metric's label for people in the current language (analytics.i18n), with the look-ahead filled in
    where it has one."""
    return i18n.t(get(name).label, within=within)


def definition(name: str) -> str:
    """The metric's definition in the current language."""
    return i18n.t(get(name).definition)


def check(metric: Metric, q: Query) -> None:
    """Refuse a dimension or filter the metric does not offer, naming what it does."""
    if q.by is not None and q.by not in metric.dimensions:
        offered = ", ".join(metric.dimensions) or "none"
        raise MetricError(f"{metric.name} cannot be broken down by {q.by!r} (dimensions: {offered})")
    for name in q.filters:
        if name not in metric.filters:
            offered = ", ".join(metric.filters) or "none"
            raise MetricError(f"{metric.name} cannot be filtered by {name.replace('_', ' ')} (filters: {offered})")


def _clean(value, unit: str):
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    if unit == "count":
        return int(value)
    return round(float(value), 2 if unit == "money" else 6)


def evaluate(con, name: str, *, fy: int | None = None, by: str | None = None, cost_center: str | None = None,
             category: str | None = None, vendor: str | None = None, within: int = 90,
             version: str | None = None) -> Result:
    """The metric's value (and rows when `by` is given) for the fiscal year (default: the as-of date's)."""
    metric = get(name)
    q = Query(fy or calendar.current_year(con), by, cost_center, category, vendor, within, version)
    check(metric, q)
    frame = metric.compute(con, q)
    currency = settings.get(con, "reporting_currency") if metric.unit == "money" else None
    if by is None:
        value = _clean(frame["value"].iloc[0] if len(frame) else None, metric.unit)
        return Result(name, q.fy, metric.unit, currency, value, [], None)
    total = evaluate(con, name, fy=q.fy, cost_center=cost_center, category=category, vendor=vendor, within=within,
                     version=version).value
    values = [_clean(v, metric.unit) for v in frame["value"]]
    if metric.additive and metric.unit == "money" and total is not None:
        values = cents_adding_up(frame["value"].astype(float).fillna(0.0).tolist(), total)
    rows = [{by: (None if pd.isna(k) else str(k)), "value": v} for k, v in zip(frame[by], values)]
    return Result(name, q.fy, metric.unit, currency, total, rows, by)


def cents_adding_up(values: list[float], total: float) -> list[float]:
    """Round each amount to the cent so that the rounded amounts add up to the rounded total exactly
    (largest remainder: the cents lost or gained in rounding go to the amounts closest to the next cent)."""
    cents = np.asarray(values, dtype=float) * 100
    floors = np.floor(cents)
    missing = int(round(total * 100) - floors.sum())
    remainders = cents - floors
    order = np.argsort(-remainders if missing > 0 else remainders, kind="stable")  # ties keep their order
    if 0 < abs(missing) <= len(cents):
        floors[order[:abs(missing)]] += 1 if missing > 0 else -1
    return (floors / 100).tolist()


def fiscal_label(con, fy: int) -> str:
    return fiscal.label(fy, settings.get(con, "fiscal_year_start_month"))


def markdown() -> str:
    """docs/metrics.md: the catalog as a table, generated (a test fails when the file is stale)."""
    lines = ["# Metrics", "",
             "Every figure Outlay shows is one of these, computed in one place (`analytics/metrics.py`) and read "
             "by the pages, the report packs, the CLI and the API. Generated by "
             "`python -m analytics metric --list --markdown > docs/metrics.md`; do not edit by hand.", "",
             "Try one: `python -m analytics metric ytd_actual --by cost_center --json`.", "",
             "| metric | label | unit | definition | grain | dimensions (`--by`) | filters |",
             "|---|---|---|---|---|---|---|"]
    for m in CATALOG:
        dims = ", ".join(m.dimensions) or "–"
        filters = ", ".join(f"--{f.replace('_', '-')}" for f in m.filters) or "–"
        unit = {"money": "reporting currency", "count": "count", "ratio": "ratio 0–1"}[m.unit]
        lines.append(f"| `{m.name}` | {m.label.format(within='N')} | {unit} | {m.definition} | {m.grain} | {dims} | {filters} |")
    lines += ["", "Rows add up to the total for every metric except the ratios (`variance_pct`, "
              "`landing_p_overrun`, `sla_attainment`) and `unit_cost`.", ""]
    return "\n".join(lines)
