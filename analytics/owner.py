"""Who owns a database file: the server's state file beside it, and who holds its lock.

A running server (`python -m analytics serve`) writes `<db>.server.json` next to the database: its URL, pid,
the OS user who started it, and an owner token for the CLI of that user. The file is created readable by
that user only (mode 0600). The CLI reads it to send its commands through the server's API instead of
opening the file, which DuckDB lets only one process do.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServerState:
    url: str
    pid: int
    started_by: str
    started_at: str
    token: str | None  # None when the file could not be read (another OS user's server)

    def describe(self) -> str:
        return f"the Outlay server at {self.url} (pid {self.pid}, started by {self.started_by} at {self.started_at})"


def state_path(db: str | os.PathLike) -> Path:
    path = Path(db)
    return path.with_name(path.name + ".server.json")


def write_state(db: str | os.PathLike, *, url: str, token: str, started_by: str) -> Path:
    """Write the state file (0600: the owner token is for the OS user who started the server)."""
    target = state_path(db)
    info = {"url": url, "pid": os.getpid(), "started_by": started_by,
            "started_at": dt.datetime.now().replace(microsecond=0).isoformat(), "token": token}
    if target.exists():
        target.unlink()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(info, out)
    return target


def clear_state(db: str | os.PathLike) -> None:
    """Remove the state file when it is this process's own."""
    target = state_path(db)
    try:
        if json.loads(target.read_text()).get("pid") == os.getpid():
            target.unlink()
    except (OSError, ValueError):
        pass


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return False
    return True


def running(db: str | os.PathLike) -> ServerState | None:
    """The server that owns the database, when one runs (a state file left by a dead server is ignored)."""
    target = state_path(db)
    if not target.exists():
        return None
    try:
        info = json.loads(target.read_text())
        token = info.get("token")
    except PermissionError:
        return _unreadable(target)
    except (OSError, ValueError):
        return None
    if not pid_alive(int(info.get("pid", 0))):
        return None
    return ServerState(info["url"], int(info["pid"]), info.get("started_by", "?"), info.get("started_at", "?"), token)


def _unreadable(target: Path) -> ServerState | None:
    """Another OS user's server: its file exists but is private; say what we can (its owner)."""
    try:
        owner = target.owner()
    except (KeyError, NotImplementedError, OSError):
        owner = "another user"
    return ServerState("(unknown URL)", 0, owner, "?", None)


def lock_holder(db: str | os.PathLike, duckdb_message: str) -> str:
    """Who holds the database's lock, in words: the Outlay server, or the process DuckDB names."""
    match = re.search(r"PID (\d+)", duckdb_message)
    pid = int(match.group(1)) if match else None
    state = running(db)
    if state is not None and (pid is None or state.pid in (pid, 0)):
        return state.describe()
    if pid is None:
        return "another process"
    return f"process {pid}" + (f" ({_command_line(pid)})" if _command_line(pid) else "")


def _command_line(pid: int) -> str:
    """The process's command line where the system shows it (Linux /proc), shortened."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    parts = [p.decode(errors="replace") for p in raw.split(b"\0") if p]
    if parts and Path(parts[0]).name.startswith("python"):
        parts[0] = "python"
    return " ".join(parts)[:160]
