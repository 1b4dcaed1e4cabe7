"""Shared fixtures and inline dataset builders for the cost audit tests (no tests here)."""
from __future__ import annotations

import datetime as dt

import pytest

from analytics import settings, store
from analytics.audit import engine

AS_OF = dt.date(2026, 11, 15)
D = dt.date


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    settings.set_value(connection, "as_of_date", AS_OF.isoformat())
    yield connection
    connection.close()


def add_spend(con, rows: list[dict], *, batch_id: int = 1) -> None:
    """Insert spend lines; each row gives date, vendor, amount and optionally the other columns."""
    start = con.execute("select coalesce(max(row_no), 0) from spend where batch_id = ?", [batch_id]).fetchone()[0]
    for i, row in enumerate(rows, start=start + 1):
        con.execute(
            "insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category, invoice_id, "
            "contract_id, description) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, i, row["date"], row["vendor"], row["amount"], row.get("currency", "USD"),
             row.get("cost_center", "Infrastructure"), row.get("category", "Software"), row.get("invoice_id"),
             row.get("contract_id"), row.get("description")])


def add_contract(con, contract_id: str, vendor: str, start: dt.date, end: dt.date, annual_value: float, *,
                 currency: str = "USD", auto_renew: bool = False, renewal_term_months: int | None = None,
                 notice_days: int | None = None, service: str = "Service") -> None:
    con.execute(
        "insert into contracts (batch_id, row_no, contract_id, vendor, service, start_date, end_date, annual_value, "
        "currency, auto_renew, renewal_term_months, notice_days) values (2, "
        "(select count(*) + 1 from contracts), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [contract_id, vendor, service, start, end, annual_value, currency, auto_renew, renewal_term_months,
         notice_days])


def add_license(con, product: str, vendor: str, purchased: int, active: int, unit_cost: float, *,
                period: dt.date | None = D(2026, 10, 1), currency: str = "USD") -> None:
    con.execute(
        "insert into licenses (batch_id, row_no, product, vendor, seats_purchased, seats_assigned, seats_active, "
        "unit_cost, currency, period) values (3, (select count(*) + 1 from licenses), ?, ?, ?, ?, ?, ?, ?, ?)",
        [product, vendor, purchased, active, active, unit_cost, currency, period])


def add_fx(con, currency: str, rate: float, months: list[dt.date]) -> None:
    for i, month in enumerate(months):
        con.execute("insert into fx values (4, ?, ?, ?, ?)", [i + 1, month, currency, rate])


def run(con, rule: str):
    """The rule's findings with their explanations read (in English: the stored form is the message and its values)."""
    found = engine.run_rule(con, rule)
    return found.assign(explanation=found["explanation"].map(engine.explanation))


def monthly(start: dt.date, count: int, day: int = 5) -> list[dt.date]:
    """The `day`th of `count` consecutive months from `start`'s month."""
    from analytics.fiscal import add_months
    return [add_months(start.replace(day=1), i).replace(day=day) for i in range(count)]
