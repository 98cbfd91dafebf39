"""Confinement: every file a build reads lies inside the project or the installed theme.

Paths are judged after `Path.resolve()`, so `../` climbs, absolute paths and
symlinks that point out are all refused the same way, with the file and line
that named them. Chapters and the files they include are checked as they are read
(project/manuscript.py, project/includes.py), images by checks.py; this module covers
book.yaml's other paths, the project's styles/ (every file, and every @import, url()
and local() in its CSS) and the Graphviz sources, which can name files of their own.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..errors import ERROR, Finding
from ..files import is_inside
from ..project.theme import DEFAULT_THEME, PROJECT_STYLES
from ..render.svg_sanitize import inspect_svg, svg_findings
from ..urls import is_remote, url_scheme
from .dot_attributes import check_diagram_theme, check_dot
from .security import css_references

OUTSIDE_HINT = "copy the file into the project and use a relative path"


def check_confinement(manuscript) -> list[Finding]:
    project = manuscript.project
    findings = check_book_paths(manuscript.book, project)
    findings += check_styles(project)
    for path, shown in _image_sources(manuscript, ".dot"):
        findings += check_dot(path.read_bytes(), shown)
    for path, shown in _image_sources(manuscript, ".svg"):
        findings += svg_findings(inspect_svg(path.read_bytes()).issues, shown)
    return findings


def outside(shown: str, line: int, what: str) -> Finding:
    return Finding(
        shown, line, 1, ERROR, "SEC006", f"'{what}' is outside the project", OUTSIDE_HINT
    )


def refused_path(value: str, base: Path, roots: list[Path]) -> bool:
    """Whether a path or URL written in a file under `base` leaves `roots`."""
    if url_scheme(value) is not None:
        return True
    return not is_inside(base / value, roots)


def check_book_paths(book, project: Path) -> list[Finding]:
    """book.yaml's cover and templates, named relative to manuscript/."""
    named = [("cover", book.cover)] if book.cover else []
    named += [(f"templates[{i}]", name) for i, name in enumerate(book.templates)]
    findings = []
    for key, value in named:
        line = book.line_of(key)
        if is_remote(value):
            findings.append(
                Finding(
                    "manuscript/book.yaml",
                    line,
                    1,
                    ERROR,
                    "SEC007",
                    f"'{value}' is remote",
                    OUTSIDE_HINT,
                )
            )
        elif refused_path(value, project / "manuscript", [project]):
            findings.append(outside("manuscript/book.yaml", line, value))
    return findings


def _entries(folder: Path):
    """Every file, folder and symlink under `folder`, without following symlinks."""
    for parent, folders, files in os.walk(folder):
        for name in sorted(folders + files):
            yield Path(parent) / name


def check_styles(project: Path) -> list[Finding]:
    styles = project / PROJECT_STYLES
    if not (styles.exists() or styles.is_symlink()):
        return []
    if not is_inside(styles, [project]):
        return [outside(PROJECT_STYLES, 1, PROJECT_STYLES)]
    findings = []
    for path in _entries(styles):
        shown = path.relative_to(project).as_posix()
        if not is_inside(path, [project]):
            findings.append(outside(shown, 1, os.readlink(path) if path.is_symlink() else shown))
        elif path.suffix == ".css" and path.is_file():
            findings += check_stylesheet(
                path.read_text(encoding="utf-8"), path.parent, shown, [project, DEFAULT_THEME]
            )
        elif path.name == "diagrams.yaml" and path.is_file():
            findings += check_diagram_theme(path.read_text(encoding="utf-8"), shown)
    return findings


def check_stylesheet(css: str, base: Path, shown: str, roots: list[Path]) -> list[Finding]:
    """@import, url() and local() in a stylesheet: only files inside `roots`, no imports."""
    findings = []

    def refuse(line: int, code: str, message: str, hint: str) -> None:
        findings.append(Finding(shown, line, 1, ERROR, code, message, hint))

    for kind, value, line in css_references(css):
        if kind == "local":
            refuse(
                line,
                "SEC008",
                f"local({value}) uses a font of this machine",
                "put the font file in styles/fonts/ and use url(fonts/NAME)",
            )
        elif is_remote(value):
            refuse(
                line,
                "SEC007",
                f"'{value}' is remote: stylesheets fetch nothing",
                "copy the file into styles/",
            )
        elif kind == "url" and url_scheme(value) == "data":
            continue
        elif refused_path(value, base, roots):
            refuse(line, "SEC006", f"'{value}' is outside the project", OUTSIDE_HINT)
        elif kind == "import":
            refuse(
                line,
                "SEC008",
                f"@import '{value}' is not supported",
                "paste its rules into styles/custom.css",
            )
    return findings


def _image_sources(manuscript, suffix: str) -> list[tuple[Path, str]]:
    """Image files of a type that chapters use, inside the project (checks.py reports the rest)."""
    found = {}
    for chapter in manuscript.chapters:
        for image in chapter.scan.images:
            path = manuscript.root / image.src
            if (
                image.src.lower().endswith(suffix)
                and url_scheme(image.src) is None
                and is_inside(path, [manuscript.project])
                and path.is_file()
            ):
                found[path] = f"manuscript/{image.src}"
    return sorted(found.items())


def locate_reference(url: str, project: Path) -> tuple[str, int]:
    """(file, line) of the project source that names `url` (or its file name)."""
    path = unquote(urlsplit(url).path) if url.startswith("file:") else url
    needles = [n for n in (url, path, PurePosixPath(path).name) if n]
    manuscript = project / "manuscript"
    # chapters and stylesheets first, then book.yaml (footers, labels) and diagram sources
    found = [manuscript.rglob("*.md"), (project / PROJECT_STYLES).rglob("*.css")]
    found += [manuscript.rglob(f"*.{suffix}") for suffix in ("yaml", "dot", "svg")]
    sources = [p for group in found for p in sorted(group) if is_inside(p, [project])]
    for needle in needles:
        for source in sources:
            lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
            for number, text in enumerate(lines, 1):
                if needle in text:
                    return source.relative_to(project).as_posix(), number
    return "(print document)", 1
