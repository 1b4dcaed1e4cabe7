"""The file's text of every name the import cleaned or replaced by a placeholder is kept for evidence."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics import demo, store
from analytics.ingest import load

HEADER = "date,vendor,amount,currency,cost_center,category,description\n"


@pytest.fixture
def con(tmp_path):
    connection = store.connect(tmp_path / "orig.duckdb")
    yield connection
    connection.close()


def import_text(con, tmp_path, body: str, **options):
    path = tmp_path / "spend.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return load.import_file(con, "spend", path, options=load.ImportOptions(**options))


BODY = ("2026-01-05,Acme\u00a0Corp,10.00,USD,IT,Software,two  spaces\n"
        "2026-01-06,REDACTED - personal data,11.00,USD,,Software,x\n"
        "2026-01-07,Mu\u0308ller\u200b GmbH,12.00,USD,IT,Software,y\n"
        "2026-01-08,Müller GmbH,13.00,USD,IT,Software,z\n")


def test_cleaned_and_replaced_names_keep_their_original_text(con, tmp_path):
    result = import_text(con, tmp_path, BODY)
    kept = load.original_text(con, batch_id=result.batch_id)
    expected = pd.DataFrame({
        "row_no": [2, 2, 3, 4],
        "column_name": ["description", "vendor", "vendor", "vendor"],
        "original": ["two  spaces", "Acme\u00a0Corp", "REDACTED - personal data", "Mu\u0308ller\u200b GmbH"],
        "stored": ["two spaces", "Acme Corp", "(redacted)", "Müller GmbH"],
    })
    pd.testing.assert_frame_equal(kept, expected, check_dtype=False)


def test_a_blank_name_has_no_original_and_a_clean_file_keeps_nothing(con, tmp_path):
    result = import_text(con, tmp_path, "2026-01-05,Acme Corp,10.00,USD,,Software,x\n")
    assert load.original_text(con, batch_id=result.batch_id).empty


def test_rows_left_out_keep_no_original(con, tmp_path):
    body = "2026-01-05,Acme\u00a0Corp,oops,USD,IT,Software,x\n2026-01-06,Beta\u00a0Ltd,1.00,USD,IT,Software,x\n"
    result = import_text(con, tmp_path, body, skip_invalid=True)
    assert load.original_text(con, batch_id=result.batch_id)["original"].tolist() == ["Beta\u00a0Ltd"]


def test_undo_and_the_demo_remove_the_originals_with_their_batch(con, tmp_path):
    result = import_text(con, tmp_path, BODY)
    load.undo(con, result.batch_id)
    assert con.execute("select count(*) from import_original_text").fetchone()[0] == 0
    import_text(con, tmp_path, BODY.replace("10.00", "10.50"))
    demo.build(con, scale=0.02, force=True)
    assert con.execute("select count(*) from import_original_text").fetchone()[0] == 0
