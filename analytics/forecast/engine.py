"""The forecasting engine: monthly series in, forecasts with 80/95% intervals and backtest accuracy out.

Grain: one row per series x future month (forecasts) and one row per series (accuracy).

- Forecast: the **combination** (mean) of four statsforecast 2.1 models fitted to every series in one batch:
  automatic ETS (multiplicative errors when the series is strictly positive, else additive), the standard
  Theta method, the dynamic optimised Theta method and a seasonal ARIMA(0,1,1)(0,1,1)12; its interval
  half-widths are the mean of the members' (see combine.py). A member whose backtest error is over 3 times
  the best member's is left out of that series' combination.
- Rolling-origin backtest, one origin per series: the last 18 months held out when the forecast runs past
  12 months and 30 months remain to fit on, otherwise the last 12. Seasonal naive replaces the combination
  only where the backtest is decisive (its error under a third of the combination's). The final fit on the
  whole history keeps the ETS error and season types the backtest chose and searches only the trend.
- Intervals are calibrated (calibrate.py): one factor per level scales every interval of the batch so that
  the backtest errors, pooled over the series, fall inside it at the nominal rate.
- Short, sparse or shifted series fall back to robust methods with wide intervals (see `fallback`).
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.forecast import calibrate, combine, explain

SEASON = 12
HOLDOUT = 12
MIN_MODEL_MONTHS = 24
Z80, Z95 = 1.2815515655446004, 1.959963984540054
LONG_HOLDOUT = 18            # held out when the forecast runs past 12 months and the series is long enough
MIN_FIT_MONTHS = 30          # months left to fit on before the long holdout is used
MEMBERS = ("ETS", "Theta", "optimised Theta", "ARIMA")
MODELS = ("combination", "seasonal naive", *MEMBERS)   # and "combination (A, B)" of the members kept
PARALLEL_FROM = 200          # series in a batch before a second process is used
FORECAST_COLUMNS = ["series_id", "period", "forecast", "lo80", "hi80", "lo95", "hi95"]
ACCURACY_COLUMNS = ["series_id", "n_months", "model", "reason", "mase", "smape", "bias", "coverage80", "coverage95",
                    "snaive_mase", "snaive_smape", "snaive_bias", "n_holdout", "accuracy_in_words"]


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
    4 robust standard deviations of the months before and by more than 40% of the larger level, and when
    the two flat segments fit at least twice as well as a straight line (a steady trend is not a shift:
    cutting a trending series' history only loses what the models need to see the trend).
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
        t = np.arange(n)
        line = np.polyval(np.polyfit(t, values, 1), t)
        if 2 * min(costs) < np.sum(np.abs(values - line)):
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
    return {"lo80": mean - Z80 * sigma, "hi80": mean + Z80 * sigma,
            "lo95": mean - Z95 * sigma, "hi95": mean + Z95 * sigma}


def _ets(form: str | None, positive: bool):
    """Automatic ETS (multiplicative errors for strictly positive series); given a form ('MAMD' for MAdM), the
    search keeps its error and season types and tries the three trends (none, additive, damped) again."""
    from statsforecast.models import AutoETS
    if form is None:
        return AutoETS(season_length=SEASON, model="MZZ" if positive else "AZZ", alias="ETS")
    return AutoETS(season_length=SEASON, model=f"{form[0]}Z{form[2]}", alias="ETS")


def _others() -> list:
    """The other members (aliases are the member names) and seasonal naive."""
    from statsforecast.models import ARIMA, DynamicOptimizedTheta, SeasonalNaive, Theta
    return [Theta(season_length=SEASON, alias="Theta"),
            DynamicOptimizedTheta(season_length=SEASON, alias="optimised Theta"),
            ARIMA(order=(0, 1, 1), seasonal_order=(0, 1, 1), season_length=SEASON, alias="ARIMA"),
            SeasonalNaive(season_length=SEASON, alias="seasonal naive")]


def _n_jobs(n_series: int, n_jobs: int | None) -> int:
    if n_jobs is not None:
        return max(1, n_jobs)
    return min(2, os.cpu_count() or 1) if n_series >= PARALLEL_FROM else 1


def _predict(series: dict[str, np.ndarray], h: int, models: list, n_jobs: int) -> tuple[pd.DataFrame, dict]:
    """statsforecast's forecasts of `models` for every series, and the ETS form each series was fitted with."""
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive
    df = pd.concat([pd.DataFrame({"unique_id": sid, "ds": pd.date_range("2000-01-01", periods=len(v), freq="MS"),
                                  "y": v}) for sid, v in series.items()], ignore_index=True)
    sf = StatsForecast(models=models, freq="MS", n_jobs=n_jobs, fallback_model=SeasonalNaive(season_length=SEASON))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        sf.fit(df=df)
        frame = sf.predict(h=h, level=[80, 95])
    if "unique_id" not in frame.columns:
        frame = frame.reset_index()
    forms = {}
    if models[0].alias == "ETS":
        for uid, fitted in zip(sf.uids, sf.fitted_[:, 0]):
            spec = getattr(fitted, "model_", None)
            forms[str(uid)] = spec.get("components") if isinstance(spec, dict) else None
    return frame, forms


