"""The forecast's backtest read out for people: what MASE and sMAPE mean for the series shown, why each series got
its method, and whether its bias is a risk.

Pure functions of the accuracy rows (analytics.forecast.runs.accuracy: key, n_months, model, reason, mase, smape,
bias, snaive_mase, n_holdout), so the Forecast page and the pack's Forecast sheet say the same.
Bias is forecast − actual per held-out month: a negative bias means the method forecast less than was spent
(under-forecasting spend), the risk for a budget holder, so it reads as a risk; a positive one errs on the safe side.
Every sentence is a whole message of the catalog (analytics.i18n), its numbers in the current language's formats.
"""
from __future__ import annotations

import math
import re

import pandas as pd

from analytics import i18n, present
from analytics.forecast.explain import decimal, method_in_words, percent
from analytics.i18n import N_

RISK, SAFE, NEUTRAL = "risk", "safe", "neutral"
RISK_COLOUR, SAFE_COLOUR = "#d62728", "#6b7280"   # under-forecasting in red; over-forecasting in grey, never green


def _number(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def accuracy_sentence(row, currency: str = "") -> str:
    """'On the last 12 months held back, this method was off by 4.5% on average. MASE 0.44: its errors were 0.44
    times the usual error of repeating last year (1.0 would be as good as repeating last year; ...).'"""
    smape, mase, months = _number(row.smape), _number(row.mase), _number(row.n_holdout)
    if str(row.model) == "none":
        return i18n.t("No forecast: the series has no history.")
    if not months or smape is None:
        return i18n.t("Too little history to hold months back and test the method.")
    text = i18n.t("On the last {months} months held back, this method was off by {smape} on average.",
                  months=int(months), smape=percent(smape, 1))
    if mase is None:
        return text
    naive = _number(getattr(row, "snaive_mase", None))
    if naive is not None and not str(row.model).startswith("seasonal naive"):
        return text + " " + i18n.t(
            "MASE {mase}: its errors were {mase} times the usual error of repeating last year (1.0 would be as good "
            "as repeating last year, below 1 is better); repeating last year itself scored {naive} on the same "
            "months.", mase=decimal(mase), naive=decimal(naive))
    return text + " " + i18n.t("MASE {mase}: its errors were {mase} times the usual error of repeating last year "
                               "(1.0 would be as good as repeating last year, below 1 is better).",
                               mase=decimal(mase))


# the engine's own reasons for a method (analytics.forecast.engine), read as whole clauses of the language
ENGINE_REASONS = (
    (re.compile(r"level shift (\d+) months ago: history from then only"),
     N_("level shift {months} months ago: history from then only")),
    (re.compile(r"only (\d+) months? of history"), N_("only {months} month(s) of history")),
    (re.compile(r"intermittent: many months without spend"), N_("intermittent: many months without spend")),
    (re.compile(r"no history: no forecast"), N_("no history: no forecast")),
)


def _engine_reason(given: str) -> str:
    """The engine's reason in the current language (English keeps it as written)."""
    if i18n.current() == i18n.DEFAULT:
        return given
    for pattern, message in ENGINE_REASONS:
        found = pattern.fullmatch(given)
        if found:
            return i18n.t(message, months=found.group(1)) if found.groups() else i18n.t(message)
    return given


def reason(row) -> str:
    """Which method and why, in words: the engine's own reason where it gave one, else what the backtest showed."""
    model, given = str(row.model), str(row.reason or "").strip()
    method = method_in_words(model)
    if model == "none":
        return method
    why = _engine_reason(given)
    if not why:
        months = _number(row.n_months)
        mase, naive = _number(row.mase), _number(row.snaive_mase)
        if model.startswith("combination"):
            closer = mase is not None and naive is not None and naive > 0 and mase > naive
            if months:
                why = i18n.t(COMBINATION_REASONS[closer], months=int(months))
            else:
                why = i18n.t(COMBINATION_REASONS_ENOUGH[closer])
        elif model.startswith("seasonal naive"):
            why = i18n.t("repeating last year was decisively better than the models on the held-back months")
        else:
            why = i18n.t("chosen by the backtest")
    return i18n.t("{method}, because {why}.", method=method, why=why)


# why a combination: (did repeating last year do a little better?) -> whole clause
COMBINATION_REASONS = {
    False: N_("there are {months} months of history with a seasonal pattern, and the average of several models is "
              "steadier than any one of them"),
    True: N_("there are {months} months of history with a seasonal pattern, and the average of several models is "
             "steadier than any one of them; repeating last year did a little better on the held-back months, but "
             "not decisively"),
}
COMBINATION_REASONS_ENOUGH = {
    False: N_("there are enough months of history with a seasonal pattern, and the average of several models is "
              "steadier than any one of them"),
    True: N_("there are enough months of history with a seasonal pattern, and the average of several models is "
             "steadier than any one of them; repeating last year did a little better on the held-back months, but "
             "not decisively"),
}


def bias_risk(bias, scale=None) -> str:
    """risk (under-forecasting spend), safe (over-forecasting) or neutral (no bias, or under 1% of `scale`)."""
    value = _number(bias)
    if value is None or value == 0:
        return NEUTRAL
    size = _number(scale)
    if size and abs(value) < 0.01 * abs(size):
        return NEUTRAL
    return RISK if value < 0 else SAFE


def bias_sentence(bias, currency: str = "", scale=None) -> str:
    """'Under-forecast by 97,212 USD a month: the landing may be too low (a risk).'"""
    kind, value = bias_risk(bias, scale), _number(bias)
    if value is None:
        return ""
    amount = present.money_text(abs(value), currency, decimals=0)
    if kind == RISK:
        return i18n.t("Under-forecast by {amount} a month on the held-back months: the landing may be too low (a "
                      "risk).", amount=amount)
    if kind == SAFE:
        return i18n.t("Over-forecast by {amount} a month on the held-back months: the landing errs on the safe side.",
                      amount=amount)
    return i18n.t("No material bias on the held-back months.")


def explained(accuracy: pd.DataFrame, currency: str = "") -> pd.DataFrame:
    """One row per series: key, method and why, accuracy in a sentence, bias in a sentence, bias risk."""
    rows = [{"key": r.key, "reason": reason(r), "accuracy_in_words": accuracy_sentence(r, currency),
             "bias_in_words": bias_sentence(r.bias, currency), "bias_risk": bias_risk(r.bias)}
            for r in accuracy.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["key", "reason", "accuracy_in_words", "bias_in_words", "bias_risk"])


def bias_colour(value) -> str:
    """CSS for a bias cell: red when it under-forecasts spend, grey when it over-forecasts."""
    kind = bias_risk(value)
    return f"color: {RISK_COLOUR}" if kind == RISK else f"color: {SAFE_COLOUR}" if kind == SAFE else ""
