"""serve [--port N] [--address A]: run the app and its HTTP API, the one owner of the database."""
from __future__ import annotations

import os
import subprocess
import sys

from analytics import cli, owner, serving, store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the app and its HTTP API (what `make run` does)",
        description="Serve the pages and the HTTP API (/api/v1/...) from one process that owns the database while "
                    "it runs; the CLI's status, metric, report, export, import and undo go through it meanwhile. "
                    "Listens on 127.0.0.1 unless --address says otherwise; an address reachable from the network "
                    "is refused until an account exists (`users add`) or OIDC is configured.")
    parser.add_argument("--port", type=cli.positive_int, default=serving.DEFAULT_PORT, help="port (default 8501)")
    parser.add_argument("--address", default=serving.DEFAULT_ADDRESS,
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
    parser.add_argument("--watch", action="store_true",
                        help="for developers: rerun pages when their source files change (off by default: watching "
                             "every imported module costs CPU on each page run)")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    db = store.db_path(args.db).resolve()
    running = owner.running(db)
    if running is not None:
        print(f"error: {db} is already served by {running.describe()}", file=sys.stderr)
        return 1
    con = store.connect(db)  # creates and migrates it; says who holds it when another process does
    try:
        serving.check_address(con, args.address)
    except serving.ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    argv = [sys.executable, "-m", "streamlit", "run", str(store.PROJECT_ROOT / "server.py"),
            "--server.port", str(args.port), "--server.address", args.address,
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            # without a watcher Streamlit does not rescan the paths of every imported module after each script
            # run (on the event loop: it held back every session's messages)
            "--server.fileWatcherType", "auto" if args.watch else "none",
            "--server.runOnSave", "true" if args.watch else "false"]
    if os.environ.get("OUTLAY_SECRETS"):  # OIDC settings kept outside the project (analytics.serving)
        argv += ["--secrets.files", str(serving.secrets_file())]
    env = dict(os.environ, OUTLAY_DB=str(db))
    print(f"Outlay: serving {db} on http://{args.address}:{args.port} (Ctrl+C stops it)", flush=True)
    if os.name == "posix":
        os.execve(sys.executable, argv, env)  # the server keeps this process's pid
    return subprocess.call(argv, env=env)
