"""PAN901: a heading's text written as a link in another chapter, which is no link.

pandoc reads `[Evaluation]` as a link to the heading "Evaluation" when one is in the
same document (its implicit header references). Each chapter is its own document
(render/pandoc_parts.py), so a reference to another chapter's heading stays text, in
brackets: this says so at its line, with the link to write instead.
"""

from __future__ import annotations

import posixpath
import re

from ..errors import WARNING
from ..project.scan import CODE_SPAN

DEFINITION = re.compile(r"^ {0,3}\[([^\]^][^\]]*)\]:")
# `[label]`, `[label][]` and `[text][label]`; not images, notes, citations or inline links.
SHORTCUT = re.compile(r"(?<![!\]\\])\[([^\[\]^@][^\[\]]*)\](?:\[\])?(?![(\[:{])")
FULL = re.compile(r"(?<!!)\[[^\[\]]*\]\[([^\[\]]+)\]")


def label_key(text: str) -> str:
    """A reference label as Markdown matches it: case and runs of white space ignored."""
    return " ".join(text.split()).casefold()


def check_heading_references(manuscript, chapter, add, auto_identifier) -> None:
    """PAN901 where `chapter` names, as a reference link, a heading of another chapter
    only, and defines no reference of that label itself."""
    own = {label_key(h.text) for h in chapter.scan.headings}
    elsewhere = {}
    for other in manuscript.chapters:
        for heading in other.scan.headings if other is not chapter else ():
            elsewhere.setdefault(label_key(heading.text), (other, heading))
    lines = _prose_lines(chapter)
    defined = {label_key(m.group(1)) for _, text in lines if (m := DEFINITION.match(text))}
    for number, text in lines:
        for match in [*SHORTCUT.finditer(text), *FULL.finditer(text)]:
            key = label_key(match.group(1))
            if key in elsewhere and key not in own | defined:
                other, heading = elsewhere[key]
                target = posixpath.relpath(other.name, posixpath.dirname(chapter.name) or ".")
                ident = heading.ident or auto_identifier(heading.text)
                add(
                    number,
                    match.start() + 1,
                    WARNING,
                    "PAN901",
                    f"[{match.group(1)}] names a heading of {other.name}; each chapter is "
                    "rendered on its own, so it is text, not a link",
                    f"write [{match.group(1)}]({target}#{ident})",
                )


def _prose_lines(chapter) -> list[tuple[int, str]]:
    """The chapter's body lines outside code, code spans blanked."""
    code = chapter.scan.code_lines
    return [
        (number, CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line.rstrip("\n")))
        for number, line in enumerate(chapter.lines, 1)
        if number >= chapter.body_start and number not in code
    ]
