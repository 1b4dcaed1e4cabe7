"""AppTest: the Overview and Budget pages render, filters change the figures, the URL restores the view."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import budget_data

from analytics import store

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "outlay.duckdb"
    con = store.connect(path)
    budget_data.build(con)
    con.close()
    return path


@pytest.fixture
def app(db_file, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(db_file))
    return AppTest.from_file(DASHBOARD, default_timeout=60)


def summary_table(at):
    """The budget vs actual summary (its columns keep their names; the headings in words are its column config)."""
    return next(d.value for d in at.dataframe if {"actual_ytd", "category", "run_rate"} <= set(d.value.columns))


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_overview_renders(app):
    app.run()
    assert not app.exception
    assert metric(app, "YTD actual, USD") == "8.22k"
    assert metric(app, "Variance, USD") == "-580"


def test_overview_filter_changes_the_figures(app):
    app.run()
    app.selectbox(key="filter_cost_center").set_value("Applications").run()
    assert metric(app, "YTD actual, USD") == "1.27k"
    assert app.query_params["cc"] == "Applications"


def test_url_parameters_restore_the_view(app):
    app.query_params["fy"] = "2026"
    app.query_params["cc"] = "Infrastructure"
    app.run()
    assert app.selectbox(key="filter_cost_center").value == "Infrastructure"
    assert metric(app, "YTD actual, USD") == "7.00k"


def test_filters_survive_a_page_change(app):
    app.run()
    app.selectbox(key="filter_category").set_value("Software").run()
    app.switch_page("views/budget.py").run()
    assert not app.exception
    assert app.selectbox(key="filter_category").value == "Software"


def test_budget_page_renders(app):
    app.run()
    app.switch_page("views/budget.py").run()
    assert not app.exception
    summary = summary_table(app)
    assert summary["actual_ytd"].iloc[-1] == 8220.0


def test_budget_filter_changes_the_summary(app):
    app.run()
    app.switch_page("views/budget.py").run()
    app.selectbox(key="filter_cost_center").set_value("Infrastructure").run()
    summary = summary_table(app)
    assert summary["actual_ytd"].iloc[-1] == 7000.0


def open_tab(at, label: str):
    """Tabs run lazily (only the open one): open one as a click on it would."""
    at.session_state["budget_tab"] = label
    return at.run()


def test_only_the_open_tab_runs(app):
    app.run()
    app.switch_page("views/budget.py").run()
    assert summary_table(app) is not None
    assert "budget_build_monthly" not in [b.key for b in app.button]
    open_tab(app, "Report packs")
    assert "budget_build_monthly" in [b.key for b in app.button]
    assert not any({"actual_ytd", "category", "run_rate"} <= set(d.value.columns) for d in app.dataframe)


def test_budget_page_builds_the_monthly_pack(app):
    app.run()
    app.switch_page("views/budget.py").run()
    open_tab(app, "Report packs")
    app.button(key="budget_build_monthly").click().run()
    assert not app.exception
    month, version, data = app.session_state["_monthly_pack"]
    assert (month, version, data[:2]) == ("2025-06", "original", b"PK")


def test_budget_page_save_is_disabled_without_changes(app):
    app.run()
    app.switch_page("views/budget.py").run()
    open_tab(app, "Edit budget")
    assert app.button(key="budget_save").disabled
    assert "No budget line has been edited in the app yet." in [m.value for m in app.markdown]


def test_overview_tables_behind_the_charts_are_drawn_when_opened(app):
    app.run()
    assert not app.dataframe  # closed: nothing computed or sent
    app.session_state["overview_tables"] = True
    app.run()
    assert not app.exception
    assert [d.value.columns[0] for d in app.dataframe] == ["period", "category", "cost_center", "vendor",
                                                           "capex_opex"]
    assert "overview_table_monthly_dl_csv" in {b.key for b in app.get("download_button")}
