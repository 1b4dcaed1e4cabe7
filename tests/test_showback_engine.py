"""The allocation engine on hand-worked examples: fixed shares, drivers, leftovers, driver fallback."""
import datetime as dt

import pandas as pd
import pytest

from analytics import store
from analytics.showback import AllocationError, allocate, totals_by

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 28)
RULE_KEYS = ["step", "source_dimension", "source_value", "target_kind", "target", "share_pct", "driver"]


def rules(*rows) -> pd.DataFrame:
    frame = pd.DataFrame([dict(zip(RULE_KEYS, r)) for r in rows], columns=RULE_KEYS)
    frame.insert(0, "row_no", range(1, len(frame) + 1))
    return frame


def drivers(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["period", "driver", "target", "quantity"]).assign(
        period=lambda f: pd.to_datetime(f["period"]))


@pytest.fixture
def con():
    con = store.connect(":memory:")
    con.execute("insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category) values "
                "(1, 1, '2026-01-10', 'Dell', 1000, 'USD', 'Infra', 'Hardware'), "
                "(1, 2, '2026-01-20', 'Acme', 500, 'USD', 'Desk', 'Staffing'), "
                "(1, 3, '2026-02-10', 'Dell', 300, 'USD', 'Infra', 'Hardware'), "
                "(1, 4, '2026-02-11', 'Misc', 77.77, 'USD', 'Other', 'Other')")
    yield con
    con.close()


def by_bu(alloc) -> dict:
    return {r.business_unit: round(r.value, 6) for r in totals_by(alloc, by="business_unit").itertuples()}


def test_two_steps_of_fixed_shares(con):
    # step 1: Infra 1300 -> Hosting 60% (780), Email 40% (520); Desk 500 -> Support
    # step 2: Hosting -> Sales 25% (195), Ops 75% (585); Email -> Sales (520); Support -> Ops (500)
    result = allocate(con, first_day=JAN, last_day=FEB, drivers=drivers(), rules=rules(
        (1, "cost_center", "Infra", "service", "Hosting", 60, None),
        (1, "cost_center", "Infra", "service", "Email", 40, None),
        (1, "cost_center", "Desk", "service", "Support", 100, None),
        (2, "service", "Hosting", "business_unit", "Sales", 25, None),
        (2, "service", "Hosting", "business_unit", "Ops", 75, None),
        (2, "service", "Email", "business_unit", "Sales", 100, None),
        (2, "service", "Support", "business_unit", "Ops", 100, None)))
    assert by_bu(result) == {"Ops": 1085.0, "Sales": 715.0, "(unallocated)": 77.77}


def test_two_steps_with_a_driver(con):
    # step 1: everything not yet allocated by cost center -> Platform; step 2: Platform by headcount 1:3
    # Jan 1500 -> Sales 375, Ops 1125; Feb 377.77 -> Sales 94.4425, Ops 283.3275
    result = allocate(con, first_day=JAN, last_day=FEB, rules=rules(
        (1, "cost_center", "*", "service", "Platform", 100, None),
        (2, "service", "Platform", "business_unit", "*", None, "headcount")),
        drivers=drivers(("2026-01-01", "headcount", "Sales", 10), ("2026-01-01", "headcount", "Ops", 30),
                        ("2026-02-01", "headcount", "Sales", 10), ("2026-02-01", "headcount", "Ops", 30)))
    assert by_bu(result) == {"Ops": 1408.3275, "Sales": 469.4425}
    assert result.notes == []


def test_what_no_rule_covers_stays_unallocated_and_every_step_adds_up(con):
    result = allocate(con, first_day=JAN, last_day=FEB, drivers=drivers(), rules=rules(
        (1, "cost_center", "Infra", "service", "Hosting", 100, None),
        (2, "service", "Hosting", "business_unit", "Ops", 100, None),
        (3, "vendor", "Acme", "business_unit", "Sales", 100, None)))
    steps = result.steps.round(6)
    assert steps.to_dict("list") == {"step": [0, 1, 2, 3], "at_business_units": [0.0, 0.0, 1300.0, 1800.0],
                                     "at_services": [0.0, 1300.0, 0.0, 0.0],
                                     "unallocated": [1877.77, 577.77, 577.77, 77.77],
                                     "total": [1877.77] * 4}
    assert by_bu(result)["(unallocated)"] == 77.77


