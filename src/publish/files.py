"""Two file rules every stage shares: write atomically, and read only inside the project."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".publish-tmp-"
STAGING_SUFFIX = ".publish-tmp"


def staging_dir(out: Path) -> Path:
    """The build's own folder for temporaries and pending artifacts: beside the output
    folder (same file system, so renames stay atomic), and the only folder ever swept."""
    return out.parent / f".{out.name}{STAGING_SUFFIX}"


def write_atomic(path: Path, data: bytes, temp_dir: Path | None = None) -> None:
    """Write to a temporary file, flush it to disk, then rename it over `path`.

    `temp_dir` (on the same file system) holds the temporary file when it must not
    appear beside `path`, even for a moment.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = temp_dir or path.parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
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


def is_inside(path: Path, roots: list[Path]) -> bool:
    """Whether `path`, symlinks followed, lies inside one of `roots`."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)
