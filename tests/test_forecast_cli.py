"""The forecast and forecast-series commands."""
from __future__ import annotations

import json

import pytest

from analytics import cli, store
from tests.test_forecast_landing import build


@pytest.fixture()
def series_csv(tmp_path):
    path = tmp_path / "series.csv"
    rows = ["series_id,period,value"] + [f"a,{2024 + i // 12}-{i % 12 + 1:02d},{100 + i}" for i in range(5)]
    rows += ["b,2025-01,", "c,2025-03,7"]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_forecast_series_prints_h_months_after_each_series_as_json(series_csv, capsys):
    assert cli.main(["forecast-series", "--input", str(series_csv), "--horizon", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(r["series_id"], r["period"]) for r in out] == [("a", "2024-06"), ("a", "2024-07"),
                                                            ("c", "2025-04"), ("c", "2025-05")]
    assert set(out[0]) == {"series_id", "period", "forecast", "lo80", "hi80", "lo95", "hi95"}
    assert out[0]["forecast"] == pytest.approx(102.0)
    assert out[0]["lo95"] < out[0]["lo80"] < out[0]["forecast"] < out[0]["hi80"] < out[0]["hi95"]


def test_forecast_series_says_which_series_have_no_history(series_csv, capsys):
    assert cli.main(["forecast-series", "--input", str(series_csv), "--horizon", "1"]) == 0
    assert "b: no history: no forecast" in capsys.readouterr().out


@pytest.mark.parametrize("content, message", [
    ("id,period,value\na,2024-01,1\n", "missing column"),
    ("series_id,period,value\na,2024-13,1\n", "line 2: period '2024-13' is not YYYY-MM"),
    ("series_id,period,value\na,2024-01,abc\n", "line 2: value 'abc' is not a number"),
    ("series_id,period,value\na,2024-01,1\na,2024-01,2\n", "has period 2024-01 twice"),
])
def test_forecast_series_rejects_bad_input_with_exit_code_1(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert cli.main(["forecast-series", "--input", str(path), "--horizon", "3"]) == 1
    assert message in capsys.readouterr().err


def test_forecast_series_horizon_must_be_a_positive_number(series_csv):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["forecast-series", "--input", str(series_csv), "--horizon", "0"])
    assert exit_info.value.code == 2


def test_forecast_command_reports_landing_and_backtest_as_json(tmp_path, capsys):
    path = tmp_path / "f.duckdb"
    con = store.connect(path)
    build(con)
    con.close()
    assert cli.main(["forecast", "--db", str(path), "--level", "cost_center", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fiscal_year"] == 2026 and out["cutoff"] == "2026-11"
    assert {r["key"] for r in out["landing"]} == {"IT", "Ops"}
    assert {"landing", "lo80", "hi80", "lo95", "hi95", "budget", "over_under", "p_overrun"} <= set(out["landing"][0])
    assert {a["key"] for a in out["accuracy"]} == {"IT", "Ops"}
    assert out["overall"]["series"] == 2


def test_forecast_command_refuses_a_year_beyond_the_horizon(tmp_path, capsys):
    path = tmp_path / "f.duckdb"
    con = store.connect(path)
    build(con)
    con.close()
    assert cli.main(["forecast", "--db", str(path), "--fiscal-year", "2030"]) == 1
    assert "ends after the forecast horizon" in capsys.readouterr().err