def test_a_month_without_driver_rows_uses_the_latest_earlier_month_and_says_so(con):
    result = allocate(con, first_day=JAN, last_day=FEB, rules=rules(
        (1, "cost_center", "*", "business_unit", "*", None, "headcount")),
        drivers=drivers(("2026-01-01", "headcount", "Sales", 1), ("2026-01-01", "headcount", "Ops", 3)))
    assert by_bu(result) == {"Ops": 1408.3275, "Sales": 469.4425}
    assert result.notes == ["driver headcount: no quantities for 2026-02; used 2026-01, the latest earlier month"]


def test_a_driver_reported_quarterly_gets_one_note_with_every_gap(con):
    """Quantities for January and March only: February uses January, April uses March, said in one line."""
    con.execute("insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category) values "
                "(1, 5, '2026-03-10', 'Dell', 200, 'USD', 'Infra', 'Hardware'), "
                "(1, 6, '2026-04-10', 'Dell', 100, 'USD', 'Infra', 'Hardware')")
    result = allocate(con, first_day=JAN, last_day=dt.date(2026, 4, 30), rules=rules(
        (1, "cost_center", "*", "business_unit", "*", None, "headcount")),
        drivers=drivers(("2026-01-01", "headcount", "Sales", 1), ("2026-01-01", "headcount", "Ops", 3),
                        ("2026-03-01", "headcount", "Sales", 1), ("2026-03-01", "headcount", "Ops", 1)))
    assert result.notes == ["driver headcount: months without quantities use the latest earlier month: "
                            "2026-02 → 2026-01; 2026-04 → 2026-03"]
    # April at March's 1:1, February at January's 1:3
    assert by_bu(result) == {"Ops": round(0.75 * (1500 + 377.77) + 0.5 * 200 + 0.5 * 100, 6),
                             "Sales": round(0.25 * (1500 + 377.77) + 0.5 * 200 + 0.5 * 100, 6)}


def test_cumulative_rounding_keeps_thirds_to_the_cent(con):
    result = allocate(con, first_day=JAN, last_day=FEB, rules=rules(
        (1, "cost_center", "*", "business_unit", "*", None, "seats")),
        drivers=drivers(("2026-01-01", "seats", "A", 1), ("2026-01-01", "seats", "B", 1),
                        ("2026-01-01", "seats", "C", 1)))
    assert result.flows["amount"].sum() == pytest.approx(1877.77, abs=1e-9)
    assert result.steps["total"].tolist() == [1877.77, 1877.77]


def test_a_driver_with_no_quantities_yet_is_refused_naming_the_rule(con):
    with pytest.raises(AllocationError, match=r"rule on row 1 \(step 1: cost_center \* → business_unit \*, by "
                                              r"tickets\): driver tickets has no quantities .* 2026-01"):
        allocate(con, first_day=JAN, last_day=FEB, rules=rules((1, "cost_center", "*", "business_unit", "*", None,
                                                                 "tickets")),
                 drivers=drivers(("2026-02-01", "tickets", "Ops", 4)))


def test_a_driver_adding_up_to_zero_for_the_rules_targets_is_refused(con):
    with pytest.raises(AllocationError, match=r"rule on row 1 .*driver headcount adds up to 0 .* in 2026-01"):
        allocate(con, first_day=JAN, last_day=FEB, rules=rules((1, "cost_center", "Infra", "business_unit", "Ops",
                                                                 None, "headcount")),
                 drivers=drivers(("2026-01-01", "headcount", "Ops", 0), ("2026-01-01", "headcount", "Sales", 5)))


def test_budget_is_allocated_by_the_same_rules(con):
    con.execute("insert into budget (batch_id, row_no, period, cost_center, category, amount, currency, version) "
                "values (2, 1, '2026-01-01', 'Infra', 'Hardware', 900, 'USD', 'original')")
    result = allocate(con, first_day=JAN, last_day=FEB, budget_version="original", drivers=drivers(), rules=rules(
        (1, "cost_center", "Infra", "business_unit", "Ops", 100, None)))
    assert by_bu(result) == {"Ops": 900.0}
