"""One set of books on the pages: the Overview's tiles and the Forecast page's headline show the metric
catalog's values, and every tile honours the sidebar filters or says it is company-wide (AppTest)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import metrics, overview, present, store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app_db(demo_copy, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(demo_copy))
    return demo_copy


def open_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(value, unit) -> str:
    """What the Overview prints for a metric value (views/overview.py)."""
    if value is None:
        return "–"
    if unit == "ratio":
        return present.percent_text(value)  # a chance below 0.05% reads '<0.1%', never 0.0%
    if unit == "count":
        return f"{int(value):,}"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:,.2f}{suffix}"
    return f"{value:,.0f}"


def tiles_on(at) -> dict[str, str]:
    return {m.label.split(",")[0]: m.value for m in at.metric}


@pytest.mark.parametrize("query, filters", [
    ({}, {}),
    ({"cc": "Infrastructure"}, {"cost_center": "Infrastructure"}),
    ({"vendor": "Equinix"}, {"vendor": "Equinix"}),
])
def test_overview_tiles_are_the_catalog_values(app_db, query, filters):
    at = open_page("views/overview.py", **query)
    on_page = tiles_on(at)
    con = store.connect(app_db)  # the app holds it read-write in this process
    try:
        expected = {t.label: shown(t.value, t.unit) for t in overview.tiles(con, year=2026, **filters)}
        for tile in overview.tiles(con, year=2026, **filters):
            metric = metrics.get(tile.metric)
            kept = {k: v for k, v in filters.items() if k in metric.filters}
            if tile.value is not None and not tile.scope:
                assert tile.value == metrics.evaluate(con, tile.metric, fy=2026, **kept).value
    finally:
        con.close()
    for label, text in expected.items():
        if label == "Variance %":
            continue  # shown as the variance tile's delta
        assert on_page[label] == text, label


def test_a_tile_that_cannot_follow_a_filter_says_so(app_db):
    at = open_page("views/overview.py", cc="Infrastructure")
    captions = " ".join(c.value for c in at.caption)
    assert "Company-wide: not available per cost center" in captions   # cancel-by, SLA, audit
    at = open_page("views/overview.py", vendor="Equinix")
    assert "Not set per vendor" in " ".join(c.value for c in at.caption)  # budgets


def test_forecast_headline_follows_the_filter(app_db):
    at = open_page("views/forecast.py", cc="Infrastructure")
    assert any("Year-end landing: cost center Infrastructure" in m.value for m in at.markdown)
    con = store.connect(app_db)  # the app holds it read-write in this process
    try:
        landing = metrics.evaluate(con, "landing", fy=2026, cost_center="Infrastructure").value
    finally:
        con.close()
    assert tiles_on(at)["Year-end landing"].startswith(f"{landing / 1e6:,.2f}M")
