"""Atomic file writes and paths confined to the project."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".publish-tmp-"


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def sweep_temporary_files(root: Path) -> int:
    """Remove temporary files a killed build left behind; how many were removed."""
    if not root.is_dir():
        return 0
    removed = 0
    for stale in root.rglob(f"{TEMP_PREFIX}*"):
        stale.unlink(missing_ok=True)
        removed += 1
    return removed


def is_inside(path: Path, roots: list[Path]) -> bool:
    """Whether `path`, symlinks followed, lies inside one of `roots`."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)
