"""pandoc run part by part, each part's HTML remembered: what a preview re-renders on a save.

A build runs pandoc once over the whole edition (`html.run_pandoc`): starting pandoc
costs more than a chapter. A preview renders the same edition on every save, where
one chapter changed: running pandoc only on parts whose Markdown changed, and reusing
the others' HTML, takes a 60-chapter book from seconds to a fraction of one.

The parts' HTML is joined as pandoc would have written it for the whole edition:
pandoc numbers footnotes (`fn1`, `fnref1`, the visible number) and code blocks (`cb1`,
`cb1-1`) across the document, so each part's numbers are moved on by the parts before
it; warnings' line numbers are moved to the joined Markdown's lines. Headings with the
same text in two chapters differ: pandoc would suffix the second `-1`, `unique_ids`
suffixes it `-2`; a link to it resolves either way.
"""

from __future__ import annotations

import re

from ..limited import LimitHit
from ..project.config_limits import Limits
from .pandoc import run_pandoc

NOTE_ID = re.compile(r'((?:id|href)="#?)(fn|fnref)(\d+)"')
NOTE_NUMBER = re.compile(r'(class="footnote-ref"[^>]*><sup>)(\d+)(</sup>)')
CODE_ID = re.compile(r'((?:id|href)="#?)cb(\d+)((?:-\d+)?")')
WARNING_LINE = re.compile(r"^line (\d+): ")
JOINER = "\n\n"


class PandocParts:
    """Remembers each part's HTML and warnings by its Markdown, for one preview."""

    def __init__(self) -> None:
        self.rendered: dict[str, tuple[str, list[str]]] = {}

    def __call__(self, texts: list[str], limits: Limits) -> tuple[str, list[str]]:
        """The joined HTML and warnings, as `run_pandoc(JOINER.join(texts))` gives them;
        a limit hit says which part (`LimitHit.part`) it ran on."""
        current = {}
        html_parts, warnings = [], []
        notes = blocks = 0
        line = 1
        for index, text in enumerate(texts):
            if text not in current:
                current[text] = self.rendered.get(text) or _run(text, limits, index)
            html, part_warnings = current[text]
            html_parts.append(_renumbered(html, notes, blocks))
            notes += _count(NOTE_ID, html, group=3)
            blocks += _count(CODE_ID, html, group=2)
            warnings += [_moved(warning, line - 1) for warning in part_warnings]
            line += text.count("\n") + JOINER.count("\n")
        self.rendered = current  # only what this edition holds is worth keeping
        return "".join(html_parts), warnings


def _count(pattern: re.Pattern, html: str, group: int) -> int:
    return max((int(m.group(group)) for m in pattern.finditer(html)), default=0)


def _renumbered(html: str, notes: int, blocks: int) -> str:
    if notes:
        html = NOTE_ID.sub(lambda m: f'{m.group(1)}{m.group(2)}{int(m.group(3)) + notes}"', html)
        html = NOTE_NUMBER.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + notes}{m.group(3)}", html)
    if blocks:
        html = CODE_ID.sub(lambda m: f"{m.group(1)}cb{int(m.group(2)) + blocks}{m.group(3)}", html)
    return html


def _moved(warning: str, offset: int) -> str:
    return WARNING_LINE.sub(lambda m: f"line {int(m.group(1)) + offset}: ", warning, count=1)


def _run(text: str, limits: Limits, index: int) -> tuple[str, list[str]]:
    try:
        return run_pandoc(text, raw_html=True, limits=limits)
    except LimitHit as hit:
        hit.part = index
        raise
