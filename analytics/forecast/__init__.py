"""Forecasting: year-end landing with intervals, committed contract spend, backtested accuracy, scenarios.

The package's public face: `landing(con, *, fiscal_year, level)` (see landing.py and docs/forecast.md).
"""
from __future__ import annotations

from analytics import calendar
from analytics import settings


def landing(con, *, fiscal_year: int, level: str = "total", budget_version: str | None = None):
    """One row per key of `level`: year-end landing with 80/95% intervals against budget (see yearend.landing).

    Columns: key, actual_ytd, committed_rest, uncommitted_rest, forecast_rest, landing, lo80, hi80, lo95, hi95,
    budget, over_under, p_overrun, model, note (reporting currency).
    """
    from analytics.forecast import yearend
    return yearend.landing(con, fiscal_year=fiscal_year, level=level, budget_version=budget_version)


def headline(con, *, fiscal_year: int, cost_center: str | None = None, category: str | None = None,
             vendor: str | None = None) -> tuple[dict, str]:
    """The landing row the Forecast page's tiles show and its scope in words: the one cost center, category
    or vendor the filters name, else the company total (the same rows the `landing` metric reads)."""
    from analytics.forecast import yearend
    chosen = {k: v for k, v in (("cost_center", cost_center), ("category", category), ("vendor", vendor)) if v}
    if len(chosen) == 1:
        level, key = next(iter(chosen.items()))
        rows = yearend.landing(con, fiscal_year=fiscal_year, level=level)
        rows = rows[rows["key"] == key]
        if not rows.empty:
            return rows.iloc[0].to_dict(), f"{level.replace('_', ' ')} {key}"
        return {}, f"{level.replace('_', ' ')} {key} (no spend, commitments or budget this year)"
    rows = yearend.landing(con, fiscal_year=fiscal_year, level="total")
    scope = "company-wide" + (" (the forecast is made per cost center, category or vendor, not for a combination "
                              "of filters)" if chosen else "")
    return (rows.iloc[0].to_dict() if not rows.empty else {}), scope


def bench_cases(con) -> list:
    """What the forecast page runs: the stored landing per level (computed once per data version)."""
    year = calendar.current_year(con)
    # no floors: the landing is the forecast engine's model output (read from its stored run), not an aggregate
    return [(f"forecast landing {level}", lambda level=level: landing(con, fiscal_year=year, level=level))
            for level in ("total", "cost_center", "category", "vendor")]


def accuracy_overall(con, *, level: str) -> dict:
    """Mean accuracy over a level's backtested series (see engine.overall)."""
    from analytics.forecast import engine, runs
    return engine.overall(runs.accuracy(con, level=level))


def scenario_options(con) -> dict:
    """What the scenario panel offers: cost centers, categories, contracts ('id · vendor · service'), currencies."""
    def values(sql: str) -> list[str]:
        return [r[0] for r in con.execute(sql).fetchall()]
    reporting = settings.get(con, "reporting_currency")
    return {
        "cost_center": values("select distinct cost_center from budget union select distinct cost_center from spend "
                              "order by 1"),
        "category": values("select distinct category from budget union select distinct category from spend order by 1"),
        "contracts": values("select contract_id || ' · ' || vendor || ' · ' || service from contracts "
                            "order by contract_id"),
        "currencies": [reporting] + sorted({*values("select distinct currency from contracts"),
                                            *values("select distinct currency from fx")} - {reporting}),
    }


def scenario_export(con, *, name: str, spec_json: str, fiscal_year: int) -> bytes:
    """The scenario workbook: its changes and landing vs baseline by total, cost center and category."""
    from analytics.forecast import scenarios
    from analytics.reports import funding_request
    comparisons = {level: scenarios.compare(con, fiscal_year=fiscal_year, level=level, spec_json=spec_json)
                   for level in ("total", "cost_center", "category")}
    return funding_request.scenario_workbook(con, name=name, spec_json=spec_json, comparisons=comparisons,
                                             fiscal_year=fiscal_year)


def committed_for_year(con, *, fiscal_year: int):
    """One row per contract payment still to come in the fiscal year, with the fx rate and its month."""
    from analytics.forecast import committed, yearend
    win = yearend.window(con, fiscal_year=fiscal_year)
    if not win.rest:
        return committed.to_rc(con, committed.payments(con, start=win.last, end=win.first))
    frame = committed.committed_rc(con, start=win.rest_start, end=win.last)
    columns = ["contract_id", "vendor", "payment_date", "amount", "currency", "fx_rate", "fx_period", "amount_rc",
               "is_renewal_term", "is_fx_missing"]
    return frame[columns].sort_values(["payment_date", "contract_id"]).reset_index(drop=True)
