"""One definition of "cancel-by within N days": contracts.cancel_by_due, on hand-worked boundary days."""
import pytest

from analytics import audit, cli, contracts
from tests.contracts_fixtures import D, database

ON = D(2026, 11, 15)   # window [2026-11-15, 2027-02-13] for 90 days
CONTRACTS = [
    # yearly tacit renewals, 30 days' notice: cancel-by = term end - 30 days
    ("T-DAY0", "Acme Ltd", "Desk", D(2025, 12, 16), D(2026, 12, 15), 12000, "USD", True, 12, 30, "annual"),   # 11-15: 0
    ("T-DAYN", "Globex Inc", "WAN", D(2026, 3, 16), D(2027, 3, 15), 24000, "USD", True, 12, 30, "annual"),   # 02-13: 90
    ("T-N+1", "Initech", "CRM", D(2026, 3, 17), D(2027, 3, 16), 36000, "USD", True, 12, 30, "annual"),       # 02-14: 91
    # cancel-by 2026-11-14 missed yesterday: renews; next cancel-by 2027-11-14 is outside the window
    ("T-MISSED", "Hooli", "Mail", D(2025, 12, 15), D(2026, 12, 14), 6000, "USD", True, 12, 30, "annual"),
    # express and fixed contracts ending in the window: end dates, not cancel-by dates
    ("E-END", "Acme Ltd", "Laptops", D(2024, 1, 1), D(2026, 12, 31), 5000, "USD", False, 12, 60, "annual"),
    ("F-END", "Umbrella", "Print", D(2026, 1, 1), D(2027, 1, 31), 1000, "USD", False, None, None, "annual"),
]


@pytest.fixture
def con():
    return database(CONTRACTS)


def test_window_includes_day_0_and_day_n_but_not_n_plus_1_or_a_missed_date(con):
    due = contracts.cancel_by_due(con, within_days=90, on=ON)
    assert due[["contract_id", "cancel_by_date", "days_left"]].values.tolist() == [
        ["T-DAY0", D(2026, 11, 15), 0], ["T-DAYN", D(2027, 2, 13), 90]]


def test_one_more_day_takes_in_the_next_contract(con):
    assert contracts.cancel_by_due(con, within_days=91, on=ON)["contract_id"].tolist() == ["T-DAY0", "T-DAYN", "T-N+1"]


def test_zero_days_is_today_only(con):
    assert contracts.cancel_by_due(con, within_days=0, on=ON)["contract_id"].tolist() == ["T-DAY0"]


def test_vendor_filter_matches_by_name_key(con):
    assert contracts.cancel_by_due(con, within_days=90, on=ON, vendor="ACME LIMITED")["contract_id"].tolist() == [
        "T-DAY0"]
    assert contracts.cancel_by_due(con, within_days=90, on=ON, vendor="Nobody").empty


def test_end_dates_are_counted_apart(con):
    assert contracts.ending_within(con, within_days=90, on=ON)["contract_id"].tolist() == ["E-END", "F-END"]
    assert contracts.ending_within(con, within_days=90, on=ON, vendor="Acme")["contract_id"].tolist() == ["E-END"]


def test_audit_renewal_rule_uses_the_same_definition(con):
    con.execute("insert into settings values ('audit_renewal_window_days', '90')")
    found = audit.engine.run_rule(con, "renewal_deadline")
    assert sorted(found["contract_id"]) == ["T-DAY0", "T-DAYN"]


def test_renewals_cli_summary_counts_cancel_by_and_end_dates_apart(tmp_path, capsys):
    path = tmp_path / "c.duckdb"
    database(CONTRACTS, path=path).close()
    assert cli.main(["renewals", "--within", "90", "--on", "2026-11-15", "--db", str(path)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "2 cancel-by date(s) and 2 end date(s) within 90 days of 2026-11-15"
