"""Reconciliation: members move by their variance share of the gap to the total; the total stays."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.forecast import reconcile
from analytics.forecast.engine import Z95


def _frame(rows):
    """rows: (key, period, forecast, sigma) -> a forecast frame with 95% (and 80%) bands of that sigma."""
    out = pd.DataFrame(rows, columns=["key", "period", "forecast", "sigma"])
    for name, z in (("80", 1.2815515655446004), ("95", Z95)):
        out[f"lo{name}"] = out["forecast"] - z * out["sigma"]
        out[f"hi{name}"] = out["forecast"] + z * out["sigma"]
    return out.drop(columns="sigma").assign(model="test")


def test_the_gap_goes_to_the_members_in_proportion_to_their_variance():
    values = {"total": _frame([("Total", "2026-12", 1000.0, 10.0)]),
              "cost_center": _frame([("A", "2026-12", 600.0, 1.0), ("B", "2026-12", 300.0, 3.0)])}
    result = reconcile.reconcile(values)["cost_center"].set_index("key")
    # gap 100, variances 1 and 9: A gets 10, B gets 90
    assert result.loc["A", "forecast"] == pytest.approx(610.0)
    assert result.loc["B", "forecast"] == pytest.approx(390.0)
    assert result.loc["B", "hi95"] - result.loc["B", "lo95"] == pytest.approx(2 * Z95 * 3.0)  # width kept
    assert values["cost_center"].loc[0, "forecast"] == 600.0  # input untouched


def test_members_without_spread_share_the_gap_equally():
    values = {"total": _frame([("Total", "2026-12", 90.0, 0.0)]),
              "vendor": _frame([("X", "2026-12", 50.0, 0.0), ("Y", "2026-12", 10.0, 0.0)])}
    result = reconcile.reconcile(values)["vendor"].set_index("key")["forecast"]
    assert result.to_dict() == {"X": 65.0, "Y": 25.0}


def test_every_dimension_adds_to_the_total_each_month():
    periods = ["2026-11", "2026-12"]
    values = {"total": _frame([("Total", p, 100.0 + i, 5.0) for i, p in enumerate(periods)]),
              "cost_center": _frame([(k, p, 30.0, 2.0) for k in "AB" for p in periods]),
              "category": _frame([(k, p, 70.0, 1.0 + (k == "D")) for k in "CD" for p in periods]),
              "vendor": _frame([("V", p, -5.0, 4.0) for p in periods])}
    gaps = reconcile.gaps(reconcile.reconcile(values))
    assert gaps["gap"].abs().max() == pytest.approx(0.0, abs=1e-9)
    assert len(gaps) == 6
