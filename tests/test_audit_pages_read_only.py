"""Opening the Audit, Vendors, SLA and Contracts pages writes nothing: heavy results come from the refresh job."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics import audit, store, vendors

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["views/audit.py", "views/vendors.py", "views/sla.py", "views/contracts.py"]


def checksum(path) -> dict:
    """Row count and a hash of every row, per table of the database (plus the data version)."""
    con = store.connect(path)
    try:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_type = 'BASE TABLE' order by table_name").fetchall()]
        # table names come from the catalog, never from input
        sums = {name: con.execute(f'select count(*), coalesce(sum(hash(t)), 0) from "{name}" t').fetchone()
                for name in names}
        return {"data_version": store.data_version(con), **sums}
    finally:
        con.close()


def test_opening_the_pages_writes_nothing(demo_copy, monkeypatch):
    con = store.connect(demo_copy)
    audit.refresh(con)
    vendors.refresh(con)
    stored = con.execute("select count(*) from audit_results").fetchone()[0]
    con.close()
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=240)
    at.run()   # the Overview (not one of these pages) may store its own results first
    before = checksum(demo_copy)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
    assert stored > 0
    assert checksum(demo_copy) == before
