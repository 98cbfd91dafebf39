"""Characters no book may hold: C0 and C1 controls (but tab and line ends) and Unicode
non-characters (U+FFFE, U+FFFF, U+FDD0-U+FDEF and their kin on every plane).

XML forbids most of them, so one in a chapter would make an ill-formed XHTML file
that readers refuse; the rest print as nothing or as a box. They arrive by
accident (pasted from a PDF or a terminal), so they are refused with the line and
column rather than stripped: the author sees where the text was damaged. The
same holds when they are written as numeric entities (`&#11;`, which pandoc
decodes) or as YAML escapes in book.yaml and front matter.
"""

from __future__ import annotations

import dataclasses
import re

from ..errors import ERROR, Finding
from ..project.manuscript import MANUSCRIPT_DIR

NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{NONCHARACTERS}]")
NUMERIC_ENTITY = re.compile(r"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")
HINT = "delete it: it prints as nothing or as a box, and breaks the EPUB's XHTML"
BOOK_FILE = f"{MANUSCRIPT_DIR}/book.yaml"


def forbidden_in(text: str, entities: bool = True) -> tuple[int, str] | None:
    """(0-based index, character) of the first forbidden character in `text`, written
    or (unless `entities` is False: code keeps them as text) as a numeric entity."""
    found = FORBIDDEN.search(text)
    if found:
        return found.start(), found.group(0)
    if not entities:
        return None
    for entity in NUMERIC_ENTITY.finditer(text):
        if FORBIDDEN.match(_code_point(entity.group(1))):
            return entity.start(), entity.group(0)
    return None


def _code_point(number: str) -> str:
    """The character a numeric entity names as pandoc reads it (by its number, where
    html.unescape would substitute the HTML5 replacements)."""
    value = int(number[1:], 16) if number[:1] in "xX" else int(number)
    return chr(value) if value < 0x110000 else "\ufffd"


def describe(character: str) -> str:
    if character.startswith("&#"):
        return f"the entity {character}"
    return f"U+{ord(character):04X}"


def check_controls(manuscript) -> list[Finding]:
    """Every chapter line (includes at their own file and line), front matter value,
    template line and book.yaml value holding a forbidden character."""
    findings = []
    for chapter in manuscript.chapters:
        findings += _in_chapter(chapter)
    for name in manuscript.book.templates:
        path = manuscript.root / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            findings += _in_lines(text.split("\n"), f"{MANUSCRIPT_DIR}/{name}")
    for key, value in _strings(manuscript.book, ""):
        found = forbidden_in(value)
        if found:
            findings.append(_finding(BOOK_FILE, _book_line(manuscript.book, key), 1, found[1]))
    return findings


def _in_chapter(chapter) -> list[Finding]:
    findings = []
    code = chapter.scan.code_lines
    for number, line in enumerate(chapter.lines, 1):
        found = forbidden_in(line, entities=number not in code)
        if found:
            path, at = chapter.where(number)
            findings.append(_finding(path, at, found[0] + 1, found[1]))
    for key, value in _strings(chapter.front_matter, ""):
        found = forbidden_in(value)
        if found:
            line = _key_line(chapter.lines, key.split(".")[0].split("[")[0])
            findings.append(_finding(chapter.where(line)[0], line, 1, found[1]))
    return findings


def _in_lines(lines: list[str], shown: str) -> list[Finding]:
    findings = []
    for number, line in enumerate(lines, 1):
        found = forbidden_in(line)
        if found:
            findings.append(_finding(shown, number, found[0] + 1, found[1]))
    return findings


def _finding(path: str, line: int, col: int, character: str) -> Finding:
    message = f"{describe(character)} is an invisible control or non-character"
    return Finding(path, line, col, ERROR, "SEC014", message, HINT)


def _strings(value, key: str):
    """(dotted key, text) of every string inside a value of book.yaml or front matter."""
    if isinstance(value, str):
        yield key, value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            if field.name == "lines":  # book.yaml's own line numbers
                continue
            yield from _strings(getattr(value, field.name), _join(key, field.name))
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(str(name), _join(key, str(name)))
            yield from _strings(item, _join(key, str(name)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{key}[{index}]")


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _book_line(book, key: str) -> int:
    """The line book.yaml gives for `key`, or for the nearest enclosing key it knows."""
    while key:
        if key in book.lines:
            return book.lines[key]
        cut = max(key.rfind("."), key.rfind("["))
        key = key[:cut] if cut > 0 else ""
    return 1


def _key_line(lines: list[str], key: str) -> int:
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith(f"{key}:") or line.lstrip().startswith(f'"{key}"'):
            return number
    return 1
