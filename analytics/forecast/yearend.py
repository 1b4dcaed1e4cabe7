"""Year-end landing: actuals to date + committed contract payments + the uncommitted forecast, against budget.

Grain: one row per key of the level (total, cost center, category or vendor) for one fiscal year.
The landing's spread comes from the uncommitted forecast only (committed payments are known):
its standard deviation is taken halfway between independent months (sqrt of the sum of monthly
variances) and fully correlated months (sum of monthly standard deviations), monthly sigma read
off the calibrated 95% interval. p_overrun = P(landing > budget) under a normal distribution.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics import calendar, memo
from analytics import budget as budget_mod
from analytics import fiscal, settings
from analytics.forecast.levels import LEVELS, check_level
from analytics.forecast import committed, engine, runs

LANDING_COLUMNS = ["key", "actual_ytd", "committed_rest", "uncommitted_rest", "forecast_rest", "landing",
                   "lo80", "hi80", "lo95", "hi95", "budget", "over_under", "p_overrun", "model", "note"]


@dataclass(frozen=True)
class Window:
    """The fiscal year split at the cut-off: actual months before it, forecast months from it."""
    year: int
    months: list[dt.date]
    cutoff: dt.date

    @property
    def first(self) -> dt.date:
        return self.months[0]

    @property
    def last(self) -> dt.date:
        return self.months[-1]

    @property
    def rest_start(self) -> dt.date:
        """The first forecast month of the year (the cut-off, or the year's start when it lies ahead)."""
        return max(self.cutoff, self.first)

    @property
    def rest(self) -> list[dt.date]:
        return [m for m in self.months if m >= self.cutoff]


def window(con, *, fiscal_year: int) -> Window:
    """The fiscal year's months and the cut-off; a year beyond the stored forecast is refused."""
    start_month = settings.get(con, "fiscal_year_start_month")
    months = fiscal.months(fiscal_year, start_month)
    cut = calendar.calendar(con).cutoff
    reach = fiscal.add_months(cut, runs.horizon(con) - 1)
    if months[-1] > reach:
        raise ValueError(f"{fiscal.label(fiscal_year, start_month)} ends after the forecast horizon "
                         f"({reach:%Y-%m}); forecasts reach the end of the next fiscal year")
    return Window(fiscal_year, months, cut)


def actuals(con, *, level: str, win: Window) -> pd.DataFrame:
    """One row per key: all spend (committed or not) in the year's complete months."""
    sql = f"""
        select {LEVELS[level]} as key, sum(amount_rc) as actual_ytd
        from spend_rc
        where period >= $first and period < $cutoff and period <= $last
        group by key
    """
    frame = con.execute(sql, {"first": win.first, "cutoff": win.cutoff, "last": win.last}).df()
    frame["actual_ytd"] = frame["actual_ytd"].astype(float)
    return frame


def budget_lines(con, *, win: Window, version: str | None = None) -> pd.DataFrame:
    """One row per cost center x category: the full-year budget in force for the version.

    Default version as on the Budget page ('original', else the first imported); a revised version
    keeps the original's lines it does not revise (the budget_in_force macro, migration 019_one_conversion.sql).
    """
    sql = """
        select cost_center, category, sum(amount_rc) as budget
        from budget_in_force($version)
        where period >= $first and period <= $last
        group by cost_center, category
    """
    version = version or budget_mod.default_version(con)
    frame = con.execute(sql, {"first": win.first, "last": win.last, "version": version}).df()
    frame["budget"] = frame["budget"].astype(float)
    return frame


def budget(lines: pd.DataFrame, *, level: str) -> pd.DataFrame:
    """One row per key: the budget lines summed to the level (none per vendor: budgets have no vendor)."""
    if level == "vendor" or lines.empty:
        return pd.DataFrame({"key": pd.Series(dtype=str), "budget": pd.Series(dtype=float)})
    key = pd.Series("Total", index=lines.index) if level == "total" else lines[level]
    return lines.assign(key=key).groupby("key", as_index=False)["budget"].sum()


def committed_rest(con, *, level: str, win: Window, payments: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per key x forecast month: committed contract payments in the reporting currency."""
    if payments is None:
        payments = committed.committed_rc(con, start=win.rest_start, end=win.last) if win.rest else None
    if payments is None or payments.empty:
        return committed.by_key(con, level=level, frame=pd.DataFrame())
    frame = payments[pd.to_datetime(payments["period"]).between(pd.Timestamp(win.rest_start), pd.Timestamp(win.last))]
    return committed.by_key(con, level=level, frame=frame)


def uncommitted_rest(con, *, level: str, win: Window) -> pd.DataFrame:
    """One row per key x forecast month of the year: the statistical forecast of uncommitted spend."""
    if not win.rest:
        return pd.DataFrame({"key": pd.Series(dtype=str), "period": pd.Series(dtype="datetime64[ns]"),
                             **{c: pd.Series(dtype=float) for c in ("forecast", "lo80", "hi80", "lo95", "hi95")}})
    values = runs.values(con, level=level)
    values["period"] = pd.to_datetime(values["period"])
    rest = [pd.Timestamp(m) for m in win.rest]
    return values[values["period"].isin(rest)]


def sum_sd(sigmas: pd.Series) -> float:
    """Standard deviation of a sum of monthly forecasts: halfway between independent and fully correlated."""
    sig = sigmas.to_numpy(dtype=float)
    return 0.5 * (float(np.sqrt(np.sum(sig ** 2))) + float(np.sum(sig)))


def combine(actual: pd.DataFrame, commit: pd.DataFrame, unc: pd.DataFrame, bud: pd.DataFrame,
            notes: pd.DataFrame) -> pd.DataFrame:
    """The landing table from its parts (all in the reporting currency)."""
    unc = unc.assign(sigma=(unc["hi95"] - unc["lo95"]) / (2 * engine.Z95))
    u = unc.groupby("key").agg(uncommitted_rest=("forecast", "sum"), sd=("sigma", sum_sd)).reset_index()
    c = commit.groupby("key", as_index=False).agg(committed_rest=("committed", "sum"))
    frame = actual.merge(c, on="key", how="outer").merge(u, on="key", how="outer").merge(bud, on="key", how="outer")
    frame = frame.merge(notes, on="key", how="left")
    for col in ("actual_ytd", "committed_rest", "uncommitted_rest", "sd"):
        frame[col] = frame[col].astype(float).fillna(0.0)
    frame["forecast_rest"] = frame["committed_rest"] + frame["uncommitted_rest"]
    frame["landing"] = frame["actual_ytd"] + frame["forecast_rest"]
    for name, z in (("80", engine.Z80), ("95", engine.Z95)):
        frame[f"lo{name}"] = frame["landing"] - z * frame["sd"]
        frame[f"hi{name}"] = frame["landing"] + z * frame["sd"]
    frame["budget"] = frame["budget"].astype(float)
    frame["over_under"] = frame["landing"] - frame["budget"]
    frame["p_overrun"] = [_p_overrun(l, s, b) for l, s, b in zip(frame["landing"], frame["sd"], frame["budget"])]
    frame["model"] = frame["model"].fillna("none")
    frame["note"] = frame["note"].fillna("")
    frame = frame[(frame[["actual_ytd", "forecast_rest"]].abs().sum(axis=1) > 0) | frame["budget"].notna()]
    return frame.sort_values("landing", ascending=False)[LANDING_COLUMNS].reset_index(drop=True)


def _p_overrun(landing: float, sd: float, budget: float) -> float:
    if budget is None or np.isnan(budget):
        return np.nan
    if sd <= 0:
        return float(landing > budget)
    return 0.5 * math.erfc((budget - landing) / sd / math.sqrt(2))  # normal survival function, as scipy's norm.sf


def notes(con, *, level: str, win: Window) -> pd.DataFrame:
    """One row per key: the model used for its uncommitted forecast and why (fallbacks, no history)."""
    if not win.rest:
        return pd.DataFrame({"key": pd.Series(dtype=str), "model": "actuals", "note": "year closed"})
    acc = runs.accuracy(con, level=level)
    return acc[["key", "model", "reason"]].rename(columns={"reason": "note"})


@memo.reusable
def landing(con, *, fiscal_year: int, level: str = "total", budget_version: str | None = None) -> pd.DataFrame:
    """One row per key of `level`: year-end landing with 80/95% intervals against the full-year budget.

    Columns: key, actual_ytd, committed_rest, uncommitted_rest, forecast_rest, landing, lo80, hi80, lo95,
    hi95, budget, over_under (landing - budget), p_overrun (probability landing > budget), model, note.
    All amounts in the reporting currency; budget is NaN at vendor level (budgets are per cost center
    and category).
    """
    check_level(level)
    win = window(con, fiscal_year=fiscal_year)
    return combine_parts(con, level=level, win=win, commit=committed_rest(con, level=level, win=win),
                         unc=uncommitted_rest(con, level=level, win=win),
                         bud=budget(budget_lines(con, win=win, version=budget_version), level=level))


def combine_parts(con, *, level: str, win: Window, commit: pd.DataFrame, unc: pd.DataFrame,
                  bud: pd.DataFrame) -> pd.DataFrame:
    """The landing table from committed, uncommitted and budget parts (scenarios pass adjusted parts)."""
    frame = combine(actuals(con, level=level, win=win), commit, unc, bud, notes(con, level=level, win=win))
    if win.rest:
        silent = (frame["model"] == "none") & (frame["note"] == "")
        committed_only = silent & (frame["committed_rest"] != 0)
        frame.loc[committed_only, "note"] = "no uncommitted spend history: committed payments only"
        frame.loc[silent & ~committed_only, "note"] = "no uncommitted spend history: no forecast"
    return frame


def fan(con, *, fiscal_year: int, level: str = "total", key: str = "Total") -> pd.DataFrame:
    """One row per month from a year before the fiscal year to its end, for one key's fan chart.

    Columns: period, actual (all spend, complete months), committed, uncommitted (forecast), forecast
    (committed + uncommitted), lo80, hi80, lo95, hi95 (bands around forecast), budget (per month).
    """
    check_level(level)
    win = window(con, fiscal_year=fiscal_year)
    first = fiscal.add_months(win.first, -12)
    expr = LEVELS[level]
    # expr comes from the fixed LEVELS map; the key is bound
    actual_sql = f"""
        select period, sum(amount_rc) as actual from spend_rc
        where {expr} = $key and period >= $first and period < $cutoff and period <= $last
        group by period"""
    actual = con.execute(actual_sql, {"key": key, "first": first, "cutoff": win.cutoff, "last": win.last}).df()
    months = pd.DataFrame({"period": pd.date_range(first, win.last, freq="MS")})
    frame = months.merge(actual.assign(period=pd.to_datetime(actual["period"])), on="period", how="left")
    commit = committed_rest(con, level=level, win=win)
    commit = commit[commit["key"] == key][["period", "committed"]]
    unc = uncommitted_rest(con, level=level, win=win)
    unc = unc[unc["key"] == key][["period", "forecast", "lo80", "hi80", "lo95", "hi95"]].rename(
        columns={"forecast": "uncommitted"})
    frame = frame.merge(commit, on="period", how="left").merge(unc, on="period", how="left")
    rest = frame["period"] >= pd.Timestamp(win.rest_start)
    frame.loc[rest, "committed"] = frame.loc[rest, "committed"].fillna(0.0)
    frame.loc[rest, "uncommitted"] = frame.loc[rest, "uncommitted"].fillna(0.0)
    frame["forecast"] = frame["committed"] + frame["uncommitted"]
    for band in ("lo80", "hi80", "lo95", "hi95"):
        frame[band] = frame["committed"] + frame[band].where(frame[band].notna(), frame["uncommitted"])
    if level != "vendor":
        bexpr = "'Total'" if level == "total" else level
        budget_sql = f"""
            select period, sum(amount_rc) as budget from budget_in_force($version)
            where {bexpr} = $key and period >= $first and period <= $last
            group by period"""
        bud = con.execute(budget_sql, {"key": key, "version": budget_mod.default_version(con),
                                       "first": first, "last": win.last}).df()
        frame = frame.merge(bud.assign(period=pd.to_datetime(bud["period"])), on="period", how="left")
    else:
        frame["budget"] = np.nan
    for col in ("actual", "budget"):
        frame[col] = frame[col].astype(float)
    return frame
