"""The presentation layer: how every figure reads, on the pages and in every download, workbook and PDF.

One place says, for each column a table may show, its label in words and its unit; from the unit follow the
formats: money in the reporting currency with two decimals and negatives in brackets (as finance writes them),
percentages from ratios, dates as dates, flags as Yes/empty. Labels of figures come from the metric catalog
(analytics.metrics) where a column is a metric; audit rule ids read as the rules' titles. No "None" or "nan"
ever reaches a reader (empty instead), and money is rounded to the cent before it is written anywhere, so a
download never carries float noise such as -244527.52000000002.
Pure: no streamlit here; views.common.table builds Streamlit column config from it, reports.xlsx number formats.
"""
from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from analytics import i18n, metrics

MONEY, LOCAL_MONEY, RATIO, PERCENT_100, DATE, DATETIME, COUNT, NUMBER, FLAG, TEXT, MONTH = (
    "money", "local_money", "ratio", "percent_100", "date", "datetime", "count", "number", "flag", "text", "month")

# columns that are metrics of the catalog take the catalog's label (analytics.metrics.CATALOG)
METRIC_COLUMNS = {"budget_year": "full_year_budget", "run_rate": "run_rate",
                  "landing": "landing", "p_overrun": "landing_p_overrun", "variance": "variance",
                  "variance_pct": "variance_pct"}

