"""Column mapping: multilingual synonyms, typos, values, profiles, and the CLI's --auto-map/--profile/--map/--set."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics import cli, datasets, store
from analytics.ingest import ImportRefused, load, mapping

SPEND = datasets.get("spend")


@pytest.mark.parametrize("header", ["Supplier Name", "supplier_name", "Lieferant", "Dostawca", "Leverantör",
                                    "Szállító", "Доставчик", "Dodavatel", "Fournisseur", "SUPPLIER  NAME "])
def test_vendor_synonyms(header):
    assert mapping.propose([header], SPEND) == {"vendor": header}


@pytest.mark.parametrize("header", ["Paid Date", "Datum", "Data", "Fecha", "Buchungsdatum", "Дата"])
def test_date_synonyms(header):
    assert mapping.propose([header], SPEND) == {"date": header}


@pytest.mark.parametrize("header, canonical", [("Organisatonal Unit", "cost_center"), ("Supplier Nmae", "vendor"),
                                               ("Expenditure Categroy", "category"), ("Kostenstele", "cost_center")])
def test_typos_are_tolerated(header, canonical):
    assert mapping.propose([header], SPEND) == {canonical: header}


def test_each_header_is_used_once_and_exact_names_win():
    proposed = mapping.propose(["amount", "Amount Paid", "vendor"], SPEND)
    assert proposed == {"vendor": "vendor", "amount": "amount"}


def test_a_choice_column_is_recognised_by_its_values():
    frame = pd.DataFrame({"Type": ["Capital", "Revenue", "revenue"]})
    assert mapping.propose(["Type"], SPEND, frame=frame) == {"capex_opex": "Type"}


def test_without_auto_only_exact_names_map():
    with pytest.raises(mapping.MappingError, match="required column\\(s\\) date, vendor, currency, cost_center, "
                                                   "category not found.*'Paid Date', 'Supplier Name', 'amount'"):
        mapping.resolve(["Paid Date", "Supplier Name", "amount"], SPEND)


def test_unmappable_required_columns_list_the_files_headers():
    with pytest.raises(mapping.MappingError, match="required column\\(s\\) currency, cost_center, category not found "
                                                   "for dataset spend; the file's columns are: 'Paid Date', "
                                                   "'Supplier', 'Amount'"):
        mapping.resolve(["Paid Date", "Supplier", "Amount"], SPEND, auto=True)


def oxford_like(tmp_path, name="council.csv", supplier="Supplier Name"):
    frame = pd.DataFrame({"Body Name": ["Council", "Council"], "Organisational Unit": ["IT", "Finance"],
                          "Expenditure Category": ["Software", "Hardware"], "Paid Date": ["07/04/2015", "28/04/2015"],
                          "Amount": ["1054.11", "-20"], "Type": ["Revenue", "Capital"], supplier: ["ACME", "Globex"]})
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_auto_map_prints_the_mapping_and_imports(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    code, out, err = run_cli(capsys, "import", "spend", str(oxford_like(tmp_path)), "--auto-map",
                             "--set", "currency=GBP", "--db", db)
    assert code == 0, err
    assert ("council.csv: mapping used: date <- Paid Date; vendor <- Supplier Name; amount <- Amount; "
            "cost_center <- Organisational Unit; category <- Expenditure Category; capex_opex <- Type; "
            "currency = GBP") in out
    con = store.connect(db)
    rows = con.execute("select date::varchar, vendor, amount::varchar, currency, capex_opex from spend "
                       "order by row_no").fetchall()
    assert rows == [("2015-04-07", "ACME", "1054.1100", "GBP", "opex"), ("2015-04-28", "Globex", "-20.0000", "GBP", "capex")]


def test_cli_without_auto_map_explains_what_is_missing(tmp_path, capsys):
    code, _, err = run_cli(capsys, "import", "spend", str(oxford_like(tmp_path)), "--db", str(tmp_path / "x.duckdb"))
    assert code == 1
    assert "required column(s) date, vendor, currency, cost_center, category not found" in err
    assert "'Paid Date'" in err and "--auto-map" in err


def test_cli_explicit_map_and_set(tmp_path, capsys):
    code, out, err = run_cli(capsys, "import", "spend", str(oxford_like(tmp_path)), "--map", "date=Paid Date",
                             "--map", "vendor=Supplier Name", "--map", "amount=Amount", "--map",
                             "cost_center=Organisational Unit", "--map", "category=Expenditure Category",
                             "--set", "currency=EUR", "--db", str(tmp_path / "m.duckdb"))
    assert (code, "2 spend rows imported" in out) == (0, True), err


def test_a_saved_profile_is_used_for_a_file_with_the_same_headers(tmp_path, capsys):
    db = str(tmp_path / "p.duckdb")
    code, out, _ = run_cli(capsys, "import", "spend", str(oxford_like(tmp_path)), "--auto-map", "--set",
                           "currency=GBP", "--profile", "oxford", "--db", db)
    assert code == 0 and "saved the mapping as profile 'oxford'" in out
    later = oxford_like(tmp_path, "next-quarter.csv")
    later.write_text(later.read_text().replace("ACME", "Initech"))
    code, out, err = run_cli(capsys, "import", "spend", str(later), "--db", db)
    assert code == 0, err
    assert "mapped with the saved profile 'oxford'" in out
    con = store.connect(db)
    assert con.execute("select vendor, currency from spend where vendor = 'Initech'").fetchall() == [("Initech", "GBP")]


def test_a_profile_is_not_used_for_other_headers(tmp_path):
    con = store.connect(":memory:")
    mapping.save_profile(con, "p", "spend", ["a", "b"], {"vendor": "a"}, {})
    assert mapping.find_profile(con, "spend", ["a", "c"]) is None
    assert mapping.find_profile(con, "spend", ["B ", "A"]).name == "p"


def test_a_profile_of_another_dataset_is_refused(tmp_path):
    con = store.connect(":memory:")
    mapping.save_profile(con, "budget-profile", "budget", ["a"], {}, {})
    with pytest.raises(ImportRefused, match="profile 'budget-profile' is for budget, not spend"):
        load.prepare(con, "spend", oxford_like(tmp_path), options=load.ImportOptions(profile="budget-profile"))
