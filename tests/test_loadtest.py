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


def test_the_wire_field_numbers_are_streamlits_own():
    """The protocol sessions read and write Streamlit's messages by field number (analytics does not import
    Streamlit): each number is the installed Streamlit's, and a request encodes as Streamlit would encode it."""
    from streamlit.proto import (AppPage_pb2, BackMsg_pb2, ClientState_pb2, Delta_pb2, Element_pb2, ForwardMsg_pb2,
                                 Heading_pb2, Navigation_pb2)
    messages = {"BackMsg": BackMsg_pb2.BackMsg, "ClientState": ClientState_pb2.ClientState,
                "ForwardMsg": ForwardMsg_pb2.ForwardMsg, "Delta": Delta_pb2.Delta, "Element": Element_pb2.Element,
                "Heading": Heading_pb2.Heading, "Navigation": Navigation_pb2.Navigation, "AppPage": AppPage_pb2.AppPage}
    for name, number in loadtest.WIRE.items():
        message, field_name = name.split(".")
        assert messages[message].DESCRIPTOR.fields_by_name[field_name].number == number, name
    assert loadtest.FINISHED_EARLY_FOR_RERUN == ForwardMsg_pb2.ForwardMsg.FINISHED_EARLY_FOR_RERUN

    ask = BackMsg_pb2.BackMsg()
    ask.rerun_script.widget_states.SetInParent()
    ask.rerun_script.page_script_hash = "abc123"
    ask.rerun_script.page_name = "vendors"
    ask.rerun_script.context_info.SetInParent()
    state = (loadtest._field("ClientState.widget_states", b"") + loadtest._field("ClientState.page_script_hash", b"abc123")
             + loadtest._field("ClientState.page_name", b"vendors") + loadtest._field("ClientState.context_info", b""))
    assert BackMsg_pb2.BackMsg.FromString(loadtest._field("BackMsg.rerun_script", state)) == ask

    shown = ForwardMsg_pb2.ForwardMsg()
    shown.delta.new_element.heading.body = "Vendors – FY2026 Q3"
    read = loadtest._fields(shown.SerializeToString())
    element = loadtest._fields(loadtest._first(loadtest._fields(loadtest._first(read, "ForwardMsg.delta")),
                                               "Delta.new_element"))
    assert loadtest._first(loadtest._fields(loadtest._first(element, "Element.heading")),
                           "Heading.body").decode() == "Vendors – FY2026 Q3"


def test_the_page_bench_times_every_kind_of_visit_in_chromium(demo_copy):
    """`bench --pages` at its smallest (two pages): each is timed on the fresh server, in-app, and after the
    restart's warm-up both in a new browser profile and in a new tab of a browser that opened the app before."""
    if not Path(bench_pages.CHROMIUM).exists():
        pytest.skip("chromium not installed: apt-get install chromium")
    report = bench_pages.run(demo_copy, 1, pages=[("", "Overview"), ("data", "Data")])
    assert [t.page for t in report.pages] == ["overview", "data"]
    for t in report.pages:
        assert t.errors == 0
        assert all(s > 0 for s in (t.cold_s, t.first_visit_s, t.revisit_s, t.after_warm_up_s, t.returning_s))
    assert report.warm_up_queries > 0 and report.outside_requests == []
    text = bench_pages.format_report(report)
    assert "returning" in text.splitlines()[2] and len(text.splitlines()) == 3 + 2 + 2
    assert "s in a returning browser" in text
