"""metric NAME [--by DIM] [--fy YEAR] [filters] [--json] | metric --list: one figure from the metric catalog."""
from __future__ import annotations

import json

from analytics import calendar, cli, i18n, metrics, store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "metric", help="one figure from the metric catalog (the same number the pages and packs show)",
        description="Prints a metric of the catalog (analytics/metrics.py, docs/metrics.md) for a fiscal year, "
                    "optionally broken down by one dimension; the rows add up to the total for additive metrics. "
                    "`metric --list` prints the catalog with definitions.")
    parser.add_argument("name", nargs="?", help="metric name (see --list)")
    parser.add_argument("--list", action="store_true", help="the catalog: every metric with its definition")
    parser.add_argument("--markdown", action="store_true", help="with --list: the catalog as docs/metrics.md")
    parser.add_argument("--by", choices=list(metrics.DIMENSION_LABELS), help="break down by one dimension")
    parser.add_argument("--fy", type=int, metavar="YEAR", help="fiscal year (default: the as-of date's)")
    parser.add_argument("--cost-center", metavar="V", help="only this cost center")
    parser.add_argument("--category", metavar="V", help="only this category")
    parser.add_argument("--vendor", metavar="V", help="only this vendor")
    parser.add_argument("--within", type=int, default=90, metavar="DAYS", help="look-ahead for cancel_by_due (90)")
    parser.add_argument("--json", action="store_true", help='{"metric", "fy", "unit", "value", "rows": [...]}')
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def print_catalog(markdown: bool) -> None:
    if markdown:
        print(metrics.markdown(), end="")
        return
    for m in metrics.CATALOG:
        dims = ", ".join(m.dimensions) or "none"
        filters = ", ".join(m.filters) or "none"
        print(f"{m.name} ({m.unit}): {m.label.format(within='N')}\n    {m.definition}\n    grain: {m.grain}; --by: {dims}; "
              f"filters: {filters}")


def text(result: metrics.Result, label: str, fy_label: str) -> str:
    unit = result.currency or ("share" if result.unit == "ratio" else "")

    def show(v):
        if v is None:
            return "–"
        return f"{v:.1%}" if result.unit == "ratio" else f"{v:,.2f}" if result.unit == "money" else f"{v:,}"
    lines = [f"{label}, {fy_label}: {show(result.value)} {unit}".rstrip()]
    for row in result.rows:
        lines.append(f"  {str(row[result.by])[:40]:<42}{show(row['value']):>20}")
    return "\n".join(lines)


def run(args) -> int:
    if args.list:
        print_catalog(args.markdown)
        return 0
    if not args.name:
        cli.error(i18n.t("name a metric, or use --list"))
        return 2
    if args.within < 0:
        cli.error(i18n.t("--within must be 0 or more days"))
        return 2
    con = store.connect(args.db, read_only=True)
    try:
        result = metrics.evaluate(con, args.name, fy=args.fy, by=args.by, cost_center=args.cost_center,
                                  category=args.category, vendor=args.vendor, within=args.within)
    except (metrics.MetricError, calendar.PeriodError, ValueError) as exc:
        cli.error(exc)
        return 1
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        print(text(result, metrics.label(args.name, within=args.within), metrics.fiscal_label(con, result.fy)))
    return 0
