"""Validate a scanned manuscript before anything is rendered.

Every rule has a stable code (listed in `CODES` and the README) so authors and
tools can rely on it; each finding carries a hint on how to fix it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ERROR, WARNING, Finding
from ..files import is_inside
from ..project.manuscript import MANUSCRIPT_DIR, Chapter, Manuscript, read_text
from ..project.paths import PATH_RULE, closest_file
from ..urls import is_remote, remote_suffix, url_scheme
from .book_values import check_book_values
from .codes import FIXES, KNOWN_DIVS
from .confinement import check_confinement, refused_path
from .controls import check_controls
from .glyphs import check_characters
from .heading_refs import check_heading_references
from .links import check_chapter_links
from .security import check_chapter
from .stores import MAX_PIXELS, MIN_LONG_SIDE, shape_problem
from .structure import check_alerts, check_headings
from .template_links import check_templates

COVER_TYPES = {".png", ".jpg", ".jpeg"}
RASTER_TYPES = {".png", ".jpg", ".jpeg"}
IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".dot"}
UNREADABLE_HINT = "export it again as PNG or JPEG"
PLACEHOLDER = re.compile(r"CHANGE[ -]ME")


def check_manuscript(manuscript: Manuscript, allow_remote: bool = False) -> list[Finding]:
    """Every finding; remote images are refused unless `allow_remote` (--allow-remote)."""
    findings: list[Finding] = check_confinement(manuscript)
    figure_ids = {i.ident for c in manuscript.chapters for i in c.scan.images if i.ident}
    heading_ids = heading_identifiers(manuscript)
    findings += check_book_files(manuscript)
    findings += check_characters(manuscript)
    findings += check_controls(manuscript) + check_templates(manuscript)
    findings += check_book_values(manuscript.book)
    for chapter in manuscript.chapters:

        def add(line, col, level, code, message, hint="", _chapter=chapter):
            path, line = _chapter.where(line)  # included text: the part's own file and line
            findings.append(Finding(path, line, col, level, code, message, hint))

        check_headings(chapter, add)
        check_alerts(chapter, add)
        _check_divs(chapter, add)
        _check_images(chapter, manuscript.project, add)
        check_chapter(chapter, add, allow_remote)
        for ref in chapter.scan.xrefs:
            if ref.target not in figure_ids:
                add(
                    ref.line,
                    ref.col,
                    ERROR,
                    "REF001",
                    f"unknown figure '@{ref.target}'",
                    "give the figure this id: ![Caption](file){#" + ref.target + "}",
                )
        for link in chapter.scan.links:
            if link.target.startswith("#") and link.target[1:] not in heading_ids | figure_ids:
                add(
                    link.line,
                    link.col,
                    WARNING,
                    "REF002",
                    f"no heading has id '{link.target}'",
                    "add {#id} to the heading you mean",
                )
        check_chapter_links(manuscript, chapter, add, auto_identifier)
        check_heading_references(manuscript, chapter, add, auto_identifier)
    return findings


def auto_identifier(text: str) -> str:
    """The id pandoc derives from a heading's text (its `auto_identifiers` rules)."""
    plain = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    plain = re.sub(r"\[\^[^\]]*\]", "", plain)  # footnote calls add nothing
    plain = re.sub(r"</?[A-Za-z][^<>]*>", "", plain)  # raw inline HTML: its text only
    kept = "".join(c for c in plain if c.isalnum() or c in "_-." or c.isspace())
    ident = re.sub(r"\s+", "-", kept.strip()).lower()
    while ident and not ident[0].isalpha():  # pandoc drops everything before the first letter
        ident = ident[1:]
    return ident or "section"


def heading_identifiers(manuscript: Manuscript) -> set[str]:
    """Every id a link may name: explicit `{#id}`s and pandoc's derived ones.

    Repeated derived ids are numbered (`-1`, `-2`) across the whole edition, as
    one pandoc run over it would (pandoc within a chapter, `unique_ids` across
    chapters); the full edition holds them all.
    """
    ids: set[str] = set()
    for chapter in manuscript.chapters:
        for heading in chapter.scan.headings:
            if heading.ident:
                ids.add(heading.ident)
                continue
            base = auto_identifier(heading.text)
            ident, count = base, 0
            while ident in ids:
                count += 1
                ident = f"{base}-{count}"
            ids.add(ident)
    return ids


