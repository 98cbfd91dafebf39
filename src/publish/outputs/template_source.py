"""Template files: their front matter, and the Markdown conventions for blanks.

- `___` (three or more underscores) inside a line is a one-line text field,
  labelled by the text before it on that line (a line of underscores alone
  stays a horizontal rule);
- `::: {.field lines=4}` ... `:::` is a multi-line text box, labelled by the
  paragraph before it; a sentence inside is a hint printed above the box;
- `- [ ] item` (a task-list item) is a checkbox labelled by its text.

Code blocks and inline code are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ERROR, Finding, PublishError
from ..project.config import BOOK_FILE
from ..project.manuscript import MANUSCRIPT_DIR, Manuscript, read_text, split_front_matter
from ..project.scan import scan

BLANK = re.compile(r"_{3,}")
INLINE_CODE = re.compile(r"(`+).*?\1")
TASK_ITEM = re.compile(r"^(\s*)[-*+]\s+\[( |x|X)\]\s+(.*)$")
FRONT_MATTER_KEYS = {"title", "description"}
DEFAULT_LINES = 3


@dataclass
class Template:
    """One template file, its front matter read and its body still Markdown."""

    name: str
    stem: str
    title: str
    description: str
    body: str
    body_line: int = 1  # the file's line the body starts on, for findings


def read_templates(manuscript: Manuscript) -> list[Template]:
    """Every template book.yaml lists; one error listing each file that cannot be used."""
    book = manuscript.book
    findings: list[Finding] = []
    templates = []
    for index, name in enumerate(book.templates):
        line = book.line_of(f"templates[{index}]")
        text = read_text(manuscript.root / name, name, line, findings, BOOK_FILE.as_posix())
        if text is not None:
            templates.append(_parse(name, text, findings))
    if findings:
        # Not a FindingsError: the editions are already written when templates are read.
        raise PublishError("\n".join(f.format() for f in sorted(findings)))
    return templates


def _parse(name: str, text: str, findings: list[Finding]) -> Template:
    shown = f"{MANUSCRIPT_DIR}/{name}"
    front, body_start = split_front_matter(text, shown, findings)
    for key in sorted(set(front) - FRONT_MATTER_KEYS):
        known = "known keys: " + ", ".join(sorted(FRONT_MATTER_KEYS))
        findings.append(
            Finding(shown, 2, 1, ERROR, "TPL001", f"unknown front matter key '{key}'", known)
        )
    stem = Path(name).stem
    title = str(front.get("title") or stem.replace("-", " ").capitalize())
    body = "".join(text.splitlines(keepends=True)[body_start - 1 :])
    description = str(front.get("description") or "")
    return Template(name, stem, title, description, body, body_start)


def outside_code(body: str, change) -> str:
    """Apply `change(text)` to every line outside code blocks, sparing inline code."""
    lines = body.splitlines(keepends=True)
    code_lines = scan(lines).code_lines
    out = []
    for number, line in enumerate(lines, 1):
        if number in code_lines:
            out.append(line)
            continue
        last = 0
        for code in INLINE_CODE.finditer(line):
            out += [change(line[last : code.start()]), code.group(0)]
            last = code.end()
        out.append(change(line[last:]))
    return "".join(out)


def has_blank(line: str) -> bool:
    """Underscores sharing a line with text; a line of underscores alone is a rule."""
    return bool(BLANK.search(line)) and bool(BLANK.sub("", line).strip())


def field_lines(value: str | None) -> int:
    """A box's `lines=`: how many lines of writing room it gives."""
    return int(value) if value and value.isdigit() and int(value) > 0 else DEFAULT_LINES
