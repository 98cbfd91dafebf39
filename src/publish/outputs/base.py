"""What an output is, and what it is given: the seam between the engine and the writers.

An output writes one edition's files (an EPUB, a PDF, the cheatsheets...) into the
build's output tree and describes each for the manifest. Outputs never import the
engine: the engine hands each one an `OutputJob` holding all it may use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import Finding
from .manifest import Artifact

if TYPE_CHECKING:
    from ..editions.choose import Edition
    from ..project.loader import Project
    from ..project.theme import Stylesheet
    from ..render.context import EditionContext

Writer = Callable[["OutputJob"], list[Artifact]]
# One input of a cache key: a label, and text, bytes or a file whose bytes are hashed.
KeyInput = tuple[str, str | bytes | Path]


class ArtifactTree(Protocol):
    """Where outputs write: staged until the build commits (see engine.staging)."""

    out: Path
    cache_dir: Path

    def write(self, path: Path, data: bytes) -> None: ...

    def read(self, path: Path) -> bytes: ...

    def remove_stale(self, folder: Path, kept: list[Path], suffixes: tuple[str, ...]) -> None: ...


@dataclass(frozen=True)
class Output:
    """One kind of output, as the registry lists it.

    `writer` is the function that writes it, or "module:function" imported only when
    the output runs, so listing the outputs (for `--format`) imports no renderer.
    """

    name: str
    writer: str | Writer
    needs_html: bool
    """Needs the edition's rendered HTML (an `EditionContext`)."""
    needs_pdf_engine: bool
    """Lays out pages with WeasyPrint (its import alone takes most of a second)."""
    reads: str = "edition"
    """What its cache key hashes: "edition" (the edition's own Markdown and images), or
    "module:function" giving the inputs it reads itself (see `key_inputs`)."""
    cost: float = 1.0
    """Relative duration per character of the edition, so the longest tasks start first."""
    fixed_cost: int = 0
    only_with: str = ""
    """An edition rule it needs (`printables`), or "" for every edition."""
    by_default: bool = True
    """Built when `--format` names no output; False: only when asked for by name."""
    scope: str = "edition"
    """"edition": a task per edition, cached; "book": one file about the whole book,
    written once the editions' files are made, from their manifest entries (ONIX)."""

    def applies_to(self, edition: Edition, project: Project) -> bool:
        if self.only_with == "printables":
            book = project.book
            return edition.kind.printables and bool(book.cheatsheets or book.templates)
        return True

    def write(self, job: OutputJob | BookJob) -> list[Artifact]:
        return _function(self.writer)(job)

    def key_inputs(self, project: Project, resources: dict) -> list[KeyInput]:
        """What an output that reads no edition (cheatsheets gather blocks from chapters,
        templates are files of their own) is made of, labelled, for its cache key; the
        tools, theme and book.yaml are hashed for every output besides."""
        return _function(self.reads)(project, resources)


def _function(spec: str | Callable):
    """A function, or the one "module:function" names, imported only now."""
    if isinstance(spec, str):
        module, _, name = spec.partition(":")
        return getattr(importlib.import_module(module), name)
    return spec


@dataclass
class OutputJob:
    """Everything one output may use to write one edition's files."""

    project: Project
    edition: Edition
    tree: ArtifactTree
    fetch_roots: list[Path]
    """The only folders the PDF engine may read from."""
    built_at: dt.datetime
    report: Callable[[str], None]
    context: EditionContext | None = None
    findings: list[Finding] = field(default_factory=list)
    """Warnings raised while writing, each at the author's file and line."""
    jobs: int = 1
    """Worker processes an output may lay out parts in (`--jobs`)."""
    parts_key: str = ""
    """The theme's and the tools' fingerprint, for caches of parts of an artifact."""

    @property
    def folder(self) -> Path:
        return self.tree.out / self.edition.name

    def describe(self, path: Path, fmt: str, **details) -> Artifact:
        """A manifest entry for a file this job wrote."""
        data = self.tree.read(path)
        return Artifact(
            path.relative_to(self.tree.out).as_posix(),
            self.edition.name,
            fmt,
            len(data),
            hashlib.sha256(data).hexdigest(),
            **details,
        )

    @contextmanager
    def renderer_warnings(self, stylesheet: Stylesheet) -> Iterator[None]:
        """Collect the PDF engine's warnings while laying out with `stylesheet`, each
        mapped to the stylesheet file and line (or the chapter line) it came from."""
        from ..render.warnings import capture_weasyprint, weasyprint_findings

        with capture_weasyprint() as records:
            yield
        project = self.project
        self.findings += weasyprint_findings(records, stylesheet, project.root, project.manuscript)


@dataclass
class BookJob:
    """What a book-scope output is given: the project, and the manifest entries of every
    file the build holds (this run's and the earlier ones still in place)."""

    project: Project
    tree: ArtifactTree
    built_at: dt.datetime
    report: Callable[[str], None]
    entries: list[dict]
    findings: list[Finding] = field(default_factory=list)

    def describe(self, path: Path, edition: str, fmt: str, **details) -> Artifact:
        """A manifest entry for a file this job wrote, under the edition it is about."""
        data = self.tree.read(path)
        relative = path.relative_to(self.tree.out).as_posix()
        digest = hashlib.sha256(data).hexdigest()
        return Artifact(relative, edition, fmt, len(data), digest, **details)
