"""Forecast runs: the engine's output per level, computed once per data version and kept in the database.

Uncommitted history (what the engine forecasts) = spend lines not billed under a contract of the
register (contract_id empty, or naming a contract the register does not hold), summed per key and
month in the reporting currency, before the cut-off month (the as-of month: months before it are
complete actuals, the as-of month and later are forecast).
"""
from __future__ import annotations

import datetime as dt
import time

import duckdb
import pandas as pd

from analytics import fiscal, settings, store
from analytics.forecast import engine

ENGINE_VERSION = "1"
HISTORY_MONTHS = 60
# level -> SQL expression of the key; a fixed map, never user text
LEVELS = {"total": "'Total'", "cost_center": "cost_center", "category": "category", "vendor": "vendor"}

HISTORY_SQL = """
with
lines as (
    select period, {key} as key, amount_rc
    from spend_rc
    where period < $cutoff and period >= $first
      and (contract_id is null or contract_id not in (select contract_id from contracts))
),
final as (
    select key, period, sum(amount_rc) as value
    from lines
    group by key, period
)
select * from final order by key, period
"""


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")
    return level


def cutoff(con) -> dt.date:
    """The first forecast month: the month of the as-of date (earlier months are complete actuals)."""
    return settings.as_of(con).replace(day=1)


def horizon(con) -> int:
    """Months forecast from the cut-off: to the end of the fiscal year after the current one."""
    start_month = settings.get(con, "fiscal_year_start_month")
    cut = cutoff(con)
    _, last = fiscal.bounds(fiscal.fiscal_year(cut, start_month) + 1, start_month)
    return (last.year - cut.year) * 12 + last.month - cut.month + 1


def history(con, *, level: str) -> pd.DataFrame:
    """One row per key x month: uncommitted spend (reporting currency) before the cut-off."""
    cut = cutoff(con)
    sql = HISTORY_SQL.format(key=LEVELS[check_level(level)])
    frame = con.execute(sql, {"cutoff": cut, "first": fiscal.add_months(cut, -HISTORY_MONTHS)}).df()
    frame["value"] = frame["value"].astype(float).fillna(0.0)
    return frame


def _cached_run(con, level: str, version: int, cut: dt.date) -> int | None:
    row = con.execute(
        "select max(run_id) from forecast_runs where level = ? and data_version = ? and cutoff = ? "
        "and engine_version = ?", [level, version, cut, ENGINE_VERSION]).fetchone()
    return row[0] if row and row[0] is not None else None


def compute(con, *, level: str) -> tuple[engine.EngineResult, float]:
    """Run the engine on a level's uncommitted history (no caching); returns (result, seconds)."""
    began = time.perf_counter()
    hist = history(con, level=level).rename(columns={"key": "series_id"})
    end = pd.Timestamp(fiscal.add_months(cutoff(con), -1))
    result = engine.forecast(hist, horizon=horizon(con), end=end)
    return result, time.perf_counter() - began


def run_id(con, *, level: str) -> int:
    """The stored run for the level at the current data version, computed and stored when missing."""
    check_level(level)
    version, cut = store.data_version(con), cutoff(con)
    found = _cached_run(con, level, version, cut)
    if found is not None:
        return found
    result, seconds = compute(con, level=level)
    try:
        return _save(con, level, version, cut, result, seconds)
    except duckdb.Error:
        # another session stored it first (or the database is read-only): use theirs if any
        found = _cached_run(con, level, version, cut)
        if found is None:
            raise
        return found


def _save(con, level, version, cut, result: engine.EngineResult, seconds: float) -> int:
    """Store a run, replacing older runs of the level; does not change the data version."""
    values = result.forecasts.rename(columns={"series_id": "key"})[
        ["key", "period", "forecast", "lo80", "hi80", "lo95", "hi95", "model"]]
    accuracy = result.accuracy.rename(columns={"series_id": "key"})
    con.execute("begin transaction")
    try:
        old = [r[0] for r in con.execute("select run_id from forecast_runs where level = ?", [level]).fetchall()]
        for rid in old:
            for table in ("forecast_values", "forecast_accuracy", "forecast_runs"):
                con.execute(f"delete from {table} where run_id = ?", [rid])
        rid = con.execute(
            "insert into forecast_runs (level, data_version, cutoff, horizon, engine_version, k80, k95, n_series, "
            "seconds, computed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp) returning run_id",
            [level, version, cut, horizon(con), ENGINE_VERSION, result.calibration["k80"],
             result.calibration["k95"], len(accuracy), seconds]).fetchone()[0]
        con.register("fc_values_in", values)
        con.register("fc_accuracy_in", accuracy)
        con.execute("insert into forecast_values select ?, key, cast(period as date), forecast, lo80, hi80, lo95, hi95, "
                    "model from fc_values_in", [rid])
        con.execute("insert into forecast_accuracy select ?, key, n_months, model, reason, mase, smape, bias, "
                    "coverage80, coverage95, snaive_mase, snaive_smape, snaive_bias, n_holdout from fc_accuracy_in",
                    [rid])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        for name in ("fc_values_in", "fc_accuracy_in"):
            try:
                con.unregister(name)
            except duckdb.Error:
                pass
    return rid


def values(con, *, level: str) -> pd.DataFrame:
    """One row per key x future month of the level's uncommitted forecast."""
    rid = run_id(con, level=level)
    return con.execute("select key, period, forecast, lo80, hi80, lo95, hi95, model from forecast_values "
                       "where run_id = ? order by key, period", [rid]).df()


def accuracy(con, *, level: str) -> pd.DataFrame:
    """One row per key: chosen model, why, and MASE/sMAPE/bias/coverage against seasonal naive."""
    rid = run_id(con, level=level)
    return con.execute("select * exclude (run_id) from forecast_accuracy where run_id = ? order by key", [rid]).df()


def run_info(con, *, level: str) -> dict:
    """The stored run's metadata: when, how long, calibration factors."""
    rid = run_id(con, level=level)
    row = con.execute("select * from forecast_runs where run_id = ?", [rid]).df().iloc[0]
    return row.to_dict()
