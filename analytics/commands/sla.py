"""sla [tickets|credits] [--json]: SLA attainment per contract and month, per ticket, or service credits."""
from __future__ import annotations

import json
import math
import sys
from decimal import Decimal

import pandas as pd

from analytics import cli, i18n, store

TICKET_FIELDS = ["ticket_id", "contract_id", "priority", "response_hours", "resolution_hours",
                 "response_breached", "resolution_breached"]
MONTH_FIELDS = ["contract_id", "vendor", "period", "tickets", "response_attainment_pct", "resolution_attainment_pct",
                "breaches", "availability_pct", "availability_target_pct", "status"]
CREDIT_FIELDS = ["contract_id", "vendor", "period", "breaches", "availability_pct", "availability_target_pct",
                 "credit_units", "credit_pct", "is_capped", "credit_owed", "currency", "credit_owed_rc",
                 "credit_received_rc", "credit_outstanding_rc", "reporting_currency", "is_fx_missing",
                 "evidence_owed", "evidence_received"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sla", help="SLA attainment per contract and month, per ticket, or service credits",
        description="Without a view: one line per contract and month (attainment %, breaches, availability "
                    "against target, met/missed). `tickets`: one line per ticket, hours counted inside the "
                    "schedule (null while not reached). `credits`: credits owed for missed months, received "
                    "and outstanding, in the reporting currency. Open clocks run to the as-of date's end.")
    parser.add_argument("view", nargs="?", choices=["months", "tickets", "credits"], default="months")
    parser.add_argument("--json", action="store_true", help="machine-readable output (a JSON array of objects)")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def _plain(value):
    """A JSON-ready scalar: None for missing, float for Decimal/numpy numbers, YYYY-MM for periods."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return value


def records(frame: pd.DataFrame, fields: list[str]) -> list[dict]:
    out = []
    for row in frame[fields].itertuples(index=False, name=None):
        out.append({f: _plain(v) for f, v in zip(fields, row)})
    return out


def _periods(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["period"] = pd.to_datetime(frame["period"]).dt.strftime("%Y-%m")
    return frame


def run(args) -> int:
    # imported here, so building the CLI does not load the SLA engine
    from analytics.sla import contract_month_attainment, problems, service_credits, ticket_sla
    con = store.connect(args.db, read_only=True)
    for problem in problems(con).itertuples():
        print(i18n.n("warning: {problem} ({count} row(s))", "warning: {problem} ({count} row(s))", problem.rows,
                     problem=problem.problem), file=sys.stderr)
    if args.view == "tickets":
        frame, fields = ticket_sla(con), TICKET_FIELDS
    elif args.view == "credits":
        frame, fields = _periods(service_credits(con)), CREDIT_FIELDS
    else:
        frame, fields = _periods(contract_month_attainment(con)), MONTH_FIELDS
    if args.json:
        if args.view == "tickets":  # up to millions of rows: let pandas write the JSON
            sys.stdout.write(frame[fields].to_json(orient="records", double_precision=15) + "\n")
        else:
            print(json.dumps(records(frame, fields), indent=2))
        return 0
    if frame.empty:
        print(i18n.t("no rows: import incidents (and contracts with SLA targets), or sla measurements"))
        return 0
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_columns", None):
        print(frame[fields].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    return 0
