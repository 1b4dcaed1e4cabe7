"""The contract register, renewals, alerts, timeline and committed spend on a small database."""

import pandas as pd
import pytest

from analytics import contracts
from tests.contracts_fixtures import D, database

ON = D(2026, 11, 15)
CONTRACTS = [
    # tacit: 36-month initial, yearly renewals, 90 days' notice -> cancel-by 2026-10-02 missed, next 2027-10-02
    ("C-1", "Acme Ltd", "Service desk", D(2022, 1, 1), D(2024, 12, 31), 120000, "USD", True, 12, 90, "monthly", "Ann"),
    # tacit: cancel-by 2026-12-01 (31 Dec 2026 - 30 days) -> 16 days left
    ("C-2", "Globex Inc", "Network", D(2024, 1, 1), D(2024, 12, 31), 24000, "EUR", True, 12, 30, "annual", "Bob"),
    # express: ends 2027-01-31 -> 77 days left
    ("C-3", "Initech GmbH", "Laptops", D(2024, 2, 1), D(2027, 1, 31), 36000, "USD", False, 12, 60, "quarterly", "Ann"),
    # fixed, expired
    ("C-4", "Umbrella LLC", "Printing", D(2023, 1, 1), D(2023, 12, 31), 5000, "USD", False, None, None, None, None),
]


@pytest.fixture
def con():
    return database(CONTRACTS, fx=[(D(2026, 11, 1), "EUR", 1.1), (D(2026, 12, 1), "EUR", 1.2)])


def test_register_deadlines(con):
    reg = contracts.register(con, on=ON).set_index("contract_id")
    result = reg[["renewal_type", "status", "cancel_by_date", "missed_cancel_by_date", "deadline_date",
                  "days_left"]].astype(object).where(lambda f: f.notna(), None).to_dict("index")
    assert result == {
        "C-1": {"renewal_type": "tacit", "status": "active", "cancel_by_date": D(2027, 10, 2),
                "missed_cancel_by_date": D(2026, 10, 2), "deadline_date": D(2027, 10, 2), "days_left": 321},
        "C-2": {"renewal_type": "tacit", "status": "active", "cancel_by_date": D(2026, 12, 1),
                "missed_cancel_by_date": None, "deadline_date": D(2026, 12, 1), "days_left": 16},
        "C-3": {"renewal_type": "express", "status": "active", "cancel_by_date": None,
                "missed_cancel_by_date": None, "deadline_date": D(2027, 1, 31), "days_left": 77},
        "C-4": {"renewal_type": "fixed", "status": "expired", "cancel_by_date": None,
                "missed_cancel_by_date": None, "deadline_date": None, "days_left": None},
    }


def test_register_next_term_value_for_renewing_contracts_only(con):
    reg = contracts.register(con, on=ON).set_index("contract_id")
    assert reg["next_term_value"].fillna(-1).to_dict() == {"C-1": 120000.0, "C-2": 24000.0, "C-3": 36000.0, "C-4": -1}


def test_filter_register_by_owner_and_type(con):
    reg = contracts.register(con, on=ON)
    result = contracts.filter_register(reg, owners=["Ann"], renewal_types=["tacit"])
    assert result["contract_id"].tolist() == ["C-1"]


def test_renewals_tacit_only_by_default(con):
    assert contracts.renewals(con, within_days=90, on=ON)["contract_id"].tolist() == ["C-2"]


def test_renewals_include_ending(con):
    result = contracts.renewals(con, within_days=90, on=ON, include_ending=True)
    assert result["contract_id"].tolist() == ["C-2", "C-3"]


def test_alert_levels(con):
    result = contracts.alerts(con, on=ON)[["contract_id", "kind", "deadline_date", "level_days"]]
    # C-1 missed its cancel-by date (2026-10-02): it renews on 1 Jan 2027, 46 days away
    expected = pd.DataFrame({"contract_id": ["C-2", "C-1", "C-3"], "kind": ["cancel_by", "end", "end"],
                             "deadline_date": [D(2026, 12, 1), D(2026, 12, 31), D(2027, 1, 31)],
                             "level_days": [30, 60, 90]})
    pd.testing.assert_frame_equal(result, expected)


