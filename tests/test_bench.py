"""The benchmark harness: finds every domain module's cases, times them, times the imports (no timing asserted)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics import bench, cli, registry, store


@pytest.fixture(scope="module")
def tiny_bench(tmp_path_factory):
    """(directory, path, built?) of a bench database of about 2,000 spend lines."""
    directory = tmp_path_factory.mktemp("bench")
    path, built, _ = bench.ensure_db(2000, directory)
    return directory, path, built


def expected_cases(path) -> list[tuple[str, str]]:
    con = store.connect(path, read_only=True)
    try:
        return [(module.__name__.rsplit(".", 1)[-1], name) for module in registry.domain_modules()
                if hasattr(module, "bench_cases") for name, *_ in module.bench_cases(con)]
    finally:
        con.close()


def test_bench_lists_every_domain_modules_cases(tiny_bench, capsys):
    _, path, _ = tiny_bench
    code = cli.main(["bench", "--db", str(path), "--list", "--json"])
    listed = [(c["module"], c["case"]) for c in json.loads(capsys.readouterr().out)]
    assert code == 0
    assert listed == expected_cases(path)
    assert ("budget_edit", "budget.edit_grid") in listed


def test_bench_on_a_tiny_demo_times_the_cases_and_the_imports(tiny_bench):
    directory, path, _ = tiny_bench
    report = bench.run(rows=2000, directory=directory, repeat=1, csv_rows=300, xlsx_rows=30, only={"budget_edit"})
    text = bench.format_report(report)
    edit_cases = [case for module, case in expected_cases(path) if module == "budget_edit"]
    assert (report.db, report.built, report.spend_lines) == (str(path), False, bench.spend_lines(path))
    assert [c.case for c in report.cases] == edit_cases == ["budget.edit_grid", "budget.change_log"]
    assert [c.error for c in report.cases] == [None] * len(edit_cases)
    assert all(f"budget_edit: {case}" in text for case in edit_cases)
    assert [(i.file, i.rows) for i in report.imports] == [("spend-300.csv", 300), ("spend-30.xlsx", 30)]
    assert "peak memory" in text


def test_bench_reuses_a_database_of_the_same_size(tiny_bench):
    directory, path, built = tiny_bench
    again, built_again, seconds = bench.ensure_db(2000, directory)
    assert (built, built_again, seconds) == (True, False, None)
    assert again == path


def test_bench_command_rejects_an_unknown_module(tiny_bench, capsys):
    _, path, _ = tiny_bench
    code = cli.main(["bench", "--db", str(path), "--only", "budget_edit,nosuch"])
    assert code == 2
    assert "nosuch" in capsys.readouterr().err


def test_bench_command_refuses_a_missing_database(tmp_path, capsys):
    code = cli.main(["bench", "--db", str(tmp_path / "none.duckdb"), "--only", "budget_edit"])
    assert code == 1
    assert "no database" in capsys.readouterr().err


def test_overview_floors_are_the_same_aggregates_as_the_page_queries(tiny_bench):
    """The plain-SQL floors the bench compares the Overview's queries with compute the same totals."""
    from analytics import metrics, overview
    _, path, _ = tiny_bench
    con = store.connect(path, read_only=True)
    try:
        cases = {name: (func, floor[0] if floor else None) for name, func, *floor in overview.bench_cases(con)}
        floor = cases["overview.tiles"][1]
        actual, budget_ytd, budget_year = con.execute(floor.sql, floor.params).fetchall()[0]
        assert round(float(actual), 2) == metrics.evaluate(con, "ytd_actual").value
        assert round(float(budget_ytd), 2) == metrics.evaluate(con, "ytd_budget").value
        assert round(float(budget_year), 2) == metrics.evaluate(con, "full_year_budget").value
        page = cases["overview.monthly"][0]()
        rows = con.execute(cases["overview.monthly"][1].sql, cases["overview.monthly"][1].params).fetchall()
        assert round(sum(float(r[2] or 0) for r in rows), 2) == round(float(page["actual"].sum()), 2)
        assert round(sum(float(r[1] or 0) for r in rows), 2) == round(float(page["budget"].sum()), 2)
        by_category = cases["overview.by_category"][0]()
        rows = con.execute(cases["overview.by_category"][1].sql, cases["overview.by_category"][1].params).fetchall()
        assert {r[0]: round(float(r[1]), 2) for r in rows if r[1]} == \
            {r.category: round(r.actual_ytd, 2) for r in by_category.itertuples() if r.actual_ytd}
    finally:
        con.close()


def test_the_report_prints_each_floor_and_the_ratio(tiny_bench):
    directory, _, _ = tiny_bench
    report = bench.run(rows=2000, directory=directory, repeat=1, csv_rows=300, xlsx_rows=30, only={"overview"})
    assert all(c.error is None for c in report.cases), [c.error for c in report.cases]
    from analytics import overview
    assert all(c.floor_median_s for c in report.cases if c.case != overview.OTHER_TILES_CASE)
    assert [c.case for c in report.cases if not c.floor_median_s] == [overview.OTHER_TILES_CASE]
    assert "x floor" in bench.format_report(report)


