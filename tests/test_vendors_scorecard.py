"""Vendor scorecards: indicators, n/a handling, weights and the trend, on a small worked example."""
import datetime as dt

import pandas as pd
import pytest

from analytics import vendors
from tests.contracts_fixtures import D, database, without_other_domains

Q3 = D(2026, 9, 30)
REAL_OPTIONAL = vendors._optional
CONTRACTS = [
    ("V-1", "Acme Ltd", "Service desk", D(2025, 1, 1), D(2025, 12, 31), 120000, "USD", True, 12, 90, "monthly"),
    ("V-2", "Globex Inc", "Network", D(2024, 1, 1), D(2027, 12, 31), 60000, "USD", False, None, 60, "quarterly"),
]
SPEND = [
    (D(2025, 3, 15), "ACME LIMITED", 110000, "USD"),
    (D(2026, 2, 15), "ACME LIMITED", 66000, "USD"),
    (D(2026, 8, 15), "Acme Ltd.", 66000, "USD"),
    (D(2026, 5, 15), "Globex, Inc.", 60000, "USD"),
    (D(2026, 5, 20), "Hooli", 5000, "USD"),
]
SLA = [
    (D(2026, 7, 1), "V-1", "availability", 99.9, 99.9), (D(2026, 8, 1), "V-1", "availability", 99.9, 99.5),
    (D(2026, 9, 1), "V-1", "availability", 99.9, 99.9),
    (D(2026, 7, 1), "V-1", "response", 4, 3), (D(2026, 8, 1), "V-1", "response", 4, 5),
    (D(2026, 9, 1), "V-1", "response", 4, 4),
]
INCIDENTS = [
    ("INC1", "V-1", "1 - Critical", dt.datetime(2026, 7, 3, 9), None, None),
    ("INC2", "V-1", "P3", dt.datetime(2026, 8, 3, 9), None, None),
    ("INC3", "V-1", "P3", dt.datetime(2026, 9, 30, 23), None, None),
    ("INC4", "V-1", "P1", dt.datetime(2026, 10, 1, 0), None, None),  # next quarter
]


@pytest.fixture
def con(monkeypatch):
    without_other_domains(monkeypatch)
    return database(CONTRACTS, spend=SPEND, sla=SLA, incidents=INCIDENTS)


def test_components_known_values(con):
    result = vendors.components(con, quarter_end=Q3)
    got = {(r.vendor_key, r.indicator): (round(r.value, 4), round(r.score, 4)) for r in result.itertuples()}
    assert got == {
        ("acme", "sla_attainment"): (66.6667, 66.6667),   # 4 of 6 results met (4:00 meets a 4-hour target)
        ("acme", "availability"): (0.1333, 86.6667),      # 0.4 points short in one month of three
        ("acme", "incidents"): (4.0, 90.0),               # (8 + 2 + 2) points / (1 contract x 3 months)
        ("acme", "spend_vs_contract"): (110.0, 80.0),     # 132,000 against 120,000 committed
        ("acme", "spend_trend"): (20.0, 60.0),            # 132,000 against 110,000
        ("globex", "incidents"): (0.0, 100.0),
        ("globex", "spend_vs_contract"): (100.0, 100.0),  # 4 quarterly payments of 15,000
    }  # Hooli: no contract and no spend the year before, so no indicator at all


def test_score_is_the_weighted_mean_over_indicators_present(con):
    table = vendors.scorecard(con, quarter_end=Q3).set_index("vendor")
    # audit findings are n/a (no audit data): Acme's weights 25+20+15+15+15 = 90 are renormalised
    assert table.loc["Acme Ltd", "score"] == round((25 * 200 / 3 + 20 * 260 / 3 + 15 * 90 + 15 * 80 + 15 * 60) / 90, 1)
    assert table.loc["Globex Inc", "score"] == 100.0
    assert table.loc["Globex Inc", "indicators_used"] == 2
    assert pd.isna(table.loc["Globex Inc", "sla_attainment_score"])


