"""Find the theme: the installed default, with the project's `styles/` laid over it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "theme"
# A theme stylesheet names its fonts as url(fonts/<file>), relative to the theme folder.
FONT_URL = re.compile(r"url\(\s*['\"]?(fonts/[^'\")]+)['\"]?\s*\)")
PROJECT_STYLES = "styles"


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

    def stylesheet(self, name: str) -> str:
        """A theme stylesheet with the theme's `@font-face` rules (fonts.css) before it."""
        fonts = self.file("fonts.css").read_text(encoding="utf-8")
        return fonts + "\n" + self.file(name).read_text(encoding="utf-8")

    def extra_css(self) -> str:
        """The project's `custom.css`, laid over both the EPUB and the print styles."""
        if self.project_dir is None:
            return ""
        custom = self.project_dir / "custom.css"
        return custom.read_text(encoding="utf-8") if custom.is_file() else ""

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
