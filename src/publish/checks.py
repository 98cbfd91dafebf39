"""Validate a scanned manuscript before anything is rendered.

Every rule has a stable code (listed in `CODES` and the README) so authors and
tools can rely on it; each finding carries a hint on how to fix it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ERROR, WARNING, Finding
from .fsutil import is_inside
from .manuscript import MANUSCRIPT_DIR, Chapter, Manuscript

KNOWN_DIVS = {"why-it-matters", "exercise", "answer", "cheatsheet", "longdesc", "callout",
              "call-to-action", "field"}
IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".dot"}
SAFE_LINK = re.compile(r"^(https?:|mailto:|#)", re.I)
SCHEME = re.compile(r"^[a-zA-Z][\w+.-]*:")

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
}


def check_manuscript(manuscript: Manuscript) -> list[Finding]:
    findings: list[Finding] = []
    figure_ids = {i.ident for c in manuscript.chapters for i in c.scan.images if i.ident}
    heading_ids = {h.ident for c in manuscript.chapters for h in c.scan.headings if h.ident}
    for chapter in manuscript.chapters:
        name = f"{MANUSCRIPT_DIR}/{chapter.name}"

        def add(line, col, level, code, message, hint="", _name=name):
            findings.append(Finding(_name, line, col, level, code, message, hint))

        _check_headings(chapter, add)
        _check_divs(chapter, add)
        _check_images(chapter, manuscript.project, add)
        for ref in chapter.scan.xrefs:
            if ref.target not in figure_ids:
                add(ref.line, ref.col, ERROR, "REF001", f"unknown figure '@{ref.target}'",
                    "give the figure this id: ![Caption](file){#" + ref.target + "}")
        for link in chapter.scan.links:
            if link.target.startswith("#") and link.target[1:] not in heading_ids | figure_ids:
                add(link.line, link.col, WARNING, "REF002", f"no heading has id '{link.target}'",
                    "add {#id} to the heading you mean")
    return findings


def _check_headings(chapter: Chapter, add) -> None:
    headings = chapter.scan.headings
    top = [h for h in headings if h.level == 1]
    if len(top) != 1 or (headings and headings[0].level != 1):
        line = top[1].line if len(top) > 1 else (headings[0].line if headings else chapter.body_start)
        add(line, 1, ERROR, "MS005", "a chapter needs exactly one level-1 heading, at its top",
            "start the file with '# Title' and use '##' below it")
    for before, after in zip(headings, headings[1:]):
        if after.level > before.level + 1:
            add(after.line, 1, WARNING, "MS006",
                f"heading level {after.level} follows level {before.level}",
                f"use {'#' * (before.level + 1)} here")
        if after.attrs.get("sample", "in") not in ("in", "out"):
            add(after.line, 1, ERROR, "MS004", "sample= must be 'in' or 'out'")


def _check_divs(chapter: Chapter, add) -> None:
    for div in chapter.scan.unclosed_divs:
        add(div.start, 1, ERROR, "MS007", "fenced div is never closed", "add ':::' after its text")
    for line in chapter.scan.stray_div_closes:
        add(line, 1, ERROR, "MS007", "':::' closes no open fenced div", "remove it")
    for div in chapter.scan.divs:
        unknown = [c for c in div.classes if c not in KNOWN_DIVS]
        if unknown or not div.classes:
            add(div.start, 1, WARNING, "MS008", f"unknown div class '{' '.join(unknown)}'",
                "known classes: " + ", ".join(sorted(KNOWN_DIVS)))
        if div.headings_inside:
            add(div.headings_inside[0], 1, ERROR, "MS009", "a heading inside a fenced div",
                "close the div before the heading")


def _check_images(chapter: Chapter, project: Path, add) -> None:
    root = project / MANUSCRIPT_DIR
    for image in chapter.scan.images:
        src = image.src
        if SCHEME.match(src) or src.startswith("/"):
            add(image.line, image.col, ERROR, "IMG004", f"image '{src}' is outside the project",
                "copy it into manuscript/ and use a relative path")
            continue
        path = root / src
        suffix = Path(src).suffix.lower()
        if suffix not in IMAGE_TYPES:
            add(image.line, image.col, ERROR, "IMG002", f"image type '{suffix or src}' is not "
                "supported", "use SVG, PNG, JPEG, or a Graphviz .dot file")
        elif not is_inside(path, [project]):
            add(image.line, image.col, ERROR, "IMG004", f"image '{src}' is outside the project",
                "copy it into manuscript/ and use a relative path")
        elif not path.is_file():
            add(image.line, image.col, ERROR, "IMG001", f"image not found: {src}",
                "paths are relative to manuscript/")
        if not image.attrs.get("alt", "").strip() and not (not image.is_figure and image.alt):
            add(image.line, image.col, ERROR, "IMG003", "figure has no text alternative",
                'add alt="what the image shows" to its {...} attributes')
