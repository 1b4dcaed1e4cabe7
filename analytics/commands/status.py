"""status [--json]: row counts per dataset and the import batches."""
from __future__ import annotations

import json

from analytics import cli, datasets, store


def register(subparsers) -> None:
    parser = subparsers.add_parser("status", help="row counts and import history",
                                   description="Row counts per dataset and every import batch.")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def status(con) -> dict:
    """{'datasets': {name: rows}, 'batches': [...]} for the database."""
    counts = {}
    for name, dataset in datasets.DATASETS.items():
        count_rows = 'select count(*) from "' + dataset.table + '"'  # table from the fixed dataset spec
        counts[name] = int(con.execute(count_rows).fetchone()[0])
    batches = con.execute(
        "select batch_id, dataset, file_name, row_count, strftime(imported_at, '%Y-%m-%dT%H:%M:%S'), imported_by "
        "from import_batches order by batch_id").fetchall()
    return {
        "datasets": counts,
        "batches": [{"batch_id": b, "dataset": d, "file": f, "rows": r, "imported_at": t, "imported_by": u}
                    for b, d, f, r, t, u in batches],
    }


# the datasets whose lines carry a cost center (spend, budget): the only ones a limited user sees counted
SCOPED_BATCHES_SQL = """
with
lines as (
    select 'spend' as dataset, batch_id from spend where list_contains($centers, cost_center)
    union all
    select 'budget' as dataset, batch_id from budget where list_contains($centers, cost_center)
),
per_batch as (
    select dataset, batch_id, count(*) as rows from lines group by dataset, batch_id
),
final as (
    select p.batch_id, p.dataset, b.file_name, p.rows, strftime(b.imported_at, '%Y-%m-%dT%H:%M:%S') as imported_at,
           b.imported_by
    from per_batch p join import_batches b using (batch_id)
)
select * from final order by batch_id
"""


def scoped_status(con, cost_centers: tuple[str, ...]) -> dict:
    """status() as a user limited to `cost_centers` may see it: the spend and budget lines of those cost centers
    (other datasets are company-wide: left out), and only the batches holding such lines, each with the number
    of those lines it holds."""
    batches = con.execute(SCOPED_BATCHES_SQL, {"centers": list(cost_centers)}).fetchall()
    counts = {"spend": 0, "budget": 0}
    for _, dataset, _, rows, _, _ in batches:
        counts[dataset] += rows
    return {
        "cost_centers": list(cost_centers),
        "datasets": counts,
        "batches": [{"batch_id": b, "dataset": d, "file": f, "rows": r, "imported_at": t, "imported_by": u}
                    for b, d, f, r, t, u in batches],
    }


def run(args) -> int:
    con = store.connect(args.db, read_only=True)
    info = status(con)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print_text(info, f"database: {store.db_path(args.db)} (schema version {store.schema_version(con)})")
    return 0


def print_text(info: dict, heading: str) -> None:
    """What `status` prints without --json (here or through a server)."""
    print(heading)
    if info.get("cost_centers"):
        print(f"  cost centers {', '.join(info['cost_centers'])} only (other datasets are company-wide)")
    for name, rows in info["datasets"].items():
        print(f"  {name:<10} {rows:>12,} rows")
    if info["batches"]:
        print("batches:")
        for b in info["batches"]:
            print(f"  {b['batch_id']:>5}  {b['dataset']:<10} {b['rows']:>10,}  {b['imported_at']}  {b['file']}")
