"""renewals [--within DAYS] [--json]: contracts whose next deadline falls within DAYS of the as-of date."""
from __future__ import annotations

import datetime as dt
import json

from analytics import cli, contracts, i18n, settings, store

FIELDS = ["contract_id", "vendor", "term_end_date", "cancel_by_date", "auto_renew", "days_left", "next_term_value"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "renewals", help="contracts to cancel or renew soon",
        description="Contracts whose next deadline falls within DAYS of the as-of date: the cancel-by date of "
                    "automatically renewing contracts (computed over the whole chain of terms) and the end date "
                    "of the others (cancel_by_date null: they end unless renewed by agreement). "
                    "next_term_value is one renewal term's value in the contract's currency.")
    parser.add_argument("--within", type=int, default=90, metavar="DAYS", help="look-ahead in days (default 90)")
    parser.add_argument("--on", metavar="YYYY-MM-DD", help="the day to look from (default: the as_of_date setting)")
    parser.add_argument("--json", action="store_true", help="one JSON array of objects")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def rows(con, *, within: int, on: dt.date | None) -> list[dict]:
    """The renewal objects, in deadline order."""
    due = contracts.renewals(con, within_days=within, on=on, include_ending=True)
    result = []
    for r in due.itertuples(index=False):
        result.append({
            "contract_id": r.contract_id, "vendor": r.vendor,
            "term_end_date": r.term_end_date.isoformat(),
            "cancel_by_date": r.cancel_by_date.isoformat() if r.cancel_by_date is not None else None,
            "auto_renew": bool(r.auto_renew), "days_left": int(r.days_left),
            "next_term_value": None if r.next_term_value is None or r.next_term_value != r.next_term_value
            else round(float(r.next_term_value), 2),
            "currency": r.currency,
        })
    return result


def run(args) -> int:
    if args.within < 0:
        print(i18n.t("error: {problem}", problem=i18n.t("--within must be 0 or more days")))
        return 1
    try:
        on = dt.date.fromisoformat(args.on) if args.on else None
    except ValueError:
        print(i18n.t("error: {problem}", problem=i18n.t("--on {value} is not a date YYYY-MM-DD", value=repr(args.on))))
        return 1
    con = store.connect(args.db, read_only=True)
    found = rows(con, within=args.within, on=on)
    if args.json:
        print(json.dumps(found, indent=2))
        return 0
    day = on or settings.as_of(con)
    cancel_by = sum(1 for r in found if r["cancel_by_date"])
    print(i18n.t("{cancel_by} cancel-by date(s) and {ends} end date(s) within {days} days of {day}",
                 cancel_by=cancel_by, ends=len(found) - cancel_by, days=args.within, day=i18n.date(day)))
    for r in found:
        what = (i18n.t("cancel by {date}", date=i18n.date(r["cancel_by_date"])) if r["cancel_by_date"]
                else i18n.t("ends {date}", date=i18n.date(r["term_end_date"])))
        value = (f"{i18n.number(r['next_term_value'], 2)} {r['currency']}" if r["next_term_value"] is not None
                 else "-")
        days = i18n.t("{days} days", days=f"{r['days_left']:>4}")
        print(f"  {days}  {r['contract_id']:<12} {r['vendor'][:32]:<32} {what:<24} "
              + i18n.t("next term {value}", value=value))
    return 0
