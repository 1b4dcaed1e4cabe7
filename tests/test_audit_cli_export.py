"""`python -m analytics audit` (JSON shape, review, exit codes) and the findings/evidence workbook."""
import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from analytics import audit, store
from analytics.reports import audit_export
from tests.test_audit_fixtures import D, add_spend

JSON_KEYS = ["finding_id", "rule", "severity", "vendor", "contract_id", "amount_at_stake", "currency", "evidence",
             "explanation", "status"]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "audit.duckdb"
    con = store.connect(path)
    con.execute("insert into settings values ('as_of_date', '2026-11-15')")
    add_spend(con, [
        {"date": D(2026, 3, 5), "vendor": "=HYPERLINK(\"http://x\")", "amount": 1250, "invoice_id": "INV-1"},
        {"date": D(2026, 3, 19), "vendor": "=HYPERLINK(\"http://x\")", "amount": 1250, "invoice_id": "INV-1",
         "description": "@SUM(A1)"},
    ])
    con.close()
    return path


def cli(*args, db):
    argv = [sys.executable, "-m", "analytics", "audit", *args, "--db", str(db)]
    return subprocess.run(argv, capture_output=True, text=True, cwd=store.PROJECT_ROOT)


def test_json_lists_findings_with_their_evidence(db):
    result = cli("--json", db=db)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [list(f) for f in found] == [JSON_KEYS]
    assert (found[0]["rule"], found[0]["amount_at_stake"], found[0]["evidence"], found[0]["status"]) == (
        "duplicate_payment", 1250.0, ["INV-1", "INV-1"], "open")


def test_review_from_the_cli_then_dismissed_hidden(db):
    finding_id = json.loads(cli("--json", db=db).stdout)[0]["finding_id"]
    assert cli("review", finding_id, "--status", "dismissed", db=db).returncode == 1
    result = cli("review", finding_id, "--status", "dismissed", "--reason", "deposit", db=db)
    assert result.returncode == 0, result.stderr
    assert json.loads(cli("--json", db=db).stdout) == []
    assert json.loads(cli("--json", "--all", db=db).stdout)[0]["status"] == "dismissed"


def test_unknown_rule_is_a_usage_error(db):
    result = cli("--rule", "nonsense", db=db)
    assert (result.returncode, "unknown rule" in result.stderr) == (2, True)


def test_workbook_keeps_formula_like_text_as_text(db, tmp_path):
    con = store.connect(db)
    frame = audit.findings(con)
    target = tmp_path / "audit.xlsx"
    audit_export.write(con, target, frame)
    con.close()
    wb = load_workbook(target)
    assert wb.sheetnames == ["Contents", "Summary", "Findings", "Evidence"]
    findings = wb["Findings"]
    header = [c.value for c in findings[4]]  # under the title and its subtitle
    vendor_cell = findings.cell(row=5, column=header.index("Vendor") + 1)
    assert (vendor_cell.value, vendor_cell.data_type) == ('=HYPERLINK("http://x")', "s")
    evidence = wb["Evidence"]
    header = [c.value for c in evidence[4]]
    descriptions = [evidence.cell(row=r, column=header.index("Description") + 1) for r in (5, 6)]
    assert [(c.value, c.data_type) for c in descriptions] == [(None, "n"), ("@SUM(A1)", "s")]


def test_workbook_totals_reconcile_with_the_findings(db, tmp_path):
    con = store.connect(db)
    frame = audit.findings(con)
    wb = load_workbook(__import__("io").BytesIO(audit_export.to_bytes(con, frame)))
    con.close()
    summary = {row[0]: row[3] for row in wb["Summary"].iter_rows(min_row=5, values_only=True)}
    assert summary["At stake (counted once)"] == frame["at_stake_counted"].sum() == 1250.0
    assert (summary["of which recoverable"], summary["of which exposure"]) == (1250.0, 0.0)
    assert not any("saving" in str(cell).lower() for row in wb["Summary"].iter_rows(values_only=True) for cell in row)
    assert wb["Evidence"].max_row == 4 + 2  # title, subtitle, a blank row, the headings, two rows
