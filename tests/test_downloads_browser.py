"""Downloads built when clicked (not on every visit of the page) arrive in Chromium as real workbooks: a vendor's
QBR page and the cost-audit export."""
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.test_browser import CHROMIUM, settle
from tests.test_server_api import start_server, stop_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(demo_db, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright
    db = tmp_path_factory.mktemp("downloads") / "outlay.duckdb"
    shutil.copy(demo_db, db)
    proc, url, _ = start_server(db)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            tab = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
            tab.url_base = url
            yield tab
            browser.close()
    finally:
        stop_server(proc)


def download(page, path: str, label: str) -> openpyxl.Workbook:
    page.goto(f"{page.url_base}/{path}")
    settle(page)
    with page.expect_download(timeout=120000) as started:
        page.get_by_role("button", name=label).click()
    data = Path(started.value.path()).read_bytes()
    assert data[:2] == b"PK", data[:80]  # a zip container (xlsx), not an error text
    return openpyxl.load_workbook(io.BytesIO(data))


def test_a_vendors_qbr_page_is_built_when_clicked(page):
    book = download(page, "vendors", "Download this vendor's QBR page (xlsx)")
    vendor, _, rest = book.worksheets[0]["A1"].value.partition(" – ")
    assert rest.startswith("vendor scorecard")
    assert vendor in page.content()  # the vendor picked in 'Vendor detail' (the page's first choice)


def test_the_cost_audit_export_is_built_when_clicked(page):
    book = download(page, "audit", "Export to Excel (findings and evidence)")
    assert len(book.sheetnames) >= 2


def test_every_evidence_row_of_a_long_finding_downloads_when_clicked(page, demo_db):
    """The page draws a finding's first 200 evidence rows; the CSV below them is read when clicked and has all."""
    import csv

    from analytics import audit, store
    con = store.connect(demo_db, read_only=True)
    try:
        listed = audit.listing(con).rows
    finally:
        con.close()
    longest = listed.sort_values(["evidence_count", "finding_id"], ascending=[False, True]).iloc[0]
    assert longest["evidence_count"] > 200
    page.goto(f"{page.url_base}/audit")
    settle(page)
    page.get_by_role("tab", name="Evidence and review").click()
    settle(page)
    picker = page.get_by_role("combobox", name="Finding")
    picker.click()
    picker.fill(longest["finding_id"])
    page.keyboard.press("Enter")
    settle(page)
    count = f"{longest['evidence_count']:,}"
    assert page.get_by_text(f"Showing the first 200 of {count} evidence rows").count() == 1
    with page.expect_download(timeout=120000) as started:
        page.get_by_role("button", name="Download CSV").click()
    text = Path(started.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) - 1 == longest["evidence_count"]
