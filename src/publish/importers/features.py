"""What each source tool writes that publish does not take: one table, noted by line."""

from __future__ import annotations

import re

from .common import Feature

MDBOOK, LEANPUB, FOLDER = "mdBook", "Leanpub book", "folder of Markdown"
PRINTS_AS_TEXT = "publish does not run it; it prints as text"
LEANPUB_ATTRIBUTE = r"^\{\s*(?!sample:|alt:|caption:|/?blurb\b)[a-z][\w-]*\s*([:,][^}]*)?\}\s*$"

# (kind, pattern, what the note says)
TABLE = (
    (
        MDBOOK,
        r"(?<![\\`])\{\{\s*#(playground|playpen|title|template)\b",
        "an mdBook {{#...}} directive publish does not run: it prints as text",
    ),
    (MDBOOK, r"^(```|~~~)\s*admonish\b", "an mdbook-admonish block: write a '::: callout' div"),
    (
        LEANPUB,
        LEANPUB_ATTRIBUTE,
        "a Leanpub attribute line ({pagebreak}, {width: ...}, "
        "{id: ...} ...): it prints as text; remove it",
    ),
    (
        FOLDER,
        r"\{\{[<%].*?[>%]\}\}",
        f"a Hugo or Quarto shortcode ({{{{< ... >}}}}): {PRINTS_AS_TEXT}",
    ),
    (FOLDER, r"\{%.*?%\}", f"a Liquid tag ({{% ... %}}, Jekyll): {PRINTS_AS_TEXT}"),
)
FEATURES = [Feature(kind, re.compile(pattern, re.I), note) for kind, pattern, note in TABLE]


def features_of(kind: str) -> list[Feature]:
    """The features the importer looks for in a book of this kind."""
    return [feature for feature in FEATURES if feature.kind == kind]
