"""Small, hand-checkable databases for the budget, overview and report tests.

FY2026 with an April start runs 2025-04 .. 2026-03; the as-of date 2025-07-15 closes
April, May and June. Reporting currency USD; EUR at 1.10 in April-May and 1.20 in June,
no EUR rate in July (so a July EUR line is missing its rate).
"""
from __future__ import annotations

import datetime as dt

from analytics import settings, store

SPEND = [  # date, vendor, amount, currency, cost_center, category, capex_opex, project, description
    ("2025-04-10", "Amazon Web Services", "1000.00", "USD", "Infrastructure", "Cloud Services", "opex", None, "April usage"),
    ("2025-04-20", "SAP SE", "500.00", "EUR", "Applications", "Software", "opex", "PRJ-ERP", "licences"),
    ("2025-05-10", "Amazon Web Services", "1500.00", "USD", "Infrastructure", "Cloud Services", "opex", None, "May usage"),
    ("2025-05-11", "Dell", "2000.00", "USD", "Infrastructure", "Hardware", "capex", None, "servers"),
    ("2025-06-10", "Amazon Web Services", "2500.00", "USD", "Infrastructure", "Cloud Services", "opex", None, "June usage"),
    ("2025-06-15", "SAP SE", "600.00", "EUR", "Applications", "Software", "opex", "PRJ-ERP", "=HYPERLINK(\"http://x\")"),
    ("2025-06-30", "Acme Consulting", "-100.00", "USD", "Workplace", "Outside Services", "opex", None, "credit note"),
    ("2025-05-20", "=cmd|' /C calc'!A0", "50.00", "USD", "Workplace", "Outside Services", "opex", None, "@SUM(A1)"),
    ("2025-07-05", "SAP SE", "700.00", "EUR", "Applications", "Software", "opex", "PRJ-ERP", "July, no fx rate"),
    ("2025-07-06", "Amazon Web Services", "999.00", "USD", "Infrastructure", "Cloud Services", "opex", None, "open month"),
    ("2025-03-31", "Amazon Web Services", "777.00", "USD", "Infrastructure", "Cloud Services", "opex", None, "FY2025"),
]

# period, cost_center, category, amount, currency, version, project
BUDGET = [
    *[(f"2025-{m:02d}", "Infrastructure", "Cloud Services", "1200.00", "USD", "original", None) for m in range(4, 13)],
    *[(f"2026-{m:02d}", "Infrastructure", "Cloud Services", "1200.00", "USD", "original", None) for m in range(1, 4)],
    ("2025-04", "Applications", "Software", "1000.00", "EUR", "original", "PRJ-ERP"),
    ("2025-05", "Applications", "Software", "1000.00", "EUR", "original", "PRJ-ERP"),
    ("2025-06", "Applications", "Software", "0.00", "EUR", "original", "PRJ-ERP"),
    ("2025-05", "Infrastructure", "Hardware", "3000.00", "USD", "original", None),
    ("2025-05", "Infrastructure", "Cloud Services", "2000.00", "USD", "reforecast-1", None),
]

FX = [("2025-04", "EUR", "1.10"), ("2025-05", "EUR", "1.10"), ("2025-06", "EUR", "1.20"),
      ("2025-03", "EUR", "1.05")]


def build(con, *, start_month: int = 4, as_of: str = "2025-07-15", spend=SPEND, budget=BUDGET, fx=FX):
    """Fill an empty, migrated database with the rows above."""
    with store.transaction(con):
        for name, value in (("fiscal_year_start_month", str(start_month)), ("as_of_date", as_of),
                            ("reporting_currency", "USD"), ("base_currency", "USD")):
            con.execute("insert or replace into settings values (?, ?)", [name, value])
        for i, row in enumerate(spend, start=1):
            con.execute("insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category, "
                        "capex_opex, project, description, invoice_id) values (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [i, *row, f"INV-{i}"])
        for i, (period, *rest) in enumerate(budget, start=1):
            con.execute("insert into budget (batch_id, row_no, period, cost_center, category, amount, currency, "
                        "version, project) values (2, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [i, dt.date.fromisoformat(period + "-01"), *rest])
        for i, (period, currency, rate) in enumerate(fx, start=1):
            con.execute("insert into fx (batch_id, row_no, period, currency, rate_to_base) values (3, ?, ?, ?, ?)",
                        [i, dt.date.fromisoformat(period + "-01"), currency, rate])
    return con


def database(**options):
    con = store.connect(":memory:")
    return build(con, **options)


def settings_for(con, **values):
    settings.set_many(con, {k: str(v) for k, v in values.items()})
