"""The cost audit workbook: a summary, the findings and the evidence behind them.

Every text cell goes through reports/xlsx.py, so a vendor name or description such as
'=HYPERLINK(...)' stays text. Amounts are written unrounded with a two-decimal format, so the
workbook's totals reconcile with the app and the database. Nothing here is called "savings": a
finding's money is "at stake", counted once when several findings cite the same spend line
(analytics/audit/money.py), and split into recoverable money (already paid, can be claimed back)
and exposure (spend outside control, next renewal terms, idle seats, estimates).
Written in the language asked for (analytics.i18n): sheet names, titles, headings, rule titles, the findings'
explanations and the words of their states; amounts stay numbers with number formats.
"""
from __future__ import annotations

import io
import os

import pandas as pd

from analytics import audit, i18n, settings
from analytics.audit import reviews
from analytics.reports import xlsx

SUMMARY, FINDINGS, EVIDENCE = i18n.N_("Summary"), i18n.N_("Findings"), i18n.N_("Evidence")
FINDING_COLUMNS = ["finding_id", "rule", "money", "severity", "status", "vendor", "contract_id", "amount_at_stake",
                   "at_stake_counted", "currency", "finding_date", "explanation", "evidence", "reason",
                   "amount_recovered", "is_detected"]
EVIDENCE_COLUMNS = ["finding_id", "rule", "kind", "ref", "date", "vendor", "description", "amount", "currency",
                    "amount_rc", "invoice_id", "contract_id", "cost_center", "category", "batch_id", "row_no"]


def findings_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per finding, its evidence references joined with '; ': the first engine.EVIDENCE_KEPT, then how many
    more the Evidence sheet lists ('; … (+2,306,061)'; a cell holds at most 32,767 characters)."""
    sheet = frame.copy()
    sheet["evidence"] = [_references(refs, count) for refs, count in zip(sheet["evidence"], sheet["evidence_count"])]
    return sheet.reindex(columns=FINDING_COLUMNS)


def _references(refs, count) -> str:
    text = "; ".join(str(r) for r in refs)
    more = int(count) - len(refs)
    return f"{text}; … (+{i18n.number(more)})" if more > 0 else text


def summary_sheet(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """One row per rule (money at stake counted once), then the totals: at stake, of which recoverable and
    exposure, confirmed, recovered."""
    by_rule = audit.by_rule(frame)
    rows = [{"measure": row.title, "money": row.money, "findings": row.findings,
             "amount": row.amount_at_stake} for row in by_rule.itertuples(index=False)]
    totals = reviews.summarise(frame, currency)
    t = i18n.t
    rows += [{"measure": t("At stake (counted once)"), "money": "all", "findings": totals.n_found,
              "amount": totals.found},
             {"measure": t("of which recoverable"), "money": "recoverable",
              "findings": int(by_rule.loc[by_rule["money"] == "recoverable", "findings"].sum()),
              "amount": totals.recoverable},
             {"measure": t("of which exposure"), "money": "exposure",
              "findings": int(by_rule.loc[by_rule["money"] == "exposure", "findings"].sum()),
              "amount": totals.exposure},
             {"measure": t("Confirmed"), "money": "all", "findings": totals.n_confirmed, "amount": totals.confirmed},
             {"measure": t("Recovered"), "money": "recoverable", "findings": totals.n_resolved,
              "amount": totals.recovered}]
    return pd.DataFrame(rows, columns=["measure", "money", "findings", "amount"])


def workbook(con, frame: pd.DataFrame, *, lang: str | None = None):
    """The workbook for the findings in `frame` (as returned by audit.findings, possibly filtered): headings in
    words, rules by their titles, money with number formats; a chart of the money at stake by rule. In `lang`
    (default: the language spoken now, the page's). The explanations are in the language `frame` was read in
    (audit.findings speaks the current language)."""
    with i18n.use(lang or i18n.current()):
        return _workbook(con, frame)


def _workbook(con, frame: pd.DataFrame):
    currency = settings.get(con, "reporting_currency")
    wb = xlsx.new_workbook()
    summary = summary_sheet(frame, currency)
    ws = xlsx.create_sheet(wb, SUMMARY)
    row = xlsx.write_title(ws, i18n.t("Cost audit: money at stake by rule"),
                           i18n.t("amounts in {currency}, counted once", currency=currency))
    first, last = xlsx.write_report_table(ws, summary.rename(columns={"amount": "at_stake"}), start_row=row,
                                          currency=currency, widths={"measure": 32})
    rules = int((summary["money"] != "all").sum()) - 2  # the rule rows come before the totals
    if rules > 0:
        xlsx.bar_chart(ws, title=i18n.t("Money at stake by rule ({currency})", currency=currency), header_row=row,
                       first_row=first,
                       last_row=first + rules - 1, category_col=1, value_cols=[4], anchor=f"F{row}",
                       y_title=currency)
    xlsx.print_setup(ws, title_row=row)
    ws = xlsx.create_sheet(wb, FINDINGS)
    row = xlsx.write_title(ws, i18n.t("Findings"), i18n.t("amounts in the finding's currency; at stake counted once "
                                                          "in {currency}", currency=currency))
    xlsx.write_report_table(ws, findings_sheet(frame), start_row=row,
                            widths={"explanation": 90, "evidence": 40, "vendor": 32})
    xlsx.print_setup(ws, title_row=row)
    ws = xlsx.create_sheet(wb, EVIDENCE)
    row = xlsx.write_title(ws, i18n.t("Evidence rows behind the findings"),
                           i18n.t("amounts in their currency and in {currency}", currency=currency))
    evidence = audit.evidence(con, frame=frame).reindex(columns=EVIDENCE_COLUMNS)
    xlsx.write_report_table(ws, evidence, start_row=row, currency=currency, widths={"description": 48, "vendor": 32})
    xlsx.print_setup(ws, title_row=row)
    xlsx.contents_sheet(wb, i18n.t("Cost audit findings"))
    return wb


def write(con, target: str | os.PathLike, frame: pd.DataFrame, *, lang: str | None = None) -> None:
    """The workbook written to `target` (the CLI), in `lang` (default: the `language` setting)."""
    workbook(con, frame, lang=xlsx.language(con, lang)).save(target)


def to_bytes(con, frame: pd.DataFrame, *, lang: str | None = None) -> bytes:
    """The workbook as .xlsx bytes (the Cost audit page's download: in the page's language)."""
    buffer = io.BytesIO()
    workbook(con, frame, lang=lang).save(buffer)
    return buffer.getvalue()
