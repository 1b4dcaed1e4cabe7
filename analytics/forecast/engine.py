"""The forecasting engine: monthly series in, forecasts with 80/95% intervals and backtest accuracy out.

Grain: one row per series x future month (forecasts) and one row per series (accuracy).

- Candidates (statsforecast 2.1): seasonal naive, automatic ETS restricted to additive errors and no
  trend (ANN or ANA, chosen by AICc: the full ZZZ search is ~6x slower), the standard Theta method
  (its drift carries the trend) and the ensemble (mean of the three, bounds averaged).
- Rolling-origin backtest, horizon 12, without refitting between origins (statsforecast
  `cross_validation(refit=False)`): origins at n-18 and n-12 for series of 36+ months, n-12 only for
  24-35 months. The model with the lowest mean MASE over the origins is chosen, and only if it beats
  seasonal naive on the last 12 months held out; otherwise seasonal naive is used.
- Intervals are calibrated: one factor per level scales every model interval so that the backtest
  errors of the earlier origins fall inside it at the nominal rate (pooled over the batch); the
  coverage reported is measured on the last 12 months, which the factor did not see.
- Short, sparse or shifted series fall back to robust methods with wide intervals (see `fallback`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

SEASON = 12
HOLDOUT = 12
MIN_MODEL_MONTHS = 24
Z80, Z95 = 1.2815515655446004, 1.959963984540054
MODELS = ("ETS", "Theta", "seasonal naive", "ensemble")
_SF_NAMES = {"AutoETS": "ETS", "Theta": "Theta", "SeasonalNaive": "seasonal naive"}
FORECAST_COLUMNS = ["series_id", "period", "forecast", "lo80", "hi80", "lo95", "hi95"]
ACCURACY_COLUMNS = ["series_id", "n_months", "model", "reason", "mase", "smape", "bias", "coverage80", "coverage95",
                    "snaive_mase", "snaive_smape", "snaive_bias", "n_holdout"]


@dataclass
class EngineResult:
    forecasts: pd.DataFrame      # series_id, period, forecast, lo80, hi80, lo95, hi95, model
    accuracy: pd.DataFrame       # ACCURACY_COLUMNS
    calibration: dict            # k80, k95 (interval scale factors), sum_scale, n_errors


def prepare(frame: pd.DataFrame, *, end: pd.Timestamp | None = None) -> dict[str, np.ndarray]:
    """{series_id: monthly values} from rows (series_id, period, value); missing months are zero.

    Each series runs from its first period to its last (or to `end`, a month start, when given).
    """
    result: dict[str, np.ndarray] = {}
    data = frame.dropna(subset=["value"])
    data = data.assign(period=pd.to_datetime(data["period"]).dt.to_period("M").dt.to_timestamp())
    grouped = data.groupby(["series_id", "period"], sort=True)["value"].sum()
    for series_id, values in grouped.groupby(level=0):
        periods = values.index.get_level_values(1)
        last = end if end is not None else periods.max()
        index = pd.date_range(periods.min(), last, freq="MS")
        result[str(series_id)] = values.droplevel(0).reindex(index, fill_value=0.0).to_numpy(dtype=float)
    return result


def _metrics(actual: np.ndarray, mean: np.ndarray, lo80, hi80, lo95, hi95, scale: float) -> dict:
    error = mean - actual
    denom = np.abs(actual) + np.abs(mean)
    smape_terms = np.where(denom == 0, 0.0, 200 * np.abs(error) / np.where(denom == 0, 1, denom))
    return {
        "mase": float(np.mean(np.abs(error)) / scale) if scale > 0 else np.nan,
        "smape": float(np.mean(smape_terms)),
        "bias": float(np.mean(error)),
        "coverage80": float(np.mean((actual >= lo80) & (actual <= hi80))) if lo80 is not None else np.nan,
        "coverage95": float(np.mean((actual >= lo95) & (actual <= hi95))) if lo95 is not None else np.nan,
    }


def mase_scale(train: np.ndarray) -> float:
    """In-sample MAE of seasonal naive (lag 12); of naive (lag 1) when under 13 months."""
    lag = SEASON if len(train) > SEASON else 1
    if len(train) <= lag:
        return np.nan
    return float(np.mean(np.abs(train[lag:] - train[:-lag])))


def snaive(train: np.ndarray, h: int) -> np.ndarray:
    """Same month last year (the last value when under 12 months)."""
    if len(train) >= SEASON:
        return np.array([train[len(train) - SEASON + (i % SEASON)] for i in range(h)])
    return np.repeat(train[-1], h)


def level_shift(values: np.ndarray) -> int | None:
    """Index where the series' level shifted for good (6+ months before the end), or None.

    The split point is the one that best separates the series into two flat segments (least absolute
    deviation from each segment's median); it counts as a shift when the medians differ by more than
    4 robust standard deviations of the months before and by more than 40% of the larger level.
    """
    n = len(values)
    splits = range(12, n - 5)
    if not splits:
        return None
    costs = [np.sum(np.abs(values[:b] - np.median(values[:b]))) + np.sum(np.abs(values[b:] - np.median(values[b:])))
             for b in splits]
    b = splits[int(np.argmin(costs))]
    before, after = values[:b], values[b:]
    mb, ma = np.median(before), np.median(after)
    spread = 1.4826 * np.median(np.abs(before - mb)) + 1e-9
    if abs(ma - mb) / spread > 4 and abs(ma - mb) / max(abs(ma), abs(mb), 1e-9) > 0.4:
        return b
    return None


def is_intermittent(values: np.ndarray) -> bool:
    """Many zero months: at least 30% of the last 24 (or of all, when shorter)."""
    recent = values[-24:]
    return len(recent) >= 6 and float(np.mean(recent == 0)) >= 0.3


def fallback(values: np.ndarray, h: int) -> tuple[str, np.ndarray, np.ndarray]:
    """(method, mean, sigma per month) of the robust methods for short or sparse series.

    - intermittent: the mean of the last 12 months, sigma the spread of the last 24 monthly values;
    - 13-23 months: seasonal naive, sigma the spread of the year-on-year differences;
    - 1-12 months: the mean of the months seen, sigma their spread.
    Sigma never falls below 25% of the level (50% with under 3 months), so intervals stay honest.
    """
    n = len(values)
    if is_intermittent(values):
        recent = values[-12:]
        level = float(np.mean(recent))
        sd = float(np.std(values[-24:], ddof=1))
        sigma = np.full(h, max(sd * np.sqrt(1 + 1 / len(recent)), 0.25 * abs(level)))
        return "intermittent mean", np.full(h, level), sigma
    if n > SEASON:
        diffs = values[SEASON:] - values[:-SEASON]
        level = float(np.mean(np.abs(values[-SEASON:])))
        sd = float(np.sqrt(np.mean(diffs ** 2))) if len(diffs) >= 3 else 0.5 * level
        widen = np.sqrt(1 + np.arange(h) // SEASON)
        return "seasonal naive (short history)", snaive(values, h), np.maximum(sd, 0.25 * level) * widen
    level = float(np.mean(values))
    floor = 0.25 if n >= 3 else 0.5
    sd = float(np.std(values, ddof=1)) if n >= 3 else 0.0
    sigma = max(sd * np.sqrt(1 + 1 / n), floor * abs(level))
    return "mean of history", np.full(h, level), np.full(h, sigma)


def _bounds(mean: np.ndarray, sigma: np.ndarray) -> dict:
    return {"lo80": mean - Z80 * sigma, "hi80": mean + Z80 * sigma, "lo95": mean - Z95 * sigma, "hi95": mean + Z95 * sigma}


def _statsforecast(series: dict[str, np.ndarray], h: int, windows: int | None, only: str | None = None):
    """Forecasts (windows None) or rolling-origin backtest of the candidates, long format.

    `only` fits just that candidate (the final forecast of series that chose it); the ensemble needs all three.
    """
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, SeasonalNaive, Theta
    if not series:
        return None
    frames = []
    for sid, values in series.items():
        frames.append(pd.DataFrame({"unique_id": sid, "ds": pd.date_range("2000-01-01", periods=len(values), freq="MS"),
                                    "y": values}))
    df = pd.concat(frames, ignore_index=True)
    candidates = {"ETS": AutoETS(season_length=SEASON, model="AZZ"), "Theta": Theta(season_length=SEASON),
                  "seasonal naive": SeasonalNaive(season_length=SEASON)}
    chosen = [candidates[only]] if only in candidates else list(candidates.values())
    sf = StatsForecast(models=chosen, freq="MS", n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if windows is None:
            out = sf.forecast(df=df, h=h, level=[80, 95])
        else:
            out = sf.cross_validation(df=df, h=h, n_windows=windows, step_size=6, level=[80, 95], refit=False)
    rename = {}
    for sf_name, name in _SF_NAMES.items():
        rename[sf_name] = f"{name}|mean"
        for part in ("lo-80", "hi-80", "lo-95", "hi-95"):
            rename[f"{sf_name}-{part}"] = f"{name}|{part.replace('-', '')}"
    out = out.rename(columns=rename)
    if len(chosen) < len(candidates):
        return out
    for part in ("mean", "lo80", "hi80", "lo95", "hi95"):
        out[f"ensemble|{part}"] = out[[f"{m}|{part}" for m in _SF_NAMES.values()]].mean(axis=1)
    return out


def _candidate(block: pd.DataFrame, model: str) -> dict[str, np.ndarray]:
    return {part: block[f"{model}|{part}"].to_numpy() for part in ("mean", "lo80", "hi80", "lo95", "hi95")}


def _ratios(actual, cand) -> tuple[np.ndarray, np.ndarray]:
    """How far each actual lies from the mean relative to the interval half-width on its side."""
    def ratio(lo, hi):
        half = np.where(actual >= cand["mean"], hi - cand["mean"], cand["mean"] - lo)
        return np.abs(actual - cand["mean"]) / np.where(half > 0, half, np.nan)
    return ratio(cand["lo80"], cand["hi80"]), ratio(cand["lo95"], cand["hi95"])


def _scale(cand: dict, k80: float, k95: float) -> dict:
    mean = cand["mean"]
    return {"mean": mean, "lo80": mean - k80 * (mean - cand["lo80"]), "hi80": mean + k80 * (cand["hi80"] - mean),
            "lo95": mean - k95 * (mean - cand["lo95"]), "hi95": mean + k95 * (cand["hi95"] - mean)}


def _backtest(model_series: dict[str, np.ndarray]):
    """Per series: the chosen model, its holdout block, and the calibration ratios from earlier origins."""
    choices, holdouts, early_ratios, all_ratios = {}, {}, ([], []), ([], [])
    groups = {2: {k: v for k, v in model_series.items() if len(v) >= 36},
              1: {k: v for k, v in model_series.items() if len(v) < 36}}
    for windows, group in groups.items():
        if not group:
            continue
        cv = _statsforecast(group, HOLDOUT, windows)
        for sid, block in cv.groupby("unique_id", sort=False):
            values = group[sid]
            cutoffs = sorted(block["cutoff"].unique())
            scores = {m: [] for m in MODELS}
            ratios = {m: [] for m in MODELS}
            for i, cutoff in enumerate(cutoffs):
                win = block[block["cutoff"] == cutoff]
                train = values[: len(values) - HOLDOUT - 6 * (len(cutoffs) - 1 - i)]
                actual = win["y"].to_numpy()
                scale = mase_scale(train)
                for m in MODELS:
                    cand = _candidate(win, m)
                    scores[m].append(np.mean(np.abs(cand["mean"] - actual)) / scale if scale > 0 else np.inf)
                    ratios[m].append(_ratios(actual, cand))
            last = block[block["cutoff"] == cutoffs[-1]]
            mean_scores = {m: float(np.mean(s)) for m, s in scores.items()}
            best = min(MODELS, key=lambda m: (mean_scores[m], MODELS.index(m)))
            if best != "seasonal naive" and not scores[best][-1] < scores["seasonal naive"][-1]:
                best = "seasonal naive"
            for i, (r80, r95) in enumerate(ratios[best]):
                all_ratios[0].append(r80), all_ratios[1].append(r95)
                if i < len(cutoffs) - 1:
                    early_ratios[0].append(r80), early_ratios[1].append(r95)
            choices[sid] = best
            holdouts[sid] = last
    return choices, holdouts, early_ratios, all_ratios


def _factor(ratios: list, level: float) -> float:
    values = np.concatenate(ratios) if ratios else np.array([])
    values = values[np.isfinite(values)]
    if len(values) < 30:
        return 1.0
    return float(np.clip(np.quantile(values, level), 0.5, 3.0))


def forecast(frame: pd.DataFrame, *, horizon: int, end: pd.Timestamp | None = None) -> EngineResult:
    """Forecast every series in `frame` (series_id, period, value) `horizon` months past its end."""
    if horizon < 1:
        raise ValueError("the horizon must be at least 1 month")
    series = prepare(frame, end=end)
    reasons, model_series, fallback_series = {}, {}, {}
    for sid, values in series.items():
        if len(values) == 0:
            continue
        shift = level_shift(values) if len(values) >= MIN_MODEL_MONTHS else None
        if shift is not None:
            reasons[sid] = f"level shift {len(values) - shift} months ago: history from then only"
            values = values[shift:]
            series[sid] = values
        if len(values) < MIN_MODEL_MONTHS:
            fallback_series[sid] = values
            reasons.setdefault(sid, f"only {len(values)} month{'' if len(values) == 1 else 's'} of history")
        elif is_intermittent(values):
            fallback_series[sid] = values
            reasons.setdefault(sid, "intermittent: many months without spend")
        else:
            model_series[sid] = values
            reasons.setdefault(sid, "")
    choices, holdouts, early, everything = _backtest(model_series) if model_series else ({}, {}, ([], []), ([], []))
    pooled = early if sum(len(r) for r in early[0]) >= 30 else everything
    k80, k95 = _factor(pooled[0], 0.80), _factor(pooled[1], 0.95)
    finals = {}
    if horizon > 0:
        # the final fit only for the model each series chose (the ensemble needs all three)
        for model in MODELS:
            group = {sid: v for sid, v in model_series.items() if choices[sid] == model}
            out = _statsforecast(group, horizon, None, only=None if model == "ensemble" else model)
            if out is not None:
                finals.update(dict(tuple(out.groupby("unique_id", sort=False))))
    forecasts, accuracy = [], []
    for sid, values in series.items():
        start = _period_after(frame, sid, end, len(values))
        periods = pd.date_range(start, periods=horizon, freq="MS")
        if sid in model_series:
            model = choices[sid]
            cand = _scale(_candidate(finals[sid], model), k80, k95)
            hold = holdouts[sid]
            actual = hold["y"].to_numpy()
            train = values[: len(values) - HOLDOUT]
            chosen = _metrics(actual, **_rename(_scale(_candidate(hold, model), k80, k95)), scale=mase_scale(train))
            naive = _metrics(actual, _candidate(hold, "seasonal naive")["mean"], None, None, None, None, mase_scale(train))
        else:
            model, mean, sigma = fallback(values, horizon)
            cand = {"mean": mean, **_bounds(mean, sigma)}
            chosen, naive = _fallback_holdout(values, model)
        forecasts.append(pd.DataFrame({"series_id": sid, "period": periods, "forecast": cand["mean"],
                                       "lo80": cand["lo80"], "hi80": cand["hi80"], "lo95": cand["lo95"],
                                       "hi95": cand["hi95"], "model": model}))
        accuracy.append({"series_id": sid, "n_months": len(values), "model": model, "reason": reasons[sid],
                         **chosen, "snaive_mase": naive["mase"], "snaive_smape": naive["smape"],
                         "snaive_bias": naive["bias"], "n_holdout": HOLDOUT if np.isfinite(naive["smape"]) else 0})
    for sid in frame["series_id"].astype(str).unique() if not frame.empty else []:
        if sid not in series:
            accuracy.append({"series_id": sid, "n_months": 0, "model": "none", "reason": "no history: no forecast"})
    fc = pd.concat(forecasts, ignore_index=True) if forecasts else pd.DataFrame(columns=FORECAST_COLUMNS + ["model"])
    acc = pd.DataFrame(accuracy, columns=ACCURACY_COLUMNS)
    n_errors = sum(len(r) for r in pooled[0])
    return EngineResult(fc, acc, {"k80": k80, "k95": k95, "n_errors": n_errors})


def _rename(cand: dict) -> dict:
    return {"mean": cand["mean"], "lo80": cand["lo80"], "hi80": cand["hi80"], "lo95": cand["lo95"], "hi95": cand["hi95"]}


def _period_after(frame: pd.DataFrame, sid: str, end, n: int) -> pd.Timestamp:
    if end is not None:
        return pd.Timestamp(end) + pd.offsets.MonthBegin(1)
    last = pd.to_datetime(frame.loc[frame["series_id"].astype(str) == sid, "period"]).max()
    return last.to_period("M").to_timestamp() + pd.offsets.MonthBegin(1)


def _fallback_holdout(values: np.ndarray, method: str) -> tuple[dict, dict]:
    """Holdout metrics of the robust method and of seasonal naive, when 24+ months allow it."""
    empty = {"mase": np.nan, "smape": np.nan, "bias": np.nan, "coverage80": np.nan, "coverage95": np.nan}
    if len(values) < MIN_MODEL_MONTHS:
        return empty, empty
    train, actual = values[:-HOLDOUT], values[-HOLDOUT:]
    _, mean, sigma = fallback(train, HOLDOUT)
    b = _bounds(mean, sigma)
    scale = mase_scale(train)
    return (_metrics(actual, mean, b["lo80"], b["hi80"], b["lo95"], b["hi95"], scale),
            _metrics(actual, snaive(train, HOLDOUT), None, None, None, None, scale))


def overall(accuracy: pd.DataFrame) -> dict:
    """Accuracy over all backtested series: mean MASE, sMAPE and coverage of the chosen models and seasonal naive."""
    tested = accuracy[accuracy["n_holdout"].fillna(0) > 0]
    if tested.empty:
        return {"series": 0}
    return {
        "series": int(len(tested)),
        "mase": float(tested["mase"].mean()), "smape": float(tested["smape"].mean()),
        "coverage80": float(tested["coverage80"].mean()), "coverage95": float(tested["coverage95"].mean()),
        "snaive_mase": float(tested["snaive_mase"].mean()), "snaive_smape": float(tested["snaive_smape"].mean()),
        "models": tested["model"].value_counts().to_dict(),
    }
