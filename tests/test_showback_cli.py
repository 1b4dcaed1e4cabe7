"""showback on the CLI and in the metric catalog: JSON shape, rows adding up, the bill workbook."""
import io
import json

import openpyxl
import pytest

from analytics import cli, metrics, showback
from analytics.showback import bill


def run_json(capsys, *args) -> dict:
    assert cli.main(["showback", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_shape_and_cents_adding_up(demo_db, capsys):
    out = run_json(capsys, "--db", str(demo_db), "--fy", "2026")
    assert {"total", "unallocated", "rows"} <= set(out)
    assert all(set(r) == {"business_unit", "value"} for r in out["rows"])
    assert round(sum(r["value"] for r in out["rows"]) + out["unallocated"], 2) == out["total"]


def test_by_service_with_a_unit_driver(demo_db, capsys):
    out = run_json(capsys, "--db", str(demo_db), "--period", "2026-10", "--by", "service", "--unit-driver", "servers")
    assert all(set(r) == {"service", "value", "quantity", "unit_cost"} for r in out["rows"])


def test_unit_driver_gives_cost_per_unit(demo_db, capsys):
    out = run_json(capsys, "--db", str(demo_db), "--unit-driver", "headcount")
    row = out["rows"][0]
    assert row["unit_cost"] == pytest.approx(row["value"] / row["quantity"], abs=0.01)


def test_metric_rows_add_up_to_ytd_actual(demo_con):
    allocated = metrics.evaluate(demo_con, "allocated_cost", by="business_unit")
    assert round(sum(r["value"] for r in allocated.rows), 2) == allocated.value
    assert allocated.value == metrics.evaluate(demo_con, "ytd_actual").value
    by_service = metrics.evaluate(demo_con, "allocated_cost", by="service")
    assert round(sum(r["value"] for r in by_service.rows), 2) == allocated.value


def test_bill_workbook_has_a_sheet_per_business_unit(demo_con):
    alloc = showback.allocation(demo_con)
    book = openpyxl.load_workbook(io.BytesIO(bill.workbook_bytes(alloc, currency="USD", title="Demo")))
    units = sorted(showback.bill_lines(alloc)["business_unit"].unique())
    assert book.sheetnames == ["Contents", "Summary", *units]
    sheet = book[units[0]]
    assert [c.value for c in sheet[4]] == ["Service", "Cost pool", "Amount"]
    assert "USD" in sheet["C5"].number_format
