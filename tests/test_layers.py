"""The project's own rules: layers, bound SQL, documented datasets and settings."""
import re
from pathlib import Path

from analytics import datasets, settings

ROOT = Path(__file__).resolve().parents[1]


def python_files(folder: str):
    return sorted((ROOT / folder).rglob("*.py"))


def test_analytics_never_imports_streamlit():
    offenders = [str(p) for p in python_files("analytics")
                 if re.search(r"^\s*(import streamlit|from streamlit)", p.read_text(), re.M)]
    assert offenders == []


def test_analytics_never_imports_views():
    offenders = [str(p) for p in python_files("analytics")
                 if re.search(r"^\s*(import views|from views)", p.read_text(), re.M)]
    assert offenders == []


def test_pages_contain_no_sql():
    sql = re.compile(r"\.execute\(|\bselect\b.+\bfrom\b", re.I)
    offenders = [str(p) for p in python_files("views") if sql.search(p.read_text())]
    assert offenders == []


def test_no_sql_built_from_f_strings_at_the_call():
    pattern = re.compile(r"(execute|sql|query)\(\s*f[\"']")
    offenders = [f"{p}:{i}" for p in python_files("analytics") + python_files("views")
                 for i, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_readme_documents_every_dataset_column():
    readme = (ROOT / "README.md").read_text()
    for name, dataset in datasets.DATASETS.items():
        assert f"**{name}**" in readme, name
        for column in dataset.column_names:
            assert f"`{column}`" in readme, f"{name}.{column}"


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    missing = [s.name for s in settings.all_settings() if f"`{s.name}`" not in readme]
    assert missing == []


def _module_imports() -> dict[str, set[str]]:
    """analytics module -> the analytics modules it imports at module level (not inside functions)."""
    import ast
    names = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
             for p in python_files("analytics")}
    graph = {}
    for name, path in names.items():
        found = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analytics"):
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    found.add(target if target in names else node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name in names}
        graph[name] = found - {name}
    return graph


def test_no_import_cycles_between_analytics_modules():
    graph = _module_imports()
    cycles = []

    def visit(node, path):
        for nxt in graph.get(node, ()):
            if nxt in path:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in seen:
                seen.add(nxt)
                visit(nxt, path + [nxt])
    for start in graph:
        seen = {start}
        visit(start, [start])
    assert sorted(set(cycles)) == []


def test_pages_pass_functions_not_dotted_names_to_the_cache():
    pattern = re.compile(r"common\.(cached|call)\(\s*[\"']")
    offenders = [str(p) for p in python_files("views") if pattern.search(p.read_text())]
    assert offenders == []
