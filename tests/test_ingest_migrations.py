"""Opening an old database upgrades it; a database from a newer Outlay is refused."""
import duckdb
import pytest

from analytics import store


def test_a_version_1_database_is_upgraded(tmp_path):
    path = tmp_path / "old.duckdb"
    raw = duckdb.connect(str(path))
    version, name, sql = store.migrations()[0]
    raw.execute("create table schema_version (version integer, name varchar, applied_at timestamp)")
    raw.execute(sql)
    raw.execute("insert into schema_version values (?, ?, current_timestamp)", [version, name])
    raw.close()
    con = store.connect(path)
    try:
        assert (version, store.schema_version(con)) == (1, store.latest_version())
        columns = [r[0] for r in con.execute("select column_name from (describe incidents)").fetchall()]
        assert "made_sla" in columns
    finally:
        con.close()


def test_a_database_from_a_newer_outlay_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    store.connect(path).close()
    raw = duckdb.connect(str(path))
    raw.execute("insert into schema_version values (?, 'from the future', current_timestamp)",
                [store.latest_version() + 1])
    raw.close()
    with pytest.raises(store.StoreError, match="newer Outlay"):
        store.connect(path)
