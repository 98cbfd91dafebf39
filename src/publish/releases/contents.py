"""An edition's text, section by section, as the manifest records it for `publish diff`.

Each chapter gives one entry for its opening (the text before its first `##` section)
and one per `##` section (its `###` parts included), keyed by heading id, with its
word count and a digest of its text with whitespace collapsed. The manifest carries
digests rather than text: a storefront may see it, and it must not hold the paid text.
"""

from __future__ import annotations

import hashlib

from ..project.scan import WORD

DIGEST_CHARS = 16  # 64 bits: enough to tell two versions of one section apart


def edition_contents(chapters) -> list[dict]:
    """Every section of an edition's rendered chapters, in reading order."""
    entries = []
    for chapter in chapters:
        element = chapter.element
        parts = [child for child in element if child.tag == "section"]
        opening = [child for child in element if child.tag != "section"]
        entries.append(_entry(chapter, chapter.ident, chapter.title, opening))
        for part in parts:
            heading = next((h for h in part if h.tag in ("h2", "h3", "h4")), None)
            title = _text([heading]) if heading is not None else ""
            entries.append(_entry(chapter, part.get("id", ""), title, [part]))
    return entries


def _entry(chapter, ident: str, title: str, elements) -> dict:
    text = _text(elements)
    return {
        "chapter": chapter.ident,
        "chapter_title": chapter.title,
        "id": ident,
        "title": title,
        "words": len(WORD.findall(text)),
        "digest": hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS],
    }


def _text(elements) -> str:
    """What a reader reads: the elements' text, without the TeX a formula keeps for
    assistive technology, whitespace collapsed so re-wrapped lines change nothing."""
    words = []
    for element in elements:
        words += element.xpath(".//text()[not(ancestor::annotation)]")
    return " ".join("".join(words).split())
