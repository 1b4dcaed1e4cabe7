"""Editing budgets in the app: every save is a new named version; the original is never overwritten.

A new version starts as a full copy of its base version (every month, not only the year shown),
with the edited lines applied. It is written to `budget` as its own import batch, so every view,
export and `undo` treat it like an imported version. Every line whose amount differs from the
base is recorded in budget_changes (version, line, old value, new value, when, who).
"""
from __future__ import annotations

import getpass
import hashlib
import json

import pandas as pd

from analytics import budget, calendar, store
from analytics.currencies import ISO_4217

KEYS = ["cost_center", "category", "project", "currency"]


class BudgetEditError(ValueError):
    """A budget edit that cannot be saved (bad version name, incomplete line, ...)."""


EDIT_GRID_SQL = """
-- grain: one row per cost center x category x project x currency of the version's lines in force, one column per
-- month of the fiscal year ($m1..$m12, renamed YYYY-MM by the caller): the amount in the line's own currency
select cost_center, category, coalesce(project, '') as project, currency,
    coalesce(sum(amount) filter (where period = $m1), 0) as m1,
    coalesce(sum(amount) filter (where period = $m2), 0) as m2,
    coalesce(sum(amount) filter (where period = $m3), 0) as m3,
    coalesce(sum(amount) filter (where period = $m4), 0) as m4,
    coalesce(sum(amount) filter (where period = $m5), 0) as m5,
    coalesce(sum(amount) filter (where period = $m6), 0) as m6,
    coalesce(sum(amount) filter (where period = $m7), 0) as m7,
    coalesce(sum(amount) filter (where period = $m8), 0) as m8,
    coalesce(sum(amount) filter (where period = $m9), 0) as m9,
    coalesce(sum(amount) filter (where period = $m10), 0) as m10,
    coalesce(sum(amount) filter (where period = $m11), 0) as m11,
    coalesce(sum(amount) filter (where period = $m12), 0) as m12
from budget_lines_in_force($version)
where period between $first and $last
    and ($cost_center is null or cost_center = $cost_center) and ($category is null or category = $category)
group by all
order by cost_center, category, project, currency
"""


def edit_grid(con, *, year: int, version: str, cost_center: str | None = None,
              category: str | None = None) -> pd.DataFrame:
    """One row per cost center x category x project x currency of `version`, one column per month
    of the fiscal year: amounts in the line's own currency (0 where the version has no line)."""
    win = calendar.window(con, year=year)
    months = [m.strftime("%Y-%m") for m in win.months]
    params = {"version": version, "first": win.first, "last": win.last, "cost_center": cost_center or None,
              "category": category or None, **{f"m{i + 1}": month for i, month in enumerate(win.months)}}
    # pivoted in SQL, one filtered sum per month (unstack, reindex and a sort cost more than the query itself)
    wide = con.execute(EDIT_GRID_SQL, params).df()
    if wide.empty:
        return pd.DataFrame(columns=KEYS + months)
    return wide.rename(columns={f"m{i + 1}": month for i, month in enumerate(months)})


def grid_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The cells that differ between two edit grids (rows added in `after` count as new lines):
    one row per period x line with old_amount (NaN for a new line) and new_amount."""
    months = [c for c in before.columns if c not in KEYS]
    after = after.copy()
    for key in KEYS:
        after[key] = after[key].fillna("").astype(str).str.strip()
    after["currency"] = after["currency"].str.upper()
    incomplete = after[(after["cost_center"] == "") | (after["category"] == "") | (after["currency"] == "")]
    if len(incomplete):
        raise BudgetEditError("every budget line needs a cost center, a category and a currency")
    unknown = sorted(set(after["currency"]) - ISO_4217)
    if unknown:
        raise BudgetEditError(f"not ISO 4217 currency codes: {', '.join(unknown)}")
    if after.duplicated(KEYS).any():
        raise BudgetEditError("two lines have the same cost center, category, project and currency")
    old = before.melt(id_vars=KEYS, value_vars=months, var_name="period", value_name="old_amount")
    new = after.melt(id_vars=KEYS, value_vars=months, var_name="period", value_name="new_amount")
    new["new_amount"] = pd.to_numeric(new["new_amount"], errors="coerce").fillna(0.0).round(4)
    merged = new.merge(old, on=KEYS + ["period"], how="left")
    changed = merged[merged["old_amount"].isna() | ((merged["new_amount"] - merged["old_amount"]).abs() >= 0.00005)]
    changed = changed[~(changed["old_amount"].isna() & (changed["new_amount"] == 0))]
    return changed[["period", *KEYS, "old_amount", "new_amount"]].reset_index(drop=True)


def save_version(con, *, base_version: str, new_version: str, changes: pd.DataFrame, user: str | None = None,
                 note: str | None = None) -> int:
    """Create `new_version` = `base_version` with `changes` (from grid_changes) applied, log every
    change, all in one transaction; returns the new version's import batch id."""
    name = (new_version or "").strip()
    if not name:
        raise BudgetEditError("give the new budget version a name")
    if con.execute("select count(*) from budget where version = ?", [name]).fetchone()[0]:
        raise BudgetEditError(f"budget version {name!r} already exists; versions are never overwritten, "
                              "choose a new name")
    if not con.execute("select count(*) from budget where version = ?", [base_version]).fetchone()[0]:
        raise BudgetEditError(f"no budget version {base_version!r}")
    if changes.empty:
        raise BudgetEditError("no budget line was changed")
    user = user or _current_user()
    rows = changes.assign(project=changes["project"].replace("", None),
                          period=pd.to_datetime(changes["period"] + "-01").dt.date)
    payload = json.dumps([name, base_version, rows.astype(str).values.tolist()]).encode()
    with store.transaction(con):
        batch_id = _copy_base(con, base_version, name, hashlib.sha256(payload).hexdigest(), user)
        con.register("budget_edit_changes", rows)
        try:
            _apply(con, batch_id, name, base_version, user)
        finally:
            con.unregister("budget_edit_changes")
        con.execute("insert into budget_versions values (?, ?, ?, ?, current_timestamp, ?)",
                    [name, base_version, batch_id, note, user])
    return batch_id


