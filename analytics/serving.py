"""Serving the app to a team: which addresses are safe, whether sign-in is configured, the server's start and stop.

`python -m analytics serve` runs `streamlit run server.py` (st.App: the pages plus the HTTP API of
analytics.api in one process). That process opens the database at start and keeps it: it is the one owner of
the file, and leaves a state file beside it (analytics.owner) so the CLI goes through its API meanwhile.
"""
from __future__ import annotations

import ipaddress
import os
import socket
import stat
import threading
import time
import tomllib
from pathlib import Path

from analytics import accounts, activity, owner, schedule, store

DEFAULT_ADDRESS = "127.0.0.1"
DEFAULT_PORT = 8501
SCHEDULE_SECONDS = 60  # the timer looks for due scheduled reports at every minute ($OUTLAY_SCHEDULE_SECONDS)
SECRETS = store.PROJECT_ROOT / ".streamlit" / "secrets.toml"  # Streamlit's; $OUTLAY_SECRETS names another


def secrets_file() -> Path:
    """The secrets.toml holding the OIDC settings: $OUTLAY_SECRETS, else .streamlit/secrets.toml."""
    return Path(os.environ["OUTLAY_SECRETS"]) if os.environ.get("OUTLAY_SECRETS") else SECRETS


class ServeError(Exception):
    """The server cannot start as asked (an address open to the network without sign-in, ...)."""


def is_loopback(address: str | None) -> bool:
    """True for addresses only this machine reaches (127.0.0.0/8, ::1, localhost); the wildcard is not."""
    if not address:
        return False
    try:
        found = ipaddress.ip_address(address.strip("[]"))
        # a server bound to every interface (dual stack) sees 127.0.0.1 as ::ffff:127.0.0.1
        return (getattr(found, "ipv4_mapped", None) or found).is_loopback
    except ValueError:
        pass
    try:
        found = {info[4][0] for info in socket.getaddrinfo(address, None)}
    except OSError:
        return False
    return bool(found) and all(is_loopback(a.split("%")[0]) for a in found)


def oidc_configured(path: Path | None = None) -> bool:
    """Whether .streamlit/secrets.toml configures st.login ([auth] with a client_id, itself or per provider)."""
    try:
        auth = tomllib.loads((path or secrets_file()).read_text()).get("auth", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return bool(auth.get("client_id")) or any(isinstance(v, dict) and v.get("client_id") for v in auth.values())


def sign_in_required(con) -> bool:
    """Once an account exists or OIDC is configured, every visitor signs in (on loopback too)."""
    return accounts.any_accounts(con) or oidc_configured()


def check_address(con, address: str | None) -> None:
    """Refuse an address reachable from the network while anyone reaching it would be let in unsigned."""
    if is_loopback(address) or sign_in_required(con):
        return
    shown = address or "every interface"
    raise ServeError(
        f"refusing to serve on {shown}: with no accounts and no OIDC, anyone who reaches it could change the data. "
        "Add an account first (python -m analytics users add NAME --role admin --password-stdin), or configure "
        "OIDC in .streamlit/secrets.toml, or serve on 127.0.0.1 (the default).")


def local_url(address: str | None, port: int) -> str:
    """The URL the CLI on this machine uses to reach the server."""
    if not address or address in ("0.0.0.0", "::") or is_loopback(address):
        return f"http://127.0.0.1:{port}"
    return f"http://{address}:{port}"


def start(service, db, *, address: str | None, port: int) -> None:
    """Open the database (waiting briefly while another process holds it), check the address, take ownership."""
    service.start(db, owner_token=accounts.new_token(), owner_name=activity.os_actor())
    try:
        with service.cursor() as cur:
            check_address(cur, address)
        owner.write_state(service.db, url=local_url(address, port), token=service.owner_token,
                          started_by=activity.os_actor().removeprefix("os:"))
    except BaseException:
        service.stop()
        raise


def stop(service) -> None:
    if service.db is not None:
        owner.clear_state(service.db)
    service.stop()


def schedule_timer(service, stop: threading.Event) -> threading.Thread:
    """Start the thread that sends due scheduled reports (`schedule run-due`) at once and then at every minute
    until `stop` is set. The sent slots are recorded in schedule_runs, so a slot is sent once, across restarts
    too; a run that failed is retried at the next minute (analytics.schedule)."""
    interval = float(os.environ.get("OUTLAY_SCHEDULE_SECONDS") or SCHEDULE_SECONDS)
    by = f"server timer ({service.owner.name})"

    def tick() -> None:
        while not stop.is_set():
            try:
                with service.cursor() as cur:
                    runs = schedule.run_due(cur, by=by)
            except Exception as exc:  # one bad minute (a report that cannot be built) must not end the timer:
                runs = []             # it is said in the server's log and tried again at the next minute
                print(f"Outlay: scheduled reports: {type(exc).__name__}: {exc}", flush=True)
            for run in runs:
                print(f"Outlay: scheduled report {run['name']} ({run['report']} {run['period']}): {run['result']}, "
                      f"{run['detail']}", flush=True)
            stop.wait(interval - time.time() % interval)  # at the start of the next minute

    thread = threading.Thread(target=tick, name="outlay-schedule-timer", daemon=True)
    thread.start()
    return thread


def _process_sockets():
    """Each TCP socket this process holds, as a duplicate (closing it leaves the original open); sockets only."""
    fds = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    try:
        numbers = sorted(int(name) for name in os.listdir(fds) if name.isdigit())
    except OSError:
        numbers = list(range(3, 1024))
    for fd in numbers:
        try:
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            sock = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        with sock:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
                yield sock


def no_delay_on_listeners() -> int:
    """Turn Nagle's algorithm off (TCP_NODELAY) on this process's listening TCP sockets; returns how many.

    Streamlit binds the server's socket itself, as `socket.socket(family)`, so its `proto` is 0. Each accepted
    connection inherits that, and asyncio only sets TCP_NODELAY on a connection whose proto is IPPROTO_TCP
    (the same as uvicorn's own pre-bound sockets: github.com/Kludex/uvicorn/issues/3149). With Nagle on, the
    body of every response after the first on a kept-alive connection waits for the browser's delayed ACK,
    about 40 ms, and a new session fetches some 130 code files over 6 connections. Accepted sockets inherit
    TCP_NODELAY from the listener (Linux, macOS), so setting it on the listener once, before connections are
    accepted, covers every connection (the websocket gets Nagle back: NagleOnWebsockets).
    """
    done = 0
    for sock in _process_sockets():
        try:
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                done += 1
        except OSError:
            continue
    return done


def nagle_for(peer) -> bool:
    """Turn Nagle's algorithm back on (TCP_NODELAY off) for this process's connection from `peer` (host, port):
    True when found. For the websocket: a page run sends dozens of small messages over a few hundred ms; sent
    one by one, the browser drew after each, and in-app navigation was slower than with Nagle coalescing them
    (measured A/B over the 1M bench, revisits of every page: median 0.73 s with TCP_NODELAY, 0.65 s without)."""
    if not peer:
        return False
    host, port = str(peer[0]), int(peer[1])
    for sock in _process_sockets():
        try:
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                continue
            theirs = sock.getpeername()
        except OSError:
            continue
        if (str(theirs[0]).removeprefix("::ffff:"), int(theirs[1])) == (host.removeprefix("::ffff:"), port):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
            return True
    return False


class NagleOnWebsockets:
    """ASGI middleware: each websocket connection gets Nagle's algorithm back (nagle_for) before it is accepted;
    HTTP responses keep TCP_NODELAY (no_delay_on_listeners)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            nagle_for(scope.get("client"))
        await self.app(scope, receive, send)
