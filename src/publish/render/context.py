"""What every writer needs to know about one edition it is writing."""

from __future__ import annotations

import datetime as dt
import html
import os
from dataclasses import dataclass
from pathlib import Path

from ..editions.choose import SAMPLE
from ..project.config import Book
from ..project.theme import Theme
from .html import RenderedEdition


def build_time() -> dt.datetime:
    """`SOURCE_DATE_EPOCH` when set (reproducible builds), else now; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class EditionContext:
    book: Book
    edition: str
    rendered: RenderedEdition
    theme: Theme
    project: Path
    built_at: dt.datetime
    cover_png: bytes
    reading_minutes: int = 0

    @property
    def is_sample(self) -> bool:
        return self.edition == SAMPLE

    @property
    def identifier(self) -> str:
        return self.book.identifiers[self.edition]

    @property
    def edition_label(self) -> str:
        return "Free sample" if self.is_sample else "Full edition"

    @property
    def title(self) -> str:
        """The title storefronts show: the sample says so in its title."""
        return f"{self.book.title} (Free sample)" if self.is_sample else self.book.title

    @property
    def has_images(self) -> bool:
        return bool(self.rendered.resources)

    @property
    def has_long_descriptions(self) -> bool:
        return any(c.element.find_class("longdesc") for c in self.rendered.chapters)

    def colophon_items(self) -> str:
        """The colophon's facts as `<dt>`/`<dd>` pairs, the same in the EPUB and the PDF."""
        rows = [
            ("Edition", self.edition_label),
            ("Identifier", self.identifier),
            ("Published", self.publication_date),
            ("Built", self.built_at.strftime("%Y-%m-%d")),
        ]
        return "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)

    @property
    def publication_date(self) -> str:
        return self.book.date or self.built_at.date().isoformat()
