"""Scorecard indicators (what each measures, which direction is better, how it maps to 0-100) and their weights.

Weights are stored renormalised to 100 (table vendor_scorecard_weights); changing one scales the
others proportionally (renormalise()).
An indicator's label, unit, window and mapping are English message ids of the catalog (analytics.i18n): they are
written in the reader's language where they are shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from analytics import store
from analytics.i18n import N_

@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    better: str            # higher | lower
    unit: str
    window: str
    mapping: str           # how the value becomes 0-100
    default_weight: float
    score: Callable[[pd.Series], pd.Series]


def _clip(values: pd.Series) -> pd.Series:
    return values.astype(float).clip(lower=0.0, upper=100.0)


INDICATORS = [
    Indicator("sla_attainment", N_("SLA attainment"), "higher", N_("% of SLA results met"), N_("quarter"),
              N_("score = the percentage of the vendor's monthly SLA results (availability, response, resolution "
              "per contract) that met their target"), 25, lambda v: _clip(v)),
    Indicator("availability", N_("Availability"), "lower", N_("points below target (average)"), N_("quarter"),
              N_("score = 100 - 100 x average shortfall below the availability target in percentage points "
              "(meeting the target = 100, 1 point short on average = 0)"), 20, lambda v: _clip(100 - 100 * v)),
    Indicator("incidents", N_("Incident volume and severity"), "lower", N_("severity points per contract-month"),
              N_("quarter"),
              N_("incidents weighted P1=8, P2=4, P3=2, P4 and lower=1, per active contract per month; "
              "score = 100 - 2.5 x points (none = 100, 40 points = 5 P1s a month = 0)"), 15,
              lambda v: _clip(100 - 2.5 * v)),
    Indicator("spend_vs_contract", N_("Spend against contract"), "lower", N_("% of contracted payments"),
              N_("12 months"),
              N_("spend with the vendor as a % of its contracts' committed payments; at or under 100% = 100, "
              "then -2 per point over (150% = 0)"), 15, lambda v: _clip(100 - 2 * (v - 100).clip(lower=0))),
    Indicator("audit_findings", N_("Audit findings on its invoices"), "lower", N_("% of spend at stake"),
              N_("12 months"),
              N_("amount at stake in open cost-audit findings as a % of the vendor's spend; "
              "score = 100 - 5 x percentage (none = 100, 20% = 0)"), 10, lambda v: _clip(100 - 5 * v)),
    Indicator("spend_trend", N_("Spend trend"), "lower", N_("% change on the previous 12 months"),
              N_("12 months"),
              N_("growth of spend against the previous 12 months; flat or falling = 100, "
              "-2 per point of growth (+50% = 0)"), 15, lambda v: _clip(100 - 2 * v.clip(lower=0))),
]
INDICATOR_NAMES = [i.name for i in INDICATORS]
DEFAULT_WEIGHTS = {i.name: float(i.default_weight) for i in INDICATORS}
COMPONENT_COLUMNS = ["vendor_key", "indicator", "value", "score", "basis"]


def indicator(name: str) -> Indicator:
    for ind in INDICATORS:
        if ind.name == name:
            return ind
    raise KeyError(f"unknown indicator {name!r}; known: {', '.join(INDICATOR_NAMES)}")


# --- weights -----------------------------------------------------------------------------------

def _round_tenths(values: dict[str, float], total: float, keep: str | None = None) -> dict[str, float]:
    """Round to 0.1 so the values add up to `total` exactly (largest remainder); `keep` is left as is."""
    free = [k for k in values if k != keep]
    target = round((total - (values[keep] if keep else 0)) * 10)
    tenths = {k: int(np.floor(values[k] * 10 + 1e-9)) for k in free}
    order = sorted(free, key=lambda k: (-(values[k] * 10 - tenths[k]), free.index(k)))
    for k in order[:max(0, target - sum(tenths.values()))]:
        tenths[k] += 1
    result = {k: tenths[k] / 10 for k in free}
    if keep:
        result[keep] = values[keep]
    return {k: result[k] for k in values}


def renormalise(weights: dict[str, float], changed: str | None = None) -> dict[str, float]:
    """Weights scaled to add up to 100 (to 0.1).

    With `changed`, that weight stays as given (capped to 0-100) and the others share the rest in
    their current proportions (equally when they are all zero). Without, all are scaled.
    """
    values = {k: min(max(float(v), 0.0), 100.0) for k, v in weights.items()}
    if not values:
        return {}
    if changed is not None:
        if changed not in values:
            raise KeyError(f"unknown indicator {changed!r}")
        values[changed] = round(values[changed], 1)
        others = [k for k in values if k != changed]
        rest, remaining = sum(values[k] for k in others), 100.0 - values[changed]
        for k in others:
            values[k] = values[k] * remaining / rest if rest > 0 else remaining / len(others)
        return _round_tenths(values, 100.0, keep=changed) if others else {changed: 100.0}
    total = sum(values.values())
    scaled = {k: (v * 100 / total if total > 0 else 100 / len(values)) for k, v in values.items()}
    return _round_tenths(scaled, 100.0)


def get_weights(con) -> dict[str, float]:
    """The saved weights (defaults where none saved), renormalised to 100, in INDICATORS order."""
    saved = dict(con.execute("select indicator, weight from vendor_scorecard_weights").fetchall())
    merged = {name: float(saved.get(name, DEFAULT_WEIGHTS[name])) for name in INDICATOR_NAMES}
    return renormalise(merged)


def save_weights(con, weights: dict[str, float]) -> dict[str, float]:
    """Renormalise and store the weights; returns what was stored."""
    unknown = set(weights) - set(INDICATOR_NAMES)
    if unknown:
        raise KeyError(f"unknown indicator(s): {', '.join(sorted(unknown))}")
    stored = renormalise({name: weights.get(name, 0.0) for name in INDICATOR_NAMES})
    # weights change no data: the stored indicator values (keyed by the data version) stay valid and the page
    # re-scores instantly
    with store.transaction(con, changes_data=False):
        con.execute("delete from vendor_scorecard_weights")
        con.executemany("insert into vendor_scorecard_weights values (?, ?, current_timestamp)",
                        [[k, v] for k, v in stored.items()])
    return stored


def indicator_table(weights: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per indicator: label, which direction is better, unit, window, mapping to 0-100, weight."""
    weights = renormalise(weights or DEFAULT_WEIGHTS)
    return pd.DataFrame([{"indicator": i.name, "label": i.label, "better": i.better, "unit": i.unit,
                          "window": i.window, "mapping": i.mapping, "weight": weights[i.name]}
                         for i in INDICATORS])