def _melt_months(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """A wide page table (one column per YYYY-MM month) as one row per keys x month (empty cells left out)."""
    months = [c for c in frame.columns if isinstance(c, str) and len(c) == 7 and c[4] == "-"]
    return frame.melt(id_vars=keys, value_vars=months, var_name="period", value_name=value).dropna(subset=[value])


def _versions_long(frame: pd.DataFrame) -> pd.DataFrame:
    table = frame[frame["cost_center"] != "Total"]
    versions = [c for c in table.columns if c not in ("cost_center", "actual_ytd", "run_rate")]
    long = table.melt(id_vars=["cost_center", "actual_ytd"], value_vars=versions, var_name="version",
                      value_name="budget_year")
    return long.dropna(subset=["budget_year"])


# how a page result with another shape than its floor's rows is laid out as the floor's rows
PAGE_AS_ROWS = {
    "budget.grid_variance": lambda f: _melt_months(f[f["cost_center"] != "Total"], ["cost_center", "category"],
                                                   "variance"),
    "budget.versions_compare": _versions_long,
    "budget.rates_used": lambda f: _melt_months(f, ["currency"], "rate"),
    "budget.edit_grid": lambda f: f.rename(columns={m: f"m{i + 1}" for i, m in enumerate(f.columns[4:])}),
    "budget.variance_drivers": lambda f: f.drop_duplicates("cost_center")[["cost_center", "cost_center_variance"]],
    "overview.tiles": lambda tiles: pd.DataFrame([{t.metric: t.value for t in tiles}]),
    "overview.filter_values": lambda values: pd.DataFrame(
        [{"value": v} for column in ("cost_center", "category", "vendor") for v in values[column]]),
}


def _as_rows(name: str, result) -> pd.DataFrame:
    if name in PAGE_AS_ROWS:
        return PAGE_AS_ROWS[name](result)
    frame = pd.DataFrame([result]) if isinstance(result, dict) else result
    return frame[~frame["is_total"]] if "is_total" in frame.columns else frame


def _totals(frame: pd.DataFrame, keys: list[str], values: list[str]) -> dict[tuple, tuple]:
    """{group key: value totals}, groups whose totals are all zero to the cent left out (when there are totals)."""
    keyed = pd.DataFrame({k: frame[k].map(_key) for k in keys})
    for v in values:
        keyed[v] = pd.to_numeric(frame[v], errors="coerce").astype(float).fillna(0.0).to_numpy()
    sums = keyed.groupby(keys)[values].sum() if keys else keyed[values].sum().to_frame().T
    out = {}
    for key, row in sums.iterrows():
        if not values or any(abs(x) >= 0.005 for x in row):
            out[key if isinstance(key, tuple) else (key,)] = tuple(row)
    return out


def _key(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def floored_cases(con) -> list[tuple[str, object, bench.Floor]]:
    return [(name, func, floor) for _, name, func, floor in bench.collect_cases(con) if floor is not None]


def test_every_floor_is_the_same_aggregate_as_its_case(tiny_bench):
    """Each plain-SQL floor returns the same groups and the same totals (to the cent) as its bench case: its columns
    are the case's, its text columns the group keys, its numeric columns the totals compared group by group."""
    _, path, _ = tiny_bench
    con = store.connect(path, read_only=True)
    try:
        cases = floored_cases(con)
        assert {name for name, _, _ in cases} >= {"budget.summary_by_cost_center", "cloud.summary",
                                                   "vendors.spend_history", "budget.edit_grid"}
        for name, func, floor in cases:
            used = {k: v for k, v in floor.params.items() if f"${k}" in floor.sql}
            expected = con.execute(floor.sql, used).df()
            result = _as_rows(name, func())
            assert set(expected.columns) <= set(result.columns), (name, list(expected.columns), list(result.columns))
            keys = [c for c in expected.columns if pd.api.types.is_bool_dtype(expected[c])
                    or not pd.api.types.is_numeric_dtype(expected[c])]
            values = [c for c in expected.columns if c not in keys]
            want, got = _totals(expected, keys, values), _totals(result, keys, values)
            assert sorted(got) == sorted(want), name
            for key, totals in want.items():
                assert got[key] == pytest.approx(totals, abs=0.005), (name, key)
    finally:
        con.close()


def test_a_case_is_timed_as_a_page_runs_it(tmp_path):
    """Each run of a case is one page query: inside its own memo.reads() block (views.common's cached call), so a
    settings read its parts ask for twice is read once per run, and nothing is reused from one run to the next."""
    from analytics import memo, settings
    path = tmp_path / "t.duckdb"
    store.connect(path).close()
    con = store.connect(path, read_only=True)
    queries = []

    class Counting:
        def execute(self, sql, *args):
            queries.append(sql)
            return con.execute(sql, *args)

    counted = Counting()

    def case():
        settings.get(counted, "reporting_currency")
        settings.get(counted, "base_currency")

    try:
        timing = bench.time_case("settings", "two reads", case, repeat=3)
    finally:
        con.close()
    assert timing.error is None and timing.runs == 3
    assert len(queries) == 3  # one settings read per run, not two
    assert getattr(memo._local, "results", None) is None  # the block ends with the run