def test_alert_on_the_end_date_after_a_missed_cancel_by():
    con = database([CONTRACTS[0]])
    result = contracts.alerts(con, on=D(2026, 12, 31))
    assert result[["kind", "deadline_date", "days_left", "level"]].values.tolist() == [
        ["end", D(2026, 12, 31), 0, "today"]]


def test_acknowledged_alert_does_not_silence_the_next_level(con):
    contracts.acknowledge_alert(con, contract_id="C-3", kind="end", deadline_date=D(2027, 1, 31), level_days=90)
    assert contracts.alerts(con, on=ON).set_index("contract_id")["is_acknowledged"].to_dict() == {
        "C-1": False, "C-2": False, "C-3": True}
    later = contracts.alerts(con, on=D(2027, 1, 10)).set_index("contract_id")
    assert (later.loc["C-3", "level_days"], later.loc["C-3", "is_acknowledged"]) == (30, False)


def test_acknowledged_alert_resets_with_the_next_term(con):
    contracts.acknowledge_alert(con, contract_id="C-2", kind="cancel_by", deadline_date=D(2026, 12, 1), level_days=30)
    next_year = contracts.alerts(con, on=D(2027, 11, 15)).set_index("contract_id")
    assert (next_year.loc["C-2", "deadline_date"], next_year.loc["C-2", "is_acknowledged"]) == (D(2027, 12, 1), False)


def test_timeline_includes_projected_renewal_terms(con):
    result = contracts.timeline(con, start=D(2026, 1, 1), end=D(2027, 12, 31), on=ON)
    c1 = result[result["contract_id"] == "C-1"]
    assert c1[["term_index", "end_date", "cancel_by_date", "is_current", "is_projected"]].values.tolist() == [
        [2, D(2026, 12, 31), D(2026, 10, 2), True, False], [3, D(2027, 12, 31), D(2027, 10, 2), False, True]]


def test_committed_by_month_converts_and_carries_rates_forward(con):
    result = contracts.committed_by_month(con, start=D(2026, 11, 1), end=D(2027, 1, 31))
    result = result.set_index(["period", "vendor"])
    # C-2 bills 24000 EUR annually on 1 Jan 2027: no January rate, so December's 1.2 is used
    assert float(result.loc[(pd.Timestamp("2027-01-01"), "Globex Inc"), "amount_rc"]) == 28800.0
    assert bool(result.loc[(pd.Timestamp("2027-01-01"), "Globex Inc"), "is_fx_carried_forward"]) is True
    assert float(result.loc[(pd.Timestamp("2026-12-01"), "Acme Ltd"), "amount_rc"]) == 10000.0
    assert float(result.loc[(pd.Timestamp("2026-11-01"), "Initech GmbH"), "amount_rc"]) == 9000.0
    assert (pd.Timestamp("2027-01-01"), "Initech GmbH") not in result.index  # billed quarterly from February


def test_committed_by_month_reports_missing_fx():
    con = database([CONTRACTS[1]])
    result = contracts.committed_by_month(con, start=D(2027, 1, 1), end=D(2027, 1, 31))
    assert (pd.isna(result.loc[0, "amount_rc"]), bool(result.loc[0, "is_fx_missing"])) == (True, True)


