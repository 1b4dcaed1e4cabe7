"""Interval calibration from rolling-origin backtest errors (split-conformal on scaled errors).

Each backtest error is divided by the model's own interval half-width on its side at that step
(|actual - forecast| / half-width); the 80% (95%) quantile of these ratios, pooled over every series and
step of a batch, is the factor that stretches (or shrinks) every interval of the batch. The model keeps
the shape (wider for noisier series and further months), the backtest sets the width, so intervals cover
their nominal share of months the models did not see, not the share the model's assumptions promise.
"""
from __future__ import annotations

import numpy as np

MIN_RATIOS = 30
LIMITS = (0.5, 3.0)


def ratios(actual: np.ndarray, cand: dict[str, np.ndarray], level: str) -> np.ndarray:
    """|actual - mean| / the interval half-width on the actual's side, per month (nan when the width is 0)."""
    actual, mean = np.asarray(actual, dtype=float), np.asarray(cand["mean"], dtype=float)
    half = np.where(actual >= mean, cand[f"hi{level}"] - mean, mean - cand[f"lo{level}"])
    return np.abs(actual - mean) / np.where(half > 0, half, np.nan)


def factor(pooled: list[np.ndarray], coverage: float) -> float:
    """The `coverage` quantile of the pooled ratios (clipped to LIMITS); 1 when under MIN_RATIOS are finite."""
    values = np.concatenate(pooled) if pooled else np.array([])
    values = values[np.isfinite(values)]
    if len(values) < MIN_RATIOS:
        return 1.0
    return float(np.clip(np.quantile(values, coverage), *LIMITS))


def scale(cand: dict[str, np.ndarray], k80: float, k95: float) -> dict[str, np.ndarray]:
    """The candidate with each interval side stretched by its level's factor around the mean."""
    mean = cand["mean"]
    return {"mean": mean, "lo80": mean - k80 * (mean - cand["lo80"]), "hi80": mean + k80 * (cand["hi80"] - mean),
            "lo95": mean - k95 * (mean - cand["lo95"]), "hi95": mean + k95 * (cand["hi95"] - mean)}
