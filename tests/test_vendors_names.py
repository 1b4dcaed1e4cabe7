"""Vendor name keys: Python normalise() and the SQL macro vendor_key() agree."""
import pytest

from analytics import store, vendor_names
from analytics.store import MIGRATIONS_DIR

CASES = [
    ("Microsoft Ireland Operations Ltd.", "microsoft ireland operations"),
    ("ACME, Inc", "acme"),
    ("Acme Incorporated", "acme"),
    ("acme limited", "acme"),
    ("The Müller GmbH & Co. KG", "muller"),
    ("AT&T Inc.", "at and t"),
    ("Société Générale S.A.", "societe generale"),
    ("Amazon.com, Inc.", "amazoncom"),
    ("McDonald’s Corp", "mcdonalds"),
    ("  Foo_Bar  LLC ", "foo bar"),
    ("SAP SE", "sap"),
    ("Limited", "limited"),
    ("株式会社 日立", "株式会社 日立"),
]


@pytest.mark.parametrize("name,key", CASES)
def test_normalise(name, key):
    assert vendor_names.normalise(name) == key


def test_sql_macro_matches_python():
    con = store.connect(":memory:")
    names = [name for name, _ in CASES]
    result = [con.execute("select vendor_key(?)", [name]).fetchone()[0] for name in names]
    assert result == [vendor_names.normalise(name) for name in names]


def test_migration_creates_the_macro_from_the_module_text():
    assert vendor_names.CREATE_MACRO_SQL in (MIGRATIONS_DIR / "006_contracts.sql").read_text()


def test_missing_name():
    assert vendor_names.normalise(None) == ""


def test_keys_of_a_column_are_each_names_normalised_key():
    import pandas as pd
    names = pd.Series(["ACME Corp.", None, "Acme Corporation", "The Bolt GmbH", "ACME Corp.", "Émile & Co"],
                      index=[5, 4, 3, 2, 1, 0])
    expected = pd.Series([vendor_names.normalise(n) for n in names], index=names.index)
    pd.testing.assert_series_equal(vendor_names.keys(names), expected)
    assert vendor_names.keys(names)[4] == ""
