"""The load test itself, at its smallest: one browser session round every page while lines are imported through
the API; nothing fails and no line is lost (the full run is `python -m analytics loadtest`, README)."""
from pathlib import Path

import pytest

from analytics import bench_pages, loadtest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_sessions_browse_every_page_while_an_import_runs_and_nothing_is_lost(demo_db):
    """One session in Chromium, one speaking Streamlit's protocol: both see every page with its title."""
    if not Path(bench_pages.CHROMIUM).exists():
        pytest.skip("chromium not installed: apt-get install chromium")
    report = loadtest.run(demo_db, sessions=2, browsers=1, rounds=1, import_rows=300)
    assert report.failures == []
    assert report.import_error is None
    assert report.spend_after == report.spend_lines + 300
    titles = {title for _, title in bench_pages.app_pages()}
    assert set(report.page_times) == titles and set(report.browser_times) == titles
    # at least one round each, and on until a whole round began after the import landed: pages on the new data
    assert all(len(times) >= 1 for times in [*report.page_times.values(), *report.browser_times.values()])
    assert len(report.after_import) >= 2 * len(titles)
    table = loadtest.markdown(report)
    assert "2 sessions (1 at the protocol level, 1 in Chromium)" in table
    assert "0 failures; the import of 300 lines took" in table and "lost 0 lines" in table
    assert table.count("\n| ") == len(report.page_times) + 2  # the heading's rule, each page, all pages


def test_a_protocol_session_reports_a_page_that_shows_another_title(demo_db, monkeypatch):
    """The protocol session checks what a person would: the page's own title, no exception."""
    monkeypatch.setattr(loadtest.bench_pages, "app_pages",
                        lambda: [("", "Overview"), ("budget", "Not the budget page")])
    report = loadtest.run(demo_db, sessions=1, browsers=0, rounds=1, import_rows=0)
    assert report.failures == ["session 0: Not the budget page: the page showed 'Budget'"]


@pytest.mark.parametrize("kwargs", [{"sessions": 0, "rounds": 1, "import_rows": 0},
                                    {"sessions": 51, "rounds": 1, "import_rows": 0},
                                    {"sessions": 1, "rounds": 1, "import_rows": 3_000_000},
                                    {"sessions": 1, "rounds": 1, "import_rows": 0, "minutes": 0},
                                    {"sessions": 1, "rounds": 1, "import_rows": 0, "minutes": 241},
                                    {"sessions": 1, "rounds": 1, "import_rows": 0, "browsers": 2}])
def test_the_load_test_is_bounded(tmp_path, kwargs):
    with pytest.raises(ValueError, match="bounded"):
        loadtest.run(tmp_path / "none.duckdb", **kwargs)
