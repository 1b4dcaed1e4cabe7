"""Small SLA datasets for the SLA tests, loaded through the real import pipeline (CSV files)."""
from __future__ import annotations

import csv
import itertools
from pathlib import Path

from analytics import store
from analytics.ingest import load

_counter = itertools.count()


def write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_rows(con, tmp_path: Path, dataset: str, rows: list[dict]):
    """Import `rows` (dicts of text) as one batch of `dataset`."""
    path = write_csv(tmp_path / f"{dataset}_{next(_counter)}.csv", rows)
    return load.import_file(con, dataset, path)


def new_db():
    return store.connect(":memory:")


PARIS_HOURS = {"schedule": "EU", "timezone": "Europe/Paris", "working_days": "mon-fri",
               "start_time": "09:00", "end_time": "17:00"}


def contract(contract_id="C1", vendor="Acme", **extra) -> dict:
    row = {"contract_id": contract_id, "vendor": vendor, "service": "Service desk", "start_date": "2025-01-01",
           "end_date": "2027-12-31", "annual_value": "120000.00", "currency": "EUR",
           "sla_response_hours": "4", "sla_resolution_hours": "16", "service_credit_pct": "5",
           "service_credit_cap_pct": "20", "sla_availability_pct": "99.9"}
    row.update(extra)
    return row


def ticket(ticket_id, opened, responded="", resolved="", priority="P2", contract_id="C1") -> dict:
    return {"ticket_id": ticket_id, "contract_id": contract_id, "priority": priority, "opened_at": opened,
            "responded_at": responded, "resolved_at": resolved}
