"""The PDF board pack: rendered to PNG with pdftoppm, its text read back with pdftotext; figures agree with
the metric catalog to the rounding shown; every page carries its labels in words and finance formats."""
import re
import shutil
import subprocess

import pytest

from analytics import metrics, present, store
from analytics.reports import board

PERIOD = "2026-10"  # the demo's last closed month

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture(scope="module")
def pdf(demo_db, tmp_path_factory):
    con = store.connect(demo_db, read_only=True)
    try:
        path = board.write(con, period=PERIOD, out=tmp_path_factory.mktemp("board") / "board.pdf")
        figures = {name: metrics.evaluate(con, name) for name in
                   ("ytd_actual", "ytd_budget", "variance", "landing", "landing_p_overrun", "cancel_by_due",
                    "audit_at_stake", "credits_outstanding", "full_year_budget")}
        currency = figures["ytd_actual"].currency
    finally:
        con.close()
    return path, figures, currency


def pages(path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_every_page_renders_to_png(pdf, tmp_path):
    path, _, _ = pdf
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(pages(path)) >= 5
    assert all(p.stat().st_size > 5000 for p in images)


def test_summary_figures_agree_with_the_metric_catalog(pdf):
    path, f, cur = pdf
    summary = " ".join(pages(path)[0].split())
    for name in ("ytd_actual", "ytd_budget", "landing", "audit_at_stake", "credits_outstanding", "full_year_budget"):
        assert f"{metrics.label(name)}" in summary or metrics.label(name).lower() in summary, name
        assert board.money(f[name].value, cur) in summary, name
    assert board.money(f["variance"].value, cur) in summary  # negative: in brackets
    assert ("(" in board.money(f["variance"].value, cur)) == (f["variance"].value < 0)
    assert f"Chance of overrun {present.percent_text(f['landing_p_overrun'].value)}" in summary
    assert f"{f['cancel_by_due'].value} automatically renewing contract" in summary  # "contract" or "contracts"
    assert not re.search(r"\b(None|nan)\b", summary)


@pytest.mark.parametrize("page,labels", [
    (1, ["Budget vs actual", "Actual vs budget by month", "Cost center", "Actual YTD", "Budget YTD", "Variance %",
         "Full-year budget", "Total"]),
    (2, ["Where the year lands", "Year-end landing", "80% interval, low", "80% interval, high",
         "Chance of overrun", "Over (+) / under (-) budget"]),
    (3, ["Top risks", "Cancel-by date", "Next term value", "Audit: money at stake by rule", "Renewal deadlines",
         "SLA credits outstanding by vendor", "Outstanding"]),
    (-1, ["Vendors: scorecard ranking", "Rank", "Score", "Indicators with data", "rest on fewer than"]),
])
def test_each_page_speaks_finance(pdf, page, labels):
    text = pages(pdf[0])[page]
    for label in labels:
        assert label in text, label
    for raw in ("lo80", "p_overrun", "actual_ytd", "renewal_deadline", "is_notice_missing", "None", "nan", r"\de-\d"):
        assert not re.search(rf"\b{raw}\b", text), raw


def test_budget_table_total_agrees_with_the_catalog(pdf):
    path, f, cur = pdf
    total = next(line for line in pages(path)[1].splitlines() if line.strip().startswith("Total"))
    assert board.money(f["ytd_actual"].value) in total
    assert board.money(f["variance"].value) in total


def test_cli_writes_the_board_pack(demo_db, tmp_path):
    from analytics import cli
    out = tmp_path / "b.pdf"
    assert cli.main(["report", "board", "--period", PERIOD, "--out", str(out), "--db", str(demo_db)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    assert cli.main(["report", "board", "--period", PERIOD, "--out", str(tmp_path / "b.xlsx"),
                     "--db", str(demo_db)]) == 2
