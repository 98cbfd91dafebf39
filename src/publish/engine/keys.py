"""Cache keys: the hash of exactly the inputs each task depends on."""

from __future__ import annotations

import json
from pathlib import Path

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
        if output.reads == "edition":
            base = self._edition_key(edition, parts)
        else:
            base = self._own_key(output)
        return Hasher().add(output.name, base).hexdigest()

    def _edition_key(self, edition: Edition, parts: list) -> str:
        """The edition's own Markdown and images: a sample is blind to edits past its cut."""
        project = self.project
        hasher = self.common.copy().add("edition", edition.name)
        if project.book.cover:
            hasher.add_file("cover", project.root / MANUSCRIPT_DIR / project.book.cover)
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

    def _own_key(self, output: Output) -> str:
        """An output that reads no edition (cheatsheets, templates): what it says it reads,
        so an edit elsewhere in the manuscript leaves its files alone."""
        hasher = self.common.copy().add("own inputs", output.name)
        for label, value in output.key_inputs(self.project, self.resources):
            if isinstance(value, Path):
                hasher.add_file(label, value)
            else:
                hasher.add(label, value)
        return hasher.hexdigest()


def _common_inputs(project: Project) -> Hasher:
    """What every artifact depends on: book.yaml, the theme and the tools."""
    hasher = Hasher().add("tools", tool_fingerprint())
    hasher.add("theme", theme_fingerprint(project.theme))
    return hasher.add_file("book.yaml", project.root / BOOK_FILE)
