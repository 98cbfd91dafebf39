"""Turn what pandoc and WeasyPrint warn about into findings that point at a source file.

pandoc reports lines of the edition's combined Markdown and WeasyPrint lines of
the stylesheet it was given; both are mapped back to the file the author edits.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import WARNING, Finding, relative_name
from ..project.manuscript import Chapter
from ..project.theme import DEFAULT_THEME, GENERATED, Stylesheet

# pandoc's warnings: "line N: message", where a position inside the message adds nothing.
PANDOC_LINE = re.compile(r"^line (\d+): ")
PANDOC_POSITION = re.compile(r" (?:at|defined at) line \d+ column \d+")
GENERATED_PART = "(generated part)"
# WeasyPrint's: a stylesheet position, a quoted font or file name, or a link with no target.
CSS_POSITION = re.compile(r" at (\d+):(\d+)")
FONT_HINT = "check that the @font-face src names a font file that exists"
QUOTED_NAME = re.compile(r"'([^']+)'")
NO_ANCHOR = re.compile(r"No anchor #(\S+)")


def pandoc_findings(parts: list[tuple[Chapter | None, str]], warnings: list[str]) -> list[Finding]:
    """REN001 findings for `run_pandoc`'s warnings on the parts joined by a blank line."""
    starts, line = [], 1
    for _chapter, text in parts:
        starts.append(line)
        line += text.count("\n") + 2  # render_edition joins the parts with "\n\n"
    findings = []
    for warning in warnings:
        found = PANDOC_LINE.match(warning)
        message = PANDOC_POSITION.sub("", warning[found.end() :] if found else warning)
        path, source_line = GENERATED_PART, 1
        if found and parts:
            number = int(found.group(1))
            index = max(i for i, start in enumerate(starts) if start <= number)
            chapter, text = parts[index]
            if chapter is not None:
                offset = number - starts[index]
                path, source_line = chapter.where(_source_line(chapter, text, offset))
        findings.append(Finding(path, source_line, 1, WARNING, "REN001", f"pandoc: {message}"))
    return sorted(set(findings))


def _source_line(chapter: Chapter, text: str, offset: int) -> int:
    """The chapter file's line holding the text pandoc saw at `offset` in its part."""
    lines = text.splitlines()
    if not 0 <= offset < len(lines) or not lines[offset].strip():
        return chapter.body_start
    wanted = lines[offset].rstrip()
    for number, line in enumerate(chapter.lines, 1):
        if line.rstrip() == wanted:
            return number
    return chapter.body_start


@contextlib.contextmanager
def capture_weasyprint() -> Iterator[list[logging.LogRecord]]:
    """Collect WeasyPrint's warnings and errors (it logs them; by default nobody hears)."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def weasyprint_findings(
    records: list[logging.LogRecord], stylesheet: Stylesheet, project: Path, manuscript=None
) -> list[Finding]:
    """REN002 findings, each at the line it came from: a stylesheet's own file and line
    (from the stylesheet's source map), or the chapter line of a link with no target."""
    findings = set()
    for record in records:
        message = record.getMessage()
        path, line, col = _main_file(stylesheet), 1, 1
        position = CSS_POSITION.search(message)
        anchor = NO_ANCHOR.search(message)
        if position:
            message = CSS_POSITION.sub("", message, count=1)
            path, line = stylesheet.origin(int(position.group(1)))
            col = int(position.group(2))
        elif anchor and manuscript is not None:
            path, line = _link_line(manuscript, anchor.group(1), path)
        else:
            line = _line_naming(Path(path), QUOTED_NAME.search(message))
        hint = FONT_HINT if "cannot be loaded" in message else ""
        # publish's own checks of the written PDF log with their code (see pdf_engine).
        code = getattr(record, "finding_code", "REN002")
        said = f"WeasyPrint: {message}" if code == "REN002" else message
        findings.add(Finding(_shown(path, project), line, col, WARNING, code, said, hint))
    return sorted(findings)


def _main_file(stylesheet: Stylesheet) -> str:
    """The file a stylesheet is named for (print.css, cheatsheet.css...): the last theme
    file, after those it shares with others (fonts.css, book.css), before custom.css."""
    files = [source for source, _ in stylesheet.segments if source != GENERATED]
    themed = [f for f in files if Path(f).name != "custom.css"]
    return themed[-1] if themed else GENERATED


def _link_line(manuscript, ident: str, fallback: str) -> tuple[str, int]:
    """The chapter and line of the first link to `#ident`, where the author can fix it."""
    for chapter in manuscript.chapters:
        for link in chapter.scan.links:
            if link.target.endswith(f"#{ident}"):
                return str(chapter.path), link.line
    return fallback, 1


def _line_naming(css: Path, name: re.Match | None) -> int:
    """The first line of `css` naming what the message quotes (a font family, say)."""
    if name is None or not css.is_file():
        return 1
    for number, line in enumerate(css.read_text(encoding="utf-8").splitlines(), 1):
        if name.group(1) in line:
            return number
    return 1


def _shown(path: Path | str, project: Path) -> str:
    """Project files relative to the project; the default theme's as `publish:theme/...`."""
    if path == GENERATED:
        return GENERATED
    path = Path(path)
    if path.resolve().is_relative_to(DEFAULT_THEME.resolve()):
        return "publish:theme/" + path.resolve().relative_to(DEFAULT_THEME.resolve()).as_posix()
    return relative_name(path, project)
