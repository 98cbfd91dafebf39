"""A Leanpub book: `manuscript/Book.txt` lists the chapter files, `Sample.txt` the sample's.

Leanpub keeps the title and authors on its website, so the title comes from the
folder's name and the authors are a placeholder for `publish check` to flag.
The chapters already sit under `manuscript/`, so book.yaml can be written beside
them and nothing needs copying.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import PublishError
from ..project.scan import HEADING
from .common import (
    AUTHOR_PLACEHOLDER,
    DEFAULT_LANGUAGE,
    Feature,
    Plan,
    chapter_path,
    first_heading,
)

KIND = "Leanpub book"
SAMPLE_MARK = re.compile(r"^\{\s*sample:\s*true\s*\}\s*$", re.IGNORECASE)
MATTER_MARKER = re.compile(r"^(frontmatter|mainmatter|backmatter):\s*$", re.IGNORECASE)

FEATURES = [
    Feature(
        re.compile(r"^[AWTEIQDXC]>"),
        "Leanpub aside or blurb ('A>', 'W>', 'T>' ...): it prints as text; "
        "write a '::: callout' div (or '::: exercise' for X>)",
    ),
    Feature(
        re.compile(r"^\{\s*/?blurb\b"),
        "a Markua blurb ({blurb} ... {/blurb}): its markers print as text; "
        "write a '::: callout' div instead",
    ),
    Feature(
        re.compile(r"^\{\s*(?!sample:|/?blurb\b)[a-z][\w-]*\s*([:,][^}]*)?\}\s*$", re.IGNORECASE),
        "a Leanpub attribute line ({alt: ...}, {caption: ...}, {pagebreak} ...): "
        "it prints as text; remove it, or write alt text in the image's brackets",
    ),
]


def is_leanpub(source: Path) -> bool:
    return (source / "manuscript" / "Book.txt").is_file()


def read_leanpub(source: Path) -> Plan:
    """The plan for the Leanpub book in `source`."""
    root = source / "manuscript"
    readme = first_heading(source / "README.md")
    title = readme or _title_from_folder(source)
    origin = "README.md's first heading" if readme else "the folder's name"
    plan = Plan(KIND, source, root, title=title, authors=[], language=DEFAULT_LANGUAGE)
    plan.mapped += [
        ("title", f"{title} (from {origin}: Leanpub keeps the title on its website)"),
        ("authors", "none in the files: a CHANGE ME placeholder"),
        ("language", f"{DEFAULT_LANGUAGE} (assumed)"),
    ]
    plan.chapters = _file_list(plan, root / "Book.txt")
    if not plan.chapters:
        raise PublishError(f"{root / 'Book.txt'}: lists no chapter file that exists")
    plan.mapped.append(("chapters", f"{len(plan.chapters)} (Book.txt order)"))
    sample_list = root / "Sample.txt"
    if sample_list.is_file():
        plan.sample = _sample(plan, sample_list)
    plan.authors = [AUTHOR_PLACEHOLDER]
    _resources(plan, root / "resources")
    for name in plan.chapters:
        text = (root / name).read_text(encoding="utf-8", errors="replace")
        marks, strays = _sample_marks(text)
        if marks:
            plan.sample_marks[name] = marks
        for line in strays:
            plan.note(root / name, line, "{sample: true} marks no heading: it prints as text")
    return plan


def _sample_marks(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Each `{sample: true}` line with the heading it marks (the next non-blank line),
    and the lines of those that mark no heading."""
    lines = text.splitlines()
    marks, strays = [], []
    for index, line in enumerate(lines):
        if SAMPLE_MARK.match(line):
            below = next((n for n in range(index + 1, len(lines)) if lines[n].strip()), None)
            if below is not None and HEADING.match(lines[below]):
                marks.append((index + 1, below + 1))
            else:
                strays.append(index + 1)
    return marks, strays


def _resources(plan: Plan, resources: Path) -> None:
    """Markua finds images under manuscript/resources/; publish under manuscript/.
    With --copy its files are copied to manuscript/ itself (write.py); in place the
    report says what to move."""
    if resources.is_dir():
        plan.resources = resources


def _title_from_folder(source: Path) -> str:
    words = re.sub(r"[-_]+", " ", source.resolve().name).strip()
    return words[:1].upper() + words[1:] if words else "Untitled"


def _file_list(plan: Plan, listing: Path) -> list[str]:
    """The files Book.txt or Sample.txt names, in order; markers and missing files noted."""
    names = []
    for number, line in enumerate(listing.read_text(encoding="utf-8").splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if MATTER_MARKER.match(entry):
            plan.note(
                listing,
                number,
                f"'{entry}': publish has no front or back matter; the chapters keep their order",
            )
            continue
        name = chapter_path(plan, plan.root, entry, listing, number)
        if name and name not in names:
            names.append(name)
    return names


def _sample(plan: Plan, listing: Path) -> list[str] | None:
    """The sample's chapters: those of Sample.txt that are chapters of the book."""
    listed = _file_list(plan, listing)
    chosen = [name for name in listed if name in plan.chapters]
    for name in listed:
        if name not in plan.chapters:
            plan.note(
                listing,
                0,
                f"'{name}' is in Sample.txt but not Book.txt: publish's sample is cut from "
                "the book's chapters, so it is left out",
            )
    if chosen:
        plan.mapped.append(("sample", f"{len(chosen)} chapters (Sample.txt), as sample: sections"))
    return chosen or None