def test_rank_and_trend_against_previous_quarter(con):
    table = vendors.scorecard(con, quarter_end=Q3)
    assert table[["rank", "vendor", "score", "previous_score", "trend"]].values.tolist() == [
        [1, "Globex Inc", 100.0, 100.0, 0.0], [2, "Acme Ltd", 76.1, 100.0, -23.9]]


def test_vendors_without_contract_only_on_request(con):
    assert "Hooli" not in vendors.scorecard(con, quarter_end=Q3)["vendor"].tolist()
    wide = vendors.scorecard(con, quarter_end=Q3, include_uncontracted=True).set_index("vendor")
    assert pd.isna(wide.loc["Hooli", "score"])  # spend this year only: no indicator has data
    assert pd.isna(wide.loc["Hooli", "rank"])


def test_changing_weights_reorders_without_queries(con):
    current = vendors.components(con, quarter_end=Q3)
    previous = vendors.components(con, quarter_end=D(2026, 6, 30))
    scope = vendors.scope(con, quarter_end=Q3)
    only_sla = {name: 0.0 for name in vendors.INDICATOR_NAMES} | {"sla_attainment": 100.0}
    table = vendors.score_table(current, previous, only_sla, scope).set_index("vendor")
    assert table.loc["Acme Ltd", "score"] == 66.7
    assert pd.isna(table.loc["Globex Inc", "score"])  # no SLA data, every other weight is zero


def test_no_incident_data_in_the_quarter_is_na_not_perfect(con):
    result = vendors.components(con, quarter_end=D(2026, 6, 30))
    assert "incidents" not in result["indicator"].tolist()


def test_weights_saved_renormalised(con):
    stored = vendors.save_weights(con, {name: 10.0 for name in vendors.INDICATOR_NAMES})
    assert stored == vendors.get_weights(con)
    assert sum(stored.values()) == pytest.approx(100.0)
    assert sorted(stored.values()) == [16.6, 16.6, 16.7, 16.7, 16.7, 16.7]


def test_save_weights_rejects_unknown_indicator(con):
    with pytest.raises(KeyError, match="unknown indicator"):
        vendors.save_weights(con, {"karma": 10})


def test_quarters_follow_the_fiscal_year():
    con = database(settings={"fiscal_year_start_month": "4"})
    assert vendors.quarters(con, count=2) == [(D(2026, 9, 30), "FY2027 Q2"), (D(2026, 6, 30), "FY2027 Q1")]


def test_vendor_detail_spend_history_joins_name_variants(con):
    history = vendors.spend_history(con, vendor_key="acme")
    assert history["period"].dt.date.tolist() == [D(2025, 3, 1), D(2026, 2, 1), D(2026, 8, 1)]
    assert history["amount_rc"].astype(float).tolist() == [110000.0, 66000.0, 66000.0]


