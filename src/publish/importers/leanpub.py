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
    Plan,
    chapter_path,
    first_heading,
)
from .features import LEANPUB
from .leanpub_edits import SAMPLE_MARK, edit_chapter

KIND = LEANPUB
MATTER_MARKER = re.compile(r"^(frontmatter|mainmatter|backmatter):\s*$", re.IGNORECASE)


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
    plan.copy_edit = lambda name: edit_chapter(root / name)
    for name in plan.chapters:
        text = (root / name).read_text(encoding="utf-8", errors="replace")
        marked, strays = _sample_marks(text)
        plan.sample_marked = plan.sample_marked or marked
        for line in strays:
            plan.note(root / name, line, "{sample: true} marks no heading: it prints as text")
    return plan


def _sample_marks(text: str) -> tuple[bool, list[int]]:
    """Whether a `{sample: true}` line marks a heading (the next non-blank line), and the
    lines of those that mark none."""
    lines = text.splitlines()
    marked, strays = False, []
    for index, line in enumerate(lines):
        if SAMPLE_MARK.match(line):
            below = next((n for n in range(index + 1, len(lines)) if lines[n].strip()), None)
            if below is not None and HEADING.match(lines[below]):
                marked = True
            else:
                strays.append(index + 1)
    return marked, strays


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
