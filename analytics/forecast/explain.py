"""A series' forecast method and backtested accuracy in one plain sentence, for the Forecast page.

Pure functions of the accuracy row (model, months held out, sMAPE, MASE and seasonal naive's MASE), so a
stored run says the same as a fresh one.
"""
from __future__ import annotations

import math

import pandas as pd

MEMBERS_IN_WORDS = "ETS, Theta, optimised Theta and ARIMA"
METHODS = {
    "combination": f"Combination of {MEMBERS_IN_WORDS}",
    "seasonal naive": "Same month last year (seasonal naive)",
    "seasonal naive (short history)": "Same month last year (too little history for models)",
    "intermittent mean": "Average of the last 12 months (spend comes in some months only)",
    "mean of history": "Average of the months seen (too little history for models)",
    "ensemble": "Average of ETS, Theta and seasonal naive",
    "none": "No forecast: no history",
}


def method_in_words(model: str) -> str:
    """'Combination of ETS, ...' for an engine model name; unknown names are returned as they are."""
    if model.startswith("combination (") and model.endswith(")"):
        names = model[len("combination ("):-1].split(", ")
        return f"Combination of {', '.join(names[:-1])} and {names[-1]}"
    return METHODS.get(model, model)


def accuracy_in_words(*, model: str, n_holdout: float, smape: float, mase: float, snaive_mase: float) -> str:
    """'<method>; on the last N months held out it missed by X% on average, Y% better than repeating last year'."""
    method = method_in_words(model)
    if model == "none":
        return method
    if not _finite(n_holdout) or n_holdout <= 0 or not _finite(smape):
        return f"{method}; too little history to test it on held-out months"
    months = int(n_holdout)
    text = f"{method}; on the last {months} months held out it missed by {smape:.0f}% on average"
    if model.startswith("seasonal naive") or not (_finite(mase) and _finite(snaive_mase)) or snaive_mase <= 0:
        return text
    gain = round(100 * (1 - mase / snaive_mase))
    if gain > 0:
        return f"{text}, {gain}% better than repeating last year"
    if gain < 0:
        return f"{text}, {-gain}% worse than repeating last year"
    return f"{text}, as good as repeating last year"


def in_words(accuracy: pd.DataFrame) -> pd.Series:
    """One sentence per accuracy row (columns model, n_holdout, smape, mase, snaive_mase), same index."""
    return pd.Series([accuracy_in_words(model=str(r.model), n_holdout=r.n_holdout, smape=r.smape, mase=r.mase,
                                        snaive_mase=r.snaive_mase)
                      for r in accuracy[["model", "n_holdout", "smape", "mase", "snaive_mase"]].itertuples()],
                     index=accuracy.index, dtype=object)


def _finite(value) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