def check_book_files(manuscript: Manuscript) -> list[Finding]:
    """Files and names book.yaml points at beyond the chapters: templates, cover, cheatsheets."""
    book = manuscript.book
    where = f"{MANUSCRIPT_DIR}/book.yaml"
    findings: list[Finding] = []
    named = [(f"templates[{i}]", name) for i, name in enumerate(book.templates)]
    if book.cover:
        findings += _check_cover(manuscript, where)
    for key, name in named:
        if is_remote(name) or refused_path(name, manuscript.root, [manuscript.project]):
            continue  # never read: check_confinement reports it
        read_text(manuscript.root / name, name, book.line_of(key), findings, where)
    findings += _check_cheatsheet_blocks(manuscript, where)
    for index, sheet in enumerate(book.cheatsheets):
        for position, name in enumerate(sheet.chapters or []):
            if name not in book.chapters:
                line = book.line_of(f"cheatsheets[{index}].chapters[{position}]")
                findings.append(
                    Finding(
                        where,
                        line,
                        1,
                        ERROR,
                        "CFG006",
                        f"cheatsheet '{sheet.name}' names '{name}', which is not in chapters:",
                        FIXES["CFG006"],
                    )
                )
    findings += _placeholders(manuscript.root / "book.yaml", where)
    return findings


def _check_cheatsheet_blocks(manuscript: Manuscript, where: str) -> list[Finding]:
    """A cheatsheet must gather at least one block, or there is nothing to print."""
    book = manuscript.book
    findings = []
    for index, sheet in enumerate(book.cheatsheets):
        wanted = sheet.chapters if sheet.chapters is not None else book.chapters
        blocks = [
            div
            for chapter in manuscript.chapters
            if chapter.name in wanted
            for div in chapter.scan.divs
            if "cheatsheet" in div.classes
        ]
        if not blocks:
            line = book.line_of(f"cheatsheets[{index}]")
            message = f"cheatsheet '{sheet.name}' has no cheatsheet blocks to gather"
            findings.append(Finding(where, line, 1, ERROR, "CHS001", message, FIXES["CHS001"]))
    return findings


def _check_cover(manuscript: Manuscript, where: str) -> list[Finding]:
    """The cover is an image: it must exist and be a PNG or JPEG (never read as text)."""
    book = manuscript.book
    if is_remote(book.cover) or refused_path(book.cover, manuscript.root, [manuscript.project]):
        return []  # check_confinement reports it
    path = manuscript.root / book.cover
    size = _pixel_size(path) if path.is_file() else None
    if Path(book.cover).suffix.lower() not in COVER_TYPES:
        problem = ("IMG002", f"cover '{book.cover}' is not PNG or JPEG", "give a .png or .jpg")
    elif not path.is_file():
        problem = ("MS001", f"file not found: {book.cover}", "paths are relative to manuscript/")
    elif size is None:
        problem = ("IMG002", f"cover '{book.cover}' is not a readable image", UNREADABLE_HINT)
    else:
        return _cover_size_warnings(book.cover, size, where, book.line_of("cover"))
    return [Finding(where, book.line_of("cover"), 1, ERROR, *problem)]


def _cover_size_warnings(name: str, size: tuple[int, int], where: str, line: int) -> list:
    """Storefront advice on a readable cover: too few pixels, or proportions no store uses."""
    findings = []
    if max(size) < MIN_LONG_SIDE:
        message = f"cover '{name}' is {size[0]}x{size[1]} px, small for storefronts"
        findings.append(Finding(where, line, 1, WARNING, "IMG006", message))
    if shape := shape_problem(*size):
        findings.append(Finding(where, line, 1, WARNING, "CVR001", f"cover '{name}' {shape}"))
    return findings


def _pixel_size(path: Path) -> tuple[int, int] | None:
    """An image's width and height in pixels, or None when it cannot be read as one."""
    from PIL import Image  # here: most books have no raster image to measure

    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, Image.DecompressionBombError):
        return None


