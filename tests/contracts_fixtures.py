"""Small inline databases for the contracts and vendors tests."""
from __future__ import annotations

import datetime as dt

from analytics import store

CONTRACT_COLUMNS = ("contract_id", "vendor", "service", "start_date", "end_date", "annual_value", "currency",
                    "auto_renew", "renewal_term_months", "notice_days", "billing_frequency", "owner",
                    "sla_availability_pct", "sla_response_hours", "sla_resolution_hours", "service_credit_pct",
                    "service_credit_cap_pct")


def database(contracts=(), spend=(), fx=(), sla=(), incidents=(), settings=None, path=":memory:"):
    """An Outlay database (in memory unless `path`) holding the given rows, tuples in column order."""
    con = store.connect(path)
    for name, value in {"as_of_date": "2026-11-15", **(settings or {})}.items():
        con.execute("insert into settings values (?, ?)", [name, value])
    for i, row in enumerate(contracts, start=1):
        values = dict(zip(CONTRACT_COLUMNS, row))
        cols = ", ".join(values)
        con.execute(f"insert into contracts (batch_id, row_no, {cols}) values (1, {i}, "
                    f"{', '.join('?' * len(values))})", list(values.values()))
    for i, (date, vendor, amount, currency, *rest) in enumerate(spend, start=1):
        contract_id = rest[0] if rest else None
        invoice_id = rest[1] if len(rest) > 1 else f"INV-{i}"
        con.execute("insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category, "
                    "invoice_id, contract_id) values (2, ?, ?, ?, ?, ?, 'IT', 'Software', ?, ?)",
                    [i, date, vendor, amount, currency, invoice_id, contract_id])
    for i, row in enumerate(fx, start=1):
        con.execute("insert into fx values (3, ?, ?, ?, ?)", [i, *row])
    for i, row in enumerate(sla, start=1):
        con.execute("insert into sla values (4, ?, ?, ?, ?, ?, ?)", [i, *row])
    for i, row in enumerate(incidents, start=1):
        con.execute("insert into incidents (batch_id, row_no, ticket_id, contract_id, priority, opened_at, "
                    "responded_at, resolved_at) values (5, ?, ?, ?, ?, ?, ?, ?)", [i, *row])
    return con


D = dt.date

