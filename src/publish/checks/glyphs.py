"""FNT001: characters that no font the book ships can draw, found before rendering.

WeasyPrint is shown the theme's fonts and the project's `styles/fonts/` only (see
`resources.font_configuration`), so a character none of them has would print as an empty
box: better to say so at the author's line than to let a machine font stand in for it.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from ..errors import WARNING, Finding
from ..files import is_inside
from ..project.manuscript import MANUSCRIPT_DIR, Manuscript
from ..project.theme import DEFAULT_THEME, load_theme
from ..urls import is_remote
from .codes import FIXES
from .confinement import refused_path

FONT_TYPES = {".ttf", ".otf", ".woff", ".woff2"}
# Characters that draw nothing of their own: controls, format marks (soft hyphen, zero-width
# joiner, BOM) and variation selectors, which pick a form of the character before them.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
VARIATION_SELECTORS = range(0xFE00, 0xFE10)


def font_files(manuscript: Manuscript) -> list[Path]:
    """Every font the project's `styles/fonts/` and the default theme ship; a file that
    leads outside them is never read (check_confinement reports it)."""
    allowed = [manuscript.project, DEFAULT_THEME]
    folders = [root / "fonts" for root in load_theme(manuscript.project).roots]
    return sorted(
        path
        for folder in folders
        if folder.is_dir()
        for path in folder.iterdir()
        if path.suffix.lower() in FONT_TYPES and path.is_file() and is_inside(path, allowed)
    )


@functools.cache
def _characters(path: Path, mtime_ns: int) -> frozenset[int]:
    """The code points one font maps (cached per file version: cmaps take a moment to read);
    none for a file that is no font, which WeasyPrint reports when it fails to load it."""
    from fontTools.ttLib import TTFont, TTLibError  # here: only this check reads fonts

    try:
        with TTFont(path, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except (TTLibError, OSError, KeyError, ValueError):
        return frozenset()


def font_characters(path: Path) -> frozenset[int]:
    return _characters(path.resolve(), path.stat().st_mtime_ns)


def shipped_characters(paths: list[Path], wanted: set[int] | None = None) -> frozenset[int]:
    """The code points the fonts map; with `wanted`, reading stops once they are all
    covered (most books need one font read, and `publish check` starts the faster)."""
    covered: set[int] = set()
    for path in sorted(paths, key=lambda p: p.stat().st_size, reverse=True):
        if wanted is not None and wanted <= covered:
            break
        covered |= font_characters(path)
    return frozenset(covered)


def _draws_nothing(char: str) -> bool:
    return (
        char.isspace()
        or unicodedata.category(char) in INVISIBLE_CATEGORIES
        or ord(char) in VARIATION_SELECTORS
    )


def missing_characters(lines: list[str], covered: frozenset[int]) -> list[tuple[int, int, str]]:
    """(line, column, character) of the first use of each character no font has."""
    seen: set[str] = set()
    found = []
    for number, line in enumerate(lines, 1):
        # Most lines hold no character new and uncovered: only those are walked.
        if all(c in seen or ord(c) in covered or _draws_nothing(c) for c in set(line)):
            continue
        for column, char in enumerate(line, 1):
            if char in seen or ord(char) in covered or _draws_nothing(char):
                continue
            seen.add(char)
            found.append((number, column, char))
    return found


def _texts(manuscript: Manuscript) -> list[tuple[str, list[str]]]:
    """(shown name, lines) of every file whose text the book prints: chapters, book.yaml
    (titles, cheatsheet headings), templates and the chapters' DOT diagrams."""
    texts = [(f"{MANUSCRIPT_DIR}/{c.name}", c.lines) for c in manuscript.chapters]
    names = ["book.yaml", *manuscript.book.templates]
    names += [i.src for c in manuscript.chapters for i in c.scan.images if i.src.endswith(".dot")]
    for name in dict.fromkeys(names):
        path = manuscript.root / name
        if is_remote(name) or refused_path(name, manuscript.root, [manuscript.project]):
            continue  # never read: check_confinement reports it
        if path.is_file():
            lines = path.read_text(encoding="utf-8", errors="ignore").splitlines()
            texts.append((f"{MANUSCRIPT_DIR}/{name}", lines))
    return texts


def check_characters(manuscript: Manuscript) -> list[Finding]:
    """A warning for each character no shipped font can draw, at its first line in a file."""
    texts = _texts(manuscript)
    # Printable ASCII is in every face the theme or a sane project ships.
    used = set("".join(line for _, lines in texts for line in lines))
    wanted = {ord(c) for c in used if ord(c) > 126}
    covered = shipped_characters(font_files(manuscript), wanted) | set(range(32, 127))
    findings = []
    for shown, lines in texts:
        for line, column, char in missing_characters(lines, covered):
            name = unicodedata.name(char, "unnamed character")
            findings.append(
                Finding(
                    shown,
                    line,
                    column,
                    WARNING,
                    "FNT001",
                    f"no font the book ships has '{char}' (U+{ord(char):04X} {name}): "
                    "it would print as an empty box",
                    FIXES["FNT001"],
                )
            )
    return findings
