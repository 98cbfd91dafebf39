"""`publish init`: a new book project, copied from the starter files, that builds at once."""

from __future__ import annotations

import re
import string
import uuid
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import PublishError
from ..project.config import SLUG_PATTERN

STARTER = files("publish") / "starter"
TEMPLATED = {"manuscript/book.yaml"}
# Package data cannot ship a dotfile reliably, so .gitignore is stored without its dot.
RENAMED = {"gitignore": ".gitignore"}
FALLBACK_SLUG = "my-book"


def slug_for(folder: Path) -> str:
    """The outputs' file name stem, from the folder name when it makes a valid slug."""
    slug = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
    return slug if SLUG_PATTERN.match(slug) else FALLBACK_SLUG


def _starter_files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            found.extend(_starter_files(entry, name + "/"))
        else:
            found.append((name, entry))
    return found


def _refuse_unless_empty(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise PublishError(f"{target}: exists and is not a folder; give a new folder name")
    if target.is_dir() and any(target.iterdir()):
        raise PublishError(
            f"{target}: folder is not empty; publish init only writes into a new "
            "or empty folder, so nothing of yours is overwritten"
        )


def create_project(target: Path) -> list[Path]:
    """Write a new book project into `target` (new or empty); the files written."""
    _refuse_unless_empty(target)
    values = {"slug": slug_for(target), "full_id": uuid.uuid4(), "sample_id": uuid.uuid4()}
    written = []
    for name, source in _starter_files(STARTER):
        text = source.read_text(encoding="utf-8")
        if name in TEMPLATED:
            text = string.Template(text).substitute(values)
        path = target / RENAMED.get(name, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
