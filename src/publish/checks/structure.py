"""Checks on a chapter's structure: its title and headings, and GitHub alerts.

A chapter is one `# Title` with its sections below; anything above the title would be
left outside the chapter, so it is refused with a hint on how to demote it.
"""

from __future__ import annotations

import itertools
import re

from ..errors import ERROR, WARNING
from ..project.manuscript import Chapter
from .codes import ALERTS, FIXES

# `> [!TYPE]` opening a quotation: GitHub's alert syntax (Obsidian adds its own types).
ALERT_LINE = re.compile(r"^\s*>\s*\[!([\w-]+)\]")


def check_headings(chapter: Chapter, add) -> None:
    headings = chapter.scan.headings
    top = [h for h in headings if h.level == 1]
    if len(top) != 1 or (headings and headings[0].level != 1):
        first = headings[0].line if headings else chapter.body_start
        line = top[1].line if len(top) > 1 else first
        add(
            line,
            1,
            ERROR,
            "MS005",
            "a chapter needs exactly one level-1 heading, at its top",
            _series_line_hint(headings) or FIXES["MS005"],
        )
    _check_text_above_title(chapter, add)
    for before, after in itertools.pairwise(headings):
        if after.level > before.level + 1:
            add(
                after.line,
                1,
                WARNING,
                "MS006",
                f"heading level {after.level} follows level {before.level}",
                f"use {'#' * (before.level + 1)} here",
            )
        if after.attrs.get("sample", "in") not in ("in", "out"):
            add(
                after.line,
                1,
                ERROR,
                "MS004",
                "sample= must be 'in' or 'out'",
                "write {sample=in} or {sample=out} after the heading",
            )


def _check_text_above_title(chapter: Chapter, add) -> None:
    """Text above the chapter's `# Title` (a series or course line) belongs to no section:
    pandoc would leave it outside the chapter, so it is refused rather than lost."""
    headings = chapter.scan.headings
    if chapter.synthetic_title or not headings or headings[0].level != 1:
        return
    title = headings[0]
    above = [n for n in range(chapter.body_start, title.line) if chapter.scan.words_by_line.get(n)]
    if above:
        text = chapter.lines[above[0] - 1].strip()
        add(
            above[0],
            1,
            ERROR,
            "MS005",
            f"text above the chapter's title '# {title.text}' would be lost",
            f"move '{text}' under the title as plain text, or name the series once in "
            "book.yaml (course: ...)",
        )


def _series_line_hint(headings: list) -> str:
    """How to demote a series or course line written as a heading above the chapter's
    own `# Title` (common in repositories holding several books)."""
    titles = [h for h in headings if h.level == 1]
    first = headings[0] if headings else None
    if not titles or first is None or first is titles[-1]:
        return ""
    title = titles[1] if first is titles[0] else titles[0]
    if title is not headings[headings.index(first) + 1]:
        return ""  # something stands between them: not a line above the title
    return (
        f"'{'#' * first.level} {first.text}' above the title '# {title.text}' makes two "
        f"titles: delete its '{'#' * first.level}' and move it under the title as plain text "
        f"(*{first.text}*), or name the series once in book.yaml (course: {first.text})"
    )


def check_alerts(chapter: Chapter, add) -> None:
    """An alert type GitHub does not have would print as "[!TYPE]" in a quotation."""
    for number, line in enumerate(chapter.lines, 1):
        found = ALERT_LINE.match(line)
        if (
            found
            and found.group(1).lower() not in ALERTS
            and number not in chapter.scan.code_lines
            and number >= chapter.body_start
        ):
            add(
                number,
                found.start(1) - 1,
                WARNING,
                "MS010",
                f"unknown alert type '[!{found.group(1)}]': it prints as a quotation",
                FIXES["MS010"],
            )