def test_renewals_cli_json(tmp_path, capsys):
    import json

    from analytics import cli
    path = tmp_path / "c.duckdb"
    database(CONTRACTS, path=path).close()
    assert cli.main(["renewals", "--within", "60", "--json", "--db", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == [{
        "contract_id": "C-2", "vendor": "Globex Inc", "term_end_date": "2026-12-31", "cancel_by_date": "2026-12-01",
        "auto_renew": True, "days_left": 16, "next_term_value": 24000.0, "currency": "EUR"}]


def test_renewals_cli_rejects_negative_window(tmp_path):
    from analytics import cli
    path = tmp_path / "c.duckdb"
    database(CONTRACTS, path=path).close()
    assert cli.main(["renewals", "--within", "-1", "--db", str(path)]) == 1


def test_committed_by_month_marks_projected_renewal_terms(con):
    result = contracts.committed_by_month(con, start=D(2026, 12, 1), end=D(2027, 1, 31), on=ON)
    projected = result.set_index(["period", "vendor"])["is_projected"]
    assert bool(projected[(pd.Timestamp("2026-12-01"), "Acme Ltd")]) is False  # the renewal term running now
    assert bool(projected[(pd.Timestamp("2027-01-01"), "Acme Ltd")]) is True   # the term it will renew into


def test_committed_by_month_without_payments_is_empty():
    con = database([CONTRACTS[3]])
    result = contracts.committed_by_month(con, start=D(2026, 1, 1), end=D(2026, 12, 31))
    assert result.empty


def test_committed_by_month_for_chosen_contracts(con):
    result = contracts.committed_by_month(con, start=D(2026, 11, 1), end=D(2026, 11, 30), contract_ids=("C-3",))
    assert result["vendor"].tolist() == ["Initech GmbH"]



def test_committed_totals_sum_the_vendors_of_each_month_and_kind_of_term():
    committed = pd.DataFrame({
        "period": pd.to_datetime(["2026-12-01"] * 4 + ["2027-01-01"] * 2),
        "vendor": ["Acme Ltd", "Globex Inc", "Initech GmbH", "Umbrella", "Acme Ltd", "Globex Inc"],
        "is_projected": [False, False, False, True, True, False],
        "amount_rc": [100.0, 300.0, 200.0, 50.0, None, 75.0],
        "payments": [1, 1, 1, 1, 1, 1], "is_fx_missing": [False] * 4 + [True, False],
        "is_fx_carried_forward": [False] * 6})
    result = contracts.committed_totals(committed, top=2)
    expected = pd.DataFrame({
        "period": pd.to_datetime(["2026-12-01", "2026-12-01", "2027-01-01"]),
        "is_projected": [False, True, False], "amount_rc": [600.0, 50.0, 75.0], "vendors": [3, 1, 1],
        "largest": ["Globex Inc, Initech GmbH", "Umbrella", "Globex Inc"]})
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


def test_committed_totals_match_the_vendor_rows_they_sum(con):
    committed = contracts.committed_by_month(con, start=D(2026, 11, 1), end=D(2027, 12, 31), on=ON)
    totals = contracts.committed_totals(committed)
    assert totals["amount_rc"].sum() == pytest.approx(committed["amount_rc"].dropna().astype(float).sum())
    assert len(totals) == len(committed.dropna(subset=["amount_rc"]).groupby(["period", "is_projected"]))


def test_committed_totals_of_nothing_is_empty():
    empty = contracts.committed_totals(pd.DataFrame(columns=["period", "vendor", "is_projected", "amount_rc"]))
    assert empty.empty and list(empty.columns) == ["period", "is_projected", "amount_rc", "vendors", "largest"]


def test_each_term_is_named_past_current_upcoming_or_projected_as_of_the_day():
    signed = ("C-5", "Hooli", "Observability", D(2027, 3, 1), D(2028, 2, 29), 50000, "USD", True, 12, 60, "annual",
              "Ann")  # signed, starts after ON: its first term is upcoming, not past
    con = database([CONTRACTS[0], signed])
    result = contracts.timeline(con, start=D(2025, 1, 1), end=D(2029, 12, 31), on=ON)
    kinds = [(r.contract_id, r.start_date, r.term_kind) for r in result.itertuples()]
    assert kinds == [
        ("C-1", D(2025, 1, 1), "past term"), ("C-1", D(2026, 1, 1), "current term"),
        ("C-1", D(2027, 1, 1), "projected auto-renewal"), ("C-1", D(2028, 1, 1), "projected auto-renewal"),
        ("C-1", D(2029, 1, 1), "projected auto-renewal"),
        ("C-5", D(2027, 3, 1), "upcoming term"), ("C-5", D(2028, 3, 1), "projected auto-renewal"),
        ("C-5", D(2029, 3, 1), "projected auto-renewal")]
    assert contracts.term_kind(D(2026, 1, 1), D(2026, 11, 15), 0, ON) == "current term"  # its last day
    assert contracts.term_kind(D(2026, 11, 15), D(2027, 11, 14), 1, ON) == "current term"  # its first day
    assert contracts.term_kind(D(2025, 1, 1), D(2026, 11, 14), 0, ON) == "past term"
