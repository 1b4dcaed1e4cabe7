"""The demo company: deterministic, big enough, valid by construction, anomalies planted."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from analytics import cli, contracts, datasets, demo, exchange, ingest, settings, sla, store
from analytics.demo import catalog, load, service, terms
from tests.conftest import DEMO_AS_OF, DEMO_SEED

TBM_COST_POOLS = {"Staffing", "Hardware", "Software", "Cloud Services", "Outside Services", "Facilities & Power",
                  "Telecom", "Other", "Internal Services"}


def data_hash(con) -> str:
    """A hash of every dataset as exported (canonical text, in batch and row order)."""
    digest = hashlib.sha256()
    for name in datasets.DATASETS:
        digest.update(name.encode())
        digest.update(exchange.export_frame(con, name).to_csv(index=False).encode())
    return digest.hexdigest()


def scalar(con, sql: str, params=None):
    return con.execute(sql, params or []).fetchone()[0]


# --- determinism -------------------------------------------------------------------------------

def test_same_seed_and_as_of_rebuild_identical_data_over_the_old_demo(demo_db, demo_rw):
    with store.connect(demo_db, read_only=True) as original:
        expected = data_hash(original)
    demo.build(demo_rw, as_of=DEMO_AS_OF, seed=DEMO_SEED, scale=1)
    assert data_hash(demo_rw) == expected


def test_another_seed_gives_other_data(demo_con, con):
    demo.build(con, as_of=DEMO_AS_OF, seed=DEMO_SEED + 1, scale=1)
    assert data_hash(con) != data_hash(demo_con)


def test_typed_route_for_large_spend_loads_the_same_rows_as_the_import_route(con, monkeypatch):
    demo.build(con, as_of=DEMO_AS_OF, seed=3, scale=0.05)
    via_import = exchange.export_frame(con, "spend")
    monkeypatch.setattr(load, "TEXT_ROUTE_MAX_LINES", 0)
    demo.build(con, as_of=DEMO_AS_OF, seed=3, scale=0.05)
    assert exchange.export_frame(con, "spend").equals(via_import)
    assert scalar(con, "select row_count from import_batches where dataset = 'spend'") == len(via_import)


def test_a_build_in_slices_loads_the_same_spend_lines_as_one_slice(con, monkeypatch):
    """The typed route inserts the lines slice by slice (a 100M-line demo in 24 GB): slices of a thousand lines
    give exactly the rows of one slice, in the same order, and the same FOCUS rows made from them."""
    monkeypatch.setattr(load, "TEXT_ROUTE_MAX_LINES", 0)
    demo.build(con, as_of=DEMO_AS_OF, seed=3, scale=0.05)
    spend_rows = exchange.export_frame(con, "spend")
    cloud_rows = con.execute("select * exclude (batch_id) from cloud_costs order by row_no").df()
    monkeypatch.setattr(load, "TYPED_SLICE_LINES", 1_000)
    demo.build(con, as_of=DEMO_AS_OF, seed=3, scale=0.05)
    assert len(spend_rows) > 3 * 1_000 and len(cloud_rows) > 100
    assert exchange.export_frame(con, "spend").equals(spend_rows)
    assert con.execute("select * exclude (batch_id) from cloud_costs order by row_no").df().equals(cloud_rows)


# --- size and shape ------------------------------------------------------------------------------

def test_settings_describe_the_demo(demo_con):
    values = settings.as_dict(demo_con)
    assert values["company_name"] == catalog.COMPANY_NAME
    assert (values["reporting_currency"], values["base_currency"]) == ("USD", "USD")
    assert values["fiscal_year_start_month"] == "1"
    assert values["as_of_date"] == "2026-11-15"


def test_every_dataset_is_one_demo_batch(demo_con):
    batches = demo_con.execute("select dataset, file_name from import_batches order by dataset").fetchall()
    assert batches == [(name, f"demo:{name}") for name in sorted(datasets.DATASETS)]


@pytest.mark.parametrize("sql, minimum", [
    ("select count(distinct cost_center) from spend", 10),
    ("select count(distinct vendor) from spend", 50),
    ("select count(*) from contracts", 80),
    ("select count(distinct currency) from spend", 4),
    ("select count(distinct project) from spend", 3),
    ("select count(*) from incidents", 3000),
    ("select count(*) from spend where amount < 0", 5),
    ("select count(*) from spend where capex_opex = 'capex'", 100),
])
def test_minimum_sizes(demo_con, sql, minimum):
    assert scalar(demo_con, sql) >= minimum


def test_spend_has_20k_to_60k_lines_at_scale_1(demo_con):
    assert 20_000 <= scalar(demo_con, "select count(*) from spend") <= 60_000


def test_spend_runs_from_three_fiscal_years_back_to_the_as_of_date(demo_con):
    first, last = demo_con.execute("select min(date), max(date) from spend").fetchone()
    assert first == dt.date(2024, 1, 1)
    assert last == DEMO_AS_OF


def test_categories_are_the_tbm_cost_pools(demo_con):
    spent = {r[0] for r in demo_con.execute("select distinct category from spend").fetchall()}
    budgeted = {r[0] for r in demo_con.execute("select distinct category from budget").fetchall()}
    assert spent == TBM_COST_POOLS
    assert budgeted <= TBM_COST_POOLS


def test_every_spend_line_converts_to_the_reporting_currency(demo_con):
    missing = scalar(demo_con, "select count(*) from spend_rc where is_fx_missing or amount_rc is null")
    assert missing == 0


def test_fx_rates_cover_every_month_for_every_currency(demo_con):
    months = scalar(demo_con, "select count(distinct period) from fx")
    per_currency = demo_con.execute("select currency, count(*) from fx group by 1").fetchall()
    assert months == 48  # FY2024 .. FY2027
    assert {n for _, n in per_currency} == {months}
    assert {c for c, _ in per_currency} == set(catalog.CURRENCIES)


def test_budget_covers_four_fiscal_years_with_a_reforecast_of_the_current_one(demo_con):
    rows = demo_con.execute("select version, year(period), count(distinct month(period)) from budget "
                            "group by all order by all").fetchall()
    assert rows == [("original", 2024, 12), ("original", 2025, 12), ("original", 2026, 12), ("original", 2027, 12),
                    ("reforecast-1", 2026, 12)]
    reforecast_lines = scalar(demo_con, "select count(distinct (cost_center, category)) from budget "
                                        "where version = 'reforecast-1'")
    original_lines = scalar(demo_con, "select count(distinct (cost_center, category)) from budget "
                                      "where version = 'original' and year(period) = 2026")
    assert 0 < reforecast_lines < original_lines


def test_most_lines_carry_an_invoice_and_some_invoices_have_several_lines(demo_con):
    share = scalar(demo_con, "select avg(case when invoice_id is not null then 1 else 0 end) from spend")
    multi = scalar(demo_con, "select count(*) from (select vendor, invoice_id from spend where invoice_id is not null "
                             "group by all having count(distinct cost_center) > 1 or count(distinct description) > 1)")
    assert share > 0.9
    assert multi > 100


def test_contract_lines_name_existing_contracts(demo_con):
    orphans = scalar(demo_con, "select count(*) from spend s where contract_id is not null and not exists "
                               "(select 1 from contracts c where c.contract_id = s.contract_id)")
    assert scalar(demo_con, "select count(*) from spend where contract_id is not null") > 1000
    assert orphans == 0


def test_contracts_mix_renewal_kinds_billing_and_sla_terms(demo_con):
    kinds = dict(demo_con.execute(
        "select case when auto_renew then 'tacit' when renewal_term_months is not null then 'express' else 'fixed' end, "
        "count(*) from contracts group by 1").fetchall())
    billing = {r[0] for r in demo_con.execute("select distinct billing_frequency from contracts").fetchall()}
    with_sla = scalar(demo_con, "select count(*) from contracts where (sla_availability_pct is not null or "
                                "sla_response_hours is not null) and service_credit_pct is not null "
                                "and service_credit_cap_pct is not null")
    assert min(kinds.get(k, 0) for k in ("tacit", "express", "fixed")) >= 5
    assert billing == {"monthly", "quarterly", "annual"}
    assert with_sla >= 30


def test_planted_renewals_are_due_within_90_days(demo_con, demo_result):
    due = contracts.renewals(demo_con, within_days=90, on=DEMO_AS_OF)
    expected = [cid for cid, _ in demo_result.renewals_due]
    assert len(expected) >= 10
    assert sorted(due["contract_id"]) == sorted(expected)
    by_id = dict(zip(due["contract_id"], due["cancel_by_date"]))
    assert all(by_id[cid] == cancel_by for cid, cancel_by in demo_result.renewals_due)


def test_some_renewals_due_are_already_in_a_renewal_term(demo_con, demo_result):
    ids = [cid for cid, _ in demo_result.renewals_due]
    renewed = scalar(demo_con, "select count(*) from contracts where contract_id in (select unnest(?)) "
                               "and end_date < ?", [ids, DEMO_AS_OF])
    assert renewed >= 3


def test_sla_measurements_include_breaches(demo_con):
    breaches = dict(demo_con.execute(
        "select metric, count(*) from sla where (metric = 'availability' and actual < target) "
        "or (metric <> 'availability' and actual > target) group by 1").fetchall())
    assert set(breaches) == {"availability", "response", "resolution"}
    assert all(n >= 10 for n in breaches.values())


def test_incidents_have_all_priorities_and_some_open(demo_con):
    rows = dict(demo_con.execute("select priority, count(*) from incidents group by 1").fetchall())
    still_open = scalar(demo_con, "select count(*) from incidents where resolved_at is null")
    late = scalar(demo_con, "select count(*) from incidents where resolved_at > ? or responded_at > ?",
                  [dt.datetime(2026, 11, 15, 17), dt.datetime(2026, 11, 15, 17)])
    assert set(rows) == {"P1", "P2", "P3", "P4"}
    assert still_open >= 10
    assert late == 0


def test_ticket_sla_inputs_are_consistent(demo_con):
    outside = scalar(demo_con, "select count(*) from incident_pauses p join incidents i using (ticket_id) "
                               "where p.paused_at < i.responded_at or p.resumed_at > i.resolved_at")
    per_contract = demo_con.execute("select count(*) from sla_targets group by contract_id").fetchall()
    schedules = {r[0] for r in demo_con.execute("select distinct schedule from sla_targets").fetchall()}
    known = {r[0] for r in demo_con.execute("select schedule from sla_schedules").fetchall()} | {"24x7"}
    assert scalar(demo_con, "select count(*) from incident_pauses") > 100
    assert outside == 0
    assert {n for (n,) in per_contract} == {8}  # 4 priorities x response, resolution
    assert schedules <= known
    assert scalar(demo_con, "select count(*) from sla_holidays where name = 'Christmas Day'") >= 6


def test_made_sla_flag_mostly_true_and_sometimes_false(demo_con):
    share = scalar(demo_con, "select avg(case when made_sla then 1.0 else 0 end) from incidents")
    assert 0.8 < share < 0.99


def test_some_licences_have_many_idle_seats(demo_con):
    idle = scalar(demo_con, "select count(distinct product) from licenses "
                            "where seats_active < 0.7 * seats_purchased")
    assert idle >= 3


# --- a believable SLA picture (measured by the SLA engine) ------------------------------------------

FY2026 = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@pytest.fixture(scope="module")
def demo_sla(demo_db):
    """(FY2026 contract x month attainment, every missed month's credits, ticket clocks) of the demo."""
    con = store.connect(demo_db, read_only=True)
    try:
        yield (sla.contract_month_attainment(con, start=FY2026[0], end=FY2026[1]), sla.service_credits(con),
               sla.ticket_sla(con))
    finally:
        con.close()


def attainment(months, metric: str) -> float:
    met, breached = months[f"{metric}_met"].sum(), months[f"{metric}_breached"].sum()
    return 100 * met / (met + breached)


@pytest.mark.parametrize("metric", ["response", "resolution"])
def test_fy2026_attainment_is_realistic(demo_sla, metric):
    months, _, _ = demo_sla
    assert 85 <= attainment(months, metric) <= 99


@pytest.mark.parametrize("metric", ["response", "resolution"])
def test_weaker_vendors_attain_less_than_the_others(demo_sla, metric):
    months, _, _ = demo_sla
    poor = months["vendor"].isin(terms.POOR_VENDORS)
    assert 75 <= attainment(months[poor], metric) <= 90
    assert attainment(months[~poor], metric) >= 93


def test_credits_outstanding_are_a_small_share_of_contract_value(demo_con, demo_sla):
    _, credits, _ = demo_sla
    annual_usd = scalar(demo_con, "select sum(cast(c.annual_value as decimal(38, 2)) * f.rate_to_base) from contracts c "
                                  "join fx f on f.currency = c.currency and f.period = ? where c.start_date <= ?",
                        [dt.date(2026, 11, 1), DEMO_AS_OF])
    outstanding, received = credits["credit_outstanding_rc"].sum(), credits["credit_received_rc"].sum()
    assert 0 < outstanding < annual_usd / 200  # under half a percent of a year's contract value
    assert received > 3 * outstanding


def test_ticket_contracts_have_targets_per_priority_on_schedules_with_holidays(demo_con):
    targets = demo_con.execute("select priority, schedule, count(distinct contract_id), count(*) from sla_targets "
                               "group by 1, 2 order by 1, 2").fetchall()
    ticket_contracts = scalar(demo_con, "select count(*) from contracts where sla_response_hours is not null")
    assert targets == [("P1", "24x7", ticket_contracts, 2 * ticket_contracts),
                       ("P2", "24x7", ticket_contracts, 2 * ticket_contracts),
                       *[(p, name, n, 2 * n) for p in ("P3", "P4") for name, n in demo_con.execute(
                           "select schedule, count(distinct contract_id) from sla_targets where priority = 'P3' "
                           "and schedule <> '24x7' group by 1 order by 1").fetchall()]]
    assert {name for _, name, _, _ in targets} == {"24x7", service.EU, service.US}
    holidays = demo_con.execute("select schedule, count(distinct year(date)) from sla_holidays group by 1 "
                                "order by 1").fetchall()
    assert holidays == [(service.EU, 4), (service.US, 4)]
    assert scalar(demo_con, "select count(*) from sla_holidays where schedule = ? and date = ?",
                  [service.US, dt.date(2026, 11, 26)]) == 1  # Thanksgiving


def test_some_tickets_were_on_hold_and_some_open_ones_are_already_late(demo_con, demo_sla):
    _, _, tickets = demo_sla
    on_hold = scalar(demo_con, "select count(distinct ticket_id) from incident_pauses")
    still_on_hold = scalar(demo_con, "select count(*) from incident_pauses where resumed_at is null")
    open_late = tickets[tickets["resolution_hours"].isna() & (tickets["resolution_status"] == "breached")]
    open_in_time = tickets[tickets["resolution_status"] == "pending"]
    assert on_hold >= 100
    assert still_on_hold >= 1
    assert 3 <= len(open_late) <= 40
    assert len(open_in_time) >= 3


# --- planted anomalies -------------------------------------------------------------------------------

def anomaly(result, kind):
    [found] = [a for a in result.anomalies if a.kind == kind]
    return found


def test_planted_anomalies_are_listed(demo_anomalies):
    assert sorted(a.kind for a in demo_anomalies) == ["duplicate_invoice", "price_above_contract",
                                                      "spend_after_contract_end", "vendor_without_contract"]


def test_duplicate_invoice_is_paid_twice(demo_con, demo_result):
    found = anomaly(demo_result, "duplicate_invoice")
    rows = demo_con.execute("select date, amount from spend where vendor = ? and invoice_id = ? order by date",
                            [found.vendor, found.invoice_ids[0]]).fetchall()
    assert rows == [(found.dates[0], found.amount), (found.dates[1], found.amount)]
    others = scalar(demo_con, "select count(*) from (select vendor, invoice_id, amount from spend "
                              "where invoice_id is not null group by all having count(*) > 1)")
    assert others == 1


def test_no_other_same_vendor_same_amount_within_14_days(demo_con, demo_result):
    found = anomaly(demo_result, "duplicate_invoice")
    pairs = demo_con.execute(
        "select a.vendor, a.amount from spend a join spend b on a.vendor = b.vendor and a.amount = b.amount "
        "and a.row_no < b.row_no and b.date between a.date and a.date + 14").fetchall()
    assert pairs == [(found.vendor, found.amount)]


def test_spend_after_contract_end(demo_con, demo_result):
    found = anomaly(demo_result, "spend_after_contract_end")
    rows = demo_con.execute("select s.invoice_id, s.amount from spend s join contracts c using (contract_id) "
                            "where s.date > c.end_date and not c.auto_renew and c.contract_id = ? order by s.date",
                            [found.contract_id]).fetchall()
    assert tuple(r[0] for r in rows) == found.invoice_ids
    assert sum(r[1] for r in rows) == found.amount


def test_price_above_contract(demo_con, demo_result):
    found = anomaly(demo_result, "price_above_contract")
    annual, billing = demo_con.execute("select annual_value, billing_frequency from contracts where contract_id = ?",
                                       [found.contract_id]).fetchone()
    billed = demo_con.execute("select invoice_id, amount from spend where contract_id = ? and amount > ? "
                              "order by date", [found.contract_id, annual / 12 + 1]).fetchall()
    assert billing == "monthly"
    assert tuple(r[0] for r in billed) == found.invoice_ids
    assert sum(r[1] - annual / 12 for r in billed).quantize(found.amount) == found.amount


def test_vendor_without_contract(demo_con, demo_result):
    found = anomaly(demo_result, "vendor_without_contract")
    in_contracts = scalar(demo_con, "select count(*) from contracts where vendor = ?", [found.vendor])
    total = scalar(demo_con, "select sum(amount) from spend where vendor = ?", [found.vendor])
    assert in_contracts == 0
    assert total == found.amount


# --- valid by construction: export and re-import ------------------------------------------------------

def test_every_dataset_round_trips_through_export_and_import(demo_con, con, tmp_path):
    for name in datasets.DATASETS:
        path = tmp_path / f"{name}.csv"
        exchange.write_export(demo_con, name, path)
        ingest.import_file(con, name, path)
    for name in datasets.DATASETS:
        assert exchange.export_frame(con, name).equals(exchange.export_frame(demo_con, name)), name
    totals = "select currency, sum(amount) from spend group by 1 order by 1"
    assert con.execute(totals).fetchall() == demo_con.execute(totals).fetchall()


# --- refusing to overwrite, the command ---------------------------------------------------------------

def test_refuses_to_overwrite_imported_data_unless_forced(con, tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text("date,vendor,amount,currency,cost_center,category\n2026-01-05,Acme,10.00,USD,IT,Software\n")
    ingest.import_file(con, "spend", path)
    with pytest.raises(demo.DemoRefused, match=r"1 imported batch\(es\).*spend\.csv.*--force"):
        demo.build(con, as_of=DEMO_AS_OF, scale=0.05)
    assert scalar(con, "select count(*) from spend") == 1
    demo.build(con, as_of=DEMO_AS_OF, scale=0.05, force=True)
    assert scalar(con, "select count(*) from spend where vendor = 'Acme'") == 0


def test_rebuilding_removes_rows_of_every_imported_table(con):
    demo.build(con, as_of=DEMO_AS_OF, scale=0.05)
    con.execute("create table other_imported_rows (batch_id integer, row_no bigint)")
    con.execute("insert into other_imported_rows values (999, 1)")
    con.execute("insert into budget_versions values ('v-old', 'original', 999, null, current_timestamp, null)")
    demo.build(con, as_of=DEMO_AS_OF, scale=0.05)
    assert scalar(con, "select count(*) from other_imported_rows") == 0
    assert scalar(con, "select count(*) from budget_versions") == 0


def test_fiscal_year_start_moves_the_calendar(con):
    demo.build(con, as_of=DEMO_AS_OF, scale=0.05, fy_start=4)
    first = scalar(con, "select min(date) from spend")
    budget = con.execute("select min(period), max(period) from budget").fetchone()
    assert first == dt.date(2024, 4, 1)  # FY2025 starts 2024-04-01; as-of 2026-11-15 is in FY2027
    assert budget == (dt.date(2024, 4, 1), dt.date(2028, 3, 1))
    assert settings.get(con, "fiscal_year_start_month") == 4


def test_command_builds_and_reports(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    code = cli.main(["demo", "--db", str(db), "--as-of", "2026-11-15", "--scale", "0.05"])
    out = capsys.readouterr().out
    assert code == 0
    assert "the previous data was replaced" in out
    assert "duplicate_invoice" in out


def test_command_refuses_imported_data_with_exit_1(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    csv = tmp_path / "fx.csv"
    csv.write_text("period,currency,rate_to_base\n2026-01,EUR,1.1\n")
    assert cli.main(["import", "fx", str(csv), "--db", str(db)]) == 0
    code = cli.main(["demo", "--db", str(db), "--as-of", "2026-11-15", "--scale", "0.05"])
    assert code == 1
    assert "--force" in capsys.readouterr().err


def test_force_rebuild_failing_half_way_leaves_the_previous_data(tmp_path, monkeypatch):
    db = tmp_path / "cli.duckdb"
    assert cli.main(["demo", "--db", str(db), "--as-of", "2026-11-15", "--scale", "0.05"]) == 0
    csv = tmp_path / "spend.csv"
    csv.write_text("date,vendor,amount,currency,cost_center,category\n2026-01-05,Acme,10.00,USD,IT,Software\n")
    assert cli.main(["import", "spend", str(csv), "--db", str(db)]) == 0
    with store.connect(db, read_only=True) as before:
        expected, batches = data_hash(before), before.execute("select * from import_batches").fetchall()
        company = settings.get(before, "company_name")

    def fail(*args, **kwargs):   # after the delete, the settings and the first datasets
        raise RuntimeError("disk full")
    monkeypatch.setattr(load, "load_spend", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        cli.main(["demo", "--db", str(db), "--as-of", "2025-06-30", "--seed", "3", "--scale", "0.05", "--force"])

    with store.connect(db, read_only=True) as after:
        assert data_hash(after) == expected
        assert after.execute("select * from import_batches").fetchall() == batches
        assert scalar(after, "select count(*) from spend where vendor = 'Acme'") == 1
        assert settings.get(after, "as_of_date") == dt.date(2026, 11, 15)
        assert settings.get(after, "company_name") == company


def test_a_step_opening_its_own_transaction_joins_the_outer_one(con):
    con.execute("create table t (x integer)")
    with pytest.raises(RuntimeError):
        with store.transaction(con):
            with store.transaction(con):
                con.execute("insert into t values (1)")
            raise RuntimeError("later step fails")
    assert scalar(con, "select count(*) from t") == 0
    with store.transaction(con):
        con.execute("insert into t values (2)")
    assert scalar(con, "select count(*) from t") == 1
