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
    for name, rows in info["datasets"].items():
        print(f"  {name:<10} {rows:>12,} rows")
    if info["batches"]:
        print("batches:")
        for b in info["batches"]:
            print(f"  {b['batch_id']:>5}  {b['dataset']:<10} {b['rows']:>10,}  {b['imported_at']}  {b['file']}")
