"""A write and its jobs in one transaction (jobs.write_with_results): readers see the old data version until the
new one arrives with its stored results; a failing job never blocks the write."""
import pytest

from analytics import jobs, settings, spend_totals, store
from analytics.audit import results
from analytics.forecast import runs
from analytics.vendors import indicators


def _all_current(con) -> bool:
    return (spend_totals.is_current(con) and runs.is_current(con) and results.stored(con) is not None
            and all(indicators._stored(con, end) is not None for end in indicators.refresh_quarters(con)))


@pytest.fixture
def con(demo_copy):
    con = store.connect(demo_copy)
    jobs.refresh(con)
    yield con
    con.close()


def test_readers_see_the_old_version_until_the_write_arrives_with_its_results(con):
    reader = con.cursor()
    before = store.data_version(reader)
    seen_inside = {}

    def write(cur):
        settings.set_value(cur, "audit_approval_threshold", "5000")
        seen_inside["reader"] = (store.data_version(reader), _all_current(reader))
        seen_inside["writer"] = store.data_version(cur)
        return "written"

    assert jobs.write_with_results(con, write) == "written"
    # during the write, another cursor reads the previous version, whose results are all stored
    assert seen_inside["reader"] == (before, True)
    assert seen_inside["writer"] == before + 1
    # afterwards the new version is there with every job's results: no page computes them in memory
    assert store.data_version(reader) == before + 1
    assert _all_current(reader)
    assert settings.get(reader, "audit_approval_threshold") == 5000


def test_a_failing_job_does_not_block_the_write(con, monkeypatch):
    before = store.data_version(con)
    calls = []
    broken = jobs.Job("broken", lambda c: (_ for _ in ()).throw(RuntimeError("a job's bug")), "fails")
    monkeypatch.setattr(jobs, "JOBS", (*jobs.JOBS, broken))

    def write(cur):
        calls.append(1)
        settings.set_value(cur, "audit_approval_threshold", "7000")
        return "written"

    with pytest.raises(RuntimeError, match="a job's bug"):  # the jobs after the write still report it
        jobs.write_with_results(con, write)
    assert len(calls) == 2  # once with the jobs (rolled back), once alone
    assert store.data_version(con) == before + 1  # written once, not twice
    assert settings.get(con, "audit_approval_threshold") == 7000
    monkeypatch.setattr(jobs, "JOBS", jobs.JOBS[:-1])
    assert _all_current(con)  # the working jobs ran after the write


def test_a_failing_write_leaves_nothing(con):
    before = store.data_version(con)

    def write(cur):
        settings.set_value(cur, "audit_approval_threshold", "9000")
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        jobs.write_with_results(con, write)
    assert store.data_version(con) == before
    assert settings.get(con, "audit_approval_threshold") != 9000
