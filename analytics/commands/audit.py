"""audit [--json] [--all] [--rule R] [--out FILE.xlsx]; audit review ID --status S: the cost audit."""
from __future__ import annotations

import json
import math

from analytics import audit, cli, i18n, settings, store
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


def as_records(con, frame) -> list[dict]:
    """The findings as JSON-ready objects (amounts rounded to the cent), each with all its evidence references."""
    records = []
    frame = frame.assign(evidence=audit.evidence_refs(con, frame))
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
        cli.error(i18n.t("unknown rule(s) {rules}; known: {known}", rules=", ".join(unknown), known=", ".join(known)))
        return 2
    frame = audit.findings(con, include_dismissed=args.all)
    if args.rule:
        frame = frame[frame["rule"].isin(args.rule)].reset_index(drop=True)
    if args.out:  # the workbook in the company's language, its explanations read in it too
        from analytics.reports import audit_export
        with i18n.use(i18n.language_for(con)):
            shown = audit.findings(con, include_dismissed=args.all)
            audit_export.write(con, args.out, shown[shown["finding_id"].isin(frame["finding_id"])].reset_index(
                drop=True))
    if args.json:
        print(json.dumps(as_records(con, frame), indent=2, default=str))
        return 0
    _print_table(con, frame)
    if args.out:
        print(i18n.n("wrote {count} finding to {file}", "wrote {count} findings to {file}", len(frame), file=args.out))
    return 0


def _review(con, args) -> int:
    try:
        audit.review(con, args.finding_id, status=args.status, reason=args.reason, amount_recovered=args.recovered)
    except audit.ReviewError as exc:
        cli.error(exc)
        return 1
    print(f"{args.finding_id}: {args.status}")
    return 0


def _print_table(con, frame) -> None:
    totals = reviews.summarise(frame, settings.get(con, "reporting_currency"))
    print(i18n.n("{count} finding, {found} {currency} at stake counted once ({recoverable} recoverable, {exposure} "
                 "exposure); confirmed {confirmed}, recovered {recovered}",
                 "{count} findings, {found} {currency} at stake counted once ({recoverable} recoverable, {exposure} "
                 "exposure); confirmed {confirmed}, recovered {recovered}", totals.n_found,
                 found=i18n.number(totals.found, 2), currency=totals.currency,
                 recoverable=i18n.number(totals.recoverable, 2), exposure=i18n.number(totals.exposure, 2),
                 confirmed=i18n.number(totals.confirmed, 2), recovered=i18n.number(totals.recovered, 2)))
    for r in frame.itertuples(index=False):
        amount = i18n.t("unknown") if math.isnan(r.amount_at_stake) else i18n.number(r.amount_at_stake, 2)
        print(f"{r.finding_id}  {r.rule:<22} {r.severity:<6} {amount:>16}  {r.status:<9}  {r.explanation}")
