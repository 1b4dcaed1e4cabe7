"""Service credits: what each missed month earns under the contract, and what the vendor paid back.

Owed, for a missed contract x month: credit units = breaches + started percentage points below the
availability target (target 99.9, actual 98.8 -> 1.1 points -> 2 units); credit % = units x
service_credit_pct, capped at service_credit_cap_pct; credit = monthly charge (annual_value / 12,
contract currency) x credit %, converted with that month's fx rate (missing rate -> amount null and
is_fx_missing, never 1).
Received: the vendor's negative spend lines (credit notes, refunds) in the reporting currency,
allocated oldest missed month first; a line only pays a month it is dated in or after. A line
with a missing fx rate cannot be counted and is named in the evidence.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from analytics import settings
from analytics.sla import monthly

CENT4 = Decimal("0.0001")

TERMS_SQL = """
with final as (
    select c.contract_id, c.annual_value, c.currency, c.service_credit_pct, c.service_credit_cap_pct,
        m.period,
        case when c.currency = $reporting then cast(1 as decimal(18, 10)) else f.rate end as fx_rate
    from contracts c
    join (select unnest($contracts) as contract_id, unnest($periods) as period) m on m.contract_id = c.contract_id
    left join fx_rc f on f.currency = c.currency and f.period = m.period
)
select * from final
"""

CREDIT_LINES_SQL = """
select vendor, date, invoice_id, contract_id, batch_id, row_no, amount, currency, -amount_rc as credit_rc, is_fx_missing
from spend_rc
where amount < 0 and list_contains($vendors, vendor)
order by vendor, date, batch_id, row_no
"""


def _records(con, sql: str, params: dict) -> list[dict]:
    """Rows as dicts with DECIMAL values kept as Decimal (a DataFrame would turn them into floats)."""
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, values)) for values in cur.fetchall()]


def _dec(value) -> Decimal | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _owed(row: dict, terms: dict) -> dict:
    points = _dec(row["availability_points_below"]) or Decimal(0)
    units = int(row["breaches"]) + int(points.to_integral_value(rounding="ROUND_CEILING"))
    pct, cap = _dec(terms["service_credit_pct"]), _dec(terms["service_credit_cap_pct"])
    credit_pct = (pct or Decimal(0)) * units
    is_capped = cap is not None and credit_pct > cap
    credit_pct = min(credit_pct, cap) if cap is not None else credit_pct
    charge = terms["annual_value"] / 12
    owed = (charge * credit_pct / 100).quantize(CENT4, ROUND_HALF_UP)
    rate = terms["fx_rate"]
    return {"credit_units": units, "service_credit_pct": pct, "service_credit_cap_pct": cap,
            "credit_pct": credit_pct, "is_capped": is_capped, "monthly_charge": charge.quantize(CENT4, ROUND_HALF_UP),
            "currency": terms["currency"], "credit_owed": owed, "fx_rate": rate,
            "credit_owed_rc": None if rate is None else (owed * rate).quantize(CENT4, ROUND_HALF_UP),
            "is_fx_missing": rate is None}


def _evidence_owed(row: dict) -> str:
    parts = []
    if row["response_breached"]:
        parts.append(f"{row['response_breached']} response breach(es)")
    if row["resolution_breached"]:
        parts.append(f"{row['resolution_breached']} resolution breach(es)")
    if row["is_availability_missed"]:
        parts.append(f"availability {row['availability_pct']:g}% against {row['availability_target_pct']:g}%")
    return "; ".join(parts)


def _allocate(months: list[dict], lines: list[dict]) -> None:
    """Pay months (oldest first) from the vendor's credit lines dated in or after the month."""
    left = [line["credit_rc"] for line in lines]
    for month in months:
        need = month["credit_owed_rc"] or Decimal(0)
        got, used = Decimal("0.0000"), []
        for i, line in enumerate(lines):
            if need <= 0:
                break
            if left[i] is None or left[i] <= 0 or line["date"] < month["period"]:
                continue
            take = min(left[i], need)
            left[i] -= take
            need -= take
            got += take
            used.append(f"{line['date']:%Y-%m-%d} {line['invoice_id'] or 'no invoice'} "
                        f"(batch {line['batch_id']} row {line['row_no']}): {take:.2f}")
        month["credit_received_rc"] = got
        month["credit_outstanding_rc"] = None if month["credit_owed_rc"] is None else month["credit_owed_rc"] - got
        missing = [f"{line['date']:%Y-%m-%d} {line['invoice_id'] or 'no invoice'} (no fx rate)"
                   for line in lines if line["credit_rc"] is None and line["date"] >= month["period"]]
        month["evidence_received"] = "; ".join(used + missing)


COLUMNS = ["contract_id", "vendor", "service", "period", "breaches", "availability_pct", "availability_target_pct",
           "availability_points_below", "credit_units", "service_credit_pct", "service_credit_cap_pct", "credit_pct",
           "is_capped", "monthly_charge", "currency", "credit_owed", "fx_rate", "reporting_currency",
           "credit_owed_rc", "credit_received_rc", "credit_outstanding_rc", "is_fx_missing",
           "evidence_owed", "evidence_received"]


def service_credits(con, *, as_of_at: dt.datetime | None = None, start: dt.date | None = None,
                    end: dt.date | None = None, vendor: str | None = None) -> pd.DataFrame:
    """One row per contract x missed month: credit units and %, credit_owed (contract currency) and
    credit_owed_rc, credit_received_rc, credit_outstanding_rc (reporting currency, Decimal), evidence.
    Received credits are matched over all months first, then the filters (months, vendor) apply."""
    return monthly.filtered(_all_credits(con, as_of_at), start=start, end=end, vendor=vendor)


