"""Warm start: the page queries people ran recently, remembered beside the database, so that a server that just
started (or just saw an import) computes them again in the background before anyone asks.

A page asks for its figures through `views.common.cached(module.function, **arguments)`; each distinct call is
remembered here (newest first, at most LIMIT) by the function's module and name and its arguments. The server
replays them whenever the data version changes (at start, after every import, undo, edit or setting) and keeps
the list in `<database>.warm.json`, so a restart knows what its people look at. Only calls whose arguments are
plain values (text, numbers, dates, flags, lists of them) are remembered; nothing else is written, and the
database itself is never touched.
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import threading
from collections import OrderedDict
from pathlib import Path

LIMIT = 300
PLAIN = (str, int, float, bool, type(None))


def calls_file(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(db.name + ".warm.json")


def _plain(value):
    """A JSON-able form of an argument, or raise TypeError."""
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    raise TypeError(f"not a plain value: {type(value).__name__}")


def _unplain(value):
    if isinstance(value, dict) and set(value) == {"date"}:
        return dt.date.fromisoformat(value["date"])
    if isinstance(value, list):
        return tuple(_unplain(v) for v in value)
    return value


def resolve(module: str, qualname: str):
    """The function `module.qualname` (importing the module), or None when it no longer exists."""
    if "<locals>" in qualname:
        return None
    try:
        found = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        return None
    return found if callable(found) else None


class Recent:
    """The distinct calls pages made, with how often each was asked for. Thread-safe: page runs add, the warm-up
    thread reads. Beyond LIMIT, the call asked for least (the oldest of those) is forgotten."""

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        self._calls: OrderedDict[str, tuple[str, str, tuple]] = OrderedDict()
        self._uses: dict[str, int] = {}
        self._lock = threading.Lock()
        self._dirty = False

    def remember(self, func, items: tuple) -> None:
        try:
            key = json.dumps([func.__module__, func.__qualname__, _plain(items)])
        except (TypeError, AttributeError):
            return
        with self._lock:
            self._uses[key] = self._uses.get(key, 0) + 1
            self._dirty = True
            if key in self._calls:
                return
            if len(self._calls) >= self.limit:
                least = min(self._calls, key=lambda k: self._uses.get(k, 0))
                del self._calls[least]
                self._uses.pop(least, None)
            self._calls[key] = (func.__module__, func.__qualname__, items)

    def calls(self) -> list[tuple[object, tuple]]:
        """(function, argument items) of every remembered call that still resolves, the most asked for first
        (the default views of the pages people open most: warmed before the rarer ones)."""
        with self._lock:
            entries = sorted(self._calls.items(), key=lambda kv: -self._uses.get(kv[0], 0))
        out = []
        for _key, (module, qualname, items) in entries:
            func = resolve(module, qualname)
            if func is not None:
                out.append((func, items))
        return out

    def __len__(self) -> int:
        return len(self._calls)

    def load(self, path: Path) -> None:
        """Add the calls kept in `path` (after the ones already remembered); a missing or damaged file adds none."""
        try:
            kept = json.loads(path.read_text())["calls"]
            entries = [(m, q, tuple((k, _unplain(v)) for k, v in items), int(uses)) for m, q, items, uses in kept]
        except (OSError, ValueError, KeyError, TypeError):
            return
        with self._lock:
            for module, qualname, items, uses in entries:
                key = json.dumps([module, qualname, _plain(items)])
                if key not in self._calls and len(self._calls) < self.limit:
                    self._calls[key] = (module, qualname, items)
                    self._uses[key] = self._uses.get(key, 0) + uses

    def save(self, path: Path, *, force: bool = False) -> bool:
        """Write the calls to `path` when they changed since the last save (atomically: write, then rename)."""
        with self._lock:
            if not (self._dirty or force):
                return False
            kept = [[m, q, _plain(items), self._uses.get(k, 0)] for k, (m, q, items) in self._calls.items()]
            self._dirty = False
        partial = path.with_name(path.name + ".part")
        partial.write_text(json.dumps({"saved_at": dt.datetime.now().isoformat(timespec="seconds"),
                                       "calls": kept}))
        partial.replace(path)
        return True
