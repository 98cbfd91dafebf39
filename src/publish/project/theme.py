"""Find the theme: the installed default, with the project's `styles/` laid over it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

GENERATED = "(generated)"
# The theme files each stylesheet is joined from, in cascade order; any other stylesheet
# is fonts.css and itself.
STYLE_PARTS = {
    "epub.css": ("fonts.css", "book.css", "epub.css"),
    "print.css": ("fonts.css", "book.css", "print.css"),
    "web.css": ("fonts.css", "book.css", "epub.css", "web.css"),
    # The two PDF profiles: print.css's book, then each profile's page rules.
    "pdf-screen.css": ("fonts.css", "book.css", "print.css", "pdf-screen.css"),
    "pdf-print.css": ("fonts.css", "book.css", "print.css", "pdf-print.css"),
}

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "theme"
# A theme stylesheet names its fonts as url(fonts/<file>), relative to the theme folder.
FONT_URL = re.compile(r"url\(\s*['\"]?(fonts/[^'\")]+)['\"]?\s*\)")
PROJECT_STYLES = "styles"


@dataclass(frozen=True)
class Stylesheet:
    """CSS joined from several sources, remembering which lines came from where, so a
    renderer's warning at line N names the file (and its line) the author can edit."""

    text: str
    segments: tuple[tuple[str, int], ...]
    """(source, lines) in order: a file path, or GENERATED for CSS the build writes."""

    @classmethod
    def of(cls, text: str, source: str = GENERATED) -> Stylesheet:
        text = text if text.endswith("\n") or not text else text + "\n"
        return cls(text, ((source, text.count("\n")),) if text else ())

    def __add__(self, other: Stylesheet) -> Stylesheet:
        return Stylesheet(self.text + other.text, self.segments + other.segments)

    def origin(self, line: int) -> tuple[str, int]:
        """The source and its own line for line `line` (1-based) of the joined text."""
        for source, length in self.segments:
            if line <= length:
                return source, line
            line -= length
        return GENERATED, line  # CSS the build appended after the map (a layout step)

    def with_text(self, text: str) -> Stylesheet:
        """The same sources after a line-preserving rewrite (font URLs made absolute)."""
        return Stylesheet(text, self.segments)


@dataclass(frozen=True)
class Theme:
    """A theme file is looked up in the project's styles/ first, then in the default."""

    project_dir: Path | None

    @property
    def roots(self) -> list[Path]:
        roots = [DEFAULT_THEME]
        if self.project_dir is not None and self.project_dir.is_dir():
            roots.insert(0, self.project_dir)
        return roots

    def file(self, name: str) -> Path:
        for root in self.roots:
            candidate = root / name
            if candidate.is_file():
                return candidate
        return DEFAULT_THEME / name

    def stylesheet(self, name: str) -> Stylesheet:
        """A theme stylesheet with what it shares with others (fonts.css, book.css) first."""
        parts = [self._file_sheet(part) for part in STYLE_PARTS.get(name, ("fonts.css", name))]
        return sum(parts[1:], parts[0])

    def _file_sheet(self, name: str) -> Stylesheet:
        path = self.file(name)
        return Stylesheet.of(path.read_text(encoding="utf-8"), str(path))

    def extra_stylesheet(self) -> Stylesheet:
        """The project's `custom.css`, laid over both the EPUB and the print styles."""
        custom = self.project_dir / "custom.css" if self.project_dir else None
        if custom is None or not custom.is_file():
            return Stylesheet("", ())
        return Stylesheet.of(custom.read_text(encoding="utf-8"), str(custom))

    def extra_css(self) -> str:
        return self.extra_stylesheet().text

    def fonts_dir(self) -> Path:
        return self.file("fonts/LICENSES.md").parent

    def files(self) -> list[Path]:
        """Every file the theme is made of, for the build cache's key."""
        found = {}
        for root in reversed(self.roots):
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    found[path.relative_to(root).as_posix()] = path
        return [found[k] for k in sorted(found)]


def load_theme(project: Path) -> Theme:
    return Theme(project / PROJECT_STYLES)
