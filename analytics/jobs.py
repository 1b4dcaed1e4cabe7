"""Jobs: results that cost seconds, computed once per data version after a write, never by a page.

After any write (import, undo, demo, settings, budget edit) the app (views.common.after_write) and the
CLI (analytics.cli, for the commands in WRITING_COMMANDS) call refresh(). Each job stores its results
with the data version they were computed from; readers use stored results and, where none are stored
(a database filled outside Outlay, or opened read-only), compute in memory without writing.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from analytics.forecast import runs


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable  # run(con) -> bool: True when it computed, False when its results were current
    help: str


JOBS = (
    Job("forecast", runs.refresh, "every level's uncommitted forecast, reconciled to the total"),
)


def refresh(con) -> dict[str, float]:
    """Run every job whose results are stale; {job name: seconds} for the jobs that computed."""
    took = {}
    for job in JOBS:
        began = time.perf_counter()
        if job.run(con):
            took[job.name] = round(time.perf_counter() - began, 3)
    return took
