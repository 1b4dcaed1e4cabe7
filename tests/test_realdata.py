"""Real files published by others (../shared/realdata): each imports with the row count, totals and date ranges
this test computes from the raw file on its own; no row is silently dropped; rows that cannot be imported are
listed with their reason."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from analytics import cloud, store
from analytics.ingest import ImportRefused, load

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
if not REALDATA.is_dir():
    pytest.skip(f"real-data tests need {REALDATA} (the shared folder beside the project)", allow_module_level=True)

OXFORD = sorted((REALDATA / "oxford_spend").glob("*.csv"))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = store.connect(tmp_path_factory.mktemp("realdata") / "real.duckdb")
    yield connection
    connection.close()


def raw_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(file row number, cells)]) for every non-blank row, read with the csv module."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    body = [(i, row) for i, row in enumerate(rows[1:], start=2) if any(cell.strip() for cell in row)]
    return [h.strip() for h in rows[0]], body


def importable(header: list[str], row: list[str]) -> bool:
    cells = dict(zip([h.lower().replace(" ", "_") for h in header], row))
    date = cells.get("paid_date", "")
    amount = cells.get("amount", "")
    supplier = cells.get("supplier_name", "")
    unit = row[1]
    category = row[2]
    return (re.fullmatch(r"\d{2}/\d{2}/\d{4}", date.strip()) is not None and re.fullmatch(r"-?\d+(\.\d{1,4})?",
            amount.strip()) is not None and supplier.strip() != "" and unit.strip() != "" and category.strip() != "")


def expected(path: Path):
    header, body = raw_rows(path)
    good = [(i, row) for i, row in body if importable(header, row)]
    bad = [i for i, row in body if not importable(header, row)]
    amount_at = [h.lower().replace(" ", "_") for h in header].index("amount")
    date_at = [h.lower().replace(" ", "_") for h in header].index("paid_date")
    dates = [dt.datetime.strptime(row[date_at].strip(), "%d/%m/%Y").date() for _, row in good]
    total = sum(Decimal(row[amount_at].strip()) for _, row in good)
    return len(body), len(good), bad, total, (min(dates), max(dates)) if dates else None


@pytest.mark.parametrize("path", OXFORD, ids=[p.name for p in OXFORD])
def test_oxford_spending_file(con, path):
    rows, good, bad, total, dates = expected(path)
    options = load.ImportOptions(auto_map=True, constants={"currency": "GBP"}, skip_invalid=True)
    prepared = load.prepare(con, "spend", path, options=options)
    assert prepared.rows == rows
    assert prepared.rejected_rows == bad
    if good == 0:
        assert {e.reason for e in prepared.errors} == {"not a date (expected YYYY-MM-DD)"}
        with pytest.raises(ImportRefused, match="nothing was imported"):
            load.commit(con, prepared)
        return
    result = load.commit(con, prepared)
    found = con.execute("select count(*), sum(amount), min(date), max(date) from spend where batch_id = ?",
                        [result.batch_id]).fetchall()[0]
    assert (found[0], found[1], (found[2], found[3])) == (good, total, dates)
    listed = sorted({r for (r,) in con.execute("select row_no from import_rejects where batch_id = ?",
                                               [result.batch_id]).fetchall()})
    assert listed == bad


def test_oxford_quarter_without_dates_lists_every_row(con):
    path = REALDATA / "oxford_spend" / "expenditure-over-500-apr-jun-2014.csv"
    rows, good, bad, _, _ = expected(path)
    assert (good, len(bad)) == (0, rows)


def test_oxford_capital_lines_become_capex(con):
    path = REALDATA / "oxford_spend" / "expenditure-over-500-oct-dec-2015.csv"
    header, body = raw_rows(path)
    capital = sum(1 for _, row in body if row[7].strip().lower() == "capital")
    batch = con.execute("select batch_id from import_batches where file_name = ?", [path.name]).fetchall()[0][0]
    assert con.execute("select count(*) from spend where batch_id = ? and capex_opex = 'capex'",
                       [batch]).fetchall() == [(capital,)]


def test_focus_sample(con):
    path = REALDATA / "focus" / "focus_sample_1000.csv"
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    billed = sum(Decimal(r["BilledCost"]) for r in rows)
    starts = sorted(r["ChargePeriodStart"] for r in rows)
    groups: dict[tuple, Decimal] = {}
    for r in rows:
        vendor = r["InvoiceIssuerName"] if r["InvoiceIssuerName"] != "NULL" else r["ProviderName"]
        key = (r["ChargePeriodStart"][:7], r["BillingCurrency"], vendor, r["SubAccountName"])
        groups[key] = groups.get(key, Decimal(0)) + Decimal(r["BilledCost"])
    result = cloud.import_focus(con, path)
    assert (result.detail_rows, result.rows) == (len(rows), len(groups))
    found = con.execute("select sum(billed_cost), min(charge_period_start), max(charge_period_start) "
                        "from cloud_costs where batch_id = ?", [result.batch_id]).fetchall()[0]
    assert (found[0], str(found[1]), str(found[2])) == (billed, starts[0], starts[-1])
    lines = con.execute("select sum(amount) from spend where batch_id = ?", [result.batch_id]).fetchall()[0][0]
    assert lines == sum(round(v, 4) for v in groups.values())


def test_servicenow_event_log(con, tmp_path):
    archive = REALDATA / "incidents" / "incident_event_log.zip"
    with zipfile.ZipFile(archive) as z:
        text = z.read(z.namelist()[0]).decode("utf-8")
    events = list(csv.DictReader(io.StringIO(text)))
    last: dict[str, dict] = {}
    opened: dict[str, dt.datetime] = {}
    for e in events:
        number = e["number"]
        if number not in last or int(e["sys_mod_count"]) >= int(last[number]["sys_mod_count"]):
            last[number] = e
        opened_at = dt.datetime.strptime(e["opened_at"], "%d/%m/%Y %H:%M")
        opened[number] = min(opened.get(number, opened_at), opened_at)
    made_sla = sum(1 for e in last.values() if e["made_sla"] == "true")
    result = load.import_file(con, "incidents", archive, options=load.ImportOptions(auto_map=True))
    assert (len(events), result.rows) == (119998, len(last))
    found = con.execute("select count(*), count(*) filter (where made_sla), min(opened_at), max(opened_at), "
                        "count(*) filter (where priority = '1 - Critical') from incidents where batch_id = ?",
                        [result.batch_id]).fetchall()[0]
    critical = sum(1 for e in last.values() if e["priority"] == "1 - Critical")
    assert found == (len(last), made_sla, min(opened.values()), max(opened.values()), critical)


def event_log_head(rows: int = 2000) -> list[str]:
    with zipfile.ZipFile(REALDATA / "incidents" / "incident_event_log.zip") as z:
        with z.open(z.namelist()[0]) as handle:
            return [next(handle).decode("utf-8").rstrip("\n") for _ in range(rows + 1)]


HAND_EDITS = {
    "number prefixes removed": lambda lines: [lines[0]] + [ln.replace("INC", "", 1) for ln in lines[1:]],
    "incident_state misspelt": lambda lines: [lines[0].replace("incident_state", "incidnet_state")] + lines[1:],
    "incident_state cut short": lambda lines: [lines[0].replace("incident_state", "incident_stat")] + lines[1:],
    "a header name twice": lambda lines: [lines[0].replace("caller_id", "opened_at")] + lines[1:],
    "spaces around headers": lambda lines: [", ".join(lines[0].split(","))] + lines[1:],
}


@pytest.mark.parametrize("edit", list(HAND_EDITS))
def test_servicenow_event_log_edited_by_hand(tmp_path, edit):
    lines = event_log_head()
    clean = [ln.split(",") for ln in lines[1:]]
    tickets = {row[0] for row in clean}
    first_opened = min(dt.datetime.strptime(row[9], "%d/%m/%Y %H:%M") for row in clean)
    path = tmp_path / "events.csv"
    path.write_text("\n".join(HAND_EDITS[edit](lines)) + "\n", encoding="utf-8")
    con = store.connect(tmp_path / "events.duckdb")
    result = load.import_file(con, "incidents", path, options=load.ImportOptions(auto_map=True))
    found = con.execute("select count(*), min(opened_at) from incidents where batch_id = ?",
                        [result.batch_id]).fetchall()[0]
    con.close()
    assert (result.rows, found) == (len(tickets), (len(tickets), first_opened))
