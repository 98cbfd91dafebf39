"""Templates follow the chapters' rules for links, attributes and raw HTML.

A template's Markdown becomes a PDF form (its links `/URI` actions a PDF reader
follows) and a DOCX (its links hyperlinks Word opens): a `javascript:`, `file:`
or `vbscript:` link there is as hostile as in a chapter, so each template is
checked line by line exactly like one, and its findings point at its own lines.
"""

from __future__ import annotations

from ..errors import Finding
from ..files import is_inside
from ..project.manuscript import MANUSCRIPT_DIR, Chapter, split_front_matter
from ..project.scan import scan
from .security import check_chapter


def check_templates(manuscript) -> list[Finding]:
    """Each template's body, and its description (written into the DOCX as Markdown)."""
    findings: list[Finding] = []
    for name in manuscript.book.templates:
        path = manuscript.root / name
        if is_inside(path, [manuscript.project]) and path.is_file():
            findings += _template_findings(path, f"{MANUSCRIPT_DIR}/{name}")
        # else: check_book_paths and check_book_files report it
    return findings


def _template_findings(path, shown: str) -> list[Finding]:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    front, body_start = split_front_matter(text, shown, [])
    lines = text.splitlines(keepends=True)
    chapter = Chapter(shown, path, lines, body_start, front)
    chapter.scan = scan(lines[body_start - 1 :], body_start)
    findings: list[Finding] = []

    def add(line, col, level, code, message, hint="") -> None:
        findings.append(Finding(shown, line, col, level, code, message, hint))

    check_chapter(chapter, add, allow_remote=False)
    description = str(front.get("description") or "")
    return findings + markdown_findings(description, shown, _front_line(lines, "description"))


def markdown_findings(text: str, shown: str, line: int) -> list[Finding]:
    """A value that becomes Markdown (a description, a call to action), checked like a
    chapter's text; every finding at `line`, where the value is written."""
    lines = [f"{part}\n" for part in text.splitlines()] or ["\n"]
    chapter = Chapter(shown, None, lines, 1, {})
    chapter.scan = scan(lines, 1)
    findings: list[Finding] = []

    def add(_line, col, level, code, message, hint="") -> None:
        findings.append(Finding(shown, line, 1, level, code, message, hint))

    check_chapter(chapter, add, allow_remote=False)
    return findings


def _front_line(lines: list[str], key: str) -> int:
    return next((n for n, text in enumerate(lines, 1) if text.startswith(f"{key}:")), 1)
