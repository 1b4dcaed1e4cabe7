"""Reuse within one read: inside `with memo.reads():`, a `@memo.reusable` function called again with the same
connection and arguments returns what it computed the first time instead of querying again.

The Overview's twelve tiles are twelve metrics; six of them read the same budget-vs-actual total, two the same
landing, two the same SLA contract-months. One block of reads over one data version (nothing writes inside it)
computes each once. Outside a block, or on another thread, every call computes as before. Frames are handed
out as copies, so a caller that changes its frame changes nobody else's.
"""
from __future__ import annotations

import functools
import threading
from contextlib import contextmanager

import pandas as pd

_local = threading.local()


@contextmanager
def reads():
    """A block of reads over one data version (blocks nest: the outermost one owns the results)."""
    outer = getattr(_local, "results", None)
    if outer is None:
        _local.results = {}
    try:
        yield
    finally:
        if outer is None:
            _local.results = None


def reusable(func):
    """Mark a read `func(con, **keyword arguments)` as reusable within a `reads()` block."""
    @functools.wraps(func)
    def wrapper(con, *args, **kwargs):
        results = getattr(_local, "results", None)
        if results is None or args:
            return func(con, *args, **kwargs)
        key = (func.__module__, func.__qualname__, id(con),
               tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items())))
        try:
            hash(key)
        except TypeError:
            return func(con, **kwargs)
        if key not in results:
            results[key] = func(con, **kwargs)
        found = results[key]
        return found.copy() if isinstance(found, pd.DataFrame) else found
    return wrapper
