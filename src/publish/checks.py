"""Validate a scanned manuscript before anything is rendered.

Every rule has a stable code (listed in `CODES` and the README) so authors and
tools can rely on it; each finding carries a hint on how to fix it.
"""

from __future__ import annotations

import difflib
import itertools
import re
from pathlib import Path

from .confine import check_confinement, refused_path
from .errors import ERROR, WARNING, Finding
from .fsutil import is_inside
from .manuscript import MANUSCRIPT_DIR, Chapter, Manuscript, read_text
from .remote import remote_suffix
from .security import SECURITY_CODES, SECURITY_FIXES, check_chapter
from .urlpolicy import is_remote

KNOWN_DIVS = {
    "why-it-matters",
    "exercise",
    "answer",
    "cheatsheet",
    "longdesc",
    "callout",
    "call-to-action",
    "field",
}
COVER_TYPES = {".png", ".jpg", ".jpeg"}
IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".dot"}
SAFE_LINK = re.compile(r"^(https?:|mailto:|#)", re.I)
SCHEME = re.compile(r"^[a-zA-Z][\w+.-]*:")
PLACEHOLDER = re.compile(r"CHANGE[ -]ME")

CODES = {
    "CFG000": "book.yaml is missing",
    "CFG001": "unknown key in book.yaml",
    "CFG002": "a value in book.yaml has the wrong type",
    "CFG003": "a required key is missing from book.yaml",
    "CFG004": "book.yaml is not valid YAML",
    "CFG005": "a value in book.yaml is not allowed",
    "MS001": "a file named by the manuscript does not exist",
    "MS002": "a file is not UTF-8 text",
    "MS003": "front matter is not valid YAML",
    "MS004": "unknown or invalid front matter key",
    "MS005": "a chapter has no level-1 heading, or more than one",
    "MS006": "a heading level is skipped",
    "MS007": "a fenced div is not closed, or closes nothing",
    "MS008": "a fenced div has an unknown class",
    "MS009": "a heading sits inside a fenced div",
    "IMG001": "an image file does not exist",
    "IMG002": "an image type is not supported",
    "IMG003": "a figure has no text alternative",
    "IMG004": "an image lies outside the project",
    "REF001": "a cross-reference names an unknown figure",
    "REF002": "an internal link names an unknown id",
    "REF003": "an answer has no exercise before it",
    "DIA001": "Graphviz cannot read a diagram",
    "CFG006": "a cheatsheet names a chapter the book does not list",
    "CFG007": "a placeholder from `publish init` is still in book.yaml",
    "REN001": "pandoc warned while rendering a chapter",
    "REN002": "WeasyPrint warned while making the PDF (CSS it ignored, a font it could not load)",
    **SECURITY_CODES,
}

# How to fix each finding: the hint shown when a finding carries none of its own,
# and the "fix" column of the codes table in README.md.
FIXES = {
    "CFG000": "run the command in the project folder, or `publish init DIR` to start a book",
    "CFG001": "remove the key or fix its spelling; `publish check` lists the known keys",
    "CFG002": "give the value the type the key needs: text, number, list or mapping",
    "CFG003": "add the key; README.md describes every key",
    "CFG004": "check the indentation and quoting on this line and the one above",
    "CFG005": "use one of the allowed values the message names",
    "CFG006": "list the chapter under `chapters:` too, or fix the file name",
    "CFG007": "replace the CHANGE ME value with your own",
    "MS001": "check the spelling; paths are relative to manuscript/",
    "MS002": "save the file as UTF-8",
    "MS003": "front matter is YAML between two '---' lines at the top of the file",
    "MS004": "known front matter keys: sample (in or out) and title",
    "MS005": "start the file with '# Title' and use '##' below it",
    "MS006": "go down one heading level at a time",
    "MS007": "every '::: class' line needs a matching ':::' line",
    "MS008": "use a known class: " + ", ".join(sorted(KNOWN_DIVS)),
    "MS009": "close the div before the heading",
    "IMG001": "check the spelling; paths are relative to manuscript/",
    "IMG002": "use SVG, PNG, JPEG, or a Graphviz .dot file",
    "IMG003": 'add alt="what the image shows" to its {...} attributes',
    "IMG004": "copy the image into manuscript/ and use a relative path",
    "REF001": "give the figure this id: ![Caption](file){#fig:name}",
    "REF002": "link to a heading's id: its {#id}, or the id pandoc derives from its text",
    "REF003": "put the ::: answer block right after its ::: exercise block",
    "DIA001": "fix the DOT syntax on that line; `dot -Tsvg FILE` shows the same error",
    "REN001": "fix the Markdown pandoc names; the message says what it did instead",
    "REN002": "fix or remove the CSS rule; WeasyPrint skips what it cannot use",
    **SECURITY_FIXES,
}


