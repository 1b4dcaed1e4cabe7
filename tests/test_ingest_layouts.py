"""Layouts: wide budget sheets (months across), ServiceNow ticket event logs, several sheets at once."""
from __future__ import annotations

import pytest
from openpyxl import Workbook

from analytics import settings, store
from analytics.ingest import ImportRefused, itsm, load, wide


@pytest.fixture
def con():
    connection = store.connect(":memory:")
    yield connection
    connection.close()


def budget_sheet(tmp_path, headers, rows, *, title=None, name="budget.xlsx", sheet="Budget"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def budget_rows(con) -> list[tuple]:
    return con.execute("select strftime(period, '%Y-%m'), cost_center, category, amount::varchar, currency "
                       "from budget order by cost_center, period").fetchall()


@pytest.mark.parametrize("months", [
    ["Jan", "Feb", "Mar"],
    ["2026-01", "2026-02", "2026-03"],
    ["Jan-26", "Feb-26", "Mar-26"],
    ["Januar", "Februar", "März"],
    ["Styczeń", "Luty", "Marzec"],
])
def test_month_columns_become_budget_lines(con, tmp_path, months):
    headers = ["Cost center", "Category", "Currency"] + months + ["Total FY"]
    path = budget_sheet(tmp_path, headers, [["Infra", "Software", "EUR", 100, 200.5, 300, 600.5]],
                        title="IT budget FY2026")
    result = load.import_file(con, "budget", path, options=load.ImportOptions(auto_map=True))
    assert result.rows == 3
    assert budget_rows(con) == [("2026-01", "Infra", "Software", "100.0000", "EUR"),
                                ("2026-02", "Infra", "Software", "200.5000", "EUR"),
                                ("2026-03", "Infra", "Software", "300.0000", "EUR")]
    assert any("total column(s) ignored: Total FY" in n for n in result.notices)


def test_april_fiscal_year_places_january_in_the_year_it_ends(con, tmp_path):
    settings.set_value(con, "fiscal_year_start_month", "4")
    path = budget_sheet(tmp_path, ["Cost center", "Category", "Currency", "Apr", "Dec", "Jan", "Mar"],
                        [["Infra", "Software", "GBP", 1, 2, 3, 4]])
    load.import_file(con, "budget", path, options=load.ImportOptions(auto_map=True, fiscal_year=2026))
    assert [r[0] for r in budget_rows(con)] == ["2025-04", "2025-12", "2026-01", "2026-03"]


def test_a_year_column_gives_each_line_its_year(con, tmp_path):
    path = budget_sheet(tmp_path, ["Year", "Cost center", "Category", "Currency", "Jan", "Feb", "Mar"],
                        [[2025, "Infra", "Software", "EUR", 1, 2, 3], [2026, "Apps", "Software", "EUR", 4, 5, 6]])
    load.import_file(con, "budget", path, options=load.ImportOptions(auto_map=True))
    assert [r[:2] for r in budget_rows(con)] == [("2026-01", "Apps"), ("2026-02", "Apps"), ("2026-03", "Apps"),
                                                 ("2025-01", "Infra"), ("2025-02", "Infra"), ("2025-03", "Infra")]


def test_months_without_a_year_anywhere_ask_for_the_fiscal_year(con, tmp_path):
    path = budget_sheet(tmp_path, ["Cost center", "Category", "Currency", "Jan", "Feb", "Mar"],
                        [["Infra", "Software", "EUR", 1, 2, 3]], name="plan.xlsx")
    with pytest.raises(ImportRefused, match="give the fiscal year \\(--fiscal-year 2026\\)"):
        load.prepare(con, "budget", path, options=load.ImportOptions(auto_map=True))


def test_empty_month_cells_are_no_budget_line(con, tmp_path):
    path = budget_sheet(tmp_path, ["Cost center", "Category", "Currency", "2026-01", "2026-02", "2026-03"],
                        [["Infra", "Software", "EUR", 10, None, 30]])
    assert load.import_file(con, "budget", path, options=load.ImportOptions(auto_map=True)).rows == 2


@pytest.mark.parametrize("header, expected", [("Jan", (None, 1)), ("2026-04", (2026, 4)), ("Apr-26", (2026, 4)),
                                              ("04/2026", (2026, 4)), ("Dezember", (None, 12)), ("Total", None),
                                              ("Cost center", None), ("Sept 2025", (2025, 9))])
def test_header_month(header, expected):
    assert wide.header_month(header) == expected


EVENTS = """number,incident_state,sys_mod_count,made_sla,opened_at,sys_updated_at,priority,assignment_group,resolved_at,closed_at
INC1,New,0,true,29/2/2016 01:16,29/2/2016 01:23,3 - Moderate,Group 56,29/2/2016 11:29,5/3/2016 12:00
INC1,Active,1,true,29/2/2016 01:16,29/2/2016 08:53,3 - Moderate,Group 56,29/2/2016 11:29,5/3/2016 12:00
INC1,Resolved,2,true,29/2/2016 01:16,29/2/2016 11:29,2 - High,Group 56,29/2/2016 11:29,5/3/2016 12:00
INC1,Closed,3,false,29/2/2016 01:16,5/3/2016 12:00,2 - High,Group 56,29/2/2016 11:29,5/3/2016 12:00
INC2,New,0,true,1/3/2016 09:00,1/3/2016 09:00,4 - Low,?,?,?
INC2,Awaiting User Info,1,true,1/3/2016 09:00,1/3/2016 10:30,4 - Low,?,?,?
INC3,New,0,true,13/3/2016 10:00,13/3/2016 10:00,1 - Critical,Group 7,?,14/3/2016 10:00
INC3,Closed,1,true,13/3/2016 10:00,14/3/2016 10:00,1 - Critical,Group 7,?,14/3/2016 10:00
"""


def test_an_event_log_becomes_one_ticket_per_number(con, tmp_path):
    itsm.save_contract_map(con, {"Group 56": "C-0001"})
    path = tmp_path / "events.csv"
    path.write_text(EVENTS)
    result = load.import_file(con, "incidents", path, options=load.ImportOptions(auto_map=True))
    rows = con.execute("select row_no, ticket_id, contract_id, priority, strftime(opened_at, '%Y-%m-%d %H:%M'), "
                       "strftime(responded_at, '%Y-%m-%d %H:%M'), strftime(resolved_at, '%Y-%m-%d %H:%M'), made_sla "
                       "from incidents order by ticket_id").fetchall()
    assert rows == [
        (2, "INC1", "C-0001", "2 - High", "2016-02-29 01:16", "2016-02-29 08:53", "2016-02-29 11:29", False),
        (6, "INC2", None, "4 - Low", "2016-03-01 09:00", "2016-03-01 10:30", None, True),
        (8, "INC3", None, "1 - Critical", "2016-03-13 10:00", "2016-03-14 10:00", "2016-03-14 10:00", True),
    ]
    assert result.notices[0] == "ticket event log: 8 updates reduced to 3 tickets"
    assert "1 closed ticket(s) have no resolved_at: their closed_at is used as the resolution time" in result.notices


def test_a_one_row_per_ticket_export_is_not_reduced(con, tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("number,priority,opened_at,resolved_at,made_sla\nINC9,P1,2026-01-05 10:00:00,,yes\n")
    result = load.import_file(con, "incidents", path, options=load.ImportOptions(auto_map=True))
    assert (result.rows, con.execute("select ticket_id, made_sla from incidents").fetchall()) == (1, [("INC9", True)])


def test_every_sheet_imports_in_one_transaction(con, tmp_path):
    wb = Workbook()
    for i, name in enumerate(["Jan", "Feb"]):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        ws.append(["date", "vendor", "amount", "currency", "cost_center", "category"])
        ws.append([f"2026-0{i + 1}-10", "ACME", 10 * (i + 1), "EUR", "IT", "Software"])
    path = tmp_path / "months.xlsx"
    wb.save(path)
    prepared = load.prepare_file(con, "spend", path, all_sheets=True)
    results = load.commit_many(con, prepared)
    assert [(r.file_name, r.rows) for r in results] == [("months.xlsx[Jan]", 1), ("months.xlsx[Feb]", 1)]
    with pytest.raises(ImportRefused, match="already imported"):
        load.prepare_file(con, "spend", path, all_sheets=True)
