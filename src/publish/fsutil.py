"""Atomic file writes and paths confined to the project."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".publish-tmp-"
STAGING_SUFFIX = ".publish-tmp"

# Output folders whose temporaries live in a staging folder beside them (see stage_beside).
_staging: dict[Path, Path] = {}


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}{STAGING_SUFFIX}"


def stage_beside(out: Path) -> Path:
    """Write temporaries for files under `out` into a hidden folder beside it.

    A killed build can leave a temporary file behind; staged outside the output
    folder, it can never be mistaken for an artifact, and the output folder only
    ever holds complete files. Same parent, so the final rename stays atomic.
    """
    staging = staging_dir(out)
    _staging[out.resolve()] = staging
    return staging


def _temporary_folder(path: Path) -> Path:
    folder = path.parent.resolve()
    for out, staging in _staging.items():
        if folder.is_relative_to(out):
            staging.mkdir(parents=True, exist_ok=True)
            return staging
    return path.parent


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file, flush it to disk, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=_temporary_folder(path))
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


def sweep_temporary_files(out: Path) -> int:
    """Remove temporary files a killed build left behind; how many were removed."""
    removed = 0
    for root in (out, staging_dir(out)):
        if root.is_dir():
            for stale in root.rglob(f"{TEMP_PREFIX}*"):
                stale.unlink(missing_ok=True)
                removed += 1
    return removed


def remove_staging(out: Path) -> None:
    """Drop the (then empty) staging folder when a build ends."""
    staging = staging_dir(out)
    if staging.is_dir() and not any(staging.iterdir()):
        staging.rmdir()


def is_inside(path: Path, roots: list[Path]) -> bool:
    """Whether `path`, symlinks followed, lies inside one of `roots`."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)