def check_manuscript(manuscript: Manuscript, allow_remote: bool = False) -> list[Finding]:
    """Every finding; remote images are refused unless `allow_remote` (--allow-remote)."""
    findings: list[Finding] = check_confinement(manuscript)
    figure_ids = {i.ident for c in manuscript.chapters for i in c.scan.images if i.ident}
    heading_ids = heading_identifiers(manuscript)
    findings += check_book_files(manuscript)
    for chapter in manuscript.chapters:
        name = f"{MANUSCRIPT_DIR}/{chapter.name}"

        def add(line, col, level, code, message, hint="", _name=name):
            findings.append(Finding(_name, line, col, level, code, message, hint))

        _check_headings(chapter, add)
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
    return findings


def auto_identifier(text: str) -> str:
    """The id pandoc derives from a heading's text (its `auto_identifiers` rules)."""
    plain = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    plain = re.sub(r"\[\^[^\]]*\]", "", plain)  # footnote calls add nothing
    kept = "".join(c for c in plain if c.isalnum() or c in "_-." or c.isspace())
    ident = re.sub(r"\s+", "-", kept.strip()).lower()
    while ident and not ident[0].isalpha():  # pandoc drops everything before the first letter
        ident = ident[1:]
    return ident or "section"


def heading_identifiers(manuscript: Manuscript) -> set[str]:
    """Every id a link may name: explicit `{#id}`s and pandoc's derived ones.

    pandoc numbers repeated derived ids (`-1`, `-2`) across the whole edition,
    since each edition is one pandoc run; the full edition holds them all.
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


def _check_cover(manuscript: Manuscript, where: str) -> list[Finding]:
    """The cover is an image: it must exist and be a PNG or JPEG (never read as text)."""
    book = manuscript.book
    line = book.line_of("cover")
    if is_remote(book.cover) or refused_path(book.cover, manuscript.root, [manuscript.project]):
        return []  # check_confinement reports it
    if Path(book.cover).suffix.lower() not in COVER_TYPES:
        return [
            Finding(
                where,
                line,
                1,
                ERROR,
                "IMG002",
                f"cover '{book.cover}' is not PNG or JPEG",
                "give the cover as a .png or .jpg file",
            )
        ]
    if not (manuscript.root / book.cover).is_file():
        return [
            Finding(
                where,
                line,
                1,
                ERROR,
                "MS001",
                f"file not found: {book.cover}",
                "paths are relative to manuscript/",
            )
        ]
    return []


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


def _check_headings(chapter: Chapter, add) -> None:
    headings = chapter.scan.headings
    top = [h for h in headings if h.level == 1]
    if len(top) != 1 or (headings and headings[0].level != 1):
        first = headings[0].line if headings else chapter.body_start
        line = top[1].line if len(top) > 1 else first
        add(
            line,
            1,
            ERROR,
            "MS005",
            "a chapter needs exactly one level-1 heading, at its top",
            "start the file with '# Title' and use '##' below it",
        )
    for before, after in itertools.pairwise(headings):
        if after.level > before.level + 1:
            add(
                after.line,
                1,
                WARNING,
                "MS006",
                f"heading level {after.level} follows level {before.level}",
                f"use {'#' * (before.level + 1)} here",
            )
        if after.attrs.get("sample", "in") not in ("in", "out"):
            add(
                after.line,
                1,
                ERROR,
                "MS004",
                "sample= must be 'in' or 'out'",
                "write {sample=in} or {sample=out} after the heading",
            )


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
        if SCHEME.match(src) or src.startswith("/"):
            add(
                image.line,
                image.col,
                ERROR,
                "IMG004",
                f"image '{src}' is outside the project",
                "copy it into manuscript/ and use a relative path",
            )
            continue
        path = root / src
        suffix = Path(src).suffix.lower()
        if suffix not in IMAGE_TYPES:
            add(
                image.line,
                image.col,
                ERROR,
                "IMG002",
                f"image type '{suffix or src}' is not supported",
                "use SVG, PNG, JPEG, or a Graphviz .dot file",
            )
        elif not is_inside(path, [project]):
            add(
                image.line,
                image.col,
                ERROR,
                "IMG004",
                f"image '{src}' is outside the project",
                "copy it into manuscript/ and use a relative path",
            )
        elif not path.is_file():
            add(
                image.line,
                image.col,
                ERROR,
                "IMG001",
                f"image not found: {src}",
                _closest_file(root, src) or "paths are relative to manuscript/",
            )
        _check_alt(image, add)


def _check_alt(image, add) -> None:
    if not image.attrs.get("alt", "").strip() and not (not image.is_figure and image.alt):
        add(
            image.line,
            image.col,
            ERROR,
            "IMG003",
            "figure has no text alternative",
            'add alt="what the image shows" to its {...} attributes',
        )


def _closest_file(root: Path, src: str) -> str:
    """'did you mean ...?' for a mistyped path, from the files in the folder it names."""
    folder = (root / src).parent
    if not folder.is_dir():
        return ""
    names = [p.relative_to(root).as_posix() for p in folder.iterdir() if p.is_file()]
    match = difflib.get_close_matches(src, names, n=1)
    return f"did you mean {match[0]}?" if match else ""
