"""A file from 2014 imports and can be viewed: the fiscal-year list covers every year with data,
and a year asked for in the URL is kept, not silently replaced."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import datasets, fiscal, settings, store
from analytics.ingest import load

ROOT = Path(__file__).resolve().parents[1]


def spend_file(tmp_path, dates: list[str]) -> Path:
    row = {c.name: c.example for c in datasets.get("spend").columns}
    path = tmp_path / "old.csv"
    pd.DataFrame([{**row, "date": d} for d in dates]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("start_month, dates, expected", [
    (1, ["2014-03-01", "2014-12-31"], [2014]),
    (4, ["2014-03-31", "2014-04-01"], [2014, 2015]),
    (10, ["2013-10-01", "2014-09-30", "2014-10-01"], [2014, 2015]),
])
def test_years_with_data(tmp_path, start_month, dates, expected):
    con = store.connect(tmp_path / "fy.duckdb")
    load.import_file(con, "spend", spend_file(tmp_path, dates))
    assert fiscal.years_with_data(con, start_month=start_month) == expected
    con.close()


@pytest.fixture
def app_2014(tmp_path, monkeypatch):
    db = tmp_path / "page.duckdb"
    con = store.connect(db)
    settings.set_value(con, "as_of_date", "2026-11-15")
    load.import_file(con, "spend", spend_file(tmp_path, ["2014-05-01"]))
    con.close()
    monkeypatch.setenv("OUTLAY_DB", str(db))
    st.cache_data.clear()   # cached reads are keyed by data version, which another test's database may share
    return db


def overview(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at


def test_a_year_with_data_is_offered(app_2014):
    at = overview()
    assert not at.exception, [e.value for e in at.exception]
    assert "FY2014" in at.selectbox(key="fy").options


def test_a_year_asked_in_the_url_is_kept(app_2014):
    at = overview({"fy": "2014"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="fy").value == 2014
