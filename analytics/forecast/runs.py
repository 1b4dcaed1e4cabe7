"""Forecast runs: the engine's output per level, reconciled across levels, computed by a job once per
data version (refresh, called by analytics.jobs after every write) and read by pages and reports.

Uncommitted history (what the engine forecasts) = actual spend minus the register's scheduled contract
payments, per key and month in the reporting currency, before the cut-off month (analytics.calendar: the
month after the closed books; closed months are actuals, the cut-off month and later are forecast).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time

import pandas as pd

from analytics import calendar, fiscal, settings, store
from analytics.forecast import committed, engine, reconcile
from analytics.forecast.levels import LEVELS, check_level

ENGINE_VERSION = "4"  # 3: levels reconciled to the total; 4: combination engine with calibrated intervals
HISTORY_MONTHS = 60

SPEND_SQL = """
with
lines as (
    select period, {key} as key, amount_rc
    from spend_rc
    where period < $cutoff and period >= $first
),
final as (
    select key, period, sum(amount_rc) as value
    from lines
    group by key, period
)
select * from final order by key, period
"""


def horizon(con) -> int:
    """Months forecast from the cut-off: to the end of the fiscal year after the current one."""
    start_month = settings.get(con, "fiscal_year_start_month")
    cut = calendar.calendar(con).cutoff
    _, last = fiscal.bounds(fiscal.fiscal_year(cut, start_month) + 1, start_month)
    return (last.year - cut.year) * 12 + last.month - cut.month + 1


def history(con, *, level: str) -> pd.DataFrame:
    """One row per key x month before the cut-off: uncommitted spend = actual spend - scheduled contract payments.

    The schedule is the register's (analytics.contracts.committed_payments, converted at each month's rate and
    allocated like future payments), so whatever the register does not explain - spend without a contract,
    usage or uplifts billed above a contract's value, timing - is what the models forecast. A contract's
    schedule is subtracted only from the first month spend is billed under it. History starts at the first
    month with any spend (the schedule alone never starts a series).
    """
    cut = calendar.calendar(con).cutoff
    first = con.execute("select min(period) from spend_rc where period < ?", [cut]).fetchone()[0]
    if first is None:
        return pd.DataFrame({"key": pd.Series(dtype=str), "period": pd.Series(dtype="datetime64[ns]"),
                             "value": pd.Series(dtype=float)})
    first = max(first, fiscal.add_months(cut, -HISTORY_MONTHS))
    spend = con.execute(SPEND_SQL.format(key=LEVELS[check_level(level)]), {"cutoff": cut, "first": first}).df()
    spend["value"] = spend["value"].astype(float).fillna(0.0)
    spend["period"] = pd.to_datetime(spend["period"])
    payments = committed.committed_rc(con, start=first, end=cut - dt.timedelta(days=1))
    # only months where the contract is seen billing: a contract never billed (or billed under another
    # reference) has nothing in spend to take its schedule from
    billed = con.execute("select contract_id, min(period) as first_billed from spend_rc "
                         "where contract_id in (select contract_id from contracts) group by contract_id").df()
    if not payments.empty:
        payments = payments.merge(billed, on="contract_id", how="inner")
        payments = payments[pd.to_datetime(payments["period"]) >= pd.to_datetime(payments["first_billed"])]
    schedule = committed.by_key(con, level=level, frame=payments) if not payments.empty else None
    if schedule is None or schedule.empty:
        return spend
    schedule = schedule.assign(value=-schedule["committed"].fillna(0.0))[["key", "period", "value"]]
    both = pd.concat([spend, schedule], ignore_index=True)
    return both.groupby(["key", "period"], as_index=False)["value"].sum().sort_values(["key", "period"])


def _cached_run(con, level: str, version: int, cut: dt.date) -> int | None:
    row = con.execute(
        "select max(run_id) from forecast_runs where level = ? and data_version = ? and cutoff = ? "
        "and engine_version = ?", [level, version, cut, ENGINE_VERSION]).fetchone()
    return row[0] if row and row[0] is not None else None


def compute(con) -> dict[str, tuple[engine.EngineResult, float]]:
    """Run the engine on every level's uncommitted history and reconcile the levels to the total
    (analytics.forecast.reconcile); nothing is stored. {level: (result, seconds)}."""
    end = pd.Timestamp(fiscal.add_months(calendar.calendar(con).cutoff, -1))
    months = horizon(con)
    results = {}
    for level in LEVELS:
        began = time.perf_counter()
        hist = history(con, level=level).rename(columns={"key": "series_id"})
        results[level] = (engine.forecast(hist, horizon=months, end=end), time.perf_counter() - began)
    forecasts = reconcile.reconcile({level: r.forecasts for level, (r, _) in results.items()})
    return {level: (dataclasses.replace(r, forecasts=forecasts[level]), s) for level, (r, s) in results.items()}


def is_current(con) -> bool:
    """Whether every level has a stored run for the current data version, cut-off and engine."""
    version, cut = store.data_version(con), calendar.calendar(con).cutoff
    return all(_cached_run(con, level, version, cut) is not None for level in LEVELS)


# one forecast computation at a time in a process: the job, and a page that meets a data version whose run
# is not stored yet (it waits for the job, then reads what the job stored, instead of computing it again on
# every session's thread at once)
_COMPUTING = threading.RLock()


def refresh(con) -> bool:
    """The forecast job: compute and store every level's reconciled run for the current data version,
    unless stored already. Run after a write (analytics.jobs), never by a page. True when it computed."""
    with _COMPUTING:
        if is_current(con):
            return False
        version, cut = store.data_version(con), calendar.calendar(con).cutoff
        computed = compute(con)
        with store.transaction(con, changes_data=False):
            for level, (result, seconds) in computed.items():
                _save(con, level, version, cut, result, seconds)
        return True


def _save(con, level, version, cut, result: engine.EngineResult, seconds: float) -> int:
    """Store a run inside the caller's transaction, replacing older runs of the level; the data version
    does not change (a forecast is derived from the data, it is not data)."""
    values = result.forecasts.rename(columns={"series_id": "key"})[
        ["key", "period", "forecast", "lo80", "hi80", "lo95", "hi95", "model"]]
    accuracy = result.accuracy.rename(columns={"series_id": "key"})
    stale = "(select run_id from forecast_runs where level = ?)"
    con.execute("delete from forecast_values where run_id in " + stale, [level])
    con.execute("delete from forecast_accuracy where run_id in " + stale, [level])
    con.execute("delete from forecast_runs where level = ?", [level])
    rid = con.execute(
        "insert into forecast_runs (level, data_version, cutoff, horizon, engine_version, k80, k95, n_series, "
        "seconds, computed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp) returning run_id",
        [level, version, cut, horizon(con), ENGINE_VERSION, result.calibration["k80"],
         result.calibration["k95"], len(accuracy), seconds]).fetchone()[0]
    con.register("fc_values_in", values)
    con.register("fc_accuracy_in", accuracy)
    try:
        con.execute("insert into forecast_values select ?, key, cast(period as date), forecast, lo80, hi80, lo95, "
                    "hi95, model from fc_values_in", [rid])
        con.execute("insert into forecast_accuracy select ?, key, n_months, model, reason, mase, smape, bias, "
                    "coverage80, coverage95, snaive_mase, snaive_smape, snaive_bias, n_holdout from fc_accuracy_in",
                    [rid])
    finally:
        con.unregister("fc_values_in")
        con.unregister("fc_accuracy_in")
    return rid


# runs computed where none is stored (a database written outside the app and CLI, or read-only):
# (database, version, cut-off, engine) -> {level: frames}; never written to the database
_MEMORY: dict = {}


def _database(con) -> str:
    return str(con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()[0])


def _frames(con, level: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(values, accuracy, run info) of the level's stored run, or of a run computed in memory when none
    is stored for the current data version. Reading never writes."""
    check_level(level)
    version, cut = store.data_version(con), calendar.calendar(con).cutoff
    rid = _cached_run(con, level, version, cut)
    if rid is None:
        with _COMPUTING:  # the job may be computing this version right now: wait for it, then read its run
            rid = _cached_run(con, level, version, cut)
            if rid is None:
                memo = (_database(con), version, cut, ENGINE_VERSION)
                if memo not in _MEMORY:
                    _MEMORY.clear()
                    _MEMORY[memo] = {lv: _in_memory(r, s, lv, version, cut) for lv, (r, s) in compute(con).items()}
                return _MEMORY[memo][level]
    values_ = con.execute("select key, period, forecast, lo80, hi80, lo95, hi95, model from forecast_values "
                          "where run_id = ? order by key, period", [rid]).df()
    accuracy_ = con.execute("select * exclude (run_id) from forecast_accuracy where run_id = ? order by key",
                            [rid]).df()
    info = con.execute("select * from forecast_runs where run_id = ?", [rid]).df().iloc[0].to_dict()
    return values_, accuracy_, info


