"""Store, settings and fiscal-year basics."""
import datetime as dt

import pytest

from analytics import fiscal, memo, settings, store


@pytest.fixture
def mem():
    con = store.connect(":memory:")
    yield con
    con.close()


def test_new_database_is_at_latest_schema_version(mem):
    assert store.schema_version(mem) == store.latest_version()


def test_transaction_rolls_back_everything_on_error(mem):
    before = store.data_version(mem)
    with pytest.raises(RuntimeError, match="boom"):
        with store.transaction(mem):
            mem.execute("insert into settings values ('company_name', 'Half written')")
            raise RuntimeError("boom")
    assert mem.execute("select count(*) from settings").fetchone()[0] == 0
    assert store.data_version(mem) == before


def test_settings_default_then_set_and_read_back(mem):
    assert settings.get(mem, "fiscal_year_start_month") == 1
    settings.set_value(mem, "fiscal_year_start_month", "4")
    assert settings.get(mem, "fiscal_year_start_month") == 4
    assert settings.as_dict(mem)["fiscal_year_start_month"] == "4"


class CountingConnection:
    """A connection that counts the statements run through it."""
    def __init__(self, con):
        self.con, self.statements = con, 0

    def execute(self, *args, **kwargs):
        self.statements += 1
        return self.con.execute(*args, **kwargs)


def test_a_block_of_reads_reads_the_settings_once_and_outside_one_every_read_sees_the_table(mem):
    """A page query (views.common runs each inside memo.reads()) asks for many settings: one query serves them."""
    settings.set_value(mem, "reporting_currency", "EUR")
    settings.set_value(mem, "fiscal_year_start_month", "4")
    counted = CountingConnection(mem)
    with memo.reads():
        read = [settings.get(counted, "reporting_currency"), settings.get(counted, "fiscal_year_start_month"),
                settings.get(counted, "company_name"),
                settings.get_many(counted, ("base_currency", "fiscal_year_start_month"))]
    assert read == ["EUR", 4, "My company", {"base_currency": "USD", "fiscal_year_start_month": 4}]
    assert counted.statements == 1
    settings.set_value(mem, "fiscal_year_start_month", "10")  # outside a block: each read asks the table
    assert settings.get(counted, "fiscal_year_start_month") == 10 and counted.statements == 2


@pytest.mark.parametrize("name,value,message", [
    ("reporting_currency", "EURO", "ISO 4217"),
    ("fiscal_year_start_month", "13", "month number"),
    ("as_of_date", "2026-02-30", "YYYY-MM-DD"),
    ("no_such_setting", "1", "unknown setting"),
])
def test_bad_settings_are_refused(mem, name, value, message):
    with pytest.raises(settings.SettingError, match=message):
        settings.set_value(mem, name, value)


def test_setting_writes_bump_the_data_version(mem):
    before = store.data_version(mem)
    settings.set_value(mem, "reporting_currency", "eur")
    assert settings.get(mem, "reporting_currency") == "EUR"
    assert store.data_version(mem) == before + 1


def test_as_of_defaults_to_today(mem):
    assert settings.as_of(mem) == dt.date.today()
    settings.set_value(mem, "as_of_date", "2026-03-31")
    assert settings.as_of(mem) == dt.date(2026, 3, 31)


def test_second_writer_process_waits_then_says_who_holds_the_file(tmp_path):
    import os
    import subprocess
    import sys
    path = tmp_path / "locked.duckdb"
    con = store.connect(path)
    code = (f"from analytics import store\ntry:\n    store.connect({str(path)!r}, wait=0.5)\n"
            "except store.StoreBusy as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=store.PROJECT_ROOT)
    con.close()
    assert f"is in use by process {os.getpid()}" in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("start,day,year", [
    (1, dt.date(2026, 1, 1), 2026), (1, dt.date(2026, 12, 31), 2026),
    (4, dt.date(2026, 3, 31), 2026), (4, dt.date(2026, 4, 1), 2027),
    (10, dt.date(2025, 10, 1), 2026), (10, dt.date(2026, 9, 30), 2026), (7, dt.date(2026, 7, 1), 2027),
])
def test_fiscal_year_is_named_after_the_year_it_ends(start, day, year):
    assert fiscal.fiscal_year(day, start) == year
    first, last = fiscal.bounds(year, start)
    assert first <= day <= last
    assert (last - first).days in (364, 365)


def test_fiscal_months_and_label():
    assert fiscal.months(2026, 4)[0] == dt.date(2025, 4, 1)
    assert fiscal.months(2026, 4)[-1] == dt.date(2026, 3, 1)
    assert fiscal.label(2026, 1) == "FY2026"
    assert fiscal.label(2026, 4) == "FY2026 (Apr 2025 – Mar 2026)"
