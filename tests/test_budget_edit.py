"""Budget versions edited in the app, the change log, and the variance explanations."""

import pandas as pd
import pytest

from tests import budget_data

from analytics import budget, budget_edit, variance


@pytest.fixture
def con():
    return budget_data.database()


def test_edit_grid_one_row_per_line_in_its_currency(con):
    grid = budget_edit.edit_grid(con, year=2026, version="original")
    assert grid[["cost_center", "category", "project", "currency", "2025-04"]].values.tolist() == [
        ["Applications", "Software", "PRJ-ERP", "EUR", 1000.0],
        ["Infrastructure", "Cloud Services", "", "USD", 1200.0],
        ["Infrastructure", "Hardware", "", "USD", 0.0],
    ]


def test_grid_changes_lists_changed_cells_only(con):
    before = budget_edit.edit_grid(con, year=2026, version="original")
    after = before.copy()
    after.loc[0, "2025-04"] = 1500.0
    changes = budget_edit.grid_changes(before, after)
    assert changes[["period", "cost_center", "old_amount", "new_amount"]].values.tolist() == [
        ["2025-04", "Applications", 1000.0, 1500.0]]


def test_new_line_needs_a_currency(con):
    before = budget_edit.edit_grid(con, year=2026, version="original")
    after = pd.concat([before, pd.DataFrame([{"cost_center": "Workplace", "category": "Software", "project": "",
                                              "currency": None, "2025-04": 10.0}])], ignore_index=True)
    with pytest.raises(budget_edit.BudgetEditError, match="needs a cost center, a category and a currency"):
        budget_edit.grid_changes(before, after)


def save_one_change(con, name="reforecast-2", amount=1500.0):
    before = budget_edit.edit_grid(con, year=2026, version="original")
    after = before.copy()
    after.loc[0, "2025-04"] = amount
    changes = budget_edit.grid_changes(before, after)
    return budget_edit.save_version(con, base_version="original", new_version=name, changes=changes, user="ana",
                                    note="more licences")


def test_saving_creates_a_version_and_keeps_the_original(con):
    save_one_change(con)
    original = budget.budget_vs_actual(con, year=2026, by=(), version="original").iloc[0]["budget_year"]
    edited_total = budget.budget_vs_actual(con, year=2026, by=(), version="reforecast-2").iloc[0]["budget_year"]
    assert original == 19600.0
    assert round(edited_total, 6) == round(19600.0 + 500 * 1.10, 6)
    assert "reforecast-2" in budget.version_names(con)


def test_every_change_is_logged_with_who_and_old_value(con):
    save_one_change(con)
    log = budget_edit.change_log(con)
    assert log[["version", "base_version", "period", "cost_center", "old_amount", "new_amount", "changed_by"]
               ].values.tolist() == [["reforecast-2", "original", "2025-04", "Applications", 1000.0, 1500.0, "ana"]]


def test_a_version_edited_from_a_partial_reforecast_is_complete(con):
    before = budget_edit.edit_grid(con, year=2026, version="reforecast-1")
    after = before.copy()
    after.loc[0, "2025-04"] = 900.0
    changes = budget_edit.grid_changes(before, after)
    budget_edit.save_version(con, base_version="reforecast-1", new_version="reforecast-2", changes=changes)
    total = budget.budget_vs_actual(con, year=2026, by=(), version="reforecast-2").iloc[0]["budget_year"]
    assert round(total, 6) == round(19600.0 - 1200.0 + 2000.0 - 100 * 1.10, 6)
    assert budget.versions(con).set_index("version").loc["reforecast-2", "lines"] == 16


def test_version_names_are_never_reused(con):
    save_one_change(con)
    with pytest.raises(budget_edit.BudgetEditError, match="already exists"):
        save_one_change(con, amount=1600.0)
    with pytest.raises(budget_edit.BudgetEditError, match="already exists"):
        save_one_change(con, name="original")


def test_variance_drivers_name_the_vendor_and_month(con):
    sentences = variance.sentences(variance.drivers(con, year=2026), "USD")
    assert "Cloud Services in Infrastructure is 1.4k USD over budget, 1.4k USD of it from Amazon Web Services " \
           "since May 2025." in sentences
    assert "Software in Applications is 930 USD under budget, 930 USD of it from SAP SE." in sentences


def test_fx_volume_split_adds_up_to_the_change(con):
    row = variance.fx_volume(con, year=2026, period="2025-06").iloc[0]
    assert (row["volume_effect"], row["fx_effect"]) == pytest.approx((660.0, 60.0))
    assert row["change"] == pytest.approx(600 * 1.2 - 0 * 1.1)


def test_fx_volume_sentence(con):
    frame = variance.fx_volume(con, year=2026, period="2025-06")
    assert variance.fx_sentences(frame, "USD") == [
        "Applications: EUR spend rose 720 USD from May to Jun 2025: +660 USD from volume, +60 USD from the "
        "EUR rate (1.1000 → 1.2000)."]
