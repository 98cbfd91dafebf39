"""What an mdBook's chapters need to read the same in publish, done to the copies.

mdBook's `links` preprocessor expands `{{#include file}}` (whole file, a line
range, or an ANCHOR region) and renders `x.md` as `x.html`. publish does
neither, so `--copy` expands the includes into the copied chapter and turns
links to the `.html` pages of chapters into links to the chapter files. Included
files are read only from inside the source folder.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from ..files import is_inside
from .common import ChapterEdit

INCLUDE = re.compile(r"(?<![\\])\{\{\s*#(include|rustdoc_include)\s+([^}\s]+)\s*\}\}")
ANCHOR = re.compile(r"ANCHOR(_END)?:\s*([\w-]+)")
# A link to the page mdBook makes of a chapter: `](naming.html#x)` or `[x]: naming.html`.
HTML_LINK = re.compile(
    r"(\]\(\s*<?|^[ \t]*\[[^\]]+\]:[ \t]*<?)([^()\s#<>]+?)\.html(?=[#)\s>]|$)", re.MULTILINE
)
MAX_DEPTH = 10  # mdBook's own limit on includes inside included files

INCLUDES = ("mdBook {{#include}} directive(s)", "expanded into the chapters")
LINKS = ("link(s) to mdBook's .html pages of chapters", "now name the .md files")


def edit_chapter(source: Path, chapter: Path, name: str, chapters: list[str]) -> ChapterEdit:
    """The chapter's text with its includes expanded and its .html chapter links as .md."""
    edit = ChapterEdit(chapter.read_text(encoding="utf-8"))
    edit.text = _expand(edit, edit.text, chapter, source, 0)
    edit.text, edit.done[LINKS] = _links_to_chapter_files(edit.text, name, chapters)
    return edit


def _expand(edit: ChapterEdit, text: str, file: Path, source: Path, depth: int) -> str:
    def include(match: re.Match) -> str:
        line = text.count("\n", 0, match.start()) + 1
        included = _included_text(match.group(2), file, source)
        if isinstance(included, str) and depth < MAX_DEPTH:
            edit.done[INCLUDES] += depth == 0
            target = file.parent / match.group(2).split(":", 1)[0]
            return _expand(edit, included.rstrip("\n"), target, source, depth + 1)
        if depth == 0:
            problem = (
                included.problem if isinstance(included, Refused) else "includes nest too deep"
            )
            edit.problems.append(
                (
                    line,
                    f"{{{{#include {match.group(2)}}}}} {problem}: left as written, "
                    "and `publish check` reports it",
                )
            )
        return match.group(0)

    return INCLUDE.sub(include, text)


@dataclass
class Refused:
    problem: str


def _included_text(argument: str, file: Path, source: Path) -> str | Refused:
    """The part of the file an include names: whole, a line range, or an anchor's region."""
    relative, _, selector = argument.partition(":")
    path = file.parent / relative
    if not is_inside(path, [source]):
        return Refused("names a file outside the book")
    if not path.is_file():
        return Refused("names a file that does not exist")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        return Refused("names a file that is not UTF-8 text")
    chosen = _select(lines, selector)
    if chosen is None:
        return Refused(f"names no region '{selector}' in {relative}")
    return "\n".join(line for line in chosen if not ANCHOR.search(line))


def _select(lines: list[str], selector: str) -> list[str] | None:
    """mdBook's selectors: `N` one line, `N:` to the end, `:M` to line M, `N:M`, or an anchor."""
    if not selector:
        return lines
    if re.fullmatch(r"\d*(:\d*)?", selector):
        start, colon, end = selector.partition(":")
        first = int(start) if start else 1
        last = (int(end) if end else len(lines)) if colon else first
        return lines[first - 1 : last]
    return _anchor_region(lines, selector)


def _anchor_region(lines: list[str], name: str) -> list[str] | None:
    start = None
    for index, line in enumerate(lines):
        found = ANCHOR.search(line)
        if not found or found.group(2) != name:
            continue
        if not found.group(1):
            start = index + 1
        elif start is not None:
            return lines[start:index]
    return None


def _links_to_chapter_files(text: str, name: str, chapters: list[str]) -> tuple[str, int]:
    """mdBook renders `x.md` as `x.html` (README.md as index.html), so its authors often
    link the .html; publish links chapters by file, and a .html link would lead nowhere
    in the EPUB. Links to anything but a chapter's page are left alone."""
    folder = posixpath.dirname(name)
    changed = 0

    def to_file(match: re.Match) -> str:
        nonlocal changed
        stem = match.group(2)
        candidates = [stem + ".md"]
        if posixpath.basename(stem) == "index":
            candidates.append(posixpath.join(posixpath.dirname(stem), "README.md"))
        for candidate in candidates:
            if posixpath.normpath(posixpath.join(folder, candidate)) in chapters:
                changed += 1
                return match.group(1) + candidate
        return match.group(0)

    return HTML_LINK.sub(to_file, text), changed
