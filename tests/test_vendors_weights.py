"""Weight renormalisation (issue 6, section 6): weights add to 100; changing one rescales the rest."""
import pytest

from analytics import vendors

DEFAULTS = {"sla_attainment": 25.0, "availability": 20.0, "incidents": 15.0, "spend_vs_contract": 15.0,
            "audit_findings": 10.0, "spend_trend": 15.0}


def test_defaults_add_up_to_100():
    assert vendors.renormalise(vendors.DEFAULT_WEIGHTS) == DEFAULTS


def test_changing_one_weight_rescales_the_others_in_proportion():
    result = vendors.renormalise({**DEFAULTS, "sla_attainment": 40.0}, changed="sla_attainment")
    assert result == {"sla_attainment": 40.0, "availability": 16.0, "incidents": 12.0, "spend_vs_contract": 12.0,
                      "audit_findings": 8.0, "spend_trend": 12.0}


def test_all_scaled_when_nothing_named():
    assert vendors.renormalise({"a": 1, "b": 3}) == {"a": 25.0, "b": 75.0}


def test_rounding_to_tenths_still_adds_to_100():
    result = vendors.renormalise({"a": 1, "b": 1, "c": 1})
    assert result == {"a": 33.4, "b": 33.3, "c": 33.3}
    assert round(sum(result.values()), 6) == 100.0


def test_others_all_zero_share_the_rest_equally():
    result = vendors.renormalise({"a": 100.0, "b": 0.0, "c": 0.0}, changed="a")
    assert vendors.renormalise({"a": 40.0, "b": 0.0, "c": 0.0}, changed="a") == {"a": 40.0, "b": 30.0, "c": 30.0}
    assert result == {"a": 100.0, "b": 0.0, "c": 0.0}


def test_weight_above_100_is_capped_and_negative_is_zero():
    assert vendors.renormalise({"a": 150.0, "b": -5.0, "c": 10.0}, changed="a") == {"a": 100.0, "b": 0.0, "c": 0.0}


def test_all_zero_becomes_equal():
    assert vendors.renormalise({"a": 0, "b": 0}) == {"a": 50.0, "b": 50.0}


def test_unknown_changed_indicator():
    with pytest.raises(KeyError, match="unknown indicator"):
        vendors.renormalise(DEFAULTS, changed="karma")
