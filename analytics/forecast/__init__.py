"""Forecasting: year-end landing with intervals, committed contract spend, backtested accuracy, scenarios.

The package's public face: `landing(con, *, fiscal_year, level)` (see landing.py and docs/forecast.md).
"""
from __future__ import annotations

from analytics import settings

SETTINGS = [
    settings.Setting("forecast_budget_version", "original",
                     "Budget version the forecast landing is compared with (see the budget dataset's version column).",
                     str),
]


def landing(con, *, fiscal_year: int, level: str = "total"):
    """One row per key of `level`: year-end landing with 80/95% intervals against budget (see landing.landing)."""
    from analytics.forecast import yearend
    return yearend.landing(con, fiscal_year=fiscal_year, level=level)


def bench_cases(con) -> list:
    """What the forecast page runs: the stored landing per level (computed once per data version)."""
    from analytics import fiscal
    from analytics.forecast import runs
    year = fiscal.fiscal_year(runs.cutoff(con), settings.get(con, "fiscal_year_start_month"))
    return [(f"forecast landing {level}", lambda level=level: landing(con, fiscal_year=year, level=level))
            for level in ("total", "cost_center", "category", "vendor")]
