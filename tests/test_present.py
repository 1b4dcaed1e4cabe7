"""The presentation layer: labels in words, units, finance formats, no float noise, no None/nan."""
import pandas as pd
import pytest

from analytics import present


@pytest.mark.parametrize("column,label", [
    ("lo80", "80% interval, low"), ("p_overrun", "Chance of overrun"), ("landing", "Year-end landing"),
    ("is_notice_missing", "Notice period missing"), ("cum_actual", "Cumulative actual"), ("is_closed", "Closed"),
    ("actual_ytd", "Actual YTD"), ("some_new_column", "Some new column")])
def test_labels_in_words(column, label):
    assert present.label(column) == label


def test_money_labels_carry_the_currency_and_ratios_do_not():
    assert present.label("landing", "EUR") == "Year-end landing (EUR)"
    assert present.label("p_overrun", "EUR") == "Chance of overrun"


@pytest.mark.parametrize("value,text", [(-244527.52000000002, "(244,527.52) EUR"), (1234.5, "1,234.50 EUR"),
                                        (None, ""), (float("nan"), "")])
def test_money_as_finance_writes_it(value, text):
    assert present.money_text(value, "EUR") == text


@pytest.mark.parametrize("value,text", [(5.3e-23, "<0.1%"), (0.039386, "3.9%"), (1.0, "100.0%"), (None, "")])
def test_chances_read_as_percentages(value, text):
    assert present.percent_text(value) == text


def test_rule_ids_read_as_titles():
    assert present.rule_title("renewal_deadline") == "Renewal deadlines"


def test_tidy_rounds_money_keeping_the_sum_and_empties_missing_values():
    frame = pd.DataFrame({"vendor": ["a", "b", None], "amount_rc": [0.105, 0.105, -244527.52000000002],
                          "rule": ["no_contract", None, "price_creep"], "is_open": [True, False, None]})
    result = present.tidy(frame)
    assert result["vendor"].tolist() == ["a", "b", ""]
    assert round(result["amount_rc"].sum(), 2) == round(frame["amount_rc"].sum(), 2)
    assert result["amount_rc"].iloc[2] == -244527.52
    assert result["rule"].tolist() == ["Spend without a contract", "", "Price creep"]
    assert result["is_open"].tolist() == ["Yes", "", ""]


def test_export_rounding_removes_float_noise():
    from analytics.reports import xlsx
    text = xlsx.csv_bytes(pd.DataFrame({"variance": [-244527.52000000002], "fx_rate": [0.30000000000000004],
                                        "note": [None]})).decode()
    assert text.splitlines()[1] == "-244527.52,0.3,"


@pytest.mark.parametrize("unit,fmt", [(present.MONEY, '#,##0.00 "EUR";[Red](#,##0.00) "EUR";0.00 "EUR"'),
                                      (present.RATIO, "0.0%;[Red]-0.0%;0.0%"), (present.DATE, "yyyy-mm-dd")])
def test_excel_formats(unit, fmt):
    assert present.excel_format(unit, "EUR") == fmt
