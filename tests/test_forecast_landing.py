"""Landing, committed spend and the forecast cache on a small hand-built database."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import settings, store
from analytics.fiscal import add_months
from analytics.forecast import committed, runs, yearend as landing_mod


def build(con, *, months: int = 36) -> None:
    """As of 2026-11-15, calendar fiscal years, USD reporting; uncommitted spend per cost center for
    `months` months up to 2026-10; contract C1 (monthly, 1,200 USD a year) billed to IT/Software;
    contract C2 (quarterly, 4,000 EUR a year, EUR at 1.10 then 1.20 from 2026-10)."""
    settings.set_many(con, {"as_of_date": "2026-11-15", "reporting_currency": "USD", "base_currency": "USD"})
    rows = []
    first = add_months(dt.date(2026, 10, 1), -(months - 1))
    for i in range(months):
        period = add_months(first, i)
        season = 100 * (period.month == 12)
        wobble = ((i * 37) % 11 - 5) * 8
        rows.append((period.replace(day=5), "V1", 1000 + 10 * i + season + wobble, "USD", "IT", "Software", None))
        rows.append((period.replace(day=6), "V2", 500.0 + (i % 3) * 20, "USD", "Ops", "Hardware", None))
        rows.append((period.replace(day=7), "V3", 100.0, "USD", "IT", "Software", "C1"))
    with store.transaction(con):
        for n, (date, vendor, amount, cur, cc, cat, cid) in enumerate(rows):
            con.execute("insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category, "
                        "contract_id) values (1, ?, ?, ?, ?, ?, ?, ?, ?)", [n, date, vendor, amount, cur, cc, cat, cid])
        con.execute("insert into contracts (batch_id, row_no, contract_id, vendor, service, start_date, end_date, "
                    "annual_value, currency, auto_renew, renewal_term_months, notice_days, billing_frequency) values "
                    "(1, 1, 'C1', 'V3', 'Support', '2024-01-01', '2026-12-31', 1200, 'USD', true, 12, 90, 'monthly'),"
                    "(1, 2, 'C2', 'V4', 'Licences', '2026-01-01', '2027-12-31', 4000, 'EUR', false, null, 30, 'quarterly')")
        for i in range(36):
            period = add_months(dt.date(2023, 11, 1), i)
            rate = 1.2 if period >= dt.date(2026, 10, 1) else 1.1
            con.execute("insert into fx values (1, ?, ?, 'EUR', ?)", [i, period, rate])
        for m in range(1, 13):
            con.execute("insert into budget values (1, ?, ?, 'IT', 'Software', 1200, 'USD', 'original', null),"
                        "(1, ?, ?, 'Ops', 'Hardware', 450, 'USD', 'original', null)",
                        [m, dt.date(2026, m, 1), 100 + m, dt.date(2026, m, 1)])


@pytest.fixture()
def fc_con(tmp_path):
    connection = store.connect(tmp_path / "f.duckdb")
    build(connection)
    yield connection
    connection.close()


def test_committed_payments_use_the_latest_known_rate_for_future_months(fc_con):
    result = committed.committed_rc(fc_con, start=dt.date(2026, 11, 1), end=dt.date(2027, 3, 31))
    c2 = result[result["contract_id"] == "C2"].reset_index(drop=True)
    assert c2["payment_date"].tolist() == [dt.date(2027, 1, 1)]
    assert c2["fx_rate"].tolist() == [1.2]
    assert c2["fx_period"].tolist() == [pd.Timestamp("2026-10-01")]
    assert c2["amount_rc"].round(2).tolist() == [1200.0]


def test_landing_total_adds_actuals_committed_and_forecast(fc_con):
    result = landing_mod.landing(fc_con, fiscal_year=2026, level="total").set_index("key").loc["Total"]
    actual = fc_con.execute("select sum(amount) from spend where date >= '2026-01-01'").fetchone()[0]
    assert result["actual_ytd"] == pytest.approx(float(actual))
    assert result["committed_rest"] == pytest.approx(200.0)   # C1 Nov + Dec, C2 next pays in January
    assert result["landing"] == pytest.approx(result["actual_ytd"] + result["committed_rest"] + result["uncommitted_rest"])
    assert result["lo95"] < result["lo80"] < result["landing"] < result["hi80"] < result["hi95"]
    assert result["budget"] == pytest.approx(12 * 1650.0)
    assert result["over_under"] == pytest.approx(result["landing"] - 12 * 1650.0)


def month_of(con, vendor, month):
    return float(con.execute("select sum(amount) from spend where vendor = ? and date_trunc('month', date) = ?",
                             [vendor, pd.Timestamp(month).date()]).fetchone()[0])


def test_uncommitted_history_is_spend_minus_the_contract_schedule(fc_con):
    hist = runs.history(fc_con, level="cost_center").set_index(["key", "period"])["value"]
    # C1 bills its scheduled 100 a month from 2024-01: only V1 remains
    assert hist[("IT", pd.Timestamp("2024-06-01"))] == pytest.approx(month_of(fc_con, "V1", "2024-06-01"))
    # before C1 starts nothing is scheduled, so the line billed under it stays uncommitted
    assert hist[("IT", pd.Timestamp("2023-12-01"))] == pytest.approx(month_of(fc_con, "V1", "2023-12-01") + 100)


def test_committed_spend_is_allocated_by_the_contract_billing_history(fc_con):
    result = landing_mod.landing(fc_con, fiscal_year=2026, level="cost_center").set_index("key")
    assert result.loc["IT", "committed_rest"] == pytest.approx(200.0)
    assert result.loc["Ops", "committed_rest"] == pytest.approx(0.0)


def _stored_runs(con) -> list:
    return con.execute("select level, data_version from forecast_runs order by level").fetchall()


def test_reading_a_forecast_never_stores_one(fc_con):
    landing_mod.landing(fc_con, fiscal_year=2026, level="total")
    assert _stored_runs(fc_con) == []


def test_the_job_stores_every_level_once_per_data_version(fc_con):
    assert runs.refresh(fc_con) is True
    version = store.data_version(fc_con)
    assert _stored_runs(fc_con) == [(level, version) for level in sorted(runs.LEVELS)]
    assert runs.refresh(fc_con) is False          # current: nothing to compute
    settings.set_value(fc_con, "company_name", "Acme")
    assert runs.is_current(fc_con) is False
    assert runs.refresh(fc_con) is True
    assert {v for _, v in _stored_runs(fc_con)} == {store.data_version(fc_con)}


@pytest.mark.parametrize("level", ["cost_center", "category", "vendor"])
def test_every_level_adds_up_to_the_total_landing_to_the_cent(fc_con, level):
    runs.refresh(fc_con)
    total = landing_mod.landing(fc_con, fiscal_year=2026, level="total").iloc[0]
    rows = landing_mod.landing(fc_con, fiscal_year=2026, level=level)
    for column in ("actual_ytd", "committed_rest", "uncommitted_rest", "landing"):
        assert round(rows[column].sum(), 2) == round(total[column], 2), column


def test_vendor_level_has_no_budget_and_no_overrun_probability(fc_con):
    result = landing_mod.landing(fc_con, fiscal_year=2026, level="vendor").set_index("key")
    assert result["budget"].isna().all()
    assert result["p_overrun"].isna().all()


def test_a_vendor_with_only_contract_spend_lands_on_its_committed_payments(fc_con):
    result = landing_mod.landing(fc_con, fiscal_year=2027, level="vendor").set_index("key").loc["V4"]
    assert result["committed_rest"] == pytest.approx(4 * 1000 * 1.2)
    assert result["landing"] == pytest.approx(4800.0)
    assert result["hi95"] == pytest.approx(4800.0)
    assert result["note"] == "no uncommitted spend history: committed payments only"


def test_a_year_beyond_the_horizon_is_refused(fc_con):
    with pytest.raises(ValueError, match="ends after the forecast horizon"):
        landing_mod.landing(fc_con, fiscal_year=2028, level="total")


def test_unknown_level_is_refused(fc_con):
    with pytest.raises(ValueError, match="unknown level"):
        landing_mod.landing(fc_con, fiscal_year=2026, level="project")


def test_next_year_counts_only_its_own_committed_payments(fc_con):
    result = landing_mod.landing(fc_con, fiscal_year=2027, level="vendor").set_index("key")
    assert result.loc["V3", "committed_rest"] == pytest.approx(1200.0)   # C1 renews into 2027, 100 a month
    assert result.loc["V3", "actual_ytd"] == 0.0


@pytest.mark.parametrize("frequency, count", [("monthly", 12), ("quarterly", 4), ("annual", 1)])
def test_committed_spend_covers_every_billing_frequency(fc_con, frequency, count):
    fc_con.execute("update contracts set billing_frequency = ?, start_date = '2027-01-01', end_date = '2027-12-31', "
                   "auto_renew = false, annual_value = 4800 where contract_id = 'C2'", [frequency])
    result = committed.committed_rc(fc_con, start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    c2 = result[result["contract_id"] == "C2"]
    assert len(c2) == count
    assert c2["amount"].sum() == pytest.approx(4800.0)
    assert c2["amount_rc"].sum() == pytest.approx(4800.0 * 1.2)


def test_a_currency_without_any_rate_is_reported_missing_not_converted_at_one(fc_con):
    fc_con.execute("update contracts set currency = 'JPY' where contract_id = 'C2'")
    result = committed.committed_rc(fc_con, start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    c2 = result[result["contract_id"] == "C2"]
    assert c2["is_fx_missing"].all()
    assert c2["amount_rc"].isna().all()


def test_a_read_only_database_gets_a_landing_without_storing_it(tmp_path):
    path = tmp_path / "ro.duckdb"
    writer = store.connect(path)
    build(writer)
    writer.close()
    reader = store.connect(path, read_only=True)
    try:
        result = landing_mod.landing(reader, fiscal_year=2026, level="total")
        assert result["key"].tolist() == ["Total"]
        assert reader.execute("select count(*) from forecast_runs").fetchone()[0] == 0
    finally:
        reader.close()


def test_a_page_waits_for_the_forecast_job_instead_of_computing_the_same_run(demo_copy, monkeypatch):
    """While the job computes a data version's forecast, a page asking for it waits and reads the stored run
    (two sessions after an import must not compute the same forecast again, each on its own thread)."""
    import threading

    from analytics import store
    from analytics.forecast import runs
    con = store.connect(demo_copy)
    try:
        with store.transaction(con):  # a write: the stored runs are now for an older data version
            con.execute("update settings set value = value where false")
        computed, started = [], threading.Event()
        real = runs.compute

        def compute(c):
            computed.append(threading.current_thread().name)
            started.set()
            return real(c)
        monkeypatch.setattr(runs, "compute", compute)
        job = threading.Thread(target=runs.refresh, args=(con.cursor(),), name="job")
        job.start()
        assert started.wait(120)  # the job is computing: now a page asks for the same run
        read = []
        page = threading.Thread(target=lambda: read.append(runs.values(con.cursor(), level="total")), name="page")
        page.start()
        job.join()
        page.join()
        assert len(read) == 1 and len(read[0]) > 0
    finally:
        con.close()
    assert computed == ["job"]
