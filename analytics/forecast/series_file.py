"""Arbitrary monthly series for the forecast-series command: read, validate, forecast, shape as records."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from analytics.forecast import engine

REQUIRED = ("series_id", "period", "value")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def read(path: str | Path) -> pd.DataFrame:
    """Rows (series_id, period, value) from a CSV; ValueError naming the first problem."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ValueError(f"no such file: {path}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path} as CSV: {exc}") from None
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(missing)}; expected series_id, period, value")
    frame = raw[list(REQUIRED)].copy()
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        if not row.series_id.strip():
            raise ValueError(f"line {i}: empty series_id")
        if not PERIOD.match(row.period.strip()):
            raise ValueError(f"line {i}: period {row.period!r} is not YYYY-MM")
    values = pd.to_numeric(frame["value"].str.strip().replace("", None), errors="coerce")
    bad = frame["value"].str.strip().ne("") & values.isna()
    if bad.any():
        line = int(bad.to_numpy().argmax()) + 2
        raise ValueError(f"line {line}: value {frame['value'].iloc[line - 2]!r} is not a number")
    frame["series_id"] = frame["series_id"].str.strip()
    frame["period"] = pd.to_datetime(frame["period"].str.strip() + "-01")
    frame["value"] = values.astype(float)
    if frame.duplicated(["series_id", "period"]).any():
        dup = frame[frame.duplicated(["series_id", "period"])].iloc[0]
        raise ValueError(f"series {dup['series_id']!r} has period {dup['period']:%Y-%m} twice")
    return frame


def records(result: engine.EngineResult) -> list[dict]:
    """[{series_id, period, forecast, lo80, hi80, lo95, hi95}] for JSON output."""
    out = []
    for row in result.forecasts.itertuples(index=False):
        out.append({"series_id": row.series_id, "period": f"{row.period:%Y-%m}",
                    **{k: _num(getattr(row, k)) for k in ("forecast", "lo80", "hi80", "lo95", "hi95")}})
    return out


def _num(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, 6)
