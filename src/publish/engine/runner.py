"""Run independent build tasks in worker processes, each writing its own files.

Workers are forked after the editions are rendered, so they inherit the rendered
trees (lxml trees cannot be pickled) and an already imported WeasyPrint; a task
goes to a worker as its index, and only its small `Outcome` comes back. With one
job the same task functions run in this process, so both ways write the same bytes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass

from .cache import Outcome


@dataclass
class Task:
    name: str
    key: str
    run: Callable[[], Outcome]
    cost: int  # a rough relative duration: the costliest tasks start first


# The tasks of the current run, read by forked workers (set just before forking).
_pending: list[Task] = []


def default_jobs() -> int:
    return len(os.sched_getaffinity(0))


def run_tasks(
    tasks: list[Task], jobs: int, progress: Callable[[str], None] | None = None
) -> list[Outcome]:
    """Every task's outcome, in the order given; `progress` hears of each one finished."""
    order = sorted(range(len(tasks)), key=lambda i: -tasks[i].cost)
    if jobs <= 1 or len(tasks) <= 1:
        finished = ((i, tasks[i].run()) for i in order)
        return _collect(tasks, finished, progress)
    return _run_forked(tasks, order, min(jobs, len(tasks)), progress)


def _collect(tasks: list[Task], finished, progress) -> list[Outcome]:
    """Outcomes as they arrive, told as `[done/total]`; returned in the tasks' order."""
    by_index = {}
    for done, (index, outcome) in enumerate(finished, 1):
        by_index[index] = outcome
        if progress is not None:
            progress(f"[{done}/{len(tasks)}] {tasks[index].name} done")
    return [by_index[i] for i in range(len(tasks))]


def _run_pending(index: int) -> tuple[int, Outcome]:
    return index, _pending[index].run()


def _run_forked(tasks: list[Task], order: list[int], workers: int, progress) -> list[Outcome]:
    global _pending
    _pending = tasks
    # Frozen objects are left alone by the collector, so workers don't copy the
    # pages holding the rendered editions just by collecting garbage.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            finished = pool.imap_unordered(_run_pending, order, chunksize=1)
            return _collect(tasks, finished, progress)
    finally:
        gc.unfreeze()
        _pending = []
