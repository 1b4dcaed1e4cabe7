"""FinOps FOCUS import (CSV, CSV.gz, Parquet) and the Cloud view's numbers."""
from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from analytics import cloud, settings, store
from analytics.ingest import load

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ProviderName,InvoiceIssuerName,ServiceName,"
          "ServiceCategory,RegionId,SubAccountId,SubAccountName,ListCost,EffectiveCost,CommitmentDiscountId,Tags,"
          "ChargeCategory")
ROWS = [
    '1.10,USD,2024-09-01 00:00:00,2024-09-01 01:00:00,AWS,"Amazon Web Services, Inc.",EC2,Compute,us-east-1,111,Prod,'
    '1.50,1.00,cd-1,"{""team"": ""Platform""}",Usage',
    '0.90,USD,2024-09-30T23:00:00Z,2024-10-01T00:00:00Z,AWS,"Amazon Web Services, Inc.",S3,Storage,us-east-1,222,Dev,'
    '0.90,0.90,NULL,NULL,Usage',
    '2.00,USD,2024-10-02 00:00:00,2024-10-03 00:00:00,Microsoft,Microsoft,VMs,Compute,westeurope,333,Sandbox,'
    '2.50,2.00,NULL,"{""team"": ""Data""}",Usage',
    '-0.50,USD,2024-10-05 00:00:00,2024-10-06 00:00:00,Microsoft,Microsoft,VMs,Compute,westeurope,333,Sandbox,'
    '-0.50,-0.50,NULL,NULL,Credit',
]


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    yield connection
    connection.close()


