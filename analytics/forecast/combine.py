"""Combination forecasts: the mean of the member models, their intervals averaged around it, and the
rule that lets a single method replace the combination only when the backtest is decisive.

Why a mean and not a choice: on rolling-origin backtests a per-series winner is picked on a handful of
held-out months, and the noise in that pick costs more than the best model gains (on M3 monthly, choosing
by backtest scored sMAPE 14.2; the mean of the members 13.4). Why these members: exponential smoothing,
two Theta methods and a seasonal ARIMA make different kinds of error (trend damping, drift, differencing),
and each costs well under 0.1 s of CPU per series.
"""
from __future__ import annotations

import numpy as np

PARTS = ("mean", "lo80", "hi80", "lo95", "hi95")
# a member is left out of a series' combination when its backtest error is over this multiple of the best member's
TRIM = 3.0
# seasonal naive replaces the combination only when its backtest error is under this share of the combination's
DECISIVE = 1 / 3


def combine(members: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The members' mean forecast, with each side's interval half-width the mean of the members' half-widths."""
    if not members:
        raise ValueError("a combination needs at least one member")
    stack = {part: np.vstack([np.asarray(m[part], dtype=float) for m in members]) for part in PARTS}
    mean = stack["mean"].mean(axis=0)
    out = {"mean": mean}
    for level in ("80", "95"):
        out[f"lo{level}"] = mean - (stack["mean"] - stack[f"lo{level}"]).mean(axis=0)
        out[f"hi{level}"] = mean + (stack[f"hi{level}"] - stack["mean"]).mean(axis=0)
    return out


def decisive(combination_error: float, alternative_error: float, *, share: float = DECISIVE) -> bool:
    """True when the alternative's backtest error is under `share` of the combination's (and finite)."""
    if not np.isfinite(alternative_error):
        return False
    if not np.isfinite(combination_error):
        return True
    return alternative_error < share * combination_error


def trim(errors: dict[str, float], *, multiple: float = TRIM) -> list[str]:
    """The members (in the given order) whose backtest error is within `multiple` of the best member's.

    Only a gross failure is left out (say Theta missing the season of a steeply trending series):
    dropping members on small differences costs accuracy, as choosing a single model does.
    """
    finite = {m: e for m, e in errors.items() if np.isfinite(e)}
    if not finite:
        return list(errors)
    best = min(finite.values())
    return [m for m, e in finite.items() if e <= multiple * best or e == best]


def name(kept: list[str], members: tuple[str, ...]) -> str:
    """'combination' of all members, 'combination (A, B)' of some, or the one member's name."""
    if list(kept) == list(members):
        return "combination"
    if len(kept) == 1:
        return kept[0]
    return f"combination ({', '.join(kept)})"
