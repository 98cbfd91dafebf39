"""One build at a time per output folder: an advisory lock on `build/.lock`.

A second `publish build` on the same folder says it is waiting and waits; the
lock goes with the process, so a killed build never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

LOCK_FILE = ".lock"


def _tell(message: str) -> None:
    click.echo(f"publish: {message}", err=True)


@contextmanager
def build_lock(out: Path, tell: Callable[[str], None] = _tell) -> Iterator[None]:
    """Hold the output folder's lock for the duration of the block."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK_FILE, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            tell(f"waiting for another publish build on {out} ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
