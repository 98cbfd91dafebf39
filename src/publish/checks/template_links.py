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
    findings: list[Finding] = []
    for name in manuscript.book.templates:
        path = manuscript.root / name
        if not (is_inside(path, [manuscript.project]) and path.is_file()):
            continue  # check_book_paths and check_book_files report it
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        shown = f"{MANUSCRIPT_DIR}/{name}"
        front, body_start = split_front_matter(text, shown, [])
        lines = text.splitlines(keepends=True)
        chapter = Chapter(name, path, lines, body_start, front)
        chapter.scan = scan(lines[body_start - 1 :], body_start)

        def add(line, col, level, code, message, hint="", _shown=shown) -> None:
            findings.append(Finding(_shown, line, col, level, code, message, hint))

        check_chapter(chapter, add, allow_remote=False)
    return findings