LABELS = {
    "cost_center": "Cost center", "category": "Category", "vendor": "Vendor", "project": "Project",
    "period": "Month", "month": "Month", "capex_opex": "Capex/opex", "actual_ytd": "Actual YTD",
    "budget_ytd": "Budget YTD", "actual_to_date": "Actual to date", "fx_missing_lines": "Lines without fx rate",
    "budget_fx_missing_lines": "Budget lines without fx rate", "actual": "Actual", "budget": "Budget",
    "cum_actual": "Cumulative actual", "cum_budget": "Cumulative budget", "share": "Share", "lines": "Lines",
    "remaining": "Remaining", "monthly_burn": "Monthly burn", "months_left": "Months left",
    "cost_center_variance": "Cost center variance", "since": "Since", "amount_previous": "Amount, previous month",
    "amount_current": "Amount, this month", "rate_previous": "Rate, previous month", "rate_current": "Rate, this month",
    "change": "Change", "volume_effect": "Volume effect", "fx_effect": "Fx effect", "currency": "Currency",
    "amount": "Amount", "amount_rc": "Amount (reporting currency)", "fx_rate": "Fx rate", "date": "Date",
    "dataset": "Dataset", "is_closed": "Closed", "key": "Name", "committed_rest": "Committed, rest of year",
    "uncommitted_rest": "Forecast uncommitted (rest)", "forecast_rest": "Rest of year", "forecast": "Forecast",
    "lo80": "80% interval, low", "hi80": "80% interval, high", "lo95": "95% interval, low",
    "hi95": "95% interval, high", "over_under": "Over (+) / under (−) budget", "model": "Model", "note": "Note",
    "committed": "Committed", "contract_id": "Contract", "finding_id": "Finding", "rule": "Audit rule",
    "title": "Audit rule", "findings": "Findings", "at_stake": "At stake", "amount_at_stake": "At stake",
    "at_stake_counted": "At stake (counted once)", "finding_date": "Date", "evidence": "Evidence rows",
    "explanation": "Explanation", "status": "Status", "severity": "Severity", "money": "Kind of money",
    "cancel_by_date": "Cancel-by date", "days_left": "Days left", "end_date": "End date", "start_date": "Start date",
    "notice_days": "Notice (days)", "annual_value": "Annual value", "next_term_value": "Next term value",
    "is_notice_missing": "Notice period missing", "renewal": "Renewal", "current_term_end_date": "Term end",
    "current_term_start_date": "Term start", "missed_cancel_by_date": "Missed cancel-by", "level": "Level",
    "deadline_date": "Deadline", "description": "Description", "score": "Score", "rank": "Rank",
    "indicators_used": "Indicators with data", "coverage": "Coverage", "previous_score": "Previous score",
    "trend": "Trend", "credit_amount": "Credit earned", "credit_rc": "Credit earned", "received_rc": "Received",
    "outstanding_rc": "Outstanding", "availability_pct": "Availability %", "availability_target_pct": "Target %",
    "is_met": "Met", "met": "Met", "metric": "Metric", "sla_target": "Target", "measured": "Measured",
    "contract_months": "Contract-months", "months_met": "Months met",
    "attainment": "Attainment", "n_months": "Months", "reason": "Why", "mase": "MASE", "smape": "sMAPE %",
    "bias": "Bias (forecast − actual, per month)", "coverage80": "In 80% interval", "coverage95": "In 95% interval",
    "invoice_id": "Invoice", "months": "Months", "seats": "Seats", "billed_cost": "Billed cost", "effective_cost": "Effective cost",
    "list_cost": "List cost", "savings": "Savings", "provider": "Provider", "service": "Service",
    "business_unit": "Business unit", "allocated_cost": "Allocated cost", "quantity": "Driver quantity",
    "unit_cost": "Cost per unit", "allocation_rule": "Allocation rule", "step": "Step", "n_rules": "Rules",
    "allocated_rc": "Allocated to it", "rule_row": "Rule (row of the rule set)",
    "uncommitted": "Forecast uncommitted", "contracts": "Contracts", "missed": "Months missed", "tickets": "Tickets",
    "breaches": "Breaches", "response_attainment_pct": "Response met %", "resolution_attainment_pct": "Resolution met %",
    "adjustment": "Adjustment", "proposed": "Proposed", "basis": "Basis", "landing_baseline": "Landing (baseline)",
    "budget_baseline": "Budget (baseline)", "over_under_baseline": "Over (+) / under (−) budget, baseline",
    "p_overrun_baseline": "Chance of overrun, baseline", "landing_scenario": "Landing (scenario)",
    "budget_scenario": "Budget (scenario)", "over_under_scenario": "Over (+) / under (−) budget, scenario",
    "p_overrun_scenario": "Chance of overrun, scenario", "landing_change": "Change in landing",
    "charges": "Charges", "commitment": "Commitment", "type": "Type", "region": "Region", "sub-account": "Sub-account",
    "service category": "Service category", "charge category": "Charge category", "cost center": "Cost center",
    "is_fx_missing": "No fx rate", "accuracy_in_words": "Backtested accuracy", "n_holdout": "Months held out",
    "snaive_mase": "MASE, same month last year", "snaive_smape": "sMAPE %, same month last year",
    "snaive_bias": "Bias, same month last year", "item": "Item", "value": "Value", "measure": "Measure",
    "is_acknowledged": "Acknowledged", "message": "What happens", "owner": "Owner", "renewal_type": "Renewal",
    "billing_frequency": "Billing", "is_projected": "In a renewal term not begun", "rate_month": "Rate of month",
    "is_fx_carried_forward": "Fx rate carried forward", "payment_date": "Payment date",
    "reported_response_hours": "Vendor-reported response (h)", "reported_resolution_hours": "Vendor-reported resolution (h)",
    "ticket_id": "Ticket", "priority": "Priority", "opened_at": "Opened", "response_hours": "Response (h)",
    "response_target_hours": "Response target (h)", "response_status": "Response", "resolution_hours": "Resolution (h)",
    "resolution_target_hours": "Resolution target (h)", "resolution_status": "Resolution",
    "resolution_schedule": "Schedule", "made_sla": "ITSM tool: made SLA", "credit_units": "Breaches or points",
    "credit_pct": "Credit % of monthly charge", "is_capped": "Capped", "credit_owed": "Credit owed (contract currency)",
    "credit_owed_rc": "Owed", "credit_received_rc": "Received", "credit_outstanding_rc": "Outstanding",
    "evidence_owed": "Why it is owed", "evidence_received": "Credit notes received", "batch_id": "Batch",
    "file_name": "File", "rows": "Rows", "rejected_rows": "Rows left out", "format": "Format", "profile": "Profile",
    "imported_at": "Imported", "imported_by": "Imported by", "row_no": "Row", "column_name": "Column",
    "file": "File", "row": "Row", "column": "Column", "name": "Name", "commitment_discount": "Commitment",
    "bias_in_words": "Bias", "original": "Text in the file", "stored": "Stored as", "mapping": "Column mapping",
    "constants": "Fixed values", "saved_at": "Saved", "payments": "Payments", "kind": "Kind", "ref": "Reference",
}

LABELS.update({column: metrics.label(name) for column, name in METRIC_COLUMNS.items()})

