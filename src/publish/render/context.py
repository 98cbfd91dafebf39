"""What every writer needs to know about one edition it is writing."""

from __future__ import annotations

import datetime as dt
import html
import os
from dataclasses import dataclass
from pathlib import Path

from ..editions.kinds import EditionKind
from ..project.config import Book
from ..project.theme import Theme
from ..releases.contents import edition_contents
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
    kind: EditionKind
    rendered: RenderedEdition
    theme: Theme
    project: Path
    built_at: dt.datetime
    cover_png: bytes
    reading_minutes: int = 0

    @property
    def identifier(self) -> str:
        return self.book.identifiers[self.kind.name]

    @property
    def title(self) -> str:
        """The title storefronts show: the sample says so in its title."""
        return self.kind.title(self.book.title)

    @property
    def stem(self) -> str:
        """The edition's file name stem: `my-book`, `my-book-sample`."""
        return self.kind.stem(self.book.slug)

    def manifest_details(self) -> dict:
        """What every manifest entry of this edition's book files says about it."""
        extra = {"reading_minutes": self.reading_minutes}
        if self.book.version:
            extra["version"] = self.book.version
        extra["contents"] = edition_contents(self.rendered.chapters)
        return {"title": self.title, "identifier": self.identifier, "extra": extra}

    @property
    def has_images(self) -> bool:
        return bool(self.rendered.resources)

    @property
    def has_math(self) -> bool:
        chapters = [c.element for c in self.rendered.chapters]
        return any(next(e.iter("math"), None) is not None for e in chapters) or any(
            next(n.iter("math"), None) is not None for n in self.rendered.footnotes.values()
        )

    @property
    def has_long_descriptions(self) -> bool:
        return any(c.element.find_class("longdesc") for c in self.rendered.chapters)

    def colophon_items(self) -> str:
        """The colophon's facts as `<dt>`/`<dd>` pairs, the same in the EPUB and the PDF."""
        rows = [
            ("Edition", self.kind.label),
            ("Version", self.book.version),
            ("Identifier", self.identifier),
            ("Published", self.publication_date),
            ("Built", self.built_at.strftime("%Y-%m-%d")),
        ]
        return "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows if v)

    def title_page_lines(self, edition: str) -> str:
        """The title page below its title, the same in the EPUB and the PDF: subtitle,
        authors, course, `edition` (its label, and the date where the PDF prints it)."""
        book = self.book
        esc = html.escape
        lines = [("subtitle", book.subtitle), ("authors", ", ".join(book.authors))]
        if book.course:
            lines.append(("course", f"A lesson in the course {book.course}"))
        lines += [("edition", edition), ("publisher", book.publisher)]
        return "".join(f'<p class="{k}">{esc(v)}</p>' for k, v in lines if v)

    @property
    def publication_date(self) -> str:
        return self.book.date or self.built_at.date().isoformat()
