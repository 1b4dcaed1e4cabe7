"""Amounts in the reporting currency: each month's rate, months lacking a rate, the rates used, and which currency
is the reporting one."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics import budget, ingest, settings


@pytest.fixture
def spend_db(con, tmp_path):
    (tmp_path / "fx.csv").write_text("period,currency,rate_to_base\n2026-01,EUR,1.10\n2026-02,EUR,1.20\n")
    (tmp_path / "spend.csv").write_text(
        "date,vendor,amount,currency,cost_center,category\n"
        "2026-01-05,A,100.00,EUR,IT,Software\n"
        "2026-01-20,B,50.00,USD,IT,Software\n"
        "2026-02-03,A,-10.00,EUR,IT,Software\n"
        "2026-03-03,A,40.00,EUR,IT,Software\n"
    )
    ingest.import_file(con, "fx", tmp_path / "fx.csv")
    ingest.import_file(con, "spend", tmp_path / "spend.csv")
    return con


def test_spend_converts_with_each_months_rate(spend_db):
    result = spend_db.execute("""
        select period, sum(amount_rc) as amount_rc, count(*) as lines,
            count(*) filter (where is_fx_missing) as fx_missing_lines, count(distinct currency) as currencies
        from spend_rc group by period order by period""").df()
    expected = pd.DataFrame({"period": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
                             "amount_rc": [160.0, -12.0, None], "lines": [2, 1, 1], "fx_missing_lines": [0, 0, 1],
                             "currencies": [2, 1, 1]})
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


def test_a_month_without_a_rate_is_reported_not_converted_at_1(spend_db):
    missing = budget.fx_missing(spend_db, year=2026)
    assert missing[["dataset", "period", "currency", "lines"]].values.tolist() == [["spend", "2026-03", "EUR", 1]]
    assert missing["amount"].tolist() == [40.0]


def test_rates_follow_the_reporting_currency(spend_db):
    settings.set_value(spend_db, "reporting_currency", "EUR")
    spend_db.execute("insert into fx values (0, 0, date '2026-01-01', 'USD', 1.0)")
    rates = budget.rates_used(spend_db, year=2026).set_index("currency")
    assert rates.index.tolist() == ["USD"]  # the currencies used, the reporting one left out
    assert round(rates.loc["USD", "2026-01"], 6) == round(1 / 1.10, 6)
    assert pd.isna(rates.loc["USD", "2026-02"])  # no USD rate quoted for February


@pytest.mark.parametrize(("stored", "expected"), [
    ({}, "USD"),
    ({"base_currency": "EUR"}, "EUR"),  # rates quoted against EUR and no reporting currency chosen: EUR
    ({"reporting_currency": "SEK"}, "SEK"),
    ({"base_currency": "EUR", "reporting_currency": "PLN"}, "PLN"),
])
def test_the_reporting_currency_is_the_base_currency_until_one_is_chosen(con, stored, expected):
    """The label pages put on a figure is the currency SQL converted it into (the reporting_currency() macro)."""
    if stored:
        settings.set_many(con, stored)
    assert settings.get(con, "reporting_currency") == expected
    assert settings.as_dict(con)["reporting_currency"] == expected
    assert con.execute("select reporting_currency()").fetchone()[0] == expected