# units by exact name, then by name pattern (first match wins)
UNITS = {"sla_target": NUMBER, "measured": NUMBER, "variance_pct": RATIO, "p_overrun": RATIO, "share": RATIO,
         "coverage": RATIO, "coverage80": RATIO, "coverage95": RATIO, "attainment": RATIO, "amount": LOCAL_MONEY,
         "annual_value": LOCAL_MONEY, "next_term_value": LOCAL_MONEY, "period": MONTH, "month": MONTH,
         "fx_rate": NUMBER, "rate_previous": NUMBER, "rate_current": NUMBER, "mase": NUMBER, "smape": NUMBER,
         "score": NUMBER, "previous_score": NUMBER, "trend": NUMBER, "since": MONTH, "cost_center": TEXT,
         "currency": TEXT, "reporting_currency": TEXT, "money": TEXT, "evidence_owed": TEXT,
         "evidence_received": TEXT, "step": COUNT, "rule_row": COUNT, "n_rules": COUNT, "contracts": COUNT,
         "missed": COUNT, "tickets": COUNT, "breaches": COUNT, "charges": COUNT, "p_overrun_baseline": RATIO,
         "p_overrun_scenario": RATIO, "snaive_mase": NUMBER, "snaive_smape": NUMBER, "n_holdout": COUNT,
         "accuracy_in_words": TEXT, "basis": TEXT, "item": TEXT, "value": TEXT, "measure": TEXT, "type": TEXT,
         "credit_owed": LOCAL_MONEY, "credit_units": NUMBER, "batch_id": TEXT, "rows": COUNT, "rejected_rows": COUNT,
         "row_no": COUNT, "row": COUNT, "made_sla": FLAG, "rate_month": MONTH, "bias_in_words": TEXT,
         "file_name": TEXT, "format": TEXT, "payments": COUNT, "kind": TEXT, "ref": TEXT}
PATTERNS = ((r"^is_", FLAG), (r"_pct$", PERCENT_100),
            (r" %$|%\)$|^share|^chance|^coverage|^in \d\d% interval", RATIO),
            (r"_date$|^date$", DATE), (r"_at$", DATETIME),
            (r"(^n_|_count$|^lines$|_lines$|^findings$|^evidence$|_days$|^days_|^months|_months$|^rank$|"
             r"^indicators)", COUNT),
            (r"(amount|actual|budget|landing|forecast|stake|cost|spend|credit|variance|run_rate|committed|effect\b|"
             r"^lo\d|^hi\d|over_under|remaining|burn|change|value|_rc$|received|outstanding|savings|bias)",
             MONEY))


def unit(column: str, series: pd.Series | None = None) -> str:
    """The unit of a column: by its name, else by its data (numbers → number, dates → date, else text)."""
    name = str(column)
    if name in UNITS:
        return UNITS[name]
    for pattern, found in PATTERNS:  # raw names and labels alike (lower-cased)
        if re.search(pattern, name.lower()):
            if series is None or found in (FLAG, DATE, DATETIME) or pd.api.types.is_numeric_dtype(series):
                return found
    if series is not None and pd.api.types.is_datetime64_any_dtype(series):
        return DATE
    if series is not None and pd.api.types.is_bool_dtype(series):
        return FLAG
    if series is not None and pd.api.types.is_numeric_dtype(series):
        return NUMBER
    return TEXT


def label(column: str, currency: str | None = None) -> str:
    """The column's heading in words in the current language ('Year-end landing (EUR)' for money in the
    reporting currency); a column without a label reads as its name."""
    name = str(column)
    text = i18n.t(LABELS[name]) if name in LABELS else (
        name.replace("_", " ").strip().capitalize() if "_" in name else name)
    if currency and unit(name) == MONEY and text:
        return f"{text} ({currency})"
    return text


def rule_title(rule: str) -> str:
    """An audit rule id ('renewal_deadline') as its title ('Renewal deadlines') in the current language."""
    from analytics.audit import engine
    found = engine.rules().get(rule)
    return i18n.t(found.title) if found else str(rule)


