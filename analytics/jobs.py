"""Jobs: results that cost seconds, computed once per data version after a write, never by a page.

After any write (import, undo, demo, settings, budget edit) the app (views.common.after_write) and the
CLI (analytics.cli, for the commands in WRITING_COMMANDS) call refresh(). Each job stores its results
with the data version they were computed from; readers use stored results and, where none are stored
(a database filled outside Outlay, or opened read-only), compute in memory without writing.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

from analytics import audit, spend_totals, store, vendors
from analytics.forecast import runs


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable  # run(con): computes and stores results unless those of the data version are stored
    help: str


JOBS = (
    # first: the forecast, the audit and the scorecards read actual through spend_month_rc, which reads these sums
    Job("spend totals", spend_totals.refresh, "spend summed per month and key, which every actual figure reads"),
    Job("forecast", runs.refresh, "every level's uncommitted forecast, reconciled to the total"),
    Job("audit", audit.refresh, "every cost-audit rule's findings"),
    Job("scorecards", vendors.refresh, "vendor scorecard indicators for the quarters the Vendors page offers"),
)


# one refresh at a time in a process: the server's API and its pages write through one database instance, and
# two runs computing the same data version's results would write them twice
_RUNNING = threading.Lock()


T = TypeVar("T")


class _JobFailed(Exception):
    """A job failed inside a write's transaction (the write itself went through)."""


def write_with_results(con, write: Callable[..., T]) -> T:
    """`write(con)` and the jobs for the data it leaves, in one transaction: the new data version becomes visible
    to readers together with its stored results, so while a long import and its jobs run, pages keep reading the
    previous version (cached) and afterwards never compute forecasts, findings or scorecards in memory.

    If a job fails, the write alone is done again (its transaction rolled back, so `write` must start from its
    input, e.g. the uploaded file) and the jobs run after it as after any write: a job's bug never blocks a write.
    """
    try:
        with store.transaction(con):
            done = write(con)
            try:
                refresh(con)
            except Exception as exc:
                raise _JobFailed from exc
        return done
    except _JobFailed:
        with store.transaction(con):
            done = write(con)
        refresh(con)
        return done


def refresh(con) -> dict[str, float]:
    """Run every job (each skips itself when its results are current); {job name: seconds}, for the jobs that
    took a noticeable time (a current job returns at once)."""
    took = {}
    with _RUNNING:
        for job in JOBS:
            began = time.perf_counter()
            job.run(con)
            seconds = time.perf_counter() - began
            if seconds >= 0.05:
                took[job.name] = round(seconds, 3)
    return took
