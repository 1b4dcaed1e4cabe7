"""Allocation rules and drivers: reading them and the cross-row checks every rule set must pass.

The import pipeline runs `rule_problems` on a staged rules file and `driver_problems` on a staged drivers
file (each problem becomes a row error); the engine runs `rule_problems` again on the stored set before
allocating, and refuses the set with every message. Each message names the rule (its row and what it says).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

RULE_COLUMNS = ["row_no", "step", "source_dimension", "source_value", "target_kind", "target", "share_pct", "driver"]
DRIVER_COLUMNS = ["period", "driver", "target", "quantity"]
SHARE_TOLERANCE = 1e-6
ALL = "*"


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str


def describe(rule) -> str:
    """'rule on row 3 (step 1: cost_center Infrastructure → service Hosting)'."""
    how = f"{rule.share_pct:g}%" if pd.notna(rule.share_pct) else f"by {rule.driver}"
    return (f"rule on row {int(rule.row_no)} (step {int(rule.step)}: {rule.source_dimension} {rule.source_value} → "
            f"{rule.target_kind} {rule.target}, {how})")


def read_rules(con) -> pd.DataFrame:
    """One row per stored allocation rule: row_no (unique over batches), step, source, target, share or driver."""
    return con.execute(
        "select cast(row_number() over (order by step, batch_id, row_no) as bigint) as row_no, step, "
        "source_dimension, source_value, target_kind, target, share_pct, nullif(trim(driver), '') as driver "
        "from allocation_rules order by step, batch_id, row_no").df()


def read_drivers(con) -> pd.DataFrame:
    """One row per month x driver x target: quantity."""
    return con.execute("select period, driver, target, quantity from drivers order by period, driver, target").df()


def _row_problems(rules: pd.DataFrame) -> list[Problem]:
    out = []
    for rule in rules.itertuples(index=False):
        has_share, has_driver = pd.notna(rule.share_pct), pd.notna(rule.driver) and str(rule.driver).strip() != ""
        if has_share == has_driver:
            what = "both share_pct and driver" if has_share else "neither share_pct nor driver"
            out.append(Problem(int(rule.row_no), "share_pct", f"{describe(rule)} gives {what}: give exactly one"))
        elif rule.target == ALL and not has_driver:
            out.append(Problem(int(rule.row_no), "target", f"{describe(rule)}: target * needs a driver to say which "
                                                           "targets share the cost"))
    return out


def _step_problems(rules: pd.DataFrame) -> list[Problem]:
    out = []
    for step, group in rules.groupby("step", sort=True):
        dims = sorted(group["source_dimension"].unique())
        if len(dims) > 1:
            rows = ", ".join(str(int(r)) for r in group["row_no"])
            for rule in group.itertuples(index=False):
                out.append(Problem(int(rule.row_no), "source_dimension",
                                   f"{describe(rule)}: step {int(step)} mixes source dimensions {', '.join(dims)} "
                                   f"(rows {rows}); use one dimension per step"))
        for (_, value), source in group.groupby(["source_dimension", "source_value"], sort=True):
            out.extend(_source_problems(int(step), value, source))
    return out


def _source_problems(step: int, value: str, source: pd.DataFrame) -> list[Problem]:
    """One source in one step: shares or one driver, shares adding to 100, no target named twice."""
    first = next(source.itertuples(index=False))
    rows = ", ".join(str(int(r)) for r in source["row_no"])
    named = f"step {step}, source {first.source_dimension} {value} (rows {rows})"
    drivers = set(source["driver"].dropna())
    shares = source["share_pct"].dropna()
    if drivers and len(shares):
        return [Problem(int(first.row_no), "driver", f"{describe(first)}: {named} mixes fixed shares and drivers")]
    if len(drivers) > 1:
        return [Problem(int(first.row_no), "driver", f"{describe(first)}: {named} uses several drivers "
                                                     f"({', '.join(sorted(drivers))}); use one")]
    if len(shares) == len(source) and abs(float(shares.sum()) - 100.0) > SHARE_TOLERANCE:
        return [Problem(int(first.row_no), "share_pct",
                        f"{describe(first)}: the shares of {named} add up to {float(shares.sum()):g}, not 100")]
    twice = source[source.duplicated(["target_kind", "target"], keep="first")]
    return [Problem(int(r.row_no), "target", f"{describe(r)}: {named} names this target twice")
            for r in twice.itertuples(index=False)]


def _service_edges(rules: pd.DataFrame, drivers: pd.DataFrame | None) -> list[tuple[str, str, int]]:
    """(from service, to service, rule row) for every rule that moves a service's cost to a service."""
    moves = rules[(rules["source_dimension"] == "service") & (rules["target_kind"] == "service")]
    services = set(rules.loc[rules["target_kind"] == "service", "target"]) - {ALL}
    edges = []
    for rule in moves.itertuples(index=False):
        targets = {rule.target}
        if rule.target == ALL:
            known = set() if drivers is None else set(drivers.loc[drivers["driver"] == rule.driver, "target"])
            targets = (known & services) or services
        sources = services if rule.source_value == ALL else {rule.source_value}
        edges.extend((s, t, int(rule.row_no)) for s in sources for t in targets)
    return edges


def _cycle_problems(rules: pd.DataFrame, drivers: pd.DataFrame | None) -> list[Problem]:
    edges = _service_edges(rules, drivers)
    graph: dict[str, list[tuple[str, int]]] = {}
    for source, target, row in edges:
        graph.setdefault(source, []).append((target, row))
    by_row = {int(r.row_no): r for r in rules.itertuples(index=False)}

    def walk(node: str, path: list[tuple[str, int]]) -> list[tuple[str, int]] | None:
        for target, row in graph.get(node, []):
            seen = [n for n, _ in path]
            if target in seen:
                return path[seen.index(target):] + [(target, row)]
            found = walk(target, path + [(target, row)])
            if found:
                return found
        return None

    for start in sorted(graph):
        cycle = walk(start, [(start, 0)])
        if cycle:
            services = " → ".join(n for n, _ in cycle)
            rows = sorted({row for _, row in cycle if row})
            return [Problem(row, "target", f"{describe(by_row[row])} is part of a cycle: service {services} "
                                           "(a service's cost would flow back to itself)") for row in rows]
    return []


def rule_problems(rules: pd.DataFrame, drivers: pd.DataFrame | None = None) -> list[Problem]:
    """Every cross-row problem of a rule set, ordered by row: shares or a driver per rule, one dimension per
    step, shares of one source in one step adding to 100, no cycle between services."""
    rules = rules.dropna(subset=["step", "source_dimension", "source_value", "target_kind", "target"])
    if rules.empty:
        return []
    found = _row_problems(rules) + _step_problems(rules) + _cycle_problems(rules, drivers)
    return sorted(set(found), key=lambda p: (p.row, p.column, p.reason))


def driver_problems(drivers: pd.DataFrame) -> list[Problem]:
    """A driver whose quantities add up to 0 in a month could split nothing: every row of it is refused."""
    known = drivers.dropna(subset=["period", "driver", "quantity"])
    totals = known.groupby(["period", "driver"])["quantity"].transform("sum")
    zero = known[totals == 0]
    return [Problem(int(r.row_no), "quantity",
                    f"driver {r.driver} adds up to 0 in {pd.Timestamp(r.period):%Y-%m}: nothing could be split by it")
            for r in zero.itertuples(index=False)]
