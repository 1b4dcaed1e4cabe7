"""The benchmark harness lists every domain module's cases and the imports (no timing asserted)."""
from __future__ import annotations

import json

from analytics import bench, cli, registry


def expected_cases(con) -> list[str]:
    names = []
    for module in registry.domain_modules():
        if hasattr(module, "bench_cases"):
            short = module.__name__.rsplit(".", 1)[-1]
            names += [f"{short}: {name}" for name, _ in module.bench_cases(con)]
    return names


def test_bench_builds_a_tiny_demo_and_times_every_case(tmp_path, demo_con):
    report = bench.run(rows=3000, directory=tmp_path, repeat=1, csv_rows=400, xlsx_rows=40)
    text = bench.format_report(report)
    assert report.built
    assert [f"{c.module}: {c.case}" for c in report.cases] == expected_cases(demo_con)
    assert "fx: spend_rc total by month" in text
    assert [c.error for c in report.cases if c.error] == []
    assert [(i.file, i.rows) for i in report.imports] == [("spend-400.csv", 400), ("spend-40.xlsx", 40)]
    assert "peak memory" in text


def test_bench_reuses_a_database_of_the_same_size(tmp_path):
    path, built, _ = bench.ensure_db(2000, tmp_path)
    again, built_again, seconds = bench.ensure_db(2000, tmp_path)
    assert (built, built_again, seconds) == (True, False, None)
    assert again == path
    assert bench.spend_lines(path) > 0


def test_bench_command_on_an_existing_database_prints_json(demo_copy, demo_con, capsys):
    code = cli.main(["bench", "--db", str(demo_copy), "--repeat", "1", "--csv-rows", "300", "--xlsx-rows", "30",
                     "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["built"] is False
    assert report["spend_lines"] == demo_con.execute("select count(*) from spend").fetchone()[0]
    assert [f"{c['module']}: {c['case']}" for c in report["cases"]] == expected_cases(demo_con)
    assert [i["rows"] for i in report["imports"]] == [300, 30]