def _placeholders(path: Path, where: str) -> list[Finding]:
    """Values `publish init` left for the author: fine to build, not to publish."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    findings = []
    for number, line in enumerate(lines, 1):
        found = PLACEHOLDER.search(line)
        if found and not line.lstrip().startswith("#"):  # comments may explain placeholders
            findings.append(
                Finding(
                    where,
                    number,
                    found.start() + 1,
                    WARNING,
                    "CFG007",
                    "placeholder still here: " + line.strip(),
                    FIXES["CFG007"],
                )
            )
    return findings


def _check_answers(chapter: Chapter, add) -> None:
    """An answer before any exercise of its chapter would vanish: numbering has no home for it."""
    seen_exercise = False
    for div in sorted(chapter.scan.divs, key=lambda d: d.start):
        seen_exercise = seen_exercise or "exercise" in div.classes
        if "answer" in div.classes and not seen_exercise:
            add(
                div.start,
                1,
                ERROR,
                "REF003",
                "answer has no exercise before it in this chapter",
                FIXES["REF003"],
            )


def _check_divs(chapter: Chapter, add) -> None:
    _check_answers(chapter, add)
    for div in chapter.scan.unclosed_divs:
        add(div.start, 1, ERROR, "MS007", "fenced div is never closed", "add ':::' after its text")
    for line in chapter.scan.stray_div_closes:
        add(line, 1, ERROR, "MS007", "':::' closes no open fenced div", "remove it")
    for div in chapter.scan.divs:
        unknown = [c for c in div.classes if c not in KNOWN_DIVS]
        if unknown or not div.classes:
            add(
                div.start,
                1,
                WARNING,
                "MS008",
                f"unknown div class '{' '.join(unknown)}'",
                "known classes: " + ", ".join(sorted(KNOWN_DIVS)),
            )
        if div.headings_inside:
            add(
                div.headings_inside[0],
                1,
                ERROR,
                "MS009",
                "a heading inside a fenced div",
                "close the div before the heading",
            )


def _check_images(chapter: Chapter, project: Path, add) -> None:
    root = project / MANUSCRIPT_DIR
    for image in chapter.scan.images:
        src = image.src
        if is_remote(src):  # security.py refuses it unless --allow-remote
            if remote_suffix(src) not in IMAGE_TYPES - {".dot"}:
                add(
                    image.line,
                    image.col,
                    ERROR,
                    "IMG002",
                    f"remote image '{src}' is not a PNG, JPEG or SVG file",
                    "use a URL that ends in .png, .jpg or .svg",
                )
            _check_alt(image, add)
            continue
        path = root / src
        suffix = Path(src).suffix.lower()
        if url_scheme(src) is not None or src.startswith("/") or not is_inside(path, [project]):
            add(
                image.line,
                image.col,
                ERROR,
                "IMG004",
                f"image '{src}' is outside the project",
                "copy it into manuscript/ and use a relative path",
            )
        elif suffix not in IMAGE_TYPES:
            add(
                image.line,
                image.col,
                ERROR,
                "IMG002",
                f"image type '{suffix or src}' is not supported",
                "use SVG, PNG, JPEG, or a Graphviz .dot file",
            )
        elif not path.is_file():
            origin = chapter.origins[image.line - 1][0] if chapter.origins else chapter.name
            add(
                image.line,
                image.col,
                ERROR,
                "IMG001",
                f"image not found: {src}",
                closest_file(root, src, origin) or PATH_RULE,
            )
        elif suffix in RASTER_TYPES:
            _check_raster(path, image, add)
        _check_alt(image, add)


def _check_raster(path: Path, image, add) -> None:
    """Apple Books refuses interior images over 4 megapixels; say so before a store does."""
    size = _pixel_size(path)
    if size is None:
        add(
            image.line,
            image.col,
            ERROR,
            "IMG002",
            f"'{image.src}' is not a readable image",
            UNREADABLE_HINT,
        )
    elif size[0] * size[1] > MAX_PIXELS:
        add(
            image.line,
            image.col,
            WARNING,
            "IMG007",
            f"'{image.src}' is {size[0]}x{size[1]} px, over 4 megapixels",
            FIXES["IMG007"],
        )


def _check_alt(image, add) -> None:
    """In Markdown the bracket text is the alternative text (pandoc writes it as the
    `alt`, and as the caption of a figure); `alt=` overrides it. Only both empty fails."""
    if not image.attrs.get("alt", "").strip() and not image.alt.strip():
        add(
            image.line,
            image.col,
            ERROR,
            "IMG003",
            "figure has no text alternative",
            'add alt="what the image shows" to the <img> tag'
            if image.html
            else 'add alt="what the image shows" to its {...} attributes',
        )
