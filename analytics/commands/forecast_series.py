"""forecast-series --input FILE.csv --horizon H [--json]: forecast arbitrary monthly series with the app's engine."""
from __future__ import annotations

import argparse
import json

from analytics import cli
from analytics.forecast import engine, series_file


def _horizon(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 120:
        raise argparse.ArgumentTypeError("the horizon must be 1 to 120 months")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast-series", help="forecast monthly series from a CSV with the app's engine",
        description="Forecast every series in a CSV (columns series_id, period YYYY-MM, value) for the H months "
                    "after its last period, with 80%% and 95%% intervals, using the same model choice and "
                    "backtest as the app. Missing months inside a series count as zero.")
    parser.add_argument("--input", metavar="FILE.csv", required=True)
    parser.add_argument("--horizon", metavar="H", type=_horizon, required=True)
    parser.add_argument("--json", action="store_true",
                        help="print [{series_id, period, forecast, lo80, hi80, lo95, hi95}]")
    parser.set_defaults(func=run)


def run(args) -> int:
    try:
        frame = series_file.read(args.input)
    except ValueError as exc:
        cli.error(exc)
        return 1
    result = engine.forecast(frame, horizon=args.horizon)
    if args.json:
        print(json.dumps(series_file.records(result), indent=2))
        return 0
    acc = result.accuracy.set_index("series_id")
    for sid, block in result.forecasts.groupby("series_id", sort=True):
        row = acc.loc[sid]
        detail = f", MASE {row['mase']:.2f} vs seasonal naive {row['snaive_mase']:.2f}" if row["n_holdout"] else ""
        print(f"{sid}: {row['model']}{detail}{' (' + row['reason'] + ')' if row['reason'] else ''}")
        for r in block.itertuples(index=False):
            print(f"  {r.period:%Y-%m}  {r.forecast:>14,.2f}  80% [{r.lo80:,.2f}, {r.hi80:,.2f}]  "
                  f"95% [{r.lo95:,.2f}, {r.hi95:,.2f}]")
    for sid, row in acc[acc["model"] == "none"].iterrows():
        print(f"{sid}: {row['reason']}")
    return 0
