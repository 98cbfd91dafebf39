"""Run a build's independent tasks, in forked worker processes when that is safe.

Workers are forked after the editions are rendered, so they inherit the rendered
trees (lxml trees cannot be pickled) and an already imported WeasyPrint; a task
goes to a worker as its index, and only its small `Outcome` comes back. Forking
a process that runs other threads (a preview server, say) is unsafe, so there,
and with one job, the same task functions run in this process: both ways write
the same bytes.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import queue
import resource
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import PublishError
from ..outputs.base import Output
from ..project.config_limits import DEFAULT_LIMITS, Limits
from .cache import Outcome


@dataclass
class Task:
    """One output of one edition, with the key of the inputs it depends on."""

    edition: str
    output: Output
    key: str
    run: Callable[[], Outcome]
    cost: float  # a rough relative duration: the costliest tasks start first

    @property
    def name(self) -> str:
        """How progress lines and cache records call it; never parsed back."""
        return f"{self.edition}-{self.output.name}"


def default_jobs() -> int:
    return len(os.sched_getaffinity(0))


class TaskRunner:
    """Runs tasks with up to `jobs` workers; `progress` hears of each one finished."""

    def __init__(
        self,
        jobs: int,
        progress: Callable[[str], None] | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.jobs = jobs
        self.progress = progress
        self.limits = limits

    def run(self, tasks: list[Task]) -> list[Outcome]:
        """Every task's outcome, in the order given."""
        order = sorted(range(len(tasks)), key=lambda i: -tasks[i].cost)
        workers = min(self.jobs, len(tasks))
        if workers <= 1 or threading.active_count() > 1:
            return self._collect(tasks, ((i, tasks[i].run()) for i in order))
        return self._collect(tasks, _Workers(tasks, workers, self.limits).results(order))

    def _collect(self, tasks: list[Task], finished) -> list[Outcome]:
        """Outcomes as they arrive, told as `[done/total]`; returned in the tasks' order."""
        by_index = {}
        for done, (index, outcome) in enumerate(finished, 1):
            by_index[index] = outcome
            if self.progress is not None:
                self.progress(f"[{done}/{len(tasks)}] {tasks[index].name} done")
        return [by_index[i] for i in range(len(tasks))]


class _Workers:
    """Forked processes that take task indexes from one queue and answer on another."""

    def __init__(self, tasks: list[Task], count: int, limits: Limits) -> None:
        self.tasks = tasks
        self.count = count
        self.limits = limits

    def results(self, order: list[int]):
        context = multiprocessing.get_context("fork")
        todo, done = context.SimpleQueue(), context.Queue()
        for index in order:
            todo.put(index)
        for _ in range(self.count):
            todo.put(None)
        # Frozen objects are left alone by the collector, so workers don't copy the
        # pages holding the rendered editions just by collecting garbage.
        gc.freeze()
        processes = [
            context.Process(target=self._work, args=(todo, done)) for _ in range(self.count)
        ]
        try:
            for process in processes:
                process.start()
                _lead_own_group(process.pid)
            for _ in order:
                index, outcome, error = self._next(done, processes)
                if isinstance(error, MemoryError):
                    megabytes = self.limits.child_memory_mb
                    message = f"{self.tasks[index].name} ran past its {megabytes} MB memory limit"
                    raise PublishError(f"ERROR LIM011 {message} (raise limits.child_memory_mb)")
                if error is not None:
                    raise error
                yield index, outcome
        finally:
            gc.unfreeze()
            for process in processes:
                if process.is_alive():
                    _end_group(process.pid)
                process.join()

    def _next(self, done, processes):
        """The next finished task; a LIM010 error when none finishes in time, another when
        every worker has ended without one (killed, or out of memory before it could say)."""
        deadline = time.monotonic() + self.limits.task_seconds
        while time.monotonic() < deadline:
            try:
                return done.get(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                if not any(process.is_alive() for process in processes) and done.empty():
                    codes = sorted({process.exitcode for process in processes})
                    raise PublishError(
                        f"a build worker ended without a result (exit codes {codes}): it may "
                        "have run out of memory (raise limits.child_memory_mb)"
                    ) from None
        seconds = self.limits.task_seconds
        message = f"no build task finished within its {seconds} s limit"
        raise PublishError(f"ERROR LIM010 {message} (raise limits.task_seconds)")

    def _work(self, todo, done) -> None:
        _lead_own_group(0)
        limit_memory(self.limits.child_memory_mb)
        while (index := todo.get()) is not None:
            try:
                done.put((index, self.tasks[index].run(), None))
            except BaseException as exc:  # reported to the parent, which raises it
                done.put((index, None, _portable(exc)))
                return


def _lead_own_group(pid: int) -> None:
    """Make a worker the leader of its own process group, from both sides of the fork (so
    it is done before either goes on): what it starts (a PDF's part workers, its join)
    joins the group, and `_end_group` ends them all."""
    # Refused when the other side did it already, or the worker has ended: either is fine.
    with contextlib.suppress(PermissionError, ProcessLookupError):
        os.setpgid(pid, pid)


def _end_group(pid: int) -> None:
    """A worker and every process it started: a worker ended alone would leave its part
    workers blocked on a pipe no one reads, for good."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def limit_memory(megabytes: int) -> None:
    """Let this (forked) worker grow by `megabytes` beyond what it inherited: a task that
    needs more gets MemoryError, reported as LIM011, instead of exhausting the machine."""
    page = os.sysconf("SC_PAGE_SIZE")
    with open("/proc/self/statm", encoding="ascii") as statm:
        inherited = int(statm.read().split()[0]) * page
    space = inherited + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (space, space))


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError with its trace."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError("".join(traceback.format_exception(exc)))