def _all_credits(con, as_of_at: dt.datetime | None) -> pd.DataFrame:
    months = monthly.contract_month_attainment(con, as_of_at=as_of_at)
    missed = months[months["is_missed"]].copy()
    if missed.empty:
        return pd.DataFrame(columns=COLUMNS)
    reporting = settings.get(con, "reporting_currency")
    terms = {(r["contract_id"], r["period"]): r for r in _records(
        con, TERMS_SQL, {"reporting": reporting, "contracts": list(missed["contract_id"]),
                         "periods": list(missed["period"])})}
    rows = []
    for row in missed.to_dict("records"):
        term = terms.get((row["contract_id"], row["period"]))
        if term is None:  # a month measured for a contract that is not in the contracts dataset
            continue
        rows.append(row | _owed(row, term) | {"reporting_currency": reporting, "evidence_owed": _evidence_owed(row)})
    _match_received(con, rows)
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(["contract_id", "period"]).reset_index(drop=True)


def _match_received(con, rows: list[dict]) -> None:
    vendors = sorted({r["vendor"] for r in rows if r["vendor"] is not None})
    lines = _records(con, CREDIT_LINES_SQL, {"vendors": vendors})
    for line in lines:
        if line["credit_rc"] is not None:
            line["credit_rc"] = line["credit_rc"].quantize(CENT4, ROUND_HALF_UP)
    for vendor in vendors:
        months = sorted((r for r in rows if r["vendor"] == vendor), key=lambda r: (r["period"], r["contract_id"]))
        _allocate(months, [line for line in lines if line["vendor"] == vendor])
    for r in rows:
        r.setdefault("credit_received_rc", Decimal("0.0000"))
        r.setdefault("credit_outstanding_rc", r["credit_owed_rc"])
        r.setdefault("evidence_received", "")


def outstanding_months(con, *, as_of_at: dt.datetime | None = None, start: dt.date | None = None,
                       end: dt.date | None = None, vendor: str | None = None) -> pd.DataFrame:
    """One row per contract x missed month whose credit is owed and not (fully) received, with the evidence."""
    credits = service_credits(con, as_of_at=as_of_at, start=start, end=end, vendor=vendor)
    keep = credits["credit_outstanding_rc"].map(lambda v: v is not None and v > 0).astype(bool)
    return credits[keep].reset_index(drop=True)


def credits_outstanding(con, *, start: dt.date, end: dt.date, vendor: str | None = None) -> float:
    """Service credits owed for missed months from `start` to `end` (one vendor, by name key, or all) and not
    received, in the reporting currency (0.0 when none; months without an fx rate cannot be counted)."""
    months = outstanding_months(con, start=start, end=end, vendor=vendor)
    return float(sum(v for v in months["credit_outstanding_rc"] if v is not None))


def audit_findings(con, params: dict | None = None) -> pd.DataFrame:
    """The cost audit's `service_credits` rule: one finding per contract x missed month with credit owed and not
    received. Columns: key, severity (high: nothing received; medium: part received), vendor, contract_id,
    amount_at_stake (outstanding, reporting currency), finding_date (first day of the missed month),
    explanation, evidence (the contract, breached ticket ids, the availability measurement, the credit notes
    matched). Registered as the audit rule `service_credits` in analytics/sla/__init__.py."""
    owed = outstanding_months(con)
    columns = ["key", "severity", "vendor", "contract_id", "amount_at_stake", "finding_date", "explanation",
               "evidence", "evidence_lines"]
    if owed.empty:
        return pd.DataFrame(columns=columns)
    tickets = monthly.breaches(con)
    by_month = {key: list(group["ticket_id"]) for key, group in tickets.groupby(["contract_id", "period"])}
    rows = []
    for r in owed.itertuples(index=False):
        month = f"{r.period:%Y-%m}"
        # the contract first (the audit page shows its row), then the breached tickets and the credit notes matched
        evidence = [r.contract_id] + list(by_month.get((r.contract_id, r.period), []))
        if r.availability_points_below:
            evidence.append(f"sla {r.contract_id} {month} availability")
        evidence += [part.split(" (")[0] for part in r.evidence_received.split("; ") if part]
        received = "nothing received" if r.credit_received_rc == 0 else f"{r.credit_received_rc:,.2f} received"
        rows.append({
            "key": f"{r.contract_id}|{month}",
            "severity": "high" if r.credit_received_rc == 0 else "medium",
            "vendor": r.vendor, "contract_id": r.contract_id,
            "amount_at_stake": None if r.credit_outstanding_rc is None else float(r.credit_outstanding_rc),
            "finding_date": r.period,
            "explanation": (f"{r.contract_id} ({r.service}) missed its SLA in {month}: {r.evidence_owed}. The contract "
                            f"grants {float(r.credit_pct):g}% of the monthly charge{' (capped)' if r.is_capped else ''}: "
                            f"{r.credit_owed:,.2f} {r.currency}; {received}, "
                            + ("outstanding amount unknown (no fx rate for the month)." if r.credit_outstanding_rc is None
                               else f"{r.credit_outstanding_rc:,.2f} {r.reporting_currency} outstanding.")),
            "evidence": evidence, "evidence_lines": [],
        })
    return pd.DataFrame(rows, columns=columns)
