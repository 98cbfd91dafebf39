"""Child processes (pandoc, Graphviz) under a wall-clock and a memory limit.

The memory limit is the child's address space (RLIMIT_AS). It must be in place
before the program starts (GHC's runtime, pandoc's, reserves its heap at start),
so util-linux's `prlimit` sets it and then runs the program: nothing of Python
runs between fork and exec, which keeps it safe while other threads run
(pandoc renders editions from a thread pool). Without `prlimit` a `preexec_fn`
does the same. The wall clock is the parent's `communicate` timeout; a child
past it is killed. Either way the caller gets a `LimitHit` saying which limit,
so it can report a finding at the input's line.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import time

from .project.config_limits import Limits

# What pandoc (GHC's runtime) and Graphviz print when an allocation is refused.
OUT_OF_MEMORY = (
    *("out of memory", "cannot allocate", "heap overflow", "memory exhausted"),
    "unable to commit",
)


class LimitHit(Exception):
    """A child ran past a limit: `code` is LIM010 (time) or LIM011 (memory)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.part: int | None = None
        """Which part of the edition pandoc ran on, when it ran part by part."""
        self.stderr = b""
        """What the child wrote to stderr before it was stopped."""


class Limited:
    """One child process, started now, limited in memory; `finish` feeds and waits for it."""

    def __init__(self, command: list[str], limits: Limits, what: str, env=None) -> None:
        self.limits = limits
        self.what = what
        self.started = time.monotonic()
        space = limits.child_memory_mb * 1024 * 1024
        prlimit = shutil.which("prlimit")
        if prlimit is not None:
            command = [prlimit, f"--as={space}", "--", *command]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            preexec_fn=None if prlimit else _address_space(space),
        )

    def finish(self, data: bytes) -> subprocess.CompletedProcess:
        """Give the child its input and wait, within what is left of its wall clock."""
        left = max(0.1, self.limits.child_seconds - (time.monotonic() - self.started))
        try:
            out, err = self.process.communicate(data, timeout=left)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _out, err = self.process.communicate()
            seconds = self.limits.child_seconds
            hit = LimitHit("LIM010", f"{self.what} ran past its {seconds} s limit")
            hit.stderr = err
            raise hit from None
        result = subprocess.CompletedProcess(self.process.args, self.process.returncode, out, err)
        if result.returncode != 0 and _out_of_memory(result):
            megabytes = self.limits.child_memory_mb
            hit = LimitHit("LIM011", f"{self.what} ran past its {megabytes} MB memory limit")
            hit.stderr = err
            raise hit
        return result


def _address_space(space: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (space, space))

    return limit


def _out_of_memory(result: subprocess.CompletedProcess) -> bool:
    message = result.stderr.decode("utf-8", "replace").lower()
    return result.returncode < 0 or any(words in message for words in OUT_OF_MEMORY)


def run_limited(command: list[str], data: bytes, limits: Limits, what: str, env=None):
    """Run `command` on `data` within `limits`; its CompletedProcess, or LimitHit."""
    return Limited(command, limits, what, env).finish(data)
