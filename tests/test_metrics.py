"""The metric catalog: known answers on the hand-checkable budget database, breakdowns adding up,
refusals naming what is offered, the CLI's JSON and the generated docs/metrics.md."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import cli, metrics, settings
from tests import budget_data

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bd():
    """FY2026 (April start) as of 2025-07-15: books closed through June 2025 (see tests/budget_data.py)."""
    return budget_data.database()


@pytest.mark.parametrize("name, expected", [
    # April-June: AWS 1000+1500+2500, SAP 500 EUR x 1.10 + 600 EUR x 1.20, Dell 2000, 50, credit note -100
    ("ytd_actual", 8220.0),
    # Cloud 3 x 1200, ERP 1000 EUR x 1.10 twice (+ 0), Hardware 3000
    ("ytd_budget", 8800.0),
    ("variance", -580.0),
    ("variance_pct", round(-580 / 8800, 6)),
    ("full_year_budget", 19600.0),
    ("run_rate", 32880.0),
])
def test_budget_metrics_known_answers(bd, name, expected):
    assert metrics.evaluate(bd, name, fy=2026).value == expected


def test_ytd_actual_by_cost_center_adds_up(bd):
    result = metrics.evaluate(bd, "ytd_actual", fy=2026, by="cost_center")
    assert {r["cost_center"]: r["value"] for r in result.rows} == {
        "Infrastructure": 7000.0, "Applications": 1270.0, "Workplace": -50.0}
    assert result.value == 8220.0


def test_a_later_closed_month_moves_the_year_to_date(bd):
    settings.set_value(bd, "books_closed_through", "2025-05")
    assert metrics.evaluate(bd, "ytd_actual", fy=2026).value == 1000 + 550 + 1500 + 2000 + 50


def test_ytd_actual_by_month_lists_closed_months(bd):
    rows = metrics.evaluate(bd, "ytd_actual", fy=2026, by="month").rows
    assert {r["month"]: r["value"] for r in rows if r["value"]} == {"2025-04": 1550.0, "2025-05": 3550.0,
                                                                    "2025-06": 3120.0}


def test_filters_narrow_the_figure(bd):
    assert metrics.evaluate(bd, "ytd_actual", fy=2026, vendor="SAP SE").value == 1270.0
    assert metrics.evaluate(bd, "ytd_budget", fy=2026, cost_center="Infrastructure").value == 6600.0


@pytest.mark.parametrize("name, options, message", [
    ("ytd_budget", {"vendor": "SAP SE"}, "cannot be filtered by vendor"),
    ("variance", {"by": "vendor"}, "cannot be broken down by 'vendor'"),
    ("sla_attainment", {"by": "cost_center"}, r"dimensions: none"),
    ("no_such_metric", {}, "unknown metric"),
])
def test_refusals_name_what_is_offered(bd, name, options, message):
    with pytest.raises(metrics.MetricError, match=message):
        metrics.evaluate(bd, name, fy=2026, **options)


def test_cents_add_up_to_the_rounded_total():
    values = [0.005, 0.005, 0.005]
    rounded = metrics.cents_adding_up(values, round(sum(values), 2))
    assert round(sum(rounded), 2) == round(sum(values), 2)
    assert sorted(rounded) == [0.0, 0.01, 0.01] or sorted(rounded) == [0.0, 0.0, 0.01]


def test_metric_cli_prints_the_specified_json(tmp_path, capsys):
    path = tmp_path / "bd.duckdb"
    from analytics import store
    con = store.connect(path)
    budget_data.build(con)
    con.close()
    assert cli.main(["metric", "ytd_actual", "--by", "cost_center", "--fy", "2026", "--json", "--db", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"metric", "fy", "unit", "value", "rows"}
    assert (out["metric"], out["fy"], out["unit"], out["value"]) == ("ytd_actual", 2026, "money", 8220.0)
    assert sum(r["value"] for r in out["rows"]) == pytest.approx(8220.0)
    assert cli.main(["metric", "ytd_budget", "--vendor", "SAP SE", "--db", str(path)]) == 1


def test_metric_list_documents_every_metric(capsys):
    assert cli.main(["metric", "--list"]) == 0
    out = capsys.readouterr().out
    for metric in metrics.CATALOG:
        assert metric.name in out and metric.definition in out


def test_docs_metrics_md_is_generated_from_the_catalog():
    assert (ROOT / "docs" / "metrics.md").read_text() == metrics.markdown(), \
        "stale: python -m analytics metric --list --markdown > docs/metrics.md"


def test_every_overview_tile_is_a_catalog_metric():
    from analytics import overview
    assert set(overview.TILES) <= set(metrics.BY_NAME)
