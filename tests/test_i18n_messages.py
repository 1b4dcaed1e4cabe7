"""Import refusals, warnings and CLI lines in the reader's language: the same file, row and column named in
German and Bulgarian as in English, English unchanged by default, the CLI speaking the database's `language`
setting, and --json output the same in every language."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from analytics import i18n, store
from analytics.ingest import ImportRefused, load

GOOD = {"date": "2026-03-15", "vendor": "Acme GmbH", "amount": "1250.00", "currency": "EUR",
        "cost_center": "Infrastructure", "category": "Software"}


def spend_file(tmp_path, rows, name="bills.csv", drop=()):
    path = tmp_path / name
    pd.DataFrame(rows).drop(columns=list(drop)).to_csv(path, index=False)
    return path


@pytest.fixture
def faulty(tmp_path):
    """Row 2 valid, row 3 a bad number, row 4 a bad date (file rows count the header as row 1)."""
    return spend_file(tmp_path, [GOOD, {**GOOD, "amount": "12x5"}, {**GOOD, "date": "2026-13-45"}])


def errors_in(con, path, lang):
    with i18n.use(lang):
        prepared = load.prepare(con, "spend", path)
        return [(e.file, e.row, e.column, e.reason, str(e)) for e in prepared.errors]


EXPECTED = {
    "en": ["bills.csv:3:amount: not an amount (a number like -1234.50)",
           "bills.csv:4:date: not a date (expected YYYY-MM-DD)"],
    "de": ["bills.csv: Zeile 3, Spalte amount: kein Betrag (eine Zahl wie -1234.50)",
           "bills.csv: Zeile 4, Spalte date: kein Datum (erwartet JJJJ-MM-TT)"],
    "bg": ["bills.csv: ред 3, колона amount: не е сума (число като -1234.50)",
           "bills.csv: ред 4, колона date: не е дата (очаква се ГГГГ-ММ-ДД)"],
}


@pytest.mark.parametrize("lang", ["en", "de", "bg"])
def test_a_bad_number_and_a_bad_date_are_named_by_file_row_and_column_in_the_language(con, faulty, lang):
    result = [text for *_, text in errors_in(con, faulty, lang)]
    assert result == EXPECTED[lang]


def test_the_errors_keep_their_file_row_and_column_in_every_language(con, faulty):
    """Only the human words change: file, row and column (what the Data page and import_rejects keep) do not."""
    where = {lang: [e[:3] for e in errors_in(con, faulty, lang)] for lang in ("en", "de", "pl", "sv", "hu", "bg")}
    assert all(found == where["en"] for found in where.values())
    assert where["en"] == [("bills.csv", 3, "amount"), ("bills.csv", 4, "date")]


MISSING = {
    "en": "bills.csv: required column(s) currency not found for dataset spend; the file's columns are: 'date', "
          "'vendor', 'amount', 'cost_center', 'category'. Choose the file's column for each, or give one value "
          "for every row",
    "de": "bills.csv: Pflichtspalte(n) currency für den Datensatz spend nicht gefunden; die Spalten der Datei "
          "sind: 'date', 'vendor', 'amount', 'cost_center', 'category'.",
    "bg": "bills.csv: задължителните колони currency не са намерени за набора от данни spend; колоните на файла "
          "са: 'date', 'vendor', 'amount', 'cost_center', 'category'.",
}


@pytest.mark.parametrize("lang", ["en", "de", "bg"])
def test_a_missing_column_is_named_in_the_language(con, tmp_path, lang):
    path = spend_file(tmp_path, [GOOD], drop=["currency"])
    with i18n.use(lang), pytest.raises(ImportRefused) as refused:
        load.prepare(con, "spend", path)
    assert refused.value.setting == "mapping"   # machine-readable: how to settle it, the same in every language
    assert str(refused.value).startswith(MISSING[lang])


@pytest.mark.parametrize("lang, expected", [
    ("en", "bills.csv: 2 invalid row value(s); nothing was imported"),
    ("de", "bills.csv: 2 ungültige Werte in den Zeilen; nichts wurde importiert"),
    ("pl", "bills.csv: 2 nieprawidłowe wartości w wierszach; nic nie zaimportowano"),
    ("bg", "bills.csv: 2 невалидни стойности в редовете; нищо не е импортирано"),
])
def test_the_refusal_counts_in_the_plural_of_the_language(con, faulty, lang, expected):
    with i18n.use(lang), pytest.raises(ImportRefused) as refused:
        load.import_file(con, "spend", faulty)
    assert str(refused.value) == expected
    assert [(e.row, e.column) for e in refused.value.errors] == [(3, "amount"), (4, "date")]


def test_import_notices_follow_the_language(con, tmp_path):
    path = spend_file(tmp_path, [GOOD, {**GOOD, "vendor": ""}])
    with i18n.use("de"):
        notices = load.import_file(con, "spend", path).notices
    assert "1 Zeile mit leerer Spalte vendor als '(not stated)' importiert (die Prüfung listet sie auf; ein " \
           "strikter Import lehnt sie ab)" in notices
    assert "2 neue Lieferanten hinzugefügt: (not stated), Acme GmbH" in notices


def test_english_is_the_default_and_unchanged(con, faulty):
    assert i18n.current() == "en"
    assert [text for *_, text in errors_in(con, faulty, i18n.current())] == EXPECTED["en"]


# ---- the CLI ----------------------------------------------------------------------------------------

def cli(*args, db=None):
    db_args = ["--db", str(db)] if db else []
    return subprocess.run([sys.executable, "-m", "analytics", *args, *db_args], capture_output=True, text=True,
                          cwd=store.PROJECT_ROOT)


def test_the_cli_refuses_an_import_in_the_language_of_the_database(tmp_path, faulty):
    db = tmp_path / "cli.duckdb"
    english = cli("import", "spend", str(faulty), db=db)
    assert english.returncode == 1
    assert "error: bills.csv: 2 invalid row value(s); nothing was imported" in english.stderr
    assert "bills.csv:3:amount: not an amount" in english.stderr
    assert cli("settings", "language", "de", db=db).returncode == 0
    german = cli("import", "spend", str(faulty), db=db)
    assert german.returncode == 1
    assert german.stderr.splitlines() == [
        "Fehler: bills.csv: 2 ungültige Werte in den Zeilen; nichts wurde importiert",
        "  bills.csv: Zeile 3, Spalte amount: kein Betrag (eine Zahl wie -1234.50)",
        "  bills.csv: Zeile 4, Spalte date: kein Datum (erwartet JJJJ-MM-TT)",
    ]


def test_the_cli_says_how_to_settle_a_refusal_in_the_language(tmp_path):
    db = tmp_path / "cli.duckdb"
    assert cli("settings", "language", "bg", db=db).returncode == 0
    path = spend_file(tmp_path, [GOOD], drop=["currency"])
    refused = cli("import", "spend", str(path), db=db)
    assert refused.returncode == 1
    assert refused.stderr.startswith("грешка: bills.csv: задължителните колони currency не са намерени")
    assert "(съпоставете ги с --map COLUMN=HEADER" in refused.stderr


def test_the_cli_reports_an_import_in_the_language_and_json_is_the_same_in_every_language(tmp_path):
    db = tmp_path / "cli.duckdb"
    contracts = tmp_path / "contracts.csv"
    assert cli("template", "contracts", "--out", str(contracts)).returncode == 0
    assert cli("settings", "language", "de", db=db).returncode == 0
    imported = cli("import", "contracts", str(contracts), db=db)
    assert imported.returncode == 0, imported.stderr
    assert "contracts.csv: 1 Zeile contracts als Importlauf 1 importiert" in imported.stdout
    text = cli("renewals", "--within", "100000", "--on", "2020-01-01", db=db).stdout
    assert "innerhalb von 100000 Tagen ab 01.01.2020" in text
    as_json = {}
    for lang in ("en", "de", "pl", "sv", "hu", "bg"):
        assert cli("settings", "language", lang, db=db).returncode == 0
        listing = cli("renewals", "--within", "100000", "--on", "2020-01-01", "--json", db=db)
        assert listing.returncode == 0, listing.stderr
        as_json[lang] = listing.stdout
    assert json.loads(as_json["en"])[0]["contract_id"] == "C-0001"
    assert set(as_json.values()) == {as_json["en"]}
