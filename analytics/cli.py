"""`python -m analytics <command>`: one module per command in analytics/commands/.

Each command module defines `register(subparsers)` which adds its parser and sets
`func(args) -> int`. Exit codes: 0 ok, 1 invalid input, 2 usage error.
A command speaks the database's `language` setting (read once here, before it runs): its result lines and
errors go through the message catalog; help texts (for whoever types the command) and --json output (for
programs: English keys, raw numbers) stay as they are.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import duckdb

from analytics import commands, i18n, owner, settings, store


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analytics",
        description="Outlay: IT budget, contract and SLA analytics. Every command takes --db PATH "
                    "(default $OUTLAY_DB, else data/outlay.duckdb).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"analytics.commands.{info.name}")
        module.register(subparsers)
    return parser


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH", help="database file (default $OUTLAY_DB, else data/outlay.duckdb)")


def positive_int(text: str) -> int:
    """argparse type: a whole number of 1 or more (underscores allowed, as in 1_000_000)."""
    if not text.replace("_", "").isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def error(message) -> None:
    """Print `message` (an exception or a text already in the current language) as the CLI's error line."""
    print(i18n.t("error: {problem}", problem=message), file=sys.stderr)


def language(args) -> str:
    """The language a command speaks: the `language` setting of its database; English when there is no
    database yet, when it cannot be read now (another process holds it: a server answers in its own words),
    or when it was written by another version of Outlay (the command itself says so)."""
    db = getattr(args, "db", None)
    if str(db) == ":memory:" or not store.db_path(db).exists():
        return i18n.DEFAULT
    try:
        con = store.connect(db, read_only=True, wait=0)
    except store.StoreError:
        return i18n.DEFAULT
    except duckdb.ConnectionException:  # this process has it open for writing already (a test, the app's job)
        con = store.connect(db, wait=0)
    try:
        return settings.get(con, "language")
    except settings.SettingError:
        return i18n.DEFAULT
    finally:
        con.close()


# commands that change data or settings: the jobs (analytics.jobs) refresh derived results after them
WRITING_COMMANDS = {"import", "undo", "demo", "settings"}
# commands that go through the server's API while a server owns the database (analytics.remote); the server
# runs the jobs after a write itself
SERVED_COMMANDS = {"status", "metric", "report", "export", "import", "undo", "users"}


def refresh_after(args) -> None:
    """Bring the stored results (forecast, audit, scorecards) up to the data version a command left."""
    from analytics import jobs  # heavy (forecast models): only for the commands that write
    con = store.connect(args.db)
    try:
        jobs.refresh(con)
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    with i18n.use(language(args)):
        try:
            if args.command in SERVED_COMMANDS and hasattr(args, "db") and args.db != ":memory:":
                server = owner.running(store.db_path(args.db).resolve())
                if server is not None:
                    from analytics import remote
                    return remote.run(args, server)
            code = int(args.func(args) or 0)
            if code == 0 and args.command in WRITING_COMMANDS and getattr(args, "db", "") != ":memory:":
                refresh_after(args)
            return code
        except store.StoreError as exc:
            error(exc)
            return 1
        except BrokenPipeError:
            return 0


if __name__ == "__main__":
    sys.exit(main())
