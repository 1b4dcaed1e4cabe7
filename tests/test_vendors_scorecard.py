"""Vendor scorecards: indicators, n/a handling, weights and the trend, on a small worked example."""
import datetime as dt

import pandas as pd
import pytest

from analytics import vendors
from tests.contracts_fixtures import D, database

Q3 = D(2026, 9, 30)
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


# the sparse history reads as unusual spend to the cost audit: switched off, so no finding is open
QUIET_AUDIT = {"audit_unusual_min_amount": "1000000000"}


@pytest.fixture
def con():
    return database(CONTRACTS, spend=SPEND, sla=SLA, incidents=INCIDENTS, settings=QUIET_AUDIT)


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
        ("acme", "audit_findings"): (0.0, 100.0),         # spend and no open cost-audit finding
        ("globex", "audit_findings"): (0.0, 100.0),
        ("hooli", "audit_findings"): (0.0, 100.0),        # Hooli: no contract, no spend the year before
    }


def test_score_is_the_weighted_mean_over_indicators_present(con):
    table = vendors.scorecard(con, quarter_end=Q3).set_index("vendor")
    # Acme has all six indicators (weights add to 100); Globex three: 15 + 15 + 10 renormalised
    assert table.loc["Acme Ltd", "score"] == round((25 * 200 / 3 + 20 * 260 / 3 + 15 * 90 + 15 * 80 + 10 * 100
                                                    + 15 * 60) / 100, 1) == 78.5
    assert table.loc["Globex Inc", "score"] == 100.0
    assert table.loc["Globex Inc", "indicators_used"] == 3
    assert pd.isna(table.loc["Globex Inc", "sla_attainment_score"])


def test_rank_and_trend_against_previous_quarter(con):
    table = vendors.scorecard(con, quarter_end=Q3)
    assert table[["rank", "vendor", "score", "previous_score", "trend"]].values.tolist() == [
        [1, "Globex Inc", 100.0, 100.0, 0.0], [2, "Acme Ltd", 78.5, 100.0, -21.5]]


def test_vendors_without_contract_only_on_request(con):
    assert "Hooli" not in vendors.scorecard(con, quarter_end=Q3)["vendor"].tolist()
    wide = vendors.scorecard(con, quarter_end=Q3, include_uncontracted=True).set_index("vendor")
    # spend this year only: no trend, no contract; only the audit indicator (no finding) has data
    assert wide.loc["Hooli", ["score", "indicators_used"]].tolist() == [100.0, 1]


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
    from analytics import cli
    path = tmp_path / "v.duckdb"
    database(CONTRACTS, spend=SPEND, sla=SLA, incidents=INCIDENTS, settings=QUIET_AUDIT, path=path).close()
    assert cli.main(["scorecard", "--json", "--quarter-end", "2026-09-30", "--db", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(r["vendor"], r["score"], r["rank"]) for r in result] == [("Globex Inc", 100.0, 1), ("Acme Ltd", 78.5, 2)]
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




def test_sla_attainment_prefers_the_ticket_clocks(tmp_path):
    # V-1 gets 4 h response and 24 h resolution targets: INC5 met both, INC6 breached its response (5 h);
    # INC1-3, still open with no response long past their targets, breached both clocks: 3 met of 10
    contracts = [CONTRACTS[0][:11] + ("Ann", None, 4, 24, None, None), CONTRACTS[1]]
    incidents = INCIDENTS + [
        ("INC5", "V-1", "P3", dt.datetime(2026, 8, 4, 9), dt.datetime(2026, 8, 4, 10), dt.datetime(2026, 8, 4, 12)),
        ("INC6", "V-1", "P3", dt.datetime(2026, 8, 5, 9), dt.datetime(2026, 8, 5, 14), dt.datetime(2026, 8, 5, 15))]
    con = database(contracts, spend=SPEND, sla=SLA, incidents=incidents, settings=QUIET_AUDIT)
    result = vendors.components(con, quarter_end=Q3).set_index(["vendor_key", "indicator"])
    row = result.loc[("acme", "sla_attainment")]
    assert (row["value"], row["basis"]) == (30.0, "3 of 10 ticket SLA clocks met (response and resolution)")


def test_audit_indicator_counts_open_findings_money_once(tmp_path):
    # without QUIET_AUDIT the sparse history reads as unusual spend: Acme's August (66,000, its vendor finding
    # comes before the cost center's on the same line) is an open finding in the 12 months
    con = database(CONTRACTS, spend=SPEND, sla=SLA, incidents=INCIDENTS)
    result = vendors.components(con, quarter_end=Q3).set_index(["vendor_key", "indicator"])
    assert result.loc[("acme", "audit_findings"), ["value", "score"]].tolist() == [50.0, 0.0]  # 66,000 of 132,000


def test_stored_indicators_are_read_and_reads_write_nothing(tmp_path):
    from analytics import store
    con = database(CONTRACTS, spend=SPEND, sla=SLA, incidents=INCIDENTS, settings=QUIET_AUDIT)
    in_memory = vendors.scorecard(con, quarter_end=Q3)
    assert con.execute("select count(*) from vendor_indicator_results").fetchone()[0] == 0
    version = store.data_version(con)
    vendors.refresh(con)
    assert store.data_version(con) == version
    stored = con.execute("select distinct quarter_end from vendor_indicator_results").fetchall()
    assert len(stored) == 9 and (Q3,) in stored
    pd.testing.assert_frame_equal(vendors.scorecard(con, quarter_end=Q3), in_memory)
    # stored values are what the page reads: a changed stored value shows (no recompute)
    con.execute("update vendor_indicator_results set score = 0 where vendor_key = 'globex' and quarter_end = ?", [Q3])
    assert vendors.scorecard(con, quarter_end=Q3).set_index("vendor").loc["Globex Inc", "score"] == round(
        10 * 100 / 40, 1)  # only audit_findings (weight 10 of 40) still scores 100


def test_scores_resting_on_fewer_indicators_than_the_best_covered_are_marked():
    table = pd.DataFrame({"vendor": ["A", "B", "C", "D"], "indicators_used": [6, 4, 6, None]})
    assert vendors.rests_on_few(table).tolist() == [False, True, False, False]
