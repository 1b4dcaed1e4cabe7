"""Warm start: the calls pages made are remembered by use, kept beside the database, and replayed by the
server's warm-up thread into the page cache when the data version changes."""
import datetime as dt
import threading

from analytics import overview, warm


def test_calls_are_replayed_most_asked_for_first():
    recent = warm.Recent()
    recent.remember(overview.context, (("year", 2026),))
    for _ in range(3):
        recent.remember(overview.tiles, (("year", 2026),))
    recent.remember(overview.context, (("year", 2026),))
    assert [(f, items) for f, items in recent.calls()] == [(overview.tiles, (("year", 2026),)),
                                                           (overview.context, (("year", 2026),))]


def test_beyond_the_limit_the_least_asked_for_is_forgotten():
    recent = warm.Recent(limit=2)
    recent.remember(overview.tiles, (("year", 2026),))
    recent.remember(overview.tiles, (("year", 2026),))
    recent.remember(overview.context, (("year", 2025),))
    recent.remember(overview.context, (("year", 2024),))
    assert sorted(dict(items)["year"] for _, items in recent.calls()) == [2024, 2026]


def test_kept_beside_the_database_with_dates_and_lists(tmp_path):
    db = tmp_path / "outlay.duckdb"
    items = (("by", ("cost_center", "category")), ("through", dt.date(2026, 10, 31)), ("year", 2026))
    recent = warm.Recent()
    recent.remember(overview.tiles, items)
    assert recent.save(warm.calls_file(db))
    assert not recent.save(warm.calls_file(db))  # unchanged: not written again
    again = warm.Recent()
    again.load(warm.calls_file(db))
    assert again.calls() == [(overview.tiles, items)]
    assert warm.calls_file(db).name == "outlay.duckdb.warm.json"


def test_what_cannot_be_kept_or_found_is_left_out(tmp_path):
    recent = warm.Recent()
    recent.remember(overview.tiles, (("frame", object()),))  # not a plain value: not remembered
    assert len(recent) == 0
    path = tmp_path / "x.warm.json"
    path.write_text('{"calls": [["analytics.overview", "gone_function", [], 5], '
                    '["analytics.nowhere", "f", [], 1]]}')
    recent.load(path)
    assert recent.calls() == []  # a function renamed since: skipped
    path.write_text("not json")
    recent.load(path)  # a damaged file adds nothing, and raises nothing


COUNTED = []


def counted(con, *, year: int) -> int:
    """A page query that says when it really runs."""
    COUNTED.append(year)
    return con.execute("select count(*) from spend").fetchall()[0][0]


def test_warm_up_fills_the_page_cache_and_keeps_the_list(demo_copy, monkeypatch):
    from analytics import audit
    from views import common
    reads, computed = [], audit._findings
    monkeypatch.setattr(audit, "_findings", lambda con: reads.append(1) or computed(con))
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    monkeypatch.setattr(common, "RECENT", warm.Recent())
    common.RECENT.remember(counted, (("year", 2026),))
    passes, stop = [], threading.Event()

    def told(version, calls, seconds):
        passes.append((version, calls))
        stop.set()
    common.warm_up(stop, interval_s=0.05, on_pass=told)
    assert passes == [(common.data_version(), 1)] and COUNTED == [2026]
    assert warm.calls_file(demo_copy).exists()
    lines = common.cached(counted, year=2026)  # what a page asks for next: already computed
    assert COUNTED == [2026] and lines > 0
    # the audit findings every page with audit figures reads (the Overview's tile first): read once, by the warm-up
    assert reads == [1]
    with common.cursor() as cur:
        assert len(audit.findings(cur)) > 10 and reads == [1]
