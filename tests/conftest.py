"""Shared fixtures: the demo company (built once per session), private copies of it, an empty store.

DuckDB lets a process hold a file either through read-only connections or through read-write
ones, not both. So the session's demo database is only ever opened read-only (`demo_con`);
a test that writes, or that runs the app (which opens its database read-write), uses
`demo_copy` (a private copy of the file) or `demo_rw` (a read-write connection to such a copy).
"""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from analytics import demo, jobs, store

DEMO_AS_OF = dt.date(2026, 11, 15)


def pytest_collection_modifyitems(items):
    """Page modules (tests/test_*page*.py) are the AppTest tier: `make test-fast` leaves them out."""
    for item in items:
        if "page" in item.path.name:
            item.add_marker(pytest.mark.apptest)
DEMO_SEED = 7


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """(path, demo.DemoResult) of the session's demo database: as of 2026-11-15, seed 7, scale 1."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = store.connect(path)
    try:
        result = demo.build(con, as_of=DEMO_AS_OF, seed=DEMO_SEED, scale=1)
        jobs.refresh(con)  # as the demo command does: stored results for the demo's data version
        con.execute("checkpoint")
    finally:
        con.close()
    return path, result


@pytest.fixture(scope="session")
def demo_db(demo_build):
    """Path to the session's demo database. Do not write to it: use demo_copy."""
    return demo_build[0]


@pytest.fixture(scope="session")
def demo_result(demo_build) -> demo.DemoResult:
    """What the demo build reported: row counts, planted anomalies, renewals due within 90 days."""
    return demo_build[1]


@pytest.fixture(scope="session")
def demo_anomalies(demo_result) -> list[demo.Anomaly]:
    """The anomalies planted in the demo for the cost audit to find."""
    return demo_result.anomalies


@pytest.fixture
def demo_con(demo_db):
    """A read-only connection to the session's demo database."""
    con = store.connect(demo_db, read_only=True)
    yield con
    con.close()


@pytest.fixture
def demo_copy(demo_db, tmp_path):
    """Path to a private copy of the demo database, free to write (or to point OUTLAY_DB at)."""
    target = tmp_path / "outlay.duckdb"
    shutil.copy(demo_db, target)
    return target


@pytest.fixture
def demo_rw(demo_copy):
    """A read-write connection to a private copy of the demo database."""
    con = store.connect(demo_copy)
    yield con
    con.close()


@pytest.fixture
def con():
    """A fresh, migrated, empty in-memory database."""
    connection = store.connect(":memory:")
    yield connection
    connection.close()