def focus_csv(tmp_path, rows=ROWS, name="focus.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def test_focus_rows_and_monthly_spend_lines(con, tmp_path):
    result = cloud.import_focus(con, focus_csv(tmp_path), cost_center_tag="team")
    assert (result.detail_rows, result.rows) == (4, 4)
    lines = con.execute("select strftime(date, '%Y-%m-%d'), vendor, amount::varchar, currency, cost_center, category "
                        "from spend order by date, vendor, amount").fetchall()
    assert lines == [("2024-09-01", "Amazon Web Services, Inc.", "0.9000", "USD", "Dev", "Cloud Services"),
                     ("2024-09-01", "Amazon Web Services, Inc.", "1.1000", "USD", "Platform", "Cloud Services"),
                     ("2024-10-01", "Microsoft", "-0.5000", "USD", "Sandbox", "Cloud Services"),
                     ("2024-10-01", "Microsoft", "2.0000", "USD", "Data", "Cloud Services")]


def test_category_from_service_category_and_sub_account_mapping(con, tmp_path):
    cloud.save_cost_center_map(con, {"111": "Infrastructure"})
    cloud.import_focus(con, focus_csv(tmp_path), category_from_service=True)
    rows = con.execute("select cost_center, category, amount::varchar from spend order by amount").fetchall()
    assert rows == [("Dev", "Storage", "0.9000"), ("Infrastructure", "Compute", "1.1000"),
                    ("Sandbox", "Compute", "1.5000")]


@pytest.mark.parametrize("kind", ["csv.gz", "parquet"])
def test_gzip_and_parquet(con, tmp_path, kind):
    source = focus_csv(tmp_path)
    if kind == "csv.gz":
        target = tmp_path / "focus.csv.gz"
        target.write_bytes(gzip.compress(source.read_bytes()))
    else:
        target = tmp_path / "focus.parquet"
        duckdb.execute("copy (select * from read_csv(?, nullstr = 'NULL')) to '" + str(target) + "' (format parquet)",
                       [str(source)])
    result = cloud.import_focus(con, target)
    assert (result.detail_rows, con.execute("select sum(amount)::varchar from spend").fetchall()) == (4, [("3.5000",)])


def test_view_totals_and_savings(con, tmp_path):
    cloud.import_focus(con, focus_csv(tmp_path))
    totals = cloud.summary(con)
    assert (totals["billed_cost"], totals["list_cost"], totals["effective_cost"]) == (
        Decimal("3.5"), Decimal("4.4"), Decimal("3.4"))
    assert (totals["savings"], totals["commitment_savings"]) == (Decimal("1.0"), Decimal("0.5"))
    by = cloud.cost_by(con, dimension="provider")
    assert by[["provider", "billed_cost", "savings"]].values.tolist() == [["AWS", 2.0, 0.5], ["Microsoft", 1.5, 0.5]]
    assert cloud.cost_by(con, dimension="region", start="2024-10", end="2024-10")["region"].tolist() == ["westeurope"]


def test_other_currencies_convert_with_the_monthly_rate_and_missing_rates_are_reported(con, tmp_path):
    rows = [r.replace(",USD,", ",EUR,") for r in ROWS]
    settings.set_value(con, "base_currency", "USD")
    con.execute("insert into fx values (0, 1, date '2024-09-01', 'EUR', 1.10)")
    cloud.import_focus(con, focus_csv(tmp_path, rows))
    totals = cloud.summary(con)
    assert (totals["billed_cost"], totals["rows_fx_missing"]) == (Decimal("2.2"), 2)


def test_undo_removes_detail_rows_and_spend_lines(con, tmp_path):
    result = cloud.import_focus(con, focus_csv(tmp_path))
    load.undo(con, result.batch_id)
    assert con.execute("select (select count(*) from spend), (select count(*) from cloud_costs)").fetchall() == [(0, 0)]


def test_the_same_focus_file_twice_is_refused(con, tmp_path):
    path = focus_csv(tmp_path)
    cloud.import_focus(con, path)
    with pytest.raises(cloud.FocusError, match="already imported as batch 1"):
        cloud.import_focus(con, path)


def test_bad_rows_are_listed_and_nothing_is_imported(con, tmp_path):
    rows = ROWS[:1] + [ROWS[1].replace("0.90,USD", "abc,USD", 1), ROWS[2].replace(",USD,", ",XXX,")]
    with pytest.raises(cloud.FocusError) as refused:
        cloud.import_focus(con, focus_csv(tmp_path, rows))
    assert [(e.row, e.column, e.reason) for e in refused.value.errors] == [
        (3, "BilledCost", "BilledCost is not a number"), (4, "BillingCurrency", "unknown BillingCurrency")]
    assert con.execute("select count(*) from cloud_costs").fetchall() == [(0,)]


def test_a_file_without_focus_columns_is_refused(con, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(cloud.FocusError, match="not a FOCUS file: missing BilledCost, BillingCurrency"):
        cloud.import_focus(con, path)


def cloud_page(tmp_path, monkeypatch):
    """The Cloud page over a database holding the FOCUS sample."""
    db = tmp_path / "app.duckdb"
    con = store.connect(db)
    cloud.import_focus(con, focus_csv(tmp_path))
    con.close()
    monkeypatch.setenv("OUTLAY_DB", str(db))
    return open_page("views/cloud.py")


def open_page(page: str):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page(page)
    at.run()
    return at


def test_cloud_page_shows_the_totals_and_changes_with_the_dimension(tmp_path, monkeypatch):
    at = cloud_page(tmp_path, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric[0].value == "3.50 USD"
    at.selectbox(key="cloud_dimension").set_value("service").run()
    assert not at.exception
    assert at.dataframe[0].value["service"].tolist() == ["VMs", "EC2", "S3"]
    at.selectbox(key="cloud_start").set_value("2024-10").run()
    assert at.metric[0].value == "1.50 USD"


def test_cloud_page_charts_the_billed_cost_by_dimension_and_by_month_and_provider(tmp_path, monkeypatch):
    at = cloud_page(tmp_path, monkeypatch)
    at.selectbox(key="cloud_dimension").set_value("service").run()
    assert not at.exception, [e.value for e in at.exception]
    charts = {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("echarts_chart")}
    top = charts["cloud_chart"]
    assert top["title"]["text"] == "Billed cost by service (top 3)"
    # VMs 2.00 - 0.50 credit, EC2 1.10, S3 0.90: the largest at the top, small amounts to the cent
    assert [row[0] for row in top["dataset"]["source"]] == ["VMs", "EC2", "S3"]
    assert [row[2] for row in top["dataset"]["source"]] == ["1.50 USD", "1.10 USD", "0.90 USD"]
    at.session_state["cloud_tab"] = "Month by month"  # tabs run lazily: opened as a click would
    at.run()
    assert [c.proto.id.rsplit("-", 1)[-1] for c in at.get("echarts_chart")] == ["cloud_trend"]  # only the open tab
    charts = {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("echarts_chart")}
    trend = charts["cloud_trend"]
    assert [s["name"] for s in trend["series"]] == ["AWS", "Microsoft"]
    assert {s["stack"] for s in trend["series"]} == {"provider"}
    # the S3 hour that starts 2024-09-30 23:00 belongs to September
    assert trend["dataset"]["source"] == [["Sep 2024", 2.0, None, "2.00 USD", "–"],
                                          ["Oct 2024", None, 1.5, "–", "1.50 USD"]]


def test_cloud_page_empty_state(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTLAY_DB", str(tmp_path / "empty.duckdb"))
    at = open_page("views/cloud.py")
    assert not at.exception
    assert "No cloud billing yet" in at.info[0].value


# --- the demo's cloud billing ------------------------------------------------------------------

def test_demo_has_focus_billing_for_two_providers_matching_its_cloud_spend_lines(demo_con):
    billed = demo_con.execute(
        "select invoice_issuer_name, strftime(charge_period_start, '%Y-%m'), billing_currency, sum(billed_cost) "
        "from cloud_costs group by all order by all").fetchall()
    lines = demo_con.execute(
        "select vendor, strftime(date, '%Y-%m'), currency, sum(amount) from spend "
        "where category = 'Cloud Services' and vendor in ('Amazon Web Services EMEA SARL', "
        "'Microsoft Ireland Operations Ltd') group by all order by all").fetchall()
    assert [(*r[:3], Decimal(r[3]).quantize(Decimal("0.01"))) for r in billed] == \
           [(*r[:3], Decimal(r[3]).quantize(Decimal("0.01"))) for r in lines]
    assert sorted(cloud.cost_by(demo_con, dimension="provider")["provider"]) == ["AWS", "Microsoft"]


def test_demo_cloud_billing_has_usage_purchases_credits_and_commitment_savings(demo_con):
    categories = {r[0] for r in demo_con.execute("select distinct charge_category from cloud_costs").fetchall()}
    assert categories == {"Usage", "Purchase", "Credit"}
    totals = cloud.summary(demo_con)
    assert totals["commitment_savings"] > 0 and totals["rows_fx_missing"] == 0
    assert len(cloud.cost_by(demo_con, dimension="region")) == 7  # three per provider, and global charges
    # the demo's rows belong to its spend batch: undo of that batch (or a new demo) removes both
    batches = demo_con.execute("select distinct b.file_name from cloud_costs c join import_batches b "
                               "using (batch_id)").fetchall()
    assert batches == [("demo:spend",)]