def _in_memory(result: engine.EngineResult, seconds: float, level, version, cut) -> tuple:
    values_ = result.forecasts.rename(columns={"series_id": "key"})[
        ["key", "period", "forecast", "lo80", "hi80", "lo95", "hi95", "model"]].sort_values(["key", "period"])
    accuracy_ = result.accuracy.rename(columns={"series_id": "key"}).sort_values("key").reset_index(drop=True)
    info = {"run_id": None, "level": level, "data_version": version, "cutoff": cut, "engine_version": ENGINE_VERSION,
            "k80": result.calibration["k80"], "k95": result.calibration["k95"], "n_series": len(accuracy_),
            "seconds": seconds, "computed_at": pd.Timestamp.now()}
    return values_.reset_index(drop=True), accuracy_, info


def values(con, *, level: str) -> pd.DataFrame:
    """One row per key x future month of the level's uncommitted forecast."""
    return _frames(con, level)[0].copy()


def accuracy(con, *, level: str) -> pd.DataFrame:
    """One row per key: chosen model, why, and MASE/sMAPE/bias/coverage against seasonal naive."""
    return _frames(con, level)[1].copy()


def run_info(con, *, level: str) -> dict:
    """The run's metadata: when, how long, calibration factors (run_id None when kept in memory)."""
    return dict(_frames(con, level)[2])
