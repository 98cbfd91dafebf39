"""The Markdown habits authors bring from GitHub and other tools, shaped for a book.

pandoc (markdown reader) leaves GitHub's `> [!NOTE]` alerts as quotations starting
with "[!NOTE]" and marks code lines with self-links meant for a web page. These
functions turn that HTML into what the theme styles (`.alert`, `div.sourceCode`,
`ul.task-list`), for the book and for the cheatsheets alike.
Working on pandoc's output rather than on the Markdown keeps every line number pandoc
reports true to the author's file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import lxml.html
from lxml.html import HtmlElement

from ..checks.codes import ALERTS

ALERT_MARK = re.compile(r"^\s*\[!(" + "|".join(ALERTS) + r")\][ \t]*\n?", re.IGNORECASE)


# A `> [!TYPE]` line alone (up to three spaces in, as in a list item), and a fence.
ALERT_LINE = re.compile(r"^( {0,3}(?:>[ \t]?)+)\[!(?:" + "|".join(ALERTS) + r")\][ \t]*$", re.I)
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def open_alerts(markdown: str) -> str:
    """An empty quote line after each alert's `> [!TYPE]` line, outside code.

    On GitHub a list, table or code block may follow the marker line at once; pandoc's
    Markdown needs a blank line before them, or it reads "[!WARNING] - a - b" as one
    paragraph. The lines pandoc reports stay findable: render/warnings.py maps them back
    by their text, and this adds lines without changing any.
    """
    out, fence = [], None
    for line in markdown.splitlines(keepends=True):
        opening = FENCE.match(line)
        if fence and opening and opening.group(1).startswith(fence):
            fence = None
        elif not fence and opening:
            fence = opening.group(1)[:3]
        out.append(line)
        found = None if fence else ALERT_LINE.match(line.rstrip("\n"))
        if found:
            out.append(found.group(1).rstrip() + "\n")
    return "".join(out)


def shape_habits(root: HtmlElement, label: Callable[[str, str], str]) -> None:
    """Alerts, code blocks and task lists under `root`, in place."""
    for quote in list(root.iter("blockquote")):
        kind = alert_kind(quote)
        if kind:
            _alert(quote, kind, label(kind, ALERTS[kind]))
    for block in root.find_class("sourceCode"):
        if block.tag == "div":
            _tidy_code(block)
    for task_list in root.find_class("task-list"):
        _tidy_task_list(task_list)


def alert_kind(quote: HtmlElement) -> str | None:
    """The alert type ("note", "tip", ...) when the first paragraph opens with `[!TYPE]`."""
    first = quote[0] if len(quote) else None
    if first is None or first.tag != "p" or (quote.text and quote.text.strip()):
        return None
    found = ALERT_MARK.match(first.text or "")
    return found.group(1).lower() if found else None


def _alert(quote: HtmlElement, kind: str, label_text: str) -> None:
    """The quotation becomes a labelled box; its `[!TYPE]` marker goes."""
    first = quote[0]
    first.text = ALERT_MARK.sub("", first.text or "", count=1).lstrip() or None
    if not first.text and not len(first):
        first.drop_tree()  # the marker stood on its own line
    quote.tag = "div"
    quote.set("class", f"alert alert-{kind}")
    quote.set("role", "note")
    quote.set("aria-label", label_text)
    heading = lxml.html.Element("p", {"class": "box-label"})
    heading.text = label_text
    heading.tail = quote.text
    quote.text = None
    quote.insert(0, heading)


def _tidy_code(block: HtmlElement) -> None:
    """Drop pandoc's per-line self-links (`<a href="#cb1-1">`): a book has no use for
    them, and the numbered ones carry no text, which accessibility checkers flag.
    Line numbers come from a CSS counter on each line instead (see the theme)."""
    for code in block.iter("code"):
        for line in code:
            anchor = line[0] if len(line) else None
            if anchor is not None and anchor.tag == "a" and not anchor.text_content():
                anchor.drop_tree()


def _tidy_task_list(task_list: HtmlElement) -> None:
    """Boxes stay enabled: a disabled one is drawn faint grey, its tick hard to see. A
    reader ticking one in an EPUB loses nothing, and print draws it as a mark."""
    for box in task_list.iter("input"):
        if box.get("type") == "checkbox" and box.get("checked") is not None:
            box.set("checked", "checked")  # the XHTML form of a bare `checked`
