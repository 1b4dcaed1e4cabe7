"""showback [--fy YEAR | --period YYYY-MM] [--by business_unit|service] [--unit-driver NAME] [--json]
[--out FILE.xlsx|FILE.pdf]: IT cost allocated to business units or services by the stored rules and drivers,
and the bill of IT as a workbook or PDF."""
from __future__ import annotations

import json
import sys

from pathlib import Path

import pandas as pd

from analytics import calendar, cli, i18n, metrics, settings, showback, store
from analytics.reports import xlsx
from analytics.showback import bill, bill_pdf


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "showback", help="IT cost allocated to business units or services (allocation_rules, drivers)",
        description="Allocates the spend of a fiscal year's closed months (or of one month) by the imported "
                    "allocation rules and drivers, and prints the cost per business unit or service. What no rule "
                    "covers is printed as unallocated; the rows and unallocated add up to the total to the cent.")
    window = parser.add_mutually_exclusive_group()
    window.add_argument("--fy", type=int, metavar="YEAR", help="fiscal year, its closed months (default: the as-of date's)")
    window.add_argument("--period", metavar="YYYY-MM", help="one month")
    parser.add_argument("--by", choices=list(showback.report.TARGETS), default="business_unit",
                        help="break down by business unit (default) or service")
    parser.add_argument("--unit-driver", metavar="NAME", help="also the driver's quantity and the cost per unit per row")
    parser.add_argument("--json", action="store_true",
                        help='{"total", "unallocated", "rows": [{"business_unit"|"service", "value", ...}], ...}')
    parser.add_argument("--out", metavar="FILE.xlsx|FILE.pdf",
                        help="also write the bill of IT: a workbook (.xlsx, a sheet per business unit) or a PDF "
                             "(.pdf, a summary page and a page per business unit)")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def result(con, *, by: str, fy: int | None = None, period: str | None = None,
           unit_driver: str | None = None) -> dict:
    """The allocation as printed: total, unallocated and one row per target, in cents that add up exactly."""
    alloc = showback.allocation(con, fy=fy, period=period)
    frame = showback.totals_by(alloc, by=by)
    is_left = frame[by] == showback.UNALLOCATED
    values = frame.loc[~is_left, "value"].astype(float).tolist()
    left = float(frame.loc[is_left, "value"].sum())
    cents = metrics.cents_adding_up(values + [left], alloc.total)
    rows = [{by: name, "value": value} for name, value in zip(frame.loc[~is_left, by], cents[:-1])]
    if unit_driver:
        _add_units(con, rows, by=by, fy=fy, period=period, driver=unit_driver)
    win = showback.window(con, fy=fy, period=period)
    return {"window": win.label, "currency": settings.get(con, "reporting_currency"),
            "total": round(alloc.total, 2), "unallocated": cents[-1], "rows": rows, "notes": alloc.notes,
            "fx_missing_lines": alloc.fx_missing_lines}


def _add_units(con, rows: list[dict], *, by: str, fy, period, driver: str) -> None:
    units = showback.unit_cost_totals(con, driver=driver, by=by, fy=fy, period=period).set_index(by)
    for row in rows:
        quantity = units["quantity"].get(row[by])
        has = quantity is not None and not pd.isna(quantity)
        row["quantity"] = float(quantity) if has else None
        row["unit_cost"] = round(row["value"] / quantity, 2) if has and quantity else None


def text(out: dict, by: str) -> str:
    lines = [i18n.t("Showback, {window} ({currency}): total {total}", window=out["window"], currency=out["currency"],
                    total=i18n.number(out["total"], 2))]
    for row in out["rows"]:
        unit = (i18n.t("{unit_cost} per {quantity}", unit_cost=f"{i18n.number(row['unit_cost'], 2):>14}",
                       quantity=i18n.number(row["quantity"])) if row.get("unit_cost") is not None else "")
        lines.append(f"  {str(row[by])[:40]:<42}{i18n.number(row['value'], 2):>18}{unit}")
    lines.append(f"  {i18n.t(showback.UNALLOCATED):<42}{i18n.number(out['unallocated'], 2):>18}")
    lines += [i18n.t("note: {note}", note=n) for n in out["notes"]]
    return "\n".join(lines)


def write_bill(con, path: str, *, fy: int | None = None, period: str | None = None,
               unit_driver: str | None = None) -> Path:
    """The bill of IT of the window as a workbook (.xlsx) or PDF (.pdf), from the same allocation as the rows."""
    out = Path(path)
    lang = xlsx.language(con)  # the company's language
    if out.suffix.lower() == ".pdf":
        out.write_bytes(bill_pdf.for_window(con, fy=fy, period=period, unit_driver=unit_driver, lang=lang))
    elif out.suffix.lower() == ".xlsx":
        out.write_bytes(bill.for_window(con, fy=fy, period=period, lang=lang))
    else:
        raise ValueError(i18n.t("--out {file}: the bill of IT is written as .xlsx or .pdf", file=path))
    return out


def run(args) -> int:
    con = store.connect(args.db, read_only=True)
    try:
        out = result(con, by=args.by, fy=args.fy, period=args.period, unit_driver=args.unit_driver)
        written = (write_bill(con, args.out, fy=args.fy, period=args.period, unit_driver=args.unit_driver)
                   if args.out else None)
    except (showback.AllocationError, calendar.PeriodError, ValueError) as exc:
        cli.error(exc)
        return 1
    finally:
        con.close()
    print(json.dumps(out, indent=2) if args.json else text(out, args.by))
    if written:
        print(i18n.t("wrote the bill of IT to {file}", file=written), file=sys.stderr if args.json else sys.stdout)
    return 0