COPY_SQL = """
insert into budget
select $batch, row_number() over (order by batch_id, row_no), period, cost_center, category, amount, currency,
    $name, project
from budget_lines_in_force($version)
"""


def _copy_base(con, base_version: str, name: str, sha: str, user: str | None) -> int:
    """A new batch holding every line in force for the base version, renamed to the new version."""
    batch_id = con.execute(
        "insert into import_batches (dataset, file_name, sha256, row_count, imported_at, imported_by) "
        "values ('budget', ?, ?, 0, current_timestamp, ?) returning batch_id",
        [f"edited in app: {name} (from {base_version})", sha, user]).fetchone()[0]
    con.execute(COPY_SQL,
                {"batch": batch_id, "name": name, "version": base_version})
    return batch_id


APPLY_SQL = """
insert into budget_changes (version, base_version, period, cost_center, category, project, currency,
    old_amount, new_amount, changed_at, changed_by)
select $version, $base, period, cost_center, category, project, currency, old_amount, new_amount,
    current_timestamp, $user
from budget_edit_changes;

delete from budget b using budget_edit_changes c
where b.batch_id = $batch and b.period = c.period and b.cost_center = c.cost_center
    and b.category = c.category and b.project is not distinct from c.project;

insert into budget
select $batch, (select max(row_no) from budget where batch_id = $batch) + row_number() over (),
    period, cost_center, category, cast(new_amount as decimal(18, 4)), currency, $version, project
from budget_edit_changes;
"""


def _apply(con, batch_id: int, name: str, base_version: str, user: str | None) -> None:
    params = {"version": name, "base": base_version, "user": user, "batch": batch_id}
    for statement in APPLY_SQL.split(";"):
        if statement.strip():
            used = {k: v for k, v in params.items() if f"${k}" in statement}
            con.execute(statement, used)
    count = con.execute("select count(*) from budget where batch_id = ?", [batch_id]).fetchone()[0]
    con.execute("update import_batches set row_count = ? where batch_id = ?", [count, batch_id])


CHANGE_LOG_SQL = """
select change_id, version, base_version, strftime(period, '%Y-%m') as period, cost_center, category,
    coalesce(project, '') as project, currency, old_amount, new_amount,
    new_amount - coalesce(old_amount, 0) as difference, changed_at, changed_by
from budget_changes
where $version is null or version = $version
order by change_id desc
"""


def change_log(con, *, version: str | None = None) -> pd.DataFrame:
    """One row per changed budget line, newest first: version, line, old and new amount, when, who."""
    return con.execute(CHANGE_LOG_SQL, {"version": version}).df()


def _current_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:
        return None




# floor for the bench: the edit grid as plain SQL over the budget table, the same pivot (one filtered sum per month)
# over the version's own lines (the default version is 'original', which inherits no line from another version)
FLOOR_EDIT_GRID = ("select cost_center, category, coalesce(project, '') as project, currency, "
                   + ", ".join(f"coalesce(sum(amount) filter (where period = $m{i}), 0) as m{i}" for i in range(1, 13))
                   + " from budget where version = $version and period between $first and $last group by all"
                   " order by cost_center, category, project, currency")


def bench_cases(con) -> list[tuple]:
    """The Budget page's editing queries, for `python -m analytics bench`, with their plain-SQL floors."""
    from analytics.bench import Floor
    year = calendar.current_year(con)
    win = calendar.window(con, year=year)
    version = budget.default_version(con)
    months = {f"m{i + 1}": month for i, month in enumerate(win.months)}
    # the page's query also keeps the inherited lines of a revised version (budget_lines_in_force's not-exists
    # branch) and reads the calendar: fixed per-call cost over a 2,400-line table, not work that grows with size
    return [("budget.edit_grid", lambda: edit_grid(con, year=year, version=version),
             Floor(FLOOR_EDIT_GRID, {"version": version, "first": win.first, "last": win.last, **months})),
            # no floor: the change log is already one plain select over budget_changes, its own floor
            ("budget.change_log", lambda: change_log(con))]
