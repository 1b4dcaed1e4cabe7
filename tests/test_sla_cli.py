"""`python -m analytics sla`: the JSON shapes the issue specifies."""
import json

from analytics import cli, settings, store
from analytics.sla import bench_cases
from tests.sla_data import contract, import_rows, ticket


def database(tmp_path):
    path = tmp_path / "sla.duckdb"
    con = store.connect(path)
    settings.set_value(con, "as_of_date", "2026-06-30")
    import_rows(con, tmp_path, "contracts", [contract()])
    import_rows(con, tmp_path, "incidents", [ticket("T1", "2026-06-01 10:00:00", "2026-06-01 15:00:00", priority="P3"),
                                             ticket("T2", "2026-06-02 10:00:00", priority="P3")])
    con.close()
    return path


def test_sla_tickets_json(tmp_path, capsys):
    path = database(tmp_path)
    assert cli.main(["sla", "tickets", "--json", "--db", str(path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {"ticket_id": "T1", "contract_id": "C1", "priority": "P3", "response_hours": 5.0, "resolution_hours": None,
         "response_breached": True, "resolution_breached": True},
        {"ticket_id": "T2", "contract_id": "C1", "priority": "P3", "response_hours": None, "resolution_hours": None,
         "response_breached": True, "resolution_breached": True},
    ]


def test_sla_months_json(tmp_path, capsys):
    path = database(tmp_path)
    assert cli.main(["sla", "--json", "--db", str(path)]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["contract_id"], row["period"], row["tickets"], row["breaches"], row["status"]) == \
        ("C1", "2026-06", 2, 4, "missed")


def test_bench_cases_are_callables(tmp_path):
    con = store.connect(database(tmp_path))
    assert [len(run()) for _, run in bench_cases(con)] == [2, 1, 1]
