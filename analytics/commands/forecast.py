"""forecast [--level L] [--fiscal-year Y] [--json]: year-end landing, intervals, overrun probability, backtest."""
from __future__ import annotations

import json
import math

from analytics import calendar, cli, i18n
from analytics import fiscal, settings, store
from analytics.forecast.levels import LEVELS
from analytics.forecast import engine, runs, yearend


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast", help="year-end landing against budget, with intervals and backtest accuracy",
        description="Actuals to date + committed contract payments + the statistical forecast of uncommitted "
                    "spend for the rest of the fiscal year, with 80%% and 95%% intervals, the probability of "
                    "overrunning the budget, and each series' model with its accuracy (MASE, sMAPE, bias, "
                    "interval coverage) against seasonal naive on the last 12 months held out. "
                    "The forecast is stored in the database and reused until the data changes.")
    parser.add_argument("--level", choices=list(LEVELS), default="total")
    parser.add_argument("--fiscal-year", type=int, metavar="YEAR", help="default: the as-of date's fiscal year")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def report(con, *, level: str, fiscal_year: int) -> dict:
    """Everything the command prints: landing rows, accuracy rows, overall accuracy, run metadata."""
    table = yearend.landing(con, fiscal_year=fiscal_year, level=level)
    accuracy = runs.accuracy(con, level=level)
    info = runs.run_info(con, level=level)
    return {
        "fiscal_year": fiscal_year,
        "fiscal_year_label": fiscal.label(fiscal_year, settings.get(con, "fiscal_year_start_month")),
        "level": level,
        "currency": settings.get(con, "reporting_currency"),
        "cutoff": f"{calendar.calendar(con).cutoff:%Y-%m}",
        "landing": _records(table),
        "accuracy": _records(accuracy),
        "overall": engine.overall(accuracy),
        "run": {"computed_at": str(info["computed_at"]), "seconds": round(float(info["seconds"]), 3),
                "series": int(info["n_series"]), "k80": info["k80"], "k95": info["k95"]},
    }


def _records(frame) -> list[dict]:
    rows = []
    for row in frame.to_dict("records"):
        rows.append({k: (None if isinstance(v, float) and math.isnan(v) else
                         round(v, 4) if isinstance(v, float) else v.item() if hasattr(v, "item") else v)
                     for k, v in row.items()})
    return rows


def _metrics(a: dict) -> str:
    if not a["n_holdout"]:
        return "not backtested"
    mase = "n/a" if a["mase"] is None else f"{a['mase']:.2f}"
    naive = "n/a" if a["snaive_mase"] is None else f"{a['snaive_mase']:.2f}"
    cover = "n/a" if a["coverage80"] is None else f"{a['coverage80']:.0%}/{a['coverage95']:.0%}"
    return f"MASE {mase} (seasonal naive {naive}), sMAPE {a['smape']:.1f}%, bias {a['bias']:+,.0f}, coverage {cover}"


def run(args) -> int:
    con = store.connect(args.db, read_only=True)
    year = args.fiscal_year or fiscal.fiscal_year(settings.as_of(con), settings.get(con, "fiscal_year_start_month"))
    try:
        info = report(con, level=args.level, fiscal_year=year)
    except ValueError as exc:
        cli.error(exc)
        return 1
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    cur = info["currency"]
    print(i18n.t("{year} landing by {level} in {currency}; months from {cutoff} are forecast (run of {series} series "
                 "took {seconds} s)", year=info["fiscal_year_label"], level=args.level, currency=cur,
                 cutoff=info["cutoff"], series=info["run"]["series"], seconds=i18n.number(info["run"]["seconds"], 1)))
    print(f"{'key':<32}{'actual ytd':>14}{'committed':>13}{'forecast':>13}{'landing':>14}"
          f"{'80% interval':>28}{'budget':>14}{'over/under':>13}{'P(over)':>9}")
    for r in info["landing"]:
        budget = "–" if r["budget"] is None else f"{r['budget']:,.0f}"
        diff = "–" if r["over_under"] is None else f"{r['over_under']:+,.0f}"
        prob = "–" if r["p_overrun"] is None else f"{r['p_overrun']:.0%}"
        interval = f"[{r['lo80']:,.0f}, {r['hi80']:,.0f}]"
        print(f"{str(r['key'])[:31]:<32}{r['actual_ytd']:>14,.0f}{r['committed_rest']:>13,.0f}"
              f"{r['uncommitted_rest']:>13,.0f}{r['landing']:>14,.0f}{interval:>28}{budget:>14}{diff:>13}{prob:>9}")
    o = info["overall"]
    if o.get("series"):
        print(i18n.t("backtest (last 12 months held out, {series} series): MASE {mase} vs seasonal naive {naive}; "
                     "sMAPE {smape} vs {naive_smape}; coverage 80% interval {coverage80}, 95% interval {coverage95}",
                     series=o["series"], mase=i18n.number(o["mase"], 2), naive=i18n.number(o["snaive_mase"], 2),
                     smape=i18n.percent(o["smape"] / 100), naive_smape=i18n.percent(o["snaive_smape"] / 100),
                     coverage80=i18n.percent(o["coverage80"], 0), coverage95=i18n.percent(o["coverage95"], 0)))
    for a in info["accuracy"]:
        print(f"  {str(a['key'])[:31]:<32}{a['model']:<32}{_metrics(a)}{'  · ' + a['reason'] if a['reason'] else ''}")
    return 0
