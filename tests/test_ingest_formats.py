"""Format detection: encodings, delimiters, line endings, layout, numbers and dates in European and US forms."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from openpyxl import Workbook

from analytics import datasets
from analytics.ingest import normalise, read


def read_bytes(tmp_path, data: bytes, name: str = "file.csv") -> read.RawTable:
    path = tmp_path / name
    path.write_bytes(data)
    return read.read_table(path)


GERMAN = "Lieferant;Betrag\nMüller GmbH;1.234,56\nBäckerei Größe;12,00\n"


@pytest.mark.parametrize("encoding, data", [
    ("utf-8", GERMAN.encode("utf-8")),
    ("utf-8-sig", b"\xef\xbb\xbf" + GERMAN.encode("utf-8")),
    ("cp1252", GERMAN.encode("cp1252")),
    ("mac_roman", GERMAN.encode("mac_roman")),
])
def test_encodings(tmp_path, encoding, data):
    table = read_bytes(tmp_path, data)
    assert (table.encoding, table.frame["Lieferant"].tolist()) == (encoding, ["Müller GmbH", "Bäckerei Größe"])


def test_latin1_text_reads_right(tmp_path):
    table = read_bytes(tmp_path, "Lieferant;Ort\nJosé Núñez;Málaga\n".encode("latin-1"))
    assert table.frame.drop(columns="_row").values.tolist() == [["José Núñez", "Málaga"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(tmp_path, delimiter):
    text = delimiter.join(["vendor", "amount", "note"]) + "\n" + delimiter.join(["ACME", "12.50", "a b"]) + "\n"
    table = read_bytes(tmp_path, text.encode())
    assert table.frame.drop(columns="_row").values.tolist() == [["ACME", "12.50", "a b"]]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(tmp_path, newline):
    table = read_bytes(tmp_path, newline.join(["a,b", "1,2", "3,4", ""]).encode())
    assert table.frame.values.tolist() == [[2, "1", "2"], [3, "3", "4"]]


def test_title_rows_blank_rows_and_total_row(tmp_path):
    text = "IT spend report 2026\nprinted 2026-04-01\n\nVendor,Amount\nACME,10\n\nGlobex,20\nTotal,30\n"
    table = read_bytes(tmp_path, text.encode())
    assert table.frame.values.tolist() == [[5, "ACME", "10"], [7, "Globex", "20"]]
    assert table.title == "IT spend report 2026 printed 2026-04-01"
    assert any("trailing total row(s) 8" in n for n in table.notices)


def test_a_quoted_field_with_a_delimiter_and_a_newline(tmp_path):
    table = read_bytes(tmp_path, b'vendor,description\nACME,"two, lines\nhere"\n')
    assert table.frame["description"].tolist() == ["two, lines\nhere"]


def test_workbook_with_a_merged_title_and_several_sheets(tmp_path):
    wb = Workbook()
    first = wb.active
    first.title = "Q1"
    first["A1"] = "Budget FY2026"
    first.merge_cells("A1:C1")
    first.append([])
    first.append(["Vendor", "Amount", "Paid"])
    first.append(["ACME", 1234.5, pd.Timestamp("2026-03-15").to_pydatetime()])
    second = wb.create_sheet("Q2")
    second.append(["Vendor", "Amount", "Paid"])
    second.append(["Globex", 99, pd.Timestamp("2026-04-01").to_pydatetime()])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    assert read.sheet_names(path) == ["Q1", "Q2"]
    assert read.read_table(path).frame.values.tolist() == [[4, "ACME", "1234.5", "2026-03-15"]]
    assert read.read_table(path, sheet="Q2").frame.values.tolist() == [[2, "Globex", "99", "2026-04-01"]]


def test_an_unknown_sheet_is_refused(tmp_path):
    wb = Workbook()
    wb.active.append(["a"])
    wb.save(tmp_path / "b.xlsx")
    with pytest.raises(read.ReadError, match="no sheet 'nope'"):
        read.read_table(tmp_path / "b.xlsx", sheet="nope")


# --- numbers and dates ---------------------------------------------------------------------------

def normalised(values: list[str], kind: str, delimiter: str | None = None, **options) -> tuple[list[str], list[str]]:
    spec = datasets.Dataset("t", "t", "", (datasets.Column("v", kind),))
    frame = pd.DataFrame({"_row": range(2, len(values) + 2), "v": values})
    result = normalise.normalise(duckdb.connect(), spec, frame, options=normalise.FormatOptions(**options),
                                 delimiter=delimiter)
    return result.frame.column("v").to_pylist(), result.notices


@pytest.mark.parametrize("values, expected", [
    (["1,234.56", "-1.00", "(1,234.00)", "1.00-"], ["1234.56", "-1.00", "-1234.00", "-1.00"]),
    (["1.234,56", "-1,00", "(12,50)", "3,00-"], ["1234.56", "-1.00", "-12.50", "-3.00"]),
    (["1 234,56", "12 345 678,9"], ["1234.56", "12345678.9"]),
    (["1\u00a0234,56"], ["1234.56"]),
    (["1'234.56", "1’000.5"], ["1234.56", "1000.5"]),
    (["£1,234.56", "€ 12.00", "$-5.25", "12.00 USD"], ["1234.56", "12.00", "-5.25", "12.00"]),
    (["1.234,56 zł", "100,00 kr", "5 000 Ft", "12,50 лв"], ["1234.56", "100.00", "5000", "12.50"]),
    (["CHF 1'000.00", "CHF -12.05"], ["1000.00", "-12.05"]),
    (["1234.5", "abc", "12.5.6"], ["1234.5", "abc", "12.5.6"]),
])
def test_money_formats(values, expected):
    assert normalised(values, "money")[0] == expected


def test_a_column_mixing_number_formats_is_decided_per_column_and_reported():
    values, notices = normalised(["1,234.56", "2,000.10", "3.456,78"], "money")
    assert values == ["1234.56", "2000.10", "3.456,78"]
    assert "mixes number formats" in notices[0]


def test_an_ambiguous_column_with_no_evidence_in_the_file_is_refused():
    with pytest.raises(normalise.AmbiguousNumbers, match="cannot tell whether '1,234' in column 'v' uses ','"):
        normalised(["1,234", "5,678"], "money")


@pytest.mark.parametrize("values, delimiter, expected, reason", [
    (["1.500", "2.000"], ";", ["1500", "2000"], "semicolons"),
    (["1,500", "2,000"], ",", ["1500", "2000"], "commas"),
    (["1.500", "2.000"], ",", ["1.500", "2.000"], "commas"),
])
def test_an_ambiguous_column_follows_the_delimiter_and_says_so(values, delimiter, expected, reason):
    result, notices = normalised(values, "money", delimiter=delimiter)
    assert result == expected
    assert f"read with {'.' if delimiter == ',' else ','!r} as decimal mark (the file separates columns with {reason})" \
        in notices[0]


def test_thousands_points_beside_a_decimal_comma_are_thousands():
    # a German export: 2.000 and 12.500 are two thousand and twelve thousand five hundred, not 2.0 and 12.5
    assert normalised(["2.000", "12.500", "1.234,56"], "money", delimiter=";")[0] == ["2000", "12500", "1234.56"]


def file_with(columns: dict[str, tuple[str, list[str]]], delimiter: str | None = None) -> dict[str, list]:
    spec = datasets.Dataset("t", "t", "", tuple(datasets.Column(n, kind) for n, (kind, _) in columns.items()))
    frame = pd.DataFrame({"_row": range(2, 4), **{n: v for n, (_, v) in columns.items()}})
    result = normalise.normalise(duckdb.connect(), spec, frame, delimiter=delimiter)
    return {n: result.frame.column(n).to_pylist() for n in columns}


@pytest.mark.parametrize("other, expected", [
    (("money", ["1,25", "3,50"]), ["1500", "2000"]),        # another amount column uses a decimal comma
    (("money", ["1.25", "3.50"]), ["1.500", "2.000"]),      # ... or a decimal point
    (("date", ["31.01.2026", "28.02.2026"]), ["1500", "2000"]),   # dd.mm.yyyy dates: a decimal-comma locale
])
def test_an_ambiguous_column_follows_the_rest_of_the_file(other, expected):
    assert file_with({"v": ("money", ["1.500", "2.000"]), "w": other})["v"] == expected


@pytest.mark.parametrize("value, expected", [
    ("412.0700000000001", "412.0700000000001"), ("4.5E-14", "4.5E-14"), ("2e3", "2e3"), ("-1.5e+2", "-1.5e+2"),
])
def test_scientific_notation_and_float_residue_pass_to_validation(value, expected):
    assert normalised([value, "12.50"], "money")[0] == [expected, "12.50"]


def test_the_decimal_mark_can_be_chosen():
    assert normalised(["1,234", "5,678"], "money", decimal=",")[0] == ["1.234", "5.678"]


def test_counts_with_thousands_marks():
    assert normalised(["1,000", "12"], "count")[0] == ["1000", "12"]


@pytest.mark.parametrize("values, expected", [
    (["2026-03-15", "2026-3-5"], ["2026-03-15", "2026-03-05"]),
    (["31/12/2026", "01/02/2026"], ["2026-12-31", "2026-02-01"]),
    (["12/31/2026", "01/02/2026"], ["2026-12-31", "2026-01-02"]),
    (["15.03.2026", "1.4.2026"], ["2026-03-15", "2026-04-01"]),
    (["15-03-26", "01-04-26"], ["2026-03-15", "2026-04-01"]),
    (["15 March 2026", "3 Apr 2026", "Mar 5, 2026", "15-Mar-26"], ["2026-03-15", "2026-04-03", "2026-03-05", "2026-03-15"]),
    (["15. März 2026", "1 janvier 2026", "3 października 2025", "4 listopadu 2025", "7 maggio 2026"],
     ["2026-03-15", "2026-01-01", "2025-10-03", "2025-11-04", "2026-05-07"]),
    (["2 december 2025", "12 juni 2026", "5 maj 2026", "20 szeptember 2026", "8 септември 2026"],
     ["2025-12-02", "2026-06-12", "2026-05-05", "2026-09-20", "2026-09-08"]),
    (["46096", "45292"], ["2026-03-15", "2024-01-01"]),
    (["20260315"], ["2026-03-15"]),
    (["31/02/2026"], ["31/02/2026"]),
])
def test_date_formats(values, expected):
    assert normalised(values, "date")[0] == expected


def test_dates_that_cannot_tell_day_from_month_are_reported():
    values, notices = normalised(["03/04/2026", "05/06/2026"], "date")
    assert values == ["2026-04-03", "2026-06-05"]
    assert "cannot tell dd/mm/yyyy from mm/dd/yyyy" in notices[0]


def test_the_date_order_can_be_chosen():
    assert normalised(["03/04/2026"], "date", date_order="mdy")[0] == ["2026-03-04"]


@pytest.mark.parametrize("values, expected", [
    (["29/2/2016 01:16", "5/3/2016 12:00"], ["2016-02-29 01:16:00", "2016-03-05 12:00:00"]),
    (["2024-09-18T22:00:00Z", "2024-09-18 22:00"], ["2024-09-18 22:00:00", "2024-09-18 22:00:00"]),
    (["1/2/2016 3:05 PM", "1/2/2016 12:30 AM", "13/2/2016 1:00 PM"], ["2016-02-01 15:05:00", "2016-02-01 00:30:00", "2016-02-13 13:00:00"]),
    (["46096.5"], ["2026-03-15 12:00:00"]),
    (["15.03.2026"], ["2026-03-15 00:00:00"]),
])
def test_timestamp_formats(values, expected):
    assert normalised(values, "timestamp")[0] == expected


@pytest.mark.parametrize("values, expected", [
    (["2026-01", "2026/02", "03/2026", "Apr-26", "Mai 2026", "June 2026"],
     ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]),
])
def test_period_formats(values, expected):
    assert normalised(values, "period")[0] == expected


@pytest.mark.parametrize("value, expected", [("Yes", "true"), ("ja", "true"), ("tak", "true"), ("nein", "false"),
                                             ("N", "false"), ("?", "")])
def test_bool_words(value, expected):
    assert normalised([value], "bool")[0] == [expected]


def test_choice_synonyms_and_missing_markers():
    spec = datasets.get("spend")
    frame = pd.DataFrame({"_row": [2, 3, 4], **{c: [""] * 3 for c in spec.column_names}})
    frame["capex_opex"] = ["Capital", "Revenue", "#N/A"]
    frame["currency"] = ["€", "gbp", "NULL"]
    result = normalise.normalise(duckdb.connect(), spec, frame)
    assert result.frame.column("capex_opex").to_pylist() == ["capex", "opex", ""]
    assert result.frame.column("currency").to_pylist() == ["EUR", "gbp", ""]


def test_currency_taken_from_the_amount_when_the_column_is_empty():
    spec = datasets.get("spend")
    frame = pd.DataFrame({"_row": [2, 3, 4], **{c: [""] * 3 for c in spec.column_names}})
    frame["amount"] = ["£1,200.00", "1.000,00 zł", "100 kr"]
    frame["currency"] = ["", "", ""]
    result = normalise.normalise(duckdb.connect(), spec, frame)
    assert result.frame.column("currency").to_pylist() == ["GBP", "PLN", ""]


def test_the_benchmark_formats_all_import_the_same_numbers(tmp_path):
    from analytics import store
    from analytics.ingest import load, throughput
    files = throughput.write_formats(tmp_path, 300, 300)
    seen = {}
    for name, path in files.items():
        con = store.connect(tmp_path / f"{path.stem}.duckdb")
        load.import_file(con, "spend", path, options=load.ImportOptions(auto_map=True))
        seen[name] = con.execute("select count(*), sum(amount), min(date), max(date), count(distinct vendor), "
                                 "sum(length(invoice_id)) from spend").fetchall()[0]
        con.close()
    assert len(set(seen.values())) == 1, seen
    assert next(iter(seen.values()))[0] == 300