def test_scorecard_cli_json(tmp_path, capsys, monkeypatch):
    import json
    without_other_domains(monkeypatch)
    from analytics import cli
    path = tmp_path / "v.duckdb"
    database(CONTRACTS, spend=SPEND, sla=SLA, incidents=INCIDENTS, path=path).close()
    assert cli.main(["scorecard", "--json", "--quarter-end", "2026-09-30", "--db", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(r["vendor"], r["score"], r["rank"]) for r in result] == [("Globex Inc", 100.0, 1), ("Acme Ltd", 76.1, 2)]
    assert result[1]["components"]["incidents"] == {"value": 4.0, "score": 90.0, "weight": 15.0, "better": "lower",
                                                    "unit": "severity points per contract-month"}
    assert result[0]["components"]["sla_attainment"]["score"] is None


def test_scorecard_cli_rejects_a_date_that_ends_no_quarter(tmp_path):
    from analytics import cli
    path = tmp_path / "v.duckdb"
    database(CONTRACTS, path=path).close()
    assert cli.main(["scorecard", "--quarter-end", "2026-09-29", "--db", str(path)]) == 1


def test_contributions_add_up_to_the_score(con):
    table = vendors.scorecard(con, quarter_end=Q3)
    parts = vendors.contributions(table, vendors.DEFAULT_WEIGHTS)
    totals = parts.groupby("vendor")["points"].sum().round(1).to_dict()
    assert totals == table.set_index("vendor")["score"].to_dict()


def _fake_module(monkeypatch, name, **functions):
    import importlib.machinery
    import sys
    import types
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    monkeypatch.setattr(vendors, "_optional", REAL_OPTIONAL)
    for attr, func in functions.items():
        setattr(module, attr, func)
    monkeypatch.setitem(sys.modules, name, module)


def test_sla_attainment_uses_the_sla_modules_ticket_clocks(con, monkeypatch):
    months = pd.DataFrame({"contract_id": ["V-1"], "vendor": ["Acme Ltd"], "period": [D(2026, 7, 1)],
                           "response_met": [3], "response_breached": [1], "resolution_met": [4],
                           "resolution_breached": [0]})
    _fake_module(monkeypatch, "analytics.sla", contract_month_attainment=lambda con, start, end: months)
    result = vendors.components(con, quarter_end=Q3).set_index(["vendor_key", "indicator"])
    assert result.loc[("acme", "sla_attainment"), "value"] == 87.5  # 7 of 8 clocks met
    assert result.loc[("acme", "sla_attainment"), "basis"] == "7 of 8 ticket SLA clocks met (response and resolution)"


def test_audit_findings_share_of_spend(con, monkeypatch):
    found = pd.DataFrame({
        "vendor": ["ACME Ltd", "Acme Ltd", "Acme Ltd", None],
        "amount_at_stake": [6600.0, 5000.0, 9000.0, 100.0],
        "status": ["open", "resolved", "open", "open"],
        "finding_date": [D(2026, 3, 1), D(2026, 3, 1), D(2024, 1, 1), D(2026, 3, 1)],
    })
    _fake_module(monkeypatch, "analytics.audit", findings=lambda con, include_dismissed: found)
    result = vendors.components(con, quarter_end=Q3).set_index(["vendor_key", "indicator"])
    # only the open finding dated in the 12 months counts: 6,600 of 132,000 spent = 5% -> 75
    assert (result.loc[("acme", "audit_findings"), "value"], result.loc[("acme", "audit_findings"), "score"]) == (5.0, 75.0)
    assert result.loc[("globex", "audit_findings"), "score"] == 100.0  # spend and no finding


def test_sla_months_filtered_to_the_vendor(con, monkeypatch):
    months = pd.DataFrame({"contract_id": ["V-1", "V-2"], "vendor": ["ACME LTD", "Globex Inc"]})
    _fake_module(monkeypatch, "analytics.sla", contract_month_attainment=lambda con: months)
    assert vendors.sla_months(con, vendor_key="acme")["contract_id"].tolist() == ["V-1"]


def test_detail_without_sla_or_audit_modules_is_none(con):
    assert vendors.vendor_findings(con, vendor_key="acme") is None
    assert vendors.vendor_credits(con, vendor_key="acme") is None


def test_audit_findings_run_once_per_data_version(tmp_path, monkeypatch):
    from analytics import settings
    calls = []
    found = pd.DataFrame({"vendor": ["Acme Ltd"], "amount_at_stake": [6600.0], "status": ["open"],
                          "finding_date": [D(2026, 3, 1)]})
    _fake_module(monkeypatch, "analytics.audit", findings=lambda con, include_dismissed: calls.append(1) or found)
    con = database(CONTRACTS, spend=SPEND, path=tmp_path / "memo.duckdb")
    vendors.scorecard(con, quarter_end=Q3)  # two quarters
    assert len(calls) == 1
    settings.set_value(con, "company_name", "Renamed")  # any write bumps the data version
    vendors.components(con, quarter_end=Q3)
    assert len(calls) == 2
