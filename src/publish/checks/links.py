"""Links between chapters by file name, and ids that are never empty or repeated.

Authors link chapters as they would on GitHub: `[x](03-frames.md)` or
`[x](chapters/03-frames.md#summary)`, relative to the linking file or to manuscript/.
pandoc leaves such hrefs alone; here they become `#id` links into the edition's one
document, which the PDF follows as it is and the EPUB writer prefixes with the file.
A link whose target the edition does not hold (the sample's links into paid text)
becomes plain text: never a dead link.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..errors import WARNING
from ..project.scan import Reference
from ..urls import url_scheme

if TYPE_CHECKING:
    from lxml.html import HtmlElement

CHAPTER_SUFFIXES = (".md", ".markdown")


def chapter_target(href: str, from_chapter: str, names) -> tuple[str | None, str] | None:
    """(the chapter an href names, or None when it is no chapter, its fragment);
    None when the href does not name a Markdown file at all."""
    if url_scheme(href) is not None or href.startswith(("#", "/")):
        return None
    path, _, fragment = href.partition("#")
    path = unquote(path)
    if not path.lower().endswith(CHAPTER_SUFFIXES):
        return None
    for base in (posixpath.dirname(from_chapter), ""):
        candidate = posixpath.normpath(posixpath.join(base, path))
        if candidate in names:
            return candidate, unquote(fragment)
    return None, unquote(fragment)


def check_chapter_links(manuscript, chapter, add, auto_identifier) -> None:
    """REF002 for a link to a .md file that is not a chapter, or to an id not in it."""
    chapters = {posixpath.normpath(c.name): c for c in manuscript.chapters}
    for link in chapter.scan.links:
        found = chapter_target(link.target, posixpath.normpath(chapter.name), chapters)
        if found is None:
            continue
        name, fragment = found
        if name is None:
            _ref002(add, link, f"'{link.target}' is not a chapter of this book", "not-chapter")
        elif fragment and fragment not in chapter_ids(chapters[name], auto_identifier):
            _ref002(add, link, f"{name} has no heading or figure with id '#{fragment}'", "no-id")


def _ref002(add, link: Reference, message: str, kind: str) -> None:
    hint = {
        "not-chapter": "link a file listed under chapters: in book.yaml",
        "no-id": "add {#id} to the heading you mean, or link the file without #id",
    }[kind]
    add(link.line, link.col, WARNING, "REF002", message, hint)


def chapter_ids(chapter, auto_identifier) -> set[str]:
    """The ids a link into this chapter file may name, as its author sees them."""
    scan = chapter.scan
    ids = {h.ident or auto_identifier(h.text) for h in scan.headings}
    ids |= {i.ident for i in scan.images if i.ident}
    ids |= {d.ident for d in scan.divs if d.ident}
    return ids


def unique_ids(chapters, taken: set[str]) -> None:
    """Drop empty ids and rename repeated ones (`terms` -> `terms-1`); each chapter
    remembers its renames so its own links still reach its own element. Numbered as
    pandoc numbers a heading whose text came before: with chapters rendered one by one
    (pandoc_parts), the fifth chapter's "Summary" keeps the `summary-4` a run over the
    whole book gave it, and links from outside the book to it still land."""
    used = set(taken)
    for chapter in chapters:
        for element in chapter.element.iter():
            ident = element.get("id")
            if ident is None:
                continue
            if not ident.strip():
                del element.attrib["id"]
                continue
            if ident in used:
                number = 1
                while f"{ident}-{number}" in used:
                    number += 1
                element.set("id", f"{ident}-{number}")
                chapter.renamed.setdefault(ident, f"{ident}-{number}")
            used.add(element.get("id"))
        chapter.ident = chapter.element.get("id")


def resolve_links(edition) -> None:
    """Every internal link points at an id the edition holds, or is unlinked."""
    chapters = edition.chapters
    by_name = {posixpath.normpath(c.source.name): c for c in chapters if c.source is not None}
    ids = {c.file_name: {e.get("id") for e in c.element.iter() if e.get("id")} for c in chapters}
    everywhere = set().union(*ids.values(), edition.footnotes)
    resolver = _Resolver(by_name, ids, everywhere)
    homes = {}
    for chapter in edition.chapters:
        for link in list(chapter.element.iter("a")):
            resolver.settle(link, chapter)
            if "footnote-ref" in link.classes:
                homes[link.get("href", "").lstrip("#")] = chapter
    for ident, note in edition.footnotes.items():
        chapter = homes.get(ident)
        for link in list(note.iter("a")):
            if chapter is not None and "footnote-back" not in link.classes:
                resolver.settle(link, chapter)


class _Resolver:
    def __init__(self, by_name: dict, ids: dict[str, set[str]], everywhere: set[str]):
        self.by_name = by_name
        self.ids = ids
        self.everywhere = everywhere

    def settle(self, link: HtmlElement, chapter) -> None:
        href = link.get("href")
        if href is None:
            return
        home = chapter.source.name if chapter.source is not None else ""
        found = chapter_target(href, posixpath.normpath(home), self.by_name)
        if found is not None:
            target = self.by_name.get(found[0])
            ident = None if target is None else self.local(target, found[1])
        elif href.startswith("#"):
            ident = self.local(chapter, href[1:]) or self.anywhere(href[1:])
        else:
            return
        if ident is None:
            link.drop_tag()  # the edition does not hold the target: plain text
        else:
            link.set("href", f"#{ident}")

    def local(self, chapter, fragment: str) -> str | None:
        """The id `fragment` means inside one chapter: its own, its renamed one, or
        pandoc's numbered one (a heading text used in an earlier chapter too)."""
        if not fragment:
            return chapter.ident
        ids = self.ids[chapter.file_name]
        if fragment in ids:
            return fragment
        if fragment in chapter.renamed:
            return chapter.renamed[fragment]
        numbered = re.compile(re.escape(fragment) + r"-\d+")
        for element in chapter.element.iter("section"):
            if numbered.fullmatch(element.get("id") or ""):
                return element.get("id")
        dashed = fragment.replace(":", "-")  # figure ids: `fig:x` is rendered `fig-x`
        return dashed if dashed in ids else None

    def anywhere(self, fragment: str) -> str | None:
        for ident in (fragment, fragment.replace(":", "-")):
            if ident in self.everywhere:
                return ident
        return None
