"""Every validation rule of the import pipeline, the sha256 re-import refusal, --replace, undo, all-or-nothing,
and a process killed in the middle of an import."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analytics import datasets, store
from analytics.ingest import ImportRefused, load

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def con(tmp_path):
    connection = store.connect(tmp_path / "validate.duckdb")
    yield connection
    connection.close()


def example_row(dataset: str, **changes) -> dict:
    row = {c.name: c.example for c in datasets.get(dataset).columns}
    row.update(changes)
    return row


def write_csv(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def problems(con, tmp_path, dataset: str, rows: list[dict], name: str = "file.csv") -> list[tuple]:
    prepared = load.prepare(con, dataset, write_csv(tmp_path / name, rows))
    return [(e.row, e.column, e.reason) for e in prepared.errors]


CELL_RULES = [
    ("missing required value", "contracts", {"service": ""}, ("service", "missing required value")),
    ("unparseable date", "spend", {"date": "2026-02-30"}, ("date", "not a date (expected YYYY-MM-DD)")),
    ("unparseable amount", "spend", {"amount": "12abc"}, ("amount", "not an amount (a number like -1234.50)")),
    ("amount too big", "spend", {"amount": "1e20"},
     ("amount", "not a finite number within ±99,999,999,999,999.9999 (NaN, Infinity and overflows are refused)")),
    ("NaN target", "sla", {"target": "NaN"},
     ("target", "not a finite number within ±1,000,000,000,000 (NaN, Infinity and overflows are refused)")),
    ("Infinity actual", "sla", {"actual": "Infinity"},
     ("actual", "not a finite number within ±1,000,000,000,000 (NaN, Infinity and overflows are refused)")),
    ("1e308 contract target", "contracts", {"sla_response_hours": "1e308"},
     ("sla_response_hours", "not a finite number within ±1,000,000,000,000 (NaN, Infinity and overflows are refused)")),
    ("-inf sla target hours", "sla_targets", {"target_hours": "-inf"},
     ("target_hours", "not a finite number within ±1,000,000,000,000 (NaN, Infinity and overflows are refused)")),
    ("fx rate that would round to 0", "fx", {"rate_to_base": "0.000000001"},
     ("rate_to_base", "has more precision than the 8 decimals kept: it would be stored as 0.00000000; refused rather than changed")),
    ("fx rate of 0", "fx", {"rate_to_base": "0"}, ("rate_to_base", "must be greater than 0")),
    ("NUL in a name", "spend", {"vendor": "Acme\x00 Corp"},
     ("vendor", "contains a NUL character (byte 0): the file is damaged or not text")),
    ("field over the length limit", "spend", {"description": "x" * 100_001},
     ("description", "the value is longer than the limit of 100,000 characters (a quote left open, or a whole "
                     "document pasted into one cell?)")),
    ("unparseable number", "contracts", {"sla_availability_pct": "high"}, ("sla_availability_pct", "not a number")),
    ("unparseable timestamp", "incidents", {"opened_at": "yesterday"},
     ("opened_at", "not a timestamp (expected YYYY-MM-DD HH:MM:SS)")),
    ("unparseable period", "budget", {"period": "2026-13"}, ("period", "period not YYYY-MM")),
    ("unparseable bool", "contracts", {"auto_renew": "maybe"}, ("auto_renew", "not true/false")),
    ("unparseable choice", "spend", {"capex_opex": "both"}, ("capex_opex", "not one of capex/opex")),
    ("unknown currency", "spend", {"currency": "XYZ"},
     ("currency", "unknown currency code (expected ISO 4217, like EUR)")),
    ("end before start", "contracts", {"start_date": "2026-01-01", "end_date": "2025-12-31"},
     ("end_date", "end_date is before start_date")),
    ("responded before opened", "incidents",
     {"opened_at": "2026-03-15 09:30:00", "responded_at": "2026-03-15 09:00:00"},
     ("responded_at", "responded_at is before opened_at")),
    ("resolved before opened", "incidents",
     {"opened_at": "2026-03-15 09:30:00", "resolved_at": "2026-03-14 09:00:00"},
     ("resolved_at", "resolved_at is before opened_at")),
    ("negative seats", "licenses", {"seats_purchased": "-5"}, ("seats_purchased", "must not be negative")),
    ("non-integer count", "licenses", {"seats_active": "2.5"}, ("seats_active", "not a whole number of 0 or more")),
    ("above maximum", "contracts", {"sla_availability_pct": "150"}, ("sla_availability_pct", "above the maximum of 100")),
    ("below minimum", "contracts", {"renewal_term_months": "0"}, ("renewal_term_months", "below the minimum of 1")),
    ("negative rate", "fx", {"rate_to_base": "-1.2"}, ("rate_to_base", "must be greater than 0")),
]


@pytest.mark.parametrize("dataset, changes, expected", [c[1:] for c in CELL_RULES], ids=[c[0] for c in CELL_RULES])
def test_cell_rule(con, tmp_path, dataset, changes, expected):
    result = problems(con, tmp_path, dataset, [example_row(dataset, **changes)])
    assert result == [(2, *expected)]


@pytest.mark.parametrize("dataset", list(datasets.DATASETS))
def test_the_template_example_row_is_valid(con, tmp_path, dataset):
    assert problems(con, tmp_path, dataset, [example_row(dataset)]) == []


KEYED = [name for name, d in datasets.DATASETS.items() if d.key]


def test_every_keyed_dataset_is_covered():
    assert {"budget", "contracts", "sla", "incidents", "licenses", "fx"} <= set(KEYED)


def _key_text(dataset: str) -> str:
    spec = datasets.get(dataset)
    row = example_row(dataset)
    parts = []
    for key in spec.key:
        value = row[key]
        if spec.column(key).kind == "period" and value:
            value = f"{value}-01"
        parts.append(f"{key}={value}")
    return ", ".join(parts)


@pytest.mark.parametrize("dataset", KEYED)
def test_duplicate_key_within_the_file(con, tmp_path, dataset):
    result = problems(con, tmp_path, dataset, [example_row(dataset), example_row(dataset)])
    first_key = datasets.get(dataset).key[0]
    assert result == [(3, first_key, f"duplicate key ({_key_text(dataset)}) also on row 2")]


@pytest.mark.parametrize("dataset", KEYED)
def test_duplicate_key_against_the_database(con, tmp_path, dataset):
    load.import_file(con, dataset, write_csv(tmp_path / "first.csv", [example_row(dataset)]))
    changed = {**example_row(dataset), "note": "a second file with the same key"}
    result = problems(con, tmp_path, dataset, [changed], name="second.csv")
    first_key = datasets.get(dataset).key[0]
    assert result == [(2, first_key, f"key ({_key_text(dataset)}) already in the database")]


def test_the_same_file_twice_is_refused_by_its_sha256(con, tmp_path):
    path = write_csv(tmp_path / "spend.csv", [example_row("spend")])
    first = load.import_file(con, "spend", path)
    with pytest.raises(ImportRefused, match=f"already imported as batch {first.batch_id}"):
        load.import_file(con, "spend", path)


def test_the_same_bytes_under_another_name_are_refused(con, tmp_path):
    path = write_csv(tmp_path / "spend.csv", [example_row("spend")])
    load.import_file(con, "spend", path)
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(ImportRefused, match="already imported"):
        load.import_file(con, "spend", copy)


def test_replace_swaps_the_batch(con, tmp_path):
    path = write_csv(tmp_path / "contracts.csv", [example_row("contracts")])
    first = load.import_file(con, "contracts", path)
    second = load.import_file(con, "contracts", path, replace=True)
    assert (second.replaced_batch, second.rows) == (first.batch_id, 1)
    batches = con.execute("select batch_id from import_batches").fetchall()
    assert batches == [(second.batch_id,)]
    assert con.execute("select count(*) from contracts").fetchall() == [(1,)]


def test_undo_removes_the_batch_and_its_rows(con, tmp_path):
    result = load.import_file(con, "spend", write_csv(tmp_path / "s.csv", [example_row("spend")] * 3))
    assert load.undo(con, result.batch_id) == ("spend", 3)
    assert con.execute("select count(*) from spend").fetchall() == [(0,)]
    assert con.execute("select count(*) from import_batches").fetchall() == [(0,)]


def test_undo_of_an_unknown_batch_is_refused(con):
    with pytest.raises(ImportRefused, match="no import batch 42"):
        load.undo(con, 42)


def test_one_bad_row_imports_nothing(con, tmp_path):
    rows = [example_row("spend")] * 4 + [example_row("spend", amount="oops")]
    with pytest.raises(ImportRefused, match="1 invalid row value"):
        load.import_file(con, "spend", write_csv(tmp_path / "s.csv", rows))
    assert con.execute("select count(*) from spend").fetchall() == [(0,)]
    assert con.execute("select count(*) from import_batches").fetchall() == [(0,)]


def test_skip_invalid_imports_the_valid_rows_and_records_the_others(con, tmp_path):
    rows = [example_row("spend")] * 2 + [example_row("spend", amount="oops", date="")]
    options = load.ImportOptions(skip_invalid=True)
    result = load.commit(con, load.prepare(con, "spend", write_csv(tmp_path / "s.csv", rows), options=options))
    assert (result.rows, result.rejected) == (2, 1)
    assert load.rejects(con, batch_id=result.batch_id).values.tolist() == [
        [4, "amount", "not an amount (a number like -1234.50)"],
        [4, "date", "missing required value"]]
    load.undo(con, result.batch_id)
    assert con.execute("select count(*) from import_rejects").fetchall() == [(0,)]


def test_a_process_killed_before_commit_leaves_nothing(tmp_path):
    db = tmp_path / "killed.duckdb"
    big = tmp_path / "big.csv"
    row = example_row("spend")
    pd.DataFrame([row] * 50_000).to_csv(big, index=False)
    marker = tmp_path / "holding"
    env = {**os.environ, "OUTLAY_TEST_HOLD_BEFORE_COMMIT": str(marker), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "analytics", "import", "spend", str(big), "--db", str(db)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert process.poll() is None, "the import ended before reaching the commit"
            assert time.monotonic() < deadline, "the import never reached the commit"
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    con = store.connect(db)
    try:
        assert con.execute("select count(*) from spend").fetchall() == [(0,)]
        assert con.execute("select count(*) from import_batches").fetchall() == [(0,)]
    finally:
        con.close()


# --- what is filled in or rounded rather than refused ---------------------------------------------

@pytest.mark.parametrize("amount, stored", [
    ("412.0700000000001", "412.0700"), ("4.5E-14", "0.0000"), ("2e3", "2000.0000"), ("-1.23456", "-1.2346"),
    ("99999999999999.9999", "99999999999999.9999"),
])
def test_amounts_are_rounded_to_4_decimals(con, tmp_path, amount, stored):
    result = load.import_file(con, "spend", write_csv(tmp_path / "r.csv", [example_row("spend", amount=amount)]))
    assert str(con.execute("select amount from spend where batch_id = ?", [result.batch_id]).fetchall()[0][0]) == stored


def test_rounded_amounts_are_counted(con, tmp_path):
    rows = [example_row("spend", amount=a) for a in ("412.0700000000001", "1.5", "0.30000000000000004")]
    notices = load.prepare(con, "spend", write_csv(tmp_path / "r.csv", rows)).notices
    assert "2 amount value(s) with more than 4 decimals (like '0.30000000000000004', as spreadsheets write them) " \
           "rounded to 4 decimals" in notices


def test_an_fx_rate_is_kept_exactly(con, tmp_path):
    load.import_file(con, "fx", write_csv(tmp_path / "fx.csv", [example_row("fx", rate_to_base="0.00003612")]))
    assert str(con.execute("select rate_to_base from fx").fetchall()[0][0]) == "0.00003612"


@pytest.mark.parametrize("column, value, stored", [
    ("vendor", "", "(not stated)"), ("cost_center", "  ", "(not stated)"), ("category", "", "(not stated)"),
    ("vendor", "REDACTED", "(redacted)"), ("vendor", "*****", "(redacted)"),
    ("vendor", "Redacted - personal data", "(redacted)"),
])
def test_blank_and_withheld_names_are_imported_as_a_placeholder(con, tmp_path, column, value, stored):
    rows = [example_row("spend"), example_row("spend", **{column: value})]
    prepared = load.prepare(con, "spend", write_csv(tmp_path / "p.csv", rows))
    result = load.commit(con, prepared)
    assert result.rows == 2
    sql = f'select "{column}" from spend where batch_id = ? and row_no = 3'
    assert con.execute(sql, [result.batch_id]).fetchall()[0][0] == stored
    label = column.replace("_", " ")
    expected = (f"1 row(s) with a blank {label} imported as '(not stated)'" if stored == "(not stated)"
                else f"1 row(s) with a withheld {label}")
    assert any(n.startswith(expected) for n in prepared.notices), prepared.notices


def test_a_strict_import_refuses_blank_names(con, tmp_path):
    rows = [example_row("spend", vendor="")]
    prepared = load.prepare(con, "spend", write_csv(tmp_path / "p.csv", rows),
                            options=load.ImportOptions(strict=True))
    assert [(e.row, e.column, e.reason) for e in prepared.errors] == [(2, "vendor", "missing required value")]


def test_the_summary_names_fiscal_years_currencies_and_missing_fx_rates(con, tmp_path):
    rows = [example_row("spend", date=d, currency=c) for d, c in
            (("2014-04-02", "GBP"), ("2014-05-20", "GBP"), ("2015-01-10", "USD"))]
    fx = [example_row("fx", period="2014-05", currency="GBP", rate_to_base="1.6")]
    load.import_file(con, "fx", write_csv(tmp_path / "fx.csv", fx))
    notices = load.prepare(con, "spend", write_csv(tmp_path / "s.csv", rows)).notices
    assert "brings fiscal year(s) FY2014, FY2015 in GBP, USD" in notices
    assert ("no fx rate for GBP in 1 month(s) (2014-04): these amounts cannot be converted into the reporting "
            "currency until fx rates for them are imported") in notices
