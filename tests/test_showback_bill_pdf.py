"""The bill of IT as a PDF: a summary page and a page per business unit, figures equal to `showback --json` to
the cent, each business unit's grid adding up; a hand-worked grid; the CLI writing both formats."""
import datetime as dt
import json
import re
import shutil
import subprocess

import pytest

from analytics import cli, present, store
from analytics.showback import allocate, bill_pdf
from tests.test_showback_engine import drivers, rules

pdftools = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pages(path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(p.split()) for p in text.split("\f") if p.strip()]


@pytest.fixture(scope="module")
def bill(demo_db, tmp_path_factory):
    """The demo's bill of IT written by the CLI, and the same figures as JSON."""
    out = tmp_path_factory.mktemp("bill") / "bill.pdf"
    assert cli.main(["showback", "--db", str(demo_db), "--out", str(out)]) == 0
    con = store.connect(demo_db, read_only=True)
    try:
        from analytics.commands import showback as command
        figures = command.result(con, by="business_unit")
    finally:
        con.close()
    return out, figures


@pdftools
def test_a_summary_page_and_one_page_per_business_unit(bill, tmp_path):
    path, figures = bill
    text = pages(path)
    assert len(text) == 1 + len(figures["rows"])
    assert text[0].startswith(f"Bill of IT – {figures['window']}")
    for row, page in zip(sorted(figures["rows"], key=lambda r: r["business_unit"]), text[1:]):
        assert page.startswith(f"Bill of IT – {row['business_unit']}")
        assert f"{row['business_unit']} was charged {present.money_text(row['value'], figures['currency'])}" in page
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == len(text)


@pdftools
def test_summary_equals_the_cli_to_the_cent(bill):
    path, figures = bill
    summary = pages(path)[0]
    cur = figures["currency"]
    assert f"The spend of {figures['window']} is {present.money_text(figures['total'], cur)}" in summary
    assert f"{present.money_text(figures['unallocated'], cur)} (" in summary
    for row in figures["rows"]:
        assert f"{row['business_unit']} {present.money_text(row['value'])}" in summary, row
    assert f"Total {present.money_text(figures['total'])} 100.0%" in summary
    for heading in ("Business unit", "Allocated cost", "Share", "Driver quantity", "Cost per unit"):
        assert heading in summary
    assert not re.search(r"\b(None|nan|NaN)\b", " ".join(pages(path)))


def test_each_business_units_grid_adds_up_to_its_bill(demo_con):
    from analytics.commands import showback as command
    figures = command.result(demo_con, by="business_unit")
    alloc = bill_pdf.report.allocation(demo_con)
    for row in figures["rows"]:
        grid = bill_pdf.service_by_pool(alloc, row["business_unit"], charged=row["value"])
        cells = grid.set_index("service")
        body = cells.drop(index="Total")
        assert cells.loc["Total", "Total"] == row["value"]
        assert (body.drop(columns="Total").sum(axis=1).round(2) == body["Total"]).all()
        assert (body.sum().round(2) == cells.loc["Total"]).all()


def test_hand_worked_grid():
    # Infra/Hardware 1000 -> Hosting; Desk/Staffing 500 -> Support; Hosting -> Sales 25% (250), Ops 75% (750);
    # Support -> Ops (500). Ops: Hosting/Hardware 750, Support/Staffing 500, total 1250.
    con = store.connect(":memory:")
    try:
        con.execute("insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category) "
                    "values (1, 1, '2026-01-10', 'Dell', 1000, 'USD', 'Infra', 'Hardware'), "
                    "(1, 2, '2026-01-20', 'Acme', 500, 'USD', 'Desk', 'Staffing')")
        alloc = allocate(con, first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 1, 31), drivers=drivers(),
                         rules=rules((1, "cost_center", "Infra", "service", "Hosting", 100, None),
                                     (1, "cost_center", "Desk", "service", "Support", 100, None),
                                     (2, "service", "Hosting", "business_unit", "Sales", 25, None),
                                     (2, "service", "Hosting", "business_unit", "Ops", 75, None),
                                     (2, "service", "Support", "business_unit", "Ops", 100, None)))
    finally:
        con.close()
    grid = bill_pdf.service_by_pool(alloc, "Ops", charged=1250.0).set_index("service")
    assert grid.loc["Hosting", "Hardware"] == 750.0 and grid.loc["Hosting", "Staffing"] == 0.0
    assert grid.loc["Support", "Staffing"] == 500.0
    assert grid.loc["Total"].to_dict() == {"Hardware": 750.0, "Staffing": 500.0, "Total": 1250.0}
    steps = bill_pdf.by_step(alloc, "Ops")
    assert steps.to_dict("records") == [{"step": "1", "n_rules": 2, "allocated_cost": 1250.0},
                                        {"step": "2", "n_rules": 2, "allocated_cost": 1250.0}]
    pdf = bill_pdf.pdf_bytes(alloc, window="Jan 2026", currency="USD", company="Test")
    assert pdf.startswith(b"%PDF")


def test_cli_writes_the_workbook_and_refuses_other_formats(demo_db, tmp_path, capsys):
    out = tmp_path / "bill.xlsx"
    assert cli.main(["showback", "--db", str(demo_db), "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"]
    import openpyxl
    assert "Summary" in openpyxl.load_workbook(out).sheetnames
    assert cli.main(["showback", "--db", str(demo_db), "--out", str(tmp_path / "bill.docx")]) == 1
    assert "written as .xlsx or .pdf" in capsys.readouterr().err
