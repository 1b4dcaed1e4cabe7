"""A series' forecast method and backtested accuracy in one plain sentence, for the Forecast page.

Pure functions of the accuracy row (model, months held out, sMAPE, MASE and seasonal naive's MASE), so a
stored run says the same as a fresh one. The sentences are whole messages of the catalog (analytics.i18n) with
their numbers in the current language's formats.
"""
from __future__ import annotations

import math

import pandas as pd
from babel.lists import format_list

from analytics import i18n
from analytics.i18n import N_

METHODS = {
    "combination": N_("Combination of ETS, Theta, optimised Theta and ARIMA"),
    "seasonal naive": N_("Same month last year (seasonal naive)"),
    "seasonal naive (short history)": N_("Same month last year (too little history for models)"),
    "intermittent mean": N_("Average of the last 12 months (spend comes in some months only)"),
    "mean of history": N_("Average of the months seen (too little history for models)"),
    "ensemble": N_("Average of ETS, Theta and seasonal naive"),
    "none": N_("No forecast: no history"),
}
MEMBERS_IN_WORDS = "ETS, Theta, optimised Theta and ARIMA"
MEMBERS = {"optimised theta": N_("optimised Theta"), "optimized theta": N_("optimised Theta"),
           "seasonal naive": N_("seasonal naive")}


def percent(value: float, decimals: int = 0) -> str:
    """A percentage given in percent: '4.5%' in English (as the backtest reads), '4,5 %' in German."""
    if i18n.current() == i18n.DEFAULT:
        return f"{value:.{decimals}f}%"
    return i18n.percent(value / 100, decimals)


def decimal(value: float, decimals: int = 2) -> str:
    """A ratio such as MASE: '0.44' / '0,44'."""
    return f"{value:.{decimals}f}" if i18n.current() == i18n.DEFAULT else i18n.number(value, decimals)


def method_in_words(model: str) -> str:
    """'Combination of ETS, ...' for an engine model name, in the current language; unknown names are returned as
    they are."""
    if model.startswith("combination (") and model.endswith(")"):
        names = model[len("combination ("):-1].split(", ")
        if i18n.current() == i18n.DEFAULT:
            return f"Combination of {', '.join(names[:-1])} and {names[-1]}"
        names = [i18n.t(MEMBERS[n.lower()]) if n.lower() in MEMBERS else n for n in names]
        return i18n.t("Combination of {models}", models=format_list(names, locale=i18n.locale()))
    return i18n.t(METHODS[model]) if model in METHODS else model


# the sentence after the method: (how it compares with repeating last year) -> whole message
ACCURACY = {
    None: N_("{method}; on the last {months} months held out it missed by {smape} on average"),
    "better": N_("{method}; on the last {months} months held out it missed by {smape} on average, {gain} better "
                 "than repeating last year"),
    "worse": N_("{method}; on the last {months} months held out it missed by {smape} on average, {gain} worse than "
                "repeating last year"),
    "same": N_("{method}; on the last {months} months held out it missed by {smape} on average, as good as "
               "repeating last year"),
}


def accuracy_in_words(*, model: str, n_holdout: float, smape: float, mase: float, snaive_mase: float) -> str:
    """'<method>; on the last N months held out it missed by X% on average, Y% better than repeating last year'."""
    method = method_in_words(model)
    if model == "none":
        return method
    if not _finite(n_holdout) or n_holdout <= 0 or not _finite(smape):
        return i18n.t("{method}; too little history to test it on held-out months", method=method)
    values = {"method": method, "months": int(n_holdout), "smape": percent(float(smape))}
    if model.startswith("seasonal naive") or not (_finite(mase) and _finite(snaive_mase)) or snaive_mase <= 0:
        return i18n.t(ACCURACY[None], **values)
    gain = round(100 * (1 - mase / snaive_mase))
    side = "better" if gain > 0 else "worse" if gain < 0 else "same"
    return i18n.t(ACCURACY[side], gain=percent(abs(gain)), **values)


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
