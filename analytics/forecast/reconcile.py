"""Hierarchical reconciliation: the forecast of every dimension adds up to the company total, per month.

The levels form three two-level hierarchies that share one top: total = sum of cost centers = sum of
categories = sum of vendors. Each series is forecast on its own, so the sums disagree (the members'
models do not know about each other). We keep the total's forecast as the anchor (the most aggregated
series is the least noisy and the one finance reads first) and, per dimension and month, split the gap
between the total and the sum of the members over the members in proportion to their forecast
variance (read off each member's calibrated 95% interval). That is MinT reconciliation with a diagonal
covariance (WLS) and the top held fixed: a member whose forecast is uncertain absorbs more of the gap,
a member forecast tightly (steady spend) hardly moves. Bottom-up was rejected because three different
bottoms would give three different totals; OLS because it moves a tiny steady series as much as a
large volatile one. Intervals move with their forecast (their width is kept).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.forecast.engine import Z95
from analytics.forecast.levels import DIMENSIONS

BANDS = ("lo80", "hi80", "lo95", "hi95")


def reconcile(values: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """{level: frame (key, period, forecast, lo80, hi80, lo95, hi95, ...)} with every dimension level's
    forecasts adjusted so that, per period, they add to the total level's forecast. Inputs are not changed."""
    total = values.get("total")
    if total is None or total.empty:
        return dict(values)
    anchor = total.groupby("period")["forecast"].sum()
    out = dict(values)
    for level in DIMENSIONS:
        frame = values.get(level)
        if frame is not None and not frame.empty:
            out[level] = _adjust(frame, anchor)
    return out


def _adjust(frame: pd.DataFrame, anchor: pd.Series) -> pd.DataFrame:
    """One dimension's members shifted per period by their variance share of the gap to the anchor."""
    frame = frame.copy()
    sigma = ((frame["hi95"] - frame["lo95"]) / (2 * Z95)).clip(lower=0).fillna(0.0)
    frame["_w"] = sigma ** 2
    sums = frame.groupby("period").agg(members=("forecast", "sum"), weight=("_w", "sum"), n=("forecast", "size"))
    sums["gap"] = anchor.reindex(sums.index).fillna(sums["members"]) - sums["members"]
    joined = frame.join(sums, on="period")
    share = np.where(joined["weight"] > 0, joined["_w"] / joined["weight"].where(joined["weight"] > 0, 1.0),
                     1.0 / joined["n"])
    shift = joined["gap"] * share
    for column in ("forecast", *BANDS):
        frame[column] = frame[column] + shift
    return frame.drop(columns="_w")


def gaps(values: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per dimension level x period: total forecast minus the sum of the level's forecasts
    (zero after reconcile, up to float rounding)."""
    total = values["total"].groupby("period")["forecast"].sum()
    rows = []
    for level in DIMENSIONS:
        if level in values and not values[level].empty:
            members = values[level].groupby("period")["forecast"].sum()
            for period, gap in (total - members.reindex(total.index).fillna(0.0)).items():
                rows.append({"level": level, "period": period, "gap": float(gap)})
    return pd.DataFrame(rows, columns=["level", "period", "gap"])
