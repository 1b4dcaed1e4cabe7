"""Monthly spend in the reporting currency, the rates applied and the months lacking a rate."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import fx, ingest, settings


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


def test_spend_by_month_converts_with_each_months_rate(spend_db):
    result = fx.spend_by_month(spend_db, end=dt.date(2026, 2, 28))
    expected = pd.DataFrame({"period": pd.to_datetime(["2026-01-01", "2026-02-01"]),
                             "amount_rc": [160.0, -12.0], "lines": [2, 1], "fx_missing_lines": [0, 0],
                             "currencies": [2, 1]})
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


def test_a_month_without_a_rate_is_reported_not_converted_at_1(spend_db):
    march = fx.spend_by_month(spend_db, start=dt.date(2026, 3, 1))
    missing = fx.missing_rates(spend_db)
    assert march["fx_missing_lines"].tolist() == [1]
    assert march["amount_rc"].isna().tolist() == [True]
    assert missing[["dataset", "currency", "lines"]].values.tolist() == [["spend", "EUR", 1]]
    assert missing["amount"].tolist() == [40.0]


def test_rates_follow_the_reporting_currency(spend_db):
    settings.set_value(spend_db, "reporting_currency", "EUR")
    spend_db.execute("insert into fx values (0, 0, date '2026-01-01', 'USD', 1.0)")
    result = fx.rates(spend_db, currency="USD")
    assert result["rate"].round(6).tolist() == [round(1 / 1.10, 6)]
