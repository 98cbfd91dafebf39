"""Which folder a build may write into: `build/` is input too, and `--out` may be anywhere.

A project can ship its own `build/`: as a symlink to a folder elsewhere (the
build would write there) or full of files of its own. So the default output
folder must resolve inside the project, and any output folder that already
holds files must be one a publish build made (it holds publish's `.lock`). An
explicit `--out` may lie anywhere, and be a symlink, as long as it is empty
or publish-made: the person running the build named it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import PublishError
from ..files import staging_dir
from .lock import LOCK_FILE


class OutputRefused(PublishError):
    """An output folder the build will not write into; the message says why and what to do."""


def refuse(folder: Path, code: str, message: str, hint: str) -> OutputRefused:
    return OutputRefused(f"{folder}: ERROR {code} {message} ({hint})")


def output_folder(project_root: Path, out: Path | None) -> Path:
    """The resolved folder to build into, or OutputRefused (BLD001/BLD002)."""
    explicit = out is not None
    folder = Path(out) if explicit else project_root / "build"
    resolved = folder.resolve()
    if not explicit and not resolved.is_relative_to(project_root.resolve()):
        message = f"build/ leads to {resolved}, outside the project: publish will not write there"
        raise refuse(folder, "BLD001", message, "remove the symlink, or pass --out DIR")
    if resolved.exists() and not resolved.is_dir():
        raise refuse(folder, "BLD002", "the output folder is a file", "pass --out DIR")
    if resolved.is_dir() and not _publish_made(resolved) and any(resolved.iterdir()):
        message = "the output folder holds files no publish build made: nothing is written there"
        hint = "pass --out with an empty folder, or move the files away"
        raise refuse(folder, "BLD002", message, hint)
    staging = staging_dir(resolved)
    if staging.is_symlink() or (staging.exists() and not staging.is_dir()):
        message = "the build's staging folder is a symlink or a file"
        raise refuse(staging, "BLD001", message, "remove it")
    return resolved


def _publish_made(folder: Path) -> bool:
    """Every build holds its lock file in the output folder: publish's mark on it."""
    return (folder / LOCK_FILE).is_file() and not (folder / LOCK_FILE).is_symlink()


@contextmanager
def output_errors(out: Path) -> Iterator[None]:
    """An OS error while building (read-only folder, full disk, a name too long) as one
    line naming the file, not a traceback."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or out
        reason = exc.strerror or str(exc)
        hint = "free space or fix the folder's permissions, or pass --out with another folder"
        raise refuse(Path(where), "BLD003", f"cannot write the build: {reason}", hint) from None
