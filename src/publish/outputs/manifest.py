"""Write `build/manifest.json`: every artifact with its edition, format, size and hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import __version__
from ..project.config import Book
from ..project.config_release import Release

MANIFEST = "manifest.json"


@dataclass
class Artifact:
    path: str
    edition: str
    format: str
    bytes: int
    sha256: str
    title: str = ""
    identifier: str = ""
    pages: int | None = None
    paper: str | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if v not in (None, "", {}) and k != "extra"}
        data.update(self.extra)
        return data


def _book_metadata(book: Book, release: Release | None) -> dict:
    keys = (
        "title",
        "subtitle",
        "course",
        "slug",
        "authors",
        "language",
        "publisher",
        "date",
        "rights",
        "description",
        "subjects",
        "identifiers",
        "version",
    )
    metadata = {key: getattr(book, key) for key in keys if getattr(book, key)}
    if release is not None and release.changelog:
        metadata["changelog"] = [entry.to_json() for entry in release.changelog]
    return metadata


def folder_digest(files: dict[str, bytes]) -> str:
    """A folder's sha256 (a web site's): of the lines `sha256sum` prints for its files,
    sorted by path, so `find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum
    | sha256sum` run inside the folder gives the same digest."""
    lines = "".join(
        f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n"
        for name in sorted(files, key=lambda n: n.encode())
    )
    return hashlib.sha256(lines.encode()).hexdigest()


def path_sha256(path: Path) -> str | None:
    """What a manifest entry's `sha256` says of the file, or the folder, at `path`;
    None when there is nothing there."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    if path.is_dir():
        files = {p.relative_to(path).as_posix(): p for p in path.rglob("*") if p.is_file()}
        return folder_digest({name: file.read_bytes() for name, file in files.items()})
    return None


def _still_valid(entry: dict, out: Path) -> bool:
    """A previous entry survives a partial build if its file is still what it lists."""
    return path_sha256(out / entry.get("path", "")) == entry.get("sha256")


def write_manifest(
    out: Path,
    book: Book,
    artifacts: list[Artifact],
    built_at: str,
    write: Callable[[Path, bytes], None],
    removed: frozenset[str] = frozenset(),
    release: Release | None = None,
) -> Path:
    """The manifest, written with `write` (the build's output tree), unless only its
    time would change. An earlier entry survives when its file is still as listed and
    this build does not remove it (`removed`: paths relative to `out`)."""
    path = out / MANIFEST
    entries = current_entries(out, artifacts, removed)
    manifest = {
        "generator": f"publish {__version__}",
        "built_at": built_at,
        "book": _book_metadata(book, release),
        "artifacts": entries,
    }
    if _same_apart_from_time(path, manifest):
        return path  # nothing was rebuilt: keep the file, and the time it was built
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write(path, text.encode("utf-8"))
    return path


def current_entries(
    out: Path, artifacts: list[Artifact], removed: frozenset[str] = frozenset()
) -> list[dict]:
    """The manifest's entries, sorted by path: this build's artifacts, and each earlier
    entry whose file is still as listed and which this build does not remove."""
    entries = {a.path: a.to_json() for a in artifacts}
    try:
        previous = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("artifacts", [])
    except (OSError, ValueError, AttributeError):
        previous = []
    for entry in previous:
        if (
            isinstance(entry, dict)
            and entry.get("path") not in entries
            and entry.get("path") not in removed
            and _still_valid(entry, out)
        ):
            entries[entry["path"]] = entry
    return [entries[key] for key in sorted(entries)]


def _same_apart_from_time(path: Path, manifest: dict) -> bool:
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(previous, dict) and {**previous, "built_at": manifest["built_at"]} == manifest
