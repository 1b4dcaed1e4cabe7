"""The CLI as a user runs it: help for every command, exit codes, status JSON, round trips."""
import json
import subprocess
import sys

import pytest

from analytics import cli, datasets, store

COMMANDS = sorted(cli.build_parser()._subparsers._group_actions[0].choices)


def run(*args, db=None):
    argv = [sys.executable, "-m", "analytics", *args] + (["--db", str(db)] if db else [])
    return subprocess.run(argv, capture_output=True, text=True, cwd=store.PROJECT_ROOT)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0


def test_foundation_commands_exist():
    assert {"import", "template", "export", "undo", "status", "settings"} <= set(COMMANDS)


def test_usage_error_exits_2():
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["import", "no_such_dataset", "x.csv"])
    assert exit_info.value.code == 2


def test_invalid_file_exits_1_and_prints_file_row_column(tmp_path):
    bad = tmp_path / "fx.csv"
    bad.write_text("period,currency,rate_to_base\n2026-13,EUR,1.08\n2026-01,EURO,1.1\n")
    result = run("import", "fx", str(bad), db=tmp_path / "t.duckdb")
    assert result.returncode == 1
    assert "fx.csv:2:period: period not YYYY-MM" in result.stderr
    assert "fx.csv:3:currency: unknown currency code" in result.stderr
    status = json.loads(run("status", "--json", db=tmp_path / "t.duckdb").stdout)
    assert status["datasets"]["fx"] == 0 and status["batches"] == []


@pytest.mark.parametrize("name", list(datasets.DATASETS))
def test_template_imports_back_and_exports_identically(tmp_path, name):
    db = tmp_path / "t.duckdb"
    for suffix in (".csv", ".xlsx"):
        template = tmp_path / f"{name}{suffix}"
        assert run("template", name, "--out", str(template)).returncode == 0
    result = run("import", name, str(tmp_path / f"{name}.xlsx"), db=db)
    assert result.returncode == 0, result.stderr
    status = json.loads(run("status", "--json", db=db).stdout)
    assert status["datasets"][name] == 1
    assert status["batches"][0] | {"imported_at": None, "imported_by": None} == {
        "batch_id": 1, "dataset": name, "file": f"{name}.xlsx", "rows": 1, "imported_at": None, "imported_by": None}
    out = tmp_path / "out.csv"
    assert run("export", name, "--out", str(out), db=db).returncode == 0
    exported = out.read_text().splitlines()
    assert exported[0].split(",") == datasets.get(name).column_names


def test_settings_command_sets_and_shows(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run("settings", "fiscal_year_start_month", "10", db=db).returncode == 0
    assert run("settings", "fiscal_year_start_month", db=db).stdout.strip() == "10"
    assert run("settings", "reporting_currency", "XXX1", db=db).returncode == 1
    assert json.loads(run("settings", "--json", db=db).stdout)["fiscal_year_start_month"] == "10"


def test_undo_removes_the_batch(tmp_path):
    db = tmp_path / "u.duckdb"
    assert run("template", "fx", "--out", str(tmp_path / "fx.csv")).returncode == 0
    assert run("import", "fx", str(tmp_path / "fx.csv"), db=db).returncode == 0
    assert run("import", "fx", str(tmp_path / "fx.csv"), db=db).returncode == 1  # same sha256
    assert run("undo", "1", db=db).returncode == 0
    assert json.loads(run("status", "--json", db=db).stdout)["datasets"]["fx"] == 0
    assert run("undo", "1", db=db).returncode == 1
