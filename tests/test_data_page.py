"""The Data page: opens, counts rows, undoes a batch after confirmation, offers every template."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import datasets, store
from analytics.ingest import load

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    db = tmp_path / "page.duckdb"
    con = store.connect(db)
    row = {c.name: c.example for c in datasets.get("spend").columns}
    for name, count in (("first.csv", 3), ("second.csv", 2)):
        path = tmp_path / name
        pd.DataFrame([{**row, "description": name}] * count).to_csv(path, index=False)
        load.import_file(con, "spend", path)
    con.close()
    monkeypatch.setenv("OUTLAY_DB", str(db))
    return db


def open_data_page(tab: str | None = None) -> AppTest:
    """The Data page, with `tab` open (tabs run lazily: only the open one draws)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("views/data.py")
    if tab:
        at.session_state["data_tab"] = tab
    at.run()
    return at


def spend_metric(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "spend")


def test_data_page_opens_with_row_counts(app_db):
    at = open_data_page()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Data"
    assert spend_metric(at) == "5"


def test_undo_asks_for_confirmation_then_removes_the_batch(app_db):
    at = open_data_page("History and undo")
    at.selectbox(key="data_batch").set_value(1).run()
    at.button(key="data_undo").click().run()
    assert spend_metric(at) == "5"
    assert "Remove batch 1" in at.warning[0].value
    at.button(key="data_undo_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert spend_metric(at) == "2"
    assert at.success[0].value == "Removed batch 1: 3 spend rows."


def test_undo_can_be_cancelled(app_db):
    at = open_data_page("History and undo")
    at.button(key="data_undo").click().run()
    at.button(key="data_undo_cancel").click().run()
    assert spend_metric(at) == "5"


def test_every_dataset_has_csv_and_xlsx_templates(app_db):
    at = open_data_page("Templates")
    keys = {b.key for b in at.get("download_button")}
    expected = {f"data_tpl_{name}_{fmt}" for name in datasets.DATASETS for fmt in ("csv", "xlsx")}
    assert expected <= keys


def test_data_page_on_an_empty_database(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(tmp_path / "empty.duckdb"))
    at = open_data_page()
    assert not at.exception, [e.value for e in at.exception]
    assert spend_metric(at) == "0"


def test_an_upload_folder_keeps_only_the_current_file_and_goes_with_the_session():
    import gc

    from views import uploads
    folder = uploads.UploadFolder()
    first = folder.save("a.csv", b"x", "1" * 64)
    second = folder.save("b.csv", b"y", "2" * 64)
    assert (first.exists(), second.read_bytes()) == (False, b"y")
    folder.clear()
    assert list(folder.path.iterdir()) == []
    path = folder.path
    del folder
    gc.collect()
    assert not path.exists()


def test_refusals_are_said_in_the_page_words(app_db):
    source = (ROOT / "views" / "data.py").read_text()
    settle = source[source.index("SETTLE = {"):source.index("}", source.index("SETTLE = {"))]
    assert "--" not in settle
    from analytics.commands import import_
    assert set(import_.SETTLE) == {"decimal", "mapping", "replace", "strict"}
    assert all(f'"{key}":' in settle for key in import_.SETTLE)
