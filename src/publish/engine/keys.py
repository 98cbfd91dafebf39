"""Cache keys: the hash of exactly the inputs each task depends on."""

from __future__ import annotations

import json

from ..editions.choose import Edition
from ..outputs.base import Output
from ..project.config import BOOK_FILE
from ..project.loader import Project
from ..project.manuscript import MANUSCRIPT_DIR
from ..render.resources import Resource, resource_name
from .cache import Hasher, theme_fingerprint, tool_fingerprint


class TaskKeys:
    """Keys for one build's tasks, sharing what every artifact depends on."""

    def __init__(self, project: Project, resources: dict[str, Resource]) -> None:
        self.project = project
        self.resources = resources
        self.common = _common_inputs(project)

    def key(self, output: Output, edition: Edition, parts: list) -> str:
        if output.reads == "manuscript":
            base = self._manuscript_key()
        else:
            base = self._edition_key(edition, parts)
        return Hasher().add(output.name, base).hexdigest()

    def _edition_key(self, edition: Edition, parts: list) -> str:
        """The edition's own Markdown and images: a sample is blind to edits past its cut."""
        project = self.project
        hasher = self.common.copy().add("edition", edition.name)
        for _chapter, text in parts:
            hasher.add("markdown", text)
        # Cross-references to figures outside the edition still print their numbers.
        hasher.add("figures", json.dumps(project.numbering.figures, sort_keys=True))
        hasher.add("answers", json.dumps(sorted(project.numbering.answers)))
        images = {
            resource_name(image.src)
            for unit in edition.units
            for image in unit.chapter.scan.images
            if unit.start <= image.line <= unit.end
        }
        for image in sorted(images & self.resources.keys()):
            hasher.add_file(image, self.resources[image].path)
        return hasher.hexdigest()

    def _manuscript_key(self) -> str:
        """Cheatsheets gather from any chapter, templates are files of their own."""
        project = self.project
        hasher = self.common.copy().add("manuscript", "")
        for chapter in project.manuscript.chapters:
            hasher.add(chapter.name, "".join(chapter.lines))  # includes expanded
        for template in project.book.templates:
            hasher.add_file(template, project.root / MANUSCRIPT_DIR / template)
        for name, resource in sorted(self.resources.items()):
            hasher.add_file(name, resource.path)
        return hasher.hexdigest()


def _common_inputs(project: Project) -> Hasher:
    """What every artifact depends on: book.yaml, the theme and the tools."""
    hasher = Hasher().add("tools", tool_fingerprint())
    hasher.add("theme", theme_fingerprint(project.theme))
    hasher.add_file("book.yaml", project.root / BOOK_FILE)
    if project.book.cover:
        hasher.add_file("cover", project.root / MANUSCRIPT_DIR / project.book.cover)
    return hasher
