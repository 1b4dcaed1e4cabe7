"""The score: a weighted mean over the indicators each vendor has, its rank, trend and parts."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.vendors.indicators import components, spend_12m, vendor_list
from analytics.vendors.periods import default_quarter_end, previous_quarter_end
from analytics.vendors.weights import INDICATOR_NAMES, INDICATORS, get_weights, indicator, renormalise


def _weighted(parts: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """vendor_key, score, indicators_used: the weighted mean over the indicators each vendor has."""
    if parts.empty:
        return pd.DataFrame(columns=["vendor_key", "score", "indicators_used"])
    frame = parts.assign(weight=parts["indicator"].map(weights).fillna(0.0))
    frame = frame[frame["weight"] > 0]
    frame = frame.assign(weighted=frame["score"] * frame["weight"])
    grouped = frame.groupby("vendor_key").agg(total=("weighted", "sum"), weight=("weight", "sum"),
                                              indicators_used=("indicator", "size")).reset_index()
    grouped["score"] = grouped["total"] / grouped["weight"]
    return grouped[["vendor_key", "score", "indicators_used"]]


def score_table(current: pd.DataFrame, previous: pd.DataFrame, weights: dict[str, float],
                vendors: pd.DataFrame) -> pd.DataFrame:
    """One row per vendor in `vendors`: score, rank, previous score, trend and each indicator's value and score.

    Pure: combines components() of two quarters with weights, so changing a weight needs no query.
    A vendor with no indicator data has no score and no rank.
    """
    weights = renormalise({name: weights.get(name, 0.0) for name in INDICATOR_NAMES})
    now = _weighted(current, weights)
    before = _weighted(previous, weights).rename(columns={"score": "previous_score"})
    table = vendors[["vendor_key", "vendor"]].merge(now, on="vendor_key", how="left")
    table = table.merge(before[["vendor_key", "previous_score"]], on="vendor_key", how="left")
    table["score"] = table["score"].astype(float).round(1)
    table["previous_score"] = table["previous_score"].astype(float).round(1)
    table["trend"] = (table["score"] - table["previous_score"]).round(1)
    table["indicators_used"] = pd.to_numeric(table["indicators_used"]).fillna(0).astype(int)
    # rank by score, then by coverage: of two equal scores, the one resting on more indicators ranks first
    # (ten vendors at 100 from three indicators each say less than one at 100 from six)
    table["rank"] = ((table["score"] * 10).round() * 10 + table["indicators_used"]).rank(
        method="min", ascending=False).astype("Int64")
    wide_score = current.pivot_table(index="vendor_key", columns="indicator", values="score", aggfunc="first")
    wide_value = current.pivot_table(index="vendor_key", columns="indicator", values="value", aggfunc="first")
    for name in INDICATOR_NAMES:
        for suffix, wide in (("score", wide_score), ("value", wide_value)):
            column = wide[name] if name in wide.columns else pd.Series(dtype=float)
            table[f"{name}_{suffix}"] = table["vendor_key"].map(column).astype(float)
    # ties: the score resting on more indicators first
    table = table.sort_values(["rank", "indicators_used", "vendor"], ascending=[True, False, True],
                              na_position="last").reset_index(drop=True)
    front = ["rank", "vendor", "score", "previous_score", "trend", "indicators_used"]
    return table[front + [c for c in table.columns if c not in front]]


def rests_on_few(table: pd.DataFrame) -> pd.Series:
    """True for the scores that rest on fewer indicators than the best-covered vendor's (they say less); the
    rank already puts them after an equal score with more indicators."""
    used = table["indicators_used"]
    return used.notna() & (used < used.max())


def scope(con, *, quarter_end: dt.date, include_uncontracted: bool = False) -> pd.DataFrame:
    """The vendors to score: every vendor with a contract, plus (optionally) those with spend in the 12 months."""
    vendors = vendor_list(con)
    if include_uncontracted:
        spend = spend_12m(con, quarter_end)
        active = set(spend.loc[spend["lines_12m"] > 0, "vendor_key"])
        return vendors[(vendors["contracts"] > 0) | vendors["vendor_key"].isin(active)].reset_index(drop=True)
    return vendors[vendors["contracts"] > 0].reset_index(drop=True)


def scorecard(con, *, quarter_end: dt.date | None = None, weights: dict[str, float] | None = None,
              include_uncontracted: bool = False) -> pd.DataFrame:
    """One row per vendor: score 0-100, rank, trend against the previous quarter and each indicator's parts.

    Defaults: the latest complete fiscal quarter and the saved weights.
    """
    quarter_end = quarter_end or default_quarter_end(con)
    weights = weights or get_weights(con)
    current = components(con, quarter_end=quarter_end)
    previous = components(con, quarter_end=previous_quarter_end(con, quarter_end=quarter_end))
    vendors = scope(con, quarter_end=quarter_end, include_uncontracted=include_uncontracted)
    return score_table(current, previous, weights, vendors)


def contributions(table: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """One row per vendor × indicator with data: the points it adds to the vendor's score.

    points = score x effective weight / 100, where effective weights are the weights renormalised over
    the vendor's indicators with data; a vendor's points add up to its score.
    """
    weights = renormalise({name: weights.get(name, 0.0) for name in INDICATOR_NAMES})
    rows = []
    for r in table.itertuples(index=False):
        present = {name: getattr(r, f"{name}_score") for name in INDICATOR_NAMES
                   if not pd.isna(getattr(r, f"{name}_score")) and weights[name] > 0}
        used = sum(weights[name] for name in present)
        for name, score in present.items():
            rows.append({"vendor": r.vendor, "indicator": indicator(name).label, "score": score,
                         "effective_weight": 100 * weights[name] / used,
                         "points": score * weights[name] / used})
    return pd.DataFrame(rows, columns=["vendor", "indicator", "score", "effective_weight", "points"])


def parts_table(parts: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """One row per indicator for one vendor's components: value, score, weight, effective weight, basis (n/a rows too)."""
    weights = renormalise({name: weights.get(name, 0.0) for name in INDICATOR_NAMES})
    present = {r.indicator: r for r in parts.itertuples()}
    used = sum(weights[name] for name in present if weights[name] > 0)
    rows = []
    for ind in INDICATORS:
        part = present.get(ind.name)
        rows.append({"Indicator": ind.label, "Better": ind.better, "Value": part.value if part else None,
                     "Unit": ind.unit, "Score (0-100)": part.score if part else None, "Weight": weights[ind.name],
                     "Effective weight": round(100 * weights[ind.name] / used, 1) if part and used else None,
                     "Basis": part.basis if part else "n/a: no data"})
    return pd.DataFrame(rows)
