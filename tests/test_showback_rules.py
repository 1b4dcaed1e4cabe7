"""Every validation rule of allocation_rules and drivers, through the import pipeline, each message naming the rule."""
import re

import pytest

from analytics import ingest, store


@pytest.fixture
def con():
    con = store.connect(":memory:")
    yield con
    con.close()


HEADER = "step,source_dimension,source_value,target_kind,target,share_pct,driver\n"


def refused(con, tmp_path, dataset: str, text: str) -> list[str]:
    path = tmp_path / f"{dataset}.csv"
    path.write_text(text)
    with pytest.raises(ingest.ImportRefused) as caught:
        ingest.import_file(con, dataset, path)
    return [str(e) for e in caught.value.errors]


def test_a_valid_rule_set_imports(con, tmp_path):
    path = tmp_path / "rules.csv"
    path.write_text(HEADER + "1,cost_center,Infra,service,Hosting,60,\n1,cost_center,Infra,service,Email,40,\n"
                             "2,service,*,business_unit,*,,headcount\n")
    assert ingest.import_file(con, "allocation_rules", path).rows == 3


@pytest.mark.parametrize("rows, expected", [
    ("1,cost_center,Infra,service,Hosting,60,\n1,cost_center,Infra,service,Email,30,\n",
     r"rules.csv:2:share_pct: rule on row 2 \(step 1: cost_center Infra → service Hosting, 60%\): the shares of "
     r"step 1, source cost_center Infra \(rows 2, 3\) add up to 90, not 100"),
    ("1,cost_center,Infra,service,Hosting,100,servers\n",
     r"rules.csv:2:share_pct: rule on row 2 .* gives both share_pct and driver: give exactly one"),
    ("1,cost_center,Infra,service,Hosting,,\n", r"gives neither share_pct nor driver"),
    ("1,cost_center,Infra,service,*,100,\n", r"target \* needs a driver"),
    ("1,cost_center,Infra,service,Hosting,100,\n1,vendor,Dell,service,Hosting,100,\n",
     r"step 1 mixes source dimensions cost_center, vendor"),
    ("1,service,Email,service,Hosting,50,\n1,service,Email,business_unit,Ops,,headcount\n",
     r"mixes fixed shares and drivers"),
    ("1,service,Email,service,Hosting,100,\n2,service,Hosting,service,Email,100,\n",
     r"rule on row 2 \(step 1: service Email → service Hosting, 100%\) is part of a cycle: "
     r"service Email → Hosting → Email"),
    ("1,service,Hosting,service,Hosting,100,\n", r"is part of a cycle: service Hosting → Hosting"),
    ("0,cost_center,Infra,service,Hosting,100,\n", r"rules.csv:2:step: below the minimum of 1"),
    ("1,account,Infra,service,Hosting,100,\n", r"source_dimension: not one of cost_center/category/vendor/service"),
])
def test_rule_set_problems_are_refused_naming_the_rule(con, tmp_path, rows, expected):
    errors = refused(con, tmp_path, "allocation_rules", HEADER + rows)
    assert any(re.search(expected, e) for e in errors), errors


def test_a_driver_adding_up_to_zero_in_a_month_is_refused(con, tmp_path):
    errors = refused(con, tmp_path, "drivers", "period,driver,target,quantity\n2026-01,headcount,Ops,0\n"
                                               "2026-01,headcount,Sales,0\n2026-02,headcount,Ops,3\n")
    assert errors == ["drivers.csv:2:quantity: driver headcount adds up to 0 in 2026-01: nothing could be split by it",
                      "drivers.csv:3:quantity: driver headcount adds up to 0 in 2026-01: nothing could be split by it"]


def test_negative_quantities_and_repeated_keys_are_refused(con, tmp_path):
    errors = refused(con, tmp_path, "drivers", "period,driver,target,quantity\n2026-01,headcount,Ops,-1\n"
                                               "2026-01,headcount,Sales,2\n2026-01,headcount,Sales,3\n")
    assert "drivers.csv:2:quantity: below the minimum of 0" in errors
    assert any("duplicate key" in e for e in errors)
