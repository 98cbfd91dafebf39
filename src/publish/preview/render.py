"""One render of an edition's site in memory, as the build renders it for `--format web`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.build import Build
from ..engine.staging import OutputTree
from ..errors import ERROR, Finding, FindingsError, PublishError
from ..outputs.registry import WEB
from ..outputs.web import SiteOptions, site_files
from ..outputs.web_pages import chapter_pages
from ..outputs.web_search import search_script
from ..project.loader import load_project
from ..render.pandoc_parts import PandocParts


@dataclass
class Attempt:
    """What one render gave: the site's files (None when it failed) and every finding."""

    files: dict[str, bytes] | None
    findings: list[Finding] = field(default_factory=list)
    problem: str = ""
    """An error without a place in the manuscript (pandoc failed, say)."""
    search_index: Callable[[], bytes] | None = None
    """Builds the site's search index, which a preview serves once it is asked for."""
    seconds: float = 0.0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]


class _PreviewBuild(Build):
    """The build's own rendering, with the cover drawn once per book.yaml (it takes most
    of a second and changes only with the book's metadata) and pandoc run only on the
    chapters that changed."""

    def __init__(self, project, tree, edition, covers: dict, pandoc, report) -> None:
        super().__init__(project, tree, (edition,), (WEB,), report)
        self.covers = covers
        self.pandoc = pandoc

    def cover(self, name: str) -> bytes:
        key = (name, (self.project.root / "manuscript" / "book.yaml").read_bytes())
        if key not in self.covers:
            self.covers.clear()  # only the current book's cover is worth keeping
            self.covers[key] = super().cover(name)
        return self.covers[key]


class EditionRenderer:
    """Renders one edition of one project; keeps what stays valid between renders."""

    def __init__(self, root: Path, edition: str) -> None:
        self.root = root
        self.edition = edition
        self.tree = OutputTree(root / "build")  # its cache only: diagrams are kept there
        self.covers: dict = {}
        self.drawn_diagrams: dict[str, bytes] = {}
        self.pandoc = PandocParts()

    def render(self) -> Attempt:
        started = time.monotonic()
        try:
            attempt = self._render()
        except FindingsError as error:
            attempt = Attempt(None, list(error.findings))
        except PublishError as error:
            attempt = Attempt(None, problem=error.format_message())
        attempt.seconds = time.monotonic() - started
        return attempt

    def _render(self) -> Attempt:
        project = load_project(self.root)
        if self.edition not in project.editions:
            raise PublishError(
                f"book.yaml declares no {self.edition} edition (add `sample:` to preview it)"
            )
        run = _PreviewBuild(
            project, self.tree, self.edition, self.covers, self.pandoc, lambda _: None
        )
        run.prepare()
        run.render({self.edition}, needs_pdf_engine=False)
        context = run.contexts[self.edition]
        options = SiteOptions(
            subset_fonts=False, search_index=False, drawn_diagrams=self.drawn_diagrams
        )
        files = site_files(context, options)
        findings = [*project.findings, *run.pandoc_findings[self.edition]]
        return Attempt(files, findings, search_index=lambda: search_script(chapter_pages(context)))