def _statsforecast(series: dict[str, np.ndarray], h: int, *, holdout: bool, n_jobs: int | None,
                   ets_forms: dict | None = None) -> tuple[dict[str, dict], dict]:
    """({series_id: {model: {part: array}}} of the members, seasonal naive and their combination; ETS forms).

    With `holdout`, each series' last `h` months are held out and the block also carries `actual`.
    ETS searches its forms (AICc) unless `ets_forms` gives each series' form (the one its backtest chose:
    the search is 9 fits, most of the engine's time, and choosing on fewer months keeps the backtest honest).
    """
    fit_on = {sid: v[: len(v) - h] for sid, v in series.items()} if holdout else series
    jobs = _n_jobs(len(series), n_jobs)
    calls: dict[tuple, dict] = {}
    for sid, values in fit_on.items():
        positive = bool(np.all(values > 0))
        form = (ets_forms or {}).get(sid)
        if form is not None and not positive and "M" in form[:3]:
            form = None
        calls.setdefault((form, positive), {})[sid] = values
    frames, forms = [], {}
    if ets_forms is None:
        for (_, positive), group in calls.items():
            frame, found = _predict(group, h, [_ets(None, positive), *_others()], jobs)
            frames.append(frame)
            forms.update(found)
    else:
        frames.append(_predict(fit_on, h, _others(), jobs)[0].set_index(["unique_id", "ds"]))
        ets = [_predict(group, h, [_ets(form, positive)], _n_jobs(len(group), n_jobs))[0]
               for (form, positive), group in calls.items()]
        frames = [frames[0].join(pd.concat(ets).set_index(["unique_id", "ds"])).reset_index()]
        forms = dict(ets_forms)
    out: dict[str, dict] = {}
    for sid, block in pd.concat(frames, ignore_index=True).groupby("unique_id", sort=False):
        models = {name: {"mean": block[name].to_numpy(dtype=float),
                         **{f"{side}{lv}": block[f"{name}-{side}-{lv}"].to_numpy(dtype=float)
                            for side in ("lo", "hi") for lv in ("80", "95")}}
                  for name in (*MEMBERS, "seasonal naive")}
        models["combination"] = combine.combine([models[m] for m in MEMBERS])
        if holdout:
            models["actual"] = series[str(sid)][-h:]
        out[str(sid)] = models
    return out, forms


def holdout_months(n_months: int, horizon: int) -> int:
    """Months held out in the backtest: 18 when the forecast runs past 12 months and 30+ months remain, else 12."""
    return LONG_HOLDOUT if horizon > HOLDOUT and n_months - LONG_HOLDOUT >= MIN_FIT_MONTHS else HOLDOUT


def _backtest(model_series: dict[str, np.ndarray], horizon: int, n_jobs: int | None):
    """Per series: the chosen model and its holdout block (members, combination, seasonal naive, actual)."""
    blocks: dict[str, dict] = {}
    by_holdout: dict[int, dict] = {}
    for sid, values in model_series.items():
        by_holdout.setdefault(holdout_months(len(values), horizon), {})[sid] = values
    forms: dict[str, str | None] = {}
    for h, group in by_holdout.items():
        found, group_forms = _statsforecast(group, h, holdout=True, n_jobs=n_jobs)
        blocks.update(found)
        forms.update(group_forms)
    choices = {}
    for sid, block in blocks.items():
        errors = {m: float(np.mean(np.abs(block[m]["mean"] - block["actual"]))) for m in MEMBERS}
        kept = combine.trim(errors)
        block["combination"] = combine.combine([block[m] for m in kept])
        comb_error = float(np.mean(np.abs(block["combination"]["mean"] - block["actual"])))
        naive_error = float(np.mean(np.abs(block["seasonal naive"]["mean"] - block["actual"])))
        choices[sid] = ("seasonal naive",) if combine.decisive(comb_error, naive_error) else tuple(kept)
    return choices, blocks, forms


