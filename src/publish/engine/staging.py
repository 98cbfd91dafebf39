"""Atomic file writes and paths confined to the project."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

TEMP_PREFIX = ".publish-tmp-"
STAGING_SUFFIX = ".publish-tmp"
PENDING = "pending"
CACHE_DIR = ".cache"

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


def _staging_for(path: Path) -> tuple[Path, Path] | None:
    """(output folder, staging folder) when `path` is written inside a staged build."""
    folder = path.parent.resolve()
    for out, staging in _staging.items():
        if folder.is_relative_to(out):
            return out, staging
    return None


def _pending_path(path: Path) -> Path | None:
    """Where an artifact waits until the build commits; the cache is not held back."""
    staged = _staging_for(path)
    if staged is None:
        return None
    out, staging = staged
    relative = path.parent.resolve().relative_to(out) / path.name
    if relative.parts[0] == CACHE_DIR:
        return None
    return staging / PENDING / relative


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file, flush it to disk, then rename it over `path`.

    Inside a staged build, artifacts are renamed into the staging folder's
    pending tree instead, and reach `path` only when the build commits them.
    """
    target = _pending_path(path) or path
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = _staging_for(path)
    folder = staged[1] if staged else target.parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def written_bytes(path: Path) -> bytes:
    """What the build wrote for `path`: its pending copy until the build commits."""
    pending = _pending_path(path)
    return pending.read_bytes() if pending is not None and pending.is_file() else path.read_bytes()


def commit_staged(out: Path, last: str = "") -> None:
    """Move every pending artifact into place once every task has succeeded; `last` goes last
    (the manifest, so it never lists files that are not yet in place)."""
    pending = staging_dir(out) / PENDING
    if not pending.is_dir():
        return
    files = [p for p in pending.rglob("*") if p.is_file()]
    for staged in sorted(files, key=lambda p: (p.relative_to(pending).as_posix() == last, p)):
        final = out / staged.relative_to(pending)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
    shutil.rmtree(pending)


def sweep_temporary_files(out: Path) -> int:
    """Remove what a killed or failed build left behind; how many files were removed."""
    removed = 0
    for root in (out, staging_dir(out)):
        if root.is_dir():
            for stale in root.rglob(f"{TEMP_PREFIX}*"):
                stale.unlink(missing_ok=True)
                removed += 1
    pending = staging_dir(out) / PENDING
    if pending.is_dir():
        removed += sum(1 for p in pending.rglob("*") if p.is_file())
        shutil.rmtree(pending)
    return removed


def remove_staging(out: Path) -> None:
    """Drop the staging folder when a build ends; uncommitted artifacts go with it."""
    sweep_temporary_files(out)
    staging = staging_dir(out)
    if staging.is_dir() and not any(staging.iterdir()):
        staging.rmdir()
    _staging.pop(out.resolve(), None)


def is_inside(path: Path, roots: list[Path]) -> bool:
    """Whether `path`, symlinks followed, lies inside one of `roots`."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)
