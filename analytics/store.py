"""The DuckDB store: where the database lives, its versioned schema, transactions.

One file (default data/outlay.duckdb, or $OUTLAY_DB, or --db). DuckDB lets one process
open a file for writing at a time; a second process gets a clear StoreError.
Migrations are the numbered files in analytics/sql/migrations; a database written by a
newer Outlay (higher schema version than the newest file here) is refused.
"""
from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "outlay.duckdb"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "sql" / "migrations"
SQL_DIR = Path(__file__).resolve().parent / "sql"


class StoreError(Exception):
    """The database cannot be opened or used as asked (locked, too new, ...)."""


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database file: the explicit path, else $OUTLAY_DB, else data/outlay.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("OUTLAY_DB")
    return Path(env) if env else DEFAULT_DB


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration file, in version order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = re.match(r"(\d+)_(.+)\.sql$", path.name)
        if match:
            found.append((int(match.group(1)), match.group(2), path.read_text()))
    return sorted(found)


def latest_version() -> int:
    return max(v for v, _, _ in migrations())


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version recorded in the database, 0 for an empty database."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    row = con.execute("select max(version) from schema_version").fetchone()
    return int(row[0] or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to date, one transaction per migration; returns the new version."""
    current = schema_version(con)
    newest = latest_version()
    if current > newest:
        raise StoreError(
            f"this database has schema version {current}, written by a newer Outlay than this one "
            f"(which knows up to version {newest}); upgrade Outlay to open it"
        )
    if current == 0:
        con.execute("create table if not exists schema_version (version integer, name varchar, applied_at timestamp)")
    applied = {row[0] for row in con.execute("select version from schema_version").fetchall()}
    for version, name, sql in migrations():
        if version in applied:
            continue
        con.execute("begin transaction")
        try:
            con.execute(sql)
            con.execute("insert into schema_version values (?, ?, current_timestamp)", [version, name])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return schema_version(con)


# how long to wait for a database another process holds before saying who holds it
BUSY_WAIT_SECONDS = 3.0


class StoreBusy(StoreError):
    """Another process holds the database file (`holder` says who, in words)."""

    def __init__(self, message: str, holder: str):
        super().__init__(message)
        self.holder = holder


def _open(target: str, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retried for `wait` seconds while another process holds the file's lock."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(target, read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise StoreError(f"cannot open {target}: {exc}") from exc
            if time.monotonic() >= deadline:
                from analytics import owner
                holder = owner.lock_holder(target, str(exc))
                raise StoreBusy(
                    f"{target} is in use by {holder}. Outlay lets one process open a database at a time: while a "
                    "server owns it, the CLI's status, metric, report, export, import and undo go through it; "
                    "otherwise wait for that process to finish, or pass --db for another file.", holder) from exc
            time.sleep(0.2)


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False,
            wait: float = BUSY_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) and migrate the database; ':memory:' gives a throwaway one. While another
    process holds the file, wait up to `wait` seconds, then raise StoreBusy naming who holds it."""
    target = ":memory:" if str(path) == ":memory:" else str(db_path(path))
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        if read_only and not Path(target).exists():
            raise StoreError(f"no database at {target}: run `python -m analytics demo` or import data first")
    con = _open(target, read_only, wait)
    if read_only:
        version = schema_version(con)
        if version > latest_version():
            con.close()
            raise StoreError(f"{target} has schema version {version}, newer than this Outlay knows")
        if version < latest_version():
            con.close()
            raise StoreError(f"{target} was written by an older Outlay (schema version {version} of "
                             f"{latest_version()}): run `python -m analytics refresh --db {target}` once to upgrade it")
        return con
    try:
        migrate(con)
    except Exception:
        con.close()
        raise
    return con


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, changes_data: bool = True):
    """All or nothing: commit on success, roll back on any exception. A write that changes data or settings
    bumps the data version (caches and stored results follow it); changes_data=False is for what is not
    data: results derived from it (forecast runs, audit findings, scorecard indicators, stored with the
    version they describe), review states, scorecard weights, saved scenarios.

    Inside another `transaction` on the same connection it joins that one (DuckDB has no nested
    transactions): the outer one commits or rolls back everything, so a caller can make several
    steps that each open a transaction (the demo: clear, settings, every dataset) one unit."""
    if id(con) in _OPEN:
        yield con
        return
    con.execute("begin transaction")
    _OPEN.add(id(con))
    try:
        if changes_data:  # first, so what runs inside (jobs.write_with_results) stores results under the new version
            con.execute("update data_version set version = version + 1")
        yield con
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        _OPEN.discard(id(con))


_OPEN: set[int] = set()   # ids of the connections inside a `transaction` block


@contextlib.contextmanager
def frame_as_table(con: duckdb.DuckDBPyConnection, name: str, frame):
    """`frame` readable as the view `name` on this connection for the block. On the connection itself, not a new
    cursor: inside a write's transaction (jobs.write_with_results) a new cursor would not see its uncommitted
    rows."""
    con.complete()  # DuckDB 2.0 refuses register() while a fetchone() result is open
    con.register(name, frame)
    try:
        yield con
    finally:
        con.complete()  # the block's last fetchone() leaves its result open, which unregister() refuses too
        con.unregister(name)


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A counter that changes whenever data or settings change (for caches)."""
    return int(con.execute("select version from data_version").fetchone()[0])


def read_sql(name: str) -> str:
    """The text of analytics/sql/NAME.sql."""
    return (SQL_DIR / f"{name}.sql").read_text()


def query_df(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None):
    """Run one query with bound parameters and return a pandas DataFrame."""
    return con.execute(sql, params or []).df()
