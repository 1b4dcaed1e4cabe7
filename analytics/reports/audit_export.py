"""The cost audit workbook: a summary, the findings and the evidence behind them.

Every text cell goes through reports/xlsx.py, so a vendor name or description such as
'=HYPERLINK(...)' stays text. Amounts are written unrounded with a two-decimal format, so the
workbook's totals reconcile with the app and the database.
"""
from __future__ import annotations

import io
import os

import pandas as pd

from analytics import audit, settings
from analytics.audit import reviews
from analytics.reports import xlsx

MONEY = "#,##0.00"
FINDING_COLUMNS = ["finding_id", "rule", "severity", "status", "vendor", "contract_id", "amount_at_stake", "currency",
                   "finding_date", "explanation", "evidence", "reason", "amount_recovered", "is_detected"]
EVIDENCE_COLUMNS = ["finding_id", "rule", "kind", "ref", "date", "vendor", "description", "amount", "currency",
                    "amount_rc", "invoice_id", "contract_id", "cost_center", "category", "batch_id", "row_no"]


def findings_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per finding, evidence references joined with '; '."""
    sheet = frame.copy()
    sheet["evidence"] = sheet["evidence"].map(lambda refs: "; ".join(str(r) for r in refs))
    return sheet.reindex(columns=FINDING_COLUMNS)


def summary_sheet(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """One row per rule, then the totals found / confirmed / recovered."""
    by_rule = audit.by_rule(frame)
    rows = [{"measure": row.title, "findings": row.findings, "amount": row.amount_at_stake}
            for row in by_rule.itertuples(index=False)]
    totals = reviews.summarise(frame, currency)
    rows += [{"measure": "Potential savings found", "findings": totals.n_found, "amount": totals.found},
             {"measure": "Confirmed", "findings": totals.n_confirmed, "amount": totals.confirmed},
             {"measure": "Recovered", "findings": totals.n_resolved, "amount": totals.recovered}]
    return pd.DataFrame(rows, columns=["measure", "findings", "amount"])


def workbook(con, frame: pd.DataFrame):
    """The workbook for the findings in `frame` (as returned by audit.findings, possibly filtered)."""
    currency = settings.get(con, "reporting_currency")
    wb = xlsx.new_workbook()
    summary = summary_sheet(frame, currency)
    xlsx.write_frame(wb.create_sheet("Summary"), summary.rename(columns={"amount": f"amount ({currency})"}),
                     formats={f"amount ({currency})": MONEY}, widths={"measure": 32})
    xlsx.write_frame(wb.create_sheet("Findings"), findings_sheet(frame),
                     formats={"amount_at_stake": MONEY, "amount_recovered": MONEY},
                     widths={"explanation": 90, "evidence": 40, "vendor": 32})
    evidence = audit.evidence(con, frame=frame).reindex(columns=EVIDENCE_COLUMNS)
    xlsx.write_frame(wb.create_sheet("Evidence"), evidence, formats={"amount": MONEY, "amount_rc": MONEY},
                     widths={"description": 48, "vendor": 32})
    return wb


def write(con, target: str | os.PathLike, frame: pd.DataFrame) -> None:
    workbook(con, frame).save(target)


def to_bytes(con, frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    workbook(con, frame).save(buffer)
    return buffer.getvalue()
