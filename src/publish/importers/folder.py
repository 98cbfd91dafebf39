"""A plain folder of Markdown files: an index's links, or numbered names, give the order.

The order comes from the first of: the links to Markdown files in SUMMARY.md,
README.md or index.md (that file is the table of contents, not a chapter);
file names that start with a number (`01-intro.md`, `chapter-2/03-x.md` sorted
as numbers, so 10 follows 9); else the names in alphabetical order.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import PublishError
from ..project.scan import LINK
from .common import (
    AUTHOR_PLACEHOLDER,
    DEFAULT_LANGUAGE,
    Plan,
    chapter_path,
    first_heading,
    markdown_files,
)
from .features import FOLDER

KIND = FOLDER
INDEX_NAMES = ("SUMMARY.md", "README.md", "index.md")
# Files a repository keeps beside its chapters that are not part of the book.
NOT_CHAPTERS = {"readme", "summary", "index", "license", "changelog", "contributing"}
NUMBERED = re.compile(r"^\d+")
LINK_TEXT = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\(")


def read_folder(source: Path) -> Plan:
    """The plan for the Markdown files in `source`."""
    files = markdown_files(source)
    if not files:
        raise PublishError(
            f"{source}: no book.toml (mdBook), manuscript/Book.txt (Leanpub) or Markdown "
            "files found; give the folder that holds the book"
        )
    index = _index_file(source)
    title = first_heading(index) if index else ""
    plan = Plan(KIND, source, source, title=title, authors=[AUTHOR_PLACEHOLDER], language="")
    plan.title = title or _readable(source.resolve().name)
    plan.language = DEFAULT_LANGUAGE
    plan.mapped += [
        ("title", f"{plan.title} ({'the first heading of ' + index.name if title else 'folder'})"),
        ("authors", "none in the files: a CHANGE ME placeholder"),
        ("language", f"{DEFAULT_LANGUAGE} (assumed)"),
    ]
    names = [f.relative_to(source).as_posix() for f in files]
    linked = _linked(plan, index) if index else []
    if linked:
        plan.chapters = linked
        order = f"the links in {index.name}, which is not a chapter itself"
    else:
        plan.chapters, order = _by_name(names)
    plan.mapped.append(("chapters", f"{len(plan.chapters)} ({order})"))
    if index:
        use = "the table of contents" if linked else "the title's source (its first heading)"
        plan.note(index, 0, f"{use}, not a chapter: its text is not in the book")
    for name in names:
        if name not in plan.chapters and (not index or name != index.name):
            plan.note(source / name, 0, "not in the order found: left out of the book")
    return plan


def _readable(name: str) -> str:
    words = re.sub(r"[-_]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else "Untitled"


def _index_file(source: Path) -> Path | None:
    for name in INDEX_NAMES:
        for candidate in source.iterdir():
            if candidate.name.lower() == name.lower() and candidate.is_file():
                return candidate
    return None


def _linked(plan: Plan, index: Path) -> list[str]:
    """Markdown files the index links to, in order, with the link text as their title."""
    names = []
    for number, line in enumerate(index.read_text(encoding="utf-8").splitlines(), 1):
        for match in LINK.finditer(line):
            target = match.group(1)
            if not re.search(r"\.(md|markdown)(#.*)?$", target, re.IGNORECASE):
                continue
            name = chapter_path(plan, index.parent, target, index, number)
            if name and name not in names and name != index.name:
                names.append(name)
                text = LINK_TEXT.match(match.group(0))
                plan.titles[name] = text.group(1) if text else ""
    return names


def _by_name(names: list[str]) -> tuple[list[str], str]:
    numbered = [n for n in names if NUMBERED.match(n.rsplit("/", 1)[-1])]
    if numbered:
        return sorted(numbered, key=_natural), "numbered file names"
    chapters = [n for n in names if Path(n).stem.lower() not in NOT_CHAPTERS]
    return sorted(chapters, key=_natural), "alphabetical: no numbers or index found; check it"


def _natural(name: str) -> list:
    """Sort key that orders numbers as numbers: 2-x before 10-x."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]
