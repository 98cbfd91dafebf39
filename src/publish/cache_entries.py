"""Files in `build/.cache/` are input like any other: a project can ship them.

A cached diagram, downloaded image or font subset is used only when it is the
very file this machine wrote: at write time a record beside it keeps its
SHA-256 and its identity (inode, size and ctime, which no archive or copy can
set), and a read checks both, never through a symlink. SVG entries go through
the SVG sanitizer again on every read. Whatever fails is treated as absent and
made again, so a poisoned or torn cache costs a rebuild and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from .files import staging_dir, write_atomic

RECORD_SUFFIX = ".entry.json"


def _record_path(path: Path) -> Path:
    return path.with_name(path.name + RECORD_SUFFIX)


def file_identity(path: Path) -> dict[str, int]:
    """What distinguishes the file written here from any copy of its bytes."""
    info = path.lstat()
    return {"inode": info.st_ino, "size": info.st_size, "ctime_ns": info.st_ctime_ns}


def write_entry(path: Path, data: bytes, cache_root: Path) -> None:
    """Write a cache file under `cache_root` (build/.cache) and its record, the record
    last (a crash only costs a rebuild); temporaries go to the build's staging folder."""
    real_folder(path.parent, cache_root.parent)
    temp_dir = staging_dir(cache_root.parent)
    write_atomic(path, data, temp_dir)
    record = {"sha256": hashlib.sha256(data).hexdigest(), **file_identity(path)}
    write_atomic(_record_path(path), json.dumps(record).encode("utf-8"), temp_dir)


def read_entry(path: Path) -> bytes | None:
    """The entry's bytes when this machine wrote them and they are intact, else None."""
    try:
        record_path = _record_path(path)
        if record_path.is_symlink() or not stat.S_ISREG(path.lstat().st_mode):
            return None
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if {key: record[key] for key in ("inode", "size", "ctime_ns")} != file_identity(path):
            return None
        data = read_no_follow(path)
        if hashlib.sha256(data).hexdigest() != record["sha256"]:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if path.suffix == ".svg":
        return resanitize_svg(data)
    return data


def read_no_follow(path: Path) -> bytes:
    """A regular file's bytes; OSError when `path` is a symlink (O_NOFOLLOW)."""
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(handle, "rb") as stream:
        return stream.read()


def resanitize_svg(data: bytes) -> bytes | None:
    """The one seam between the cache and the SVG sanitizer: the SVG to use, or None.

    A cached SVG goes through the sanitizer again (render/svg_sanitize rebuilds it from
    its allowlist), and one it refuses counts as absent: drawn again, or refused then.
    """
    from .render.svg_sanitize import inspect_svg  # lxml: only books with SVGs need it

    clean = inspect_svg(data)
    return None if clean.refused else clean.data


def real_folder(folder: Path, root: Path) -> Path:
    """`folder` (inside `root`) as a real directory: a symlink on the way is removed,
    so a cache write can never land outside through one."""
    root.mkdir(parents=True, exist_ok=True)
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            current.unlink()
        current.mkdir(exist_ok=True)
    return folder