def forecast(frame: pd.DataFrame, *, horizon: int, end: pd.Timestamp | None = None,
             n_jobs: int | None = None) -> EngineResult:
    """Forecast every series in `frame` (series_id, period, value) `horizon` months past its end.

    `n_jobs`: processes for the model fits (default: 2 from PARALLEL_FROM series on, else 1).
    """
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
    choices, blocks, forms = _backtest(model_series, horizon, n_jobs) if model_series else ({}, {}, {})
    pooled = {lv: [calibrate.ratios(b["actual"], b["seasonal naive" if choices[sid] == ("seasonal naive",)
                                                 else "combination"], lv) for sid, b in blocks.items()]
              for lv in ("80", "95")}
    k80, k95 = calibrate.factor(pooled["80"], 0.80), calibrate.factor(pooled["95"], 0.95)
    finals = (_statsforecast(model_series, horizon, holdout=False, n_jobs=n_jobs, ets_forms=forms)[0]
              if model_series else {})
    forecasts, accuracy = [], []
    first_months = _first_months(frame, end)
    for sid, values in series.items():
        periods = pd.date_range(first_months[sid], periods=horizon, freq="MS")
        if sid in model_series:
            model = combine.name(list(choices[sid]), MEMBERS)
            block = blocks[sid]
            key = "seasonal naive" if choices[sid] == ("seasonal naive",) else "combination"
            cand = calibrate.scale(_final(finals[sid], choices[sid]), k80, k95)
            actual = block["actual"]
            train = values[: len(values) - len(actual)]
            chosen = _metrics(actual, **calibrate.scale(block[key], k80, k95), scale=mase_scale(train))
            naive = _metrics(actual, block["seasonal naive"]["mean"], None, None, None, None, mase_scale(train))
            n_holdout = len(actual)
        else:
            model, mean, sigma = fallback(values, horizon)
            cand = {"mean": mean, **_bounds(mean, sigma)}
            chosen, naive = _fallback_holdout(values, model)
            n_holdout = HOLDOUT if np.isfinite(naive["smape"]) else 0
        forecasts.append(pd.DataFrame({"series_id": sid, "period": periods, "forecast": cand["mean"],
                                       "lo80": cand["lo80"], "hi80": cand["hi80"], "lo95": cand["lo95"],
                                       "hi95": cand["hi95"], "model": model}))
        row = {"series_id": sid, "n_months": len(values), "model": model, "reason": reasons[sid], **chosen,
               "snaive_mase": naive["mase"], "snaive_smape": naive["smape"], "snaive_bias": naive["bias"],
               "n_holdout": n_holdout}
        accuracy.append({**row, "accuracy_in_words": explain.accuracy_in_words(
            model=model, n_holdout=n_holdout, smape=chosen["smape"], mase=chosen["mase"],
            snaive_mase=naive["mase"])})
    for sid in frame["series_id"].astype(str).unique() if not frame.empty else []:
        if sid not in series:
            accuracy.append({"series_id": sid, "n_months": 0, "model": "none", "reason": "no history: no forecast",
                             "accuracy_in_words": explain.method_in_words("none")})
    fc = pd.concat(forecasts, ignore_index=True) if forecasts else pd.DataFrame(columns=FORECAST_COLUMNS + ["model"])
    acc = pd.DataFrame(accuracy, columns=ACCURACY_COLUMNS)
    n_errors = int(sum(np.isfinite(r).sum() for r in pooled["80"]))
    return EngineResult(fc, acc, {"k80": k80, "k95": k95, "n_errors": n_errors})


def _final(models: dict, chosen: tuple[str, ...]) -> dict:
    """The chosen forecast: seasonal naive, one member, or the combination of the members kept."""
    if chosen == ("seasonal naive",):
        return models["seasonal naive"]
    return combine.combine([models[m] for m in chosen])


def _first_months(frame: pd.DataFrame, end) -> dict[str, pd.Timestamp]:
    """{series_id: the month after its last period (or after `end`, when given)}."""
    if end is not None:
        first = pd.Timestamp(end) + pd.offsets.MonthBegin(1)
        return {str(sid): first for sid in frame["series_id"].unique()}
    lasts = pd.to_datetime(frame["period"]).groupby(frame["series_id"].astype(str)).max()
    return {sid: last.to_period("M").to_timestamp() + pd.offsets.MonthBegin(1) for sid, last in lasts.items()}


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
