"""Scenarios on the small forecast database: each change moves the landing by a known amount."""
from __future__ import annotations

import json

import pytest

from analytics import store
from analytics.forecast import scenarios, yearend
from tests.test_forecast_landing import build


@pytest.fixture(scope="module")
def sc_con(tmp_path_factory):
    connection = store.connect(tmp_path_factory.mktemp("scenarios") / "s.duckdb")
    build(connection)
    yield connection
    connection.close()


def by_key(con, level, spec, year=2026):
    return scenarios.landing(con, fiscal_year=year, level=level, spec=spec).set_index("key")


def test_an_empty_scenario_is_the_baseline(sc_con):
    base = yearend.landing(sc_con, fiscal_year=2026, level="cost_center").set_index("key")
    same = by_key(sc_con, "cost_center", {})
    assert same["landing"].to_dict() == pytest.approx(base["landing"].to_dict())


def test_a_budget_cut_lowers_only_the_chosen_cost_center_budget_in_open_months(sc_con):
    from analytics import calendar
    open_months = 12 - calendar.window(sc_con, year=2026).ytd_months
    assert 0 < open_months < 12
    result = by_key(sc_con, "cost_center", {"budget_cuts": [{"dimension": "cost_center", "value": "IT", "pct": 10}]})
    assert result.loc["IT", "budget"] == pytest.approx(12 * 1200 - open_months * 1200 * 0.1)  # closed months stay
    assert result.loc["Ops", "budget"] == pytest.approx(12 * 450)


def test_cancelling_a_contract_drops_its_payments_from_that_date(sc_con):
    result = by_key(sc_con, "vendor", {"cancel_contracts": [{"contract_id": "C1", "from_date": "2026-12-01"}]})
    assert result.loc["V3", "committed_rest"] == pytest.approx(100.0)   # November's payment stays


def test_a_new_contract_adds_its_payments_to_its_cost_center(sc_con):
    new = {"name": "SOC", "vendor": "SecureCo", "cost_center": "Ops", "category": "Outside Services",
           "annual_value": 2400, "currency": "EUR", "billing_frequency": "quarterly", "start_date": "2026-11-01",
           "term_months": 12, "auto_renew": False}
    base = yearend.landing(sc_con, fiscal_year=2026, level="cost_center").set_index("key")
    result = by_key(sc_con, "cost_center", {"new_contracts": [new]})
    assert result.loc["Ops", "committed_rest"] - base.loc["Ops", "committed_rest"] == pytest.approx(600 * 1.2)


def test_a_renewal_uplift_raises_only_terms_not_yet_begun(sc_con):
    result = by_key(sc_con, "vendor", {"renewal_uplift_pct": 10}, year=2027)
    assert result.loc["V3", "committed_rest"] == pytest.approx(1320.0)   # C1's 2027 renewal term
    assert result.loc["V4", "committed_rest"] == pytest.approx(4800.0)   # C2 is in its initial term


def test_an_fx_change_moves_payments_in_that_currency(sc_con):
    result = by_key(sc_con, "vendor", {"fx_changes": [{"currency": "EUR", "pct": 10}]}, year=2027)
    assert result.loc["V4", "committed_rest"] == pytest.approx(4800.0 * 1.1)


def test_compare_puts_baseline_and_scenario_side_by_side(sc_con):
    spec = json.dumps({"budget_cuts": [{"dimension": "category", "value": "Hardware", "pct": 50}]})
    result = scenarios.compare(sc_con, fiscal_year=2026, level="total", spec_json=spec).set_index("key")
    # Hardware: 450 a month; half cut from the open months only (2 open in the small database)
    assert result.loc["Total", "budget_baseline"] - result.loc["Total", "budget_scenario"] == pytest.approx(2 * 450 * 0.5)
    assert result.loc["Total", "landing_change"] == pytest.approx(0.0)


def test_a_saved_scenario_reloads_unchanged(sc_con):
    spec = {"renewal_uplift_pct": 3, "fx_changes": [{"currency": "eur", "pct": -5}]}
    scenarios.save(sc_con, name="Plan B", spec=spec)
    scenarios.save(sc_con, name="Plan B", spec=spec)
    assert scenarios.load(sc_con, name="Plan B") == scenarios.normalize(spec)
    assert scenarios.saved(sc_con)["name"].tolist() == ["Plan B"]


def test_saving_a_scenario_keeps_the_stored_forecast(sc_con):
    version = store.data_version(sc_con)
    scenarios.save(sc_con, name="Keep", spec={})
    assert store.data_version(sc_con) == version


@pytest.mark.parametrize("spec, message", [
    ({"budget_cuts": [{"dimension": "vendor", "value": "V1", "pct": 5}]}, "cost_center or a category"),
    ({"fx_changes": [{"currency": "XXX1", "pct": 5}]}, "not an ISO 4217"),
    ({"cancel_contracts": [{"contract_id": "C1", "from_date": "soon"}]}, "not a date"),
    ({"renewal_uplift_pct": "lots"}, "not a number"),
    ({"surprise": 1}, "unknown scenario part"),
])
def test_an_invalid_scenario_is_refused_with_a_reason(spec, message):
    with pytest.raises(ValueError, match=message):
        scenarios.normalize(spec)
