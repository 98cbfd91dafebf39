"""What makes each edition what it is, declared once: every module asks the edition.

A new kind of edition (a per-buyer stamped copy, say) is one more value here,
not another string compared in many modules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EditionKind:
    """An edition's words and rules."""

    name: str
    """Its folder under build/ and its key in book.yaml's `identifiers`."""
    label: str
    """How the title page and the colophon name it."""
    title_suffix: str
    """Added to the book's title in the metadata storefronts show."""
    file_suffix: str
    """Added to the slug in its file names."""
    cover_mark: str
    """Painted on its cover; empty for none."""
    answers: bool
    """Holds the model answers (and counts their words in its reading time)."""
    printables: bool
    """Comes with the cheatsheets and fillable templates."""
    teaser: bool
    """Ends with a generated "What comes next" part and the call to buy."""

    def title(self, book_title: str) -> str:
        return book_title + self.title_suffix

    def stem(self, slug: str) -> str:
        return slug + self.file_suffix


FULL = EditionKind("full", "Full edition", "", "", "", answers=True, printables=True, teaser=False)
SAMPLE_LABEL = "Free sample"
SAMPLE = EditionKind(
    "sample",
    SAMPLE_LABEL,
    f" ({SAMPLE_LABEL})",
    "-sample",
    SAMPLE_LABEL,
    answers=False,
    printables=False,
    teaser=True,
)
KINDS = (FULL, SAMPLE)
EDITION_NAMES = tuple(kind.name for kind in KINDS)


def kind_named(name: str) -> EditionKind:
    return next(kind for kind in KINDS if kind.name == name)