def is_empty(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def money_text(value, currency: str = "", *, decimals: int = 2) -> str:
    """'1,234.56 EUR'; negatives in brackets '(1,234.56) EUR'; '' when empty. In the current language's
    format (analytics.i18n.money: '(1.234,56 €)' in German)."""
    return "" if is_empty(value) else i18n.money(value, currency, decimals=decimals)


def percent_text(value, *, decimals: int = 1) -> str:
    """A ratio as '12.5%' (a chance below 0.05% reads '<0.1%', never 5.3e-23); '' when empty."""
    return "" if is_empty(value) else i18n.percent(value, decimals)


def yes(value) -> str:
    """A flag as readers see it: 'Yes' (in the current language) or empty."""
    return "" if is_empty(value) or not bool(value) else i18n.t("Yes")


def value_text(value, column: str, currency: str = "", *, kind: str | None = None) -> str:
    """One value as a reader sees it, by the column's unit (or `kind`)."""
    if is_empty(value):
        return ""
    kind = kind or unit(column)
    if kind == MONEY:
        return money_text(value, currency)
    if kind == LOCAL_MONEY:
        return money_text(value)
    if kind == RATIO:
        return percent_text(value)
    if kind == PERCENT_100:
        return f"{float(value):.1f}%" if i18n.current() == i18n.DEFAULT else i18n.percent(float(value) / 100)
    if kind == FLAG:
        return yes(value)
    if kind in (DATE, MONTH) and isinstance(value, (dt.date, pd.Timestamp)):
        if i18n.current() != i18n.DEFAULT:  # '31.10.2026', 'Okt. 2026'; English keeps ISO dates
            return i18n.month(value) if kind == MONTH else i18n.date(value)
        return f"{value:%Y-%m}" if kind == MONTH else f"{value:%Y-%m-%d}"
    if kind == COUNT:
        return i18n.number(int(value))
    if kind == NUMBER and isinstance(value, float):
        return i18n.number(value, 2)
    if kind == NUMBER and isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return i18n.number(int(value))
    return str(value)


def excel_format(kind: str, currency: str = "") -> str | None:
    """The Excel number format for a unit (money with the currency code, negatives red in brackets)."""
    code = "".join(ch for ch in currency if ch.isalpha())[:3]
    suffix = f' "{code}"' if code else ""
    return {MONEY: f'#,##0.00{suffix};[Red](#,##0.00){suffix};0.00{suffix}',
            LOCAL_MONEY: '#,##0.00;[Red](#,##0.00);0.00', RATIO: '0.0%;[Red]-0.0%;0.0%',
            PERCENT_100: '0.0"%"', DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", COUNT: "#,##0",
            NUMBER: "#,##0.00", MONTH: "yyyy-mm"}.get(kind)


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Values ready to write: money rounded to the cent, rule ids as titles, flags as Yes/empty, empty for
    missing values (never 'None' or 'nan'). Column names are kept (label() names them)."""
    out = frame.copy()
    for name in out.columns:
        kind = unit(name, out[name])
        column = out[name]
        if kind in (MONEY, LOCAL_MONEY) and pd.api.types.is_numeric_dtype(column):
            out[name] = cents(column, details=out.iloc[:, 0].astype(str) != "Total")
        elif kind == FLAG:
            out[name] = column.map(yes)
        elif name == "rule" and column.dtype == object:
            out[name] = column.map(lambda v: "" if is_empty(v) else rule_title(v))
        elif column.dtype == object:
            out[name] = column.where(column.notna(), "")
    return out


def cents(column: pd.Series, *, details: pd.Series) -> pd.Series:
    """Money rounded to the cent so that the detail rows still add up to their rounded sum (largest remainder,
    as the metric catalog rounds its breakdowns); total rows are rounded on their own."""
    values = column.astype(float)
    out = values.round(2)
    mask = values.notna() & details.to_numpy()
    if mask.any():
        out[mask] = metrics.cents_adding_up(values[mask].tolist(), round(float(values[mask].sum()), 2))
    return out


def for_people(frame: pd.DataFrame, currency: str | None = None) -> pd.DataFrame:
    """tidy() with the columns renamed to their labels (downloads, sheets written without a layout)."""
    out = tidy(frame)
    return out.rename(columns={c: label(c, currency) or str(c) for c in out.columns})


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns rounded for export: money to the cent, other numbers to 6 decimals (no float noise)."""
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_float_dtype(out[name]):
            out[name] = out[name].round(2 if unit(name) in (MONEY, LOCAL_MONEY) else 6)
    return out
