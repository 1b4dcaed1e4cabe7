"""audit [--json] [--all] [--rule R] [--out FILE.xlsx]; audit review ID --status S: the cost audit."""
from __future__ import annotations

import json
import math
import sys

from analytics import audit, cli, settings, store
from analytics.audit import reviews


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "audit", help="cost audit findings (duplicates, uncontracted spend, renewals, ...)",
        description="Run every cost audit rule and list the findings, largest amount at stake first. "
                    "Dismissed findings are hidden unless --all. `audit review ID --status ...` records a decision.")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--all", action="store_true", help="include dismissed findings")
    parser.add_argument("--rule", action="append", metavar="RULE",
                        help="only this rule (repeatable): " + ", ".join(audit.rules()))
    parser.add_argument("--out", metavar="FILE.xlsx", help="also write the findings and evidence workbook")
    cli.add_db_argument(parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    review = actions.add_parser("review", help="confirm, dismiss, resolve or reopen a finding",
                                description="Record a review decision; it survives re-running the audit.")
    review.add_argument("finding_id")
    review.add_argument("--status", required=True, choices=audit.STATUSES)
    review.add_argument("--reason", help="why (required to dismiss)")
    review.add_argument("--recovered", type=float, metavar="AMOUNT",
                        help="money recovered, reporting currency (resolve only; default: the amount at stake)")
    cli.add_db_argument(review)
    parser.set_defaults(func=run)


def as_records(frame) -> list[dict]:
    """The findings as JSON-ready objects (amounts rounded to the cent)."""
    records = []
    for r in frame.itertuples(index=False):
        amount = None if r.amount_at_stake is None or math.isnan(r.amount_at_stake) else round(r.amount_at_stake, 2)
        records.append({"finding_id": r.finding_id, "rule": r.rule, "severity": r.severity, "vendor": r.vendor,
                        "contract_id": r.contract_id, "amount_at_stake": amount, "currency": r.currency,
                        "evidence": list(r.evidence), "explanation": r.explanation, "status": r.status})
    return records


def run(args) -> int:
    con = store.connect(args.db, read_only=args.action != "review")
    if args.action == "review":
        return _review(con, args)
    known = audit.rules()
    unknown = [r for r in args.rule or [] if r not in known]
    if unknown:
        print(f"error: unknown rule(s) {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    frame = audit.findings(con, include_dismissed=args.all)
    if args.rule:
        frame = frame[frame["rule"].isin(args.rule)].reset_index(drop=True)
    if args.out:  # the workbook in the company's language, its explanations read in it too
        from analytics import i18n
        from analytics.reports import audit_export
        with i18n.use(i18n.language_for(con)):
            shown = audit.findings(con, include_dismissed=args.all)
            audit_export.write(con, args.out, shown[shown["finding_id"].isin(frame["finding_id"])].reset_index(
                drop=True))
    if args.json:
        print(json.dumps(as_records(frame), indent=2, default=str))
        return 0
    _print_table(con, frame)
    if args.out:
        print(f"wrote {len(frame)} findings to {args.out}")
    return 0


def _review(con, args) -> int:
    try:
        audit.review(con, args.finding_id, status=args.status, reason=args.reason, amount_recovered=args.recovered)
    except audit.ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.finding_id}: {args.status}")
    return 0


def _print_table(con, frame) -> None:
    totals = reviews.summarise(frame, settings.get(con, "reporting_currency"))
    print(f"{totals.n_found} findings, {totals.found:,.2f} {totals.currency} at stake counted once "
          f"({totals.recoverable:,.2f} recoverable, {totals.exposure:,.2f} exposure); "
          f"confirmed {totals.confirmed:,.2f}, recovered {totals.recovered:,.2f}")
    for r in frame.itertuples(index=False):
        amount = "unknown" if math.isnan(r.amount_at_stake) else f"{r.amount_at_stake:,.2f}"
        print(f"{r.finding_id}  {r.rule:<22} {r.severity:<6} {amount:>16}  {r.status:<9}  {r.explanation}")
