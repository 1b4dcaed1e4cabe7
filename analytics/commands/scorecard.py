"""scorecard [--json] [--quarter-end DATE] [--xlsx FILE]: vendor scores, ranks and their parts."""
from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd

from analytics import cli, i18n, settings, store, vendors


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "scorecard", help="vendor scorecard: score 0-100, rank and parts",
        description="Score each vendor 0-100 from SLA attainment, availability, incidents, spend against "
                    "contract, audit findings and spend trend, with the weights saved in the app. An indicator "
                    "without data is null and its weight is shared among the others.")
    parser.add_argument("--json", action="store_true", help="one JSON array of {vendor, score, rank, components}")
    parser.add_argument("--quarter-end", metavar="YYYY-MM-DD",
                        help="last day of the fiscal quarter to score (default: the latest complete quarter)")
    parser.add_argument("--all-vendors", action="store_true", help="also vendors with spend but no contract")
    parser.add_argument("--xlsx", metavar="FILE", help="also write the scorecard workbook (one printable sheet per vendor)")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def _number(value, digits: int = 4):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), digits)


def rows(table, weights: dict[str, float]) -> list[dict]:
    """The JSON objects, in rank order; components hold value, score and weight per indicator (null = n/a)."""
    result = []
    for r in table.itertuples(index=False):
        components = {}
        for ind in vendors.INDICATORS:
            components[ind.name] = {"value": _number(getattr(r, f"{ind.name}_value")),
                                    "score": _number(getattr(r, f"{ind.name}_score"), 1),
                                    "weight": weights[ind.name], "better": ind.better, "unit": ind.unit}
        result.append({"vendor": r.vendor, "score": _number(r.score, 1),
                       "rank": None if pd.isna(r.rank) else int(r.rank),
                       "previous_score": _number(r.previous_score, 1), "trend": _number(r.trend, 1),
                       "components": components})
    return result


def _quarter_end(con, text: str | None) -> dt.date:
    if not text:
        return vendors.default_quarter_end(con)
    day = dt.date.fromisoformat(text)
    start_month = settings.get(con, "fiscal_year_start_month")
    if vendors.quarter_bounds(day, start_month)[1] != day:
        raise ValueError(i18n.t("{date} is not the last day of a fiscal quarter", date=text))
    return day


def run(args) -> int:
    con = store.connect(args.db, read_only=True)
    try:
        quarter_end = _quarter_end(con, args.quarter_end)
    except ValueError as exc:
        print(i18n.t("error: {problem}", problem=exc))
        return 1
    weights = vendors.get_weights(con)
    table = vendors.scorecard(con, quarter_end=quarter_end, weights=weights, include_uncontracted=args.all_vendors)
    if args.xlsx:
        from analytics.reports import scorecard as report, xlsx
        report.build(con, quarter_end=quarter_end, weights=weights, include_uncontracted=args.all_vendors,
                     lang=xlsx.language(con)).save(args.xlsx)
    found = rows(table, weights)
    if args.json:
        print(json.dumps(found, indent=2))
        return 0
    start_month = settings.get(con, "fiscal_year_start_month")
    print(i18n.n("vendor scorecard {quarter} ({count} vendor)", "vendor scorecard {quarter} ({count} vendors)",
                 len(found), quarter=vendors.quarter_label(quarter_end, start_month)))
    for r in found:
        rank = f"{r['rank']:>3}" if r["rank"] is not None else "  -"
        score = f"{i18n.number(r['score'], 1):>5}" if r["score"] is not None else f"{i18n.t('n/a'):>5}"
        trend = f"{('+' if r['trend'] >= 0 else '') + i18n.number(r['trend'], 1):>5}" if r["trend"] is not None else "     "
        print(f"  {rank}  {score}  {trend}  {r['vendor']}")
    if args.xlsx:
        print(i18n.t("wrote {file}", file=args.xlsx))
    return 0
