"""What every importer shares: the plan it makes, notes on what did not map, and the
chapter scan that finds what publish would not take.

An importer reads a source book (mdBook, Leanpub, a folder of Markdown) into a
`Plan`: metadata, chapter files in order, the sample's files, and a note for
everything it saw but could not map, each with its file and line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import unquote

from ..files import is_inside
from ..project.manuscript import FRONT_MATTER_KEYS, split_front_matter
from ..project.scan import scan
from ..urls import url_scheme

DEFAULT_LANGUAGE = "en"
AUTHOR_PLACEHOLDER = "CHANGE ME: Your Name"
# Folders no book keeps its chapters in: version control, build output, dependencies.
SKIPPED_FOLDERS = {"node_modules", "build", "_book", "__pycache__"}


class Note(NamedTuple):
    """Something the importer saw and could not map, where it saw it."""

    where: str
    line: int
    message: str

    def format(self) -> str:
        place = f"{self.where}:{self.line}" if self.line else self.where
        return f"{place}: {self.message}"


@dataclass
class ChapterEdit:
    """A chapter's text as publish needs it, what was changed and what could not be."""

    text: str
    done: Counter = field(default_factory=Counter)
    """How many of each change, keyed by (what, what was done to it)."""
    problems: list[tuple[int, str]] = field(default_factory=list)
    """(line, message) for what could not be changed."""
    first_line: dict = field(default_factory=dict)
    """The source line of each kind of change's first occurrence, for notes in place."""


@dataclass
class Plan:
    """A source book read into publish's terms, before anything is written."""

    kind: str
    source: Path
    root: Path
    """The folder whose files become manuscript/: chapters are named relative to it."""
    title: str
    authors: list[str]
    language: str
    chapters: list[str] = field(default_factory=list)
    sample: list[str] | None = None
    description: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    """Chapter titles the table of contents gives, used when a file has no '# Title'."""
    mapped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sample_marked: bool = False
    """Leanpub's `{sample: true}` marks some headings: without Sample.txt they are the sample."""
    resources: Path | None = None
    copy_edit: Callable[[str], ChapterEdit] | None = None
    """The changes the source's conventions need in a chapter (by name), read from the
    source: made in the copies, noted in place."""
    missing_titles: dict[str, str] = field(default_factory=dict)
    """Chapters with no level-1 heading, and the title each gets as front matter."""

    def shown(self, path: Path) -> str:
        """A path as the report shows it: relative to the source folder."""
        try:
            return path.relative_to(self.source).as_posix()
        except ValueError:
            return path.as_posix()

    def note(self, path: Path, line: int, message: str) -> None:
        self.notes.append(Note(self.shown(path), line, message))


def chapter_path(plan: Plan, base: Path, target: str, where: Path, line: int) -> str | None:
    """A link target as a chapter name relative to `plan.root`, or None with a note.

    Targets are URL-decoded, lose their #fragment, and must name a file inside
    the root, so nothing outside the source is ever read.
    """
    target = unquote(target.split("#", 1)[0].strip())
    if not target or url_scheme(target) is not None:
        return None
    path = base / target
    if not is_inside(path, [plan.root]):
        inside = plan.shown(plan.root) + "/" if plan.root != plan.source else "the source folder"
        plan.note(where, line, f"'{target}' lies outside {inside} (or is a symlink out): skipped")
        return None
    if not path.is_file():
        plan.note(where, line, f"'{target}' does not exist: skipped")
        return None
    return PurePosixPath(path.resolve().relative_to(plan.root.resolve())).as_posix()


def title_from_name(name: str) -> str:
    """'02-next_steps.md' -> 'Next steps': a readable title from a file name."""
    stem = PurePosixPath(name).stem
    words = re.sub(r"^[\d\s._-]+", "", stem).replace("_", " ").replace("-", " ").strip()
    words = words or stem
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class Feature:
    """A construct of the source tool that publish does not take, found by its line."""

    kind: str
    """The kind of book it belongs to (a reader's KIND)."""
    pattern: re.Pattern
    message: str


def scan_chapters(plan: Plan, features: list[Feature]) -> None:
    """Note each chapter's foreign front matter keys, its level-1 headings and its features."""
    for name in plan.chapters:
        path = plan.root / name
        text = path.read_text(encoding="utf-8", errors="replace")
        _scan_front_matter(plan, path, text)
        _scan_headings(plan, name, path, text)
        _scan_features(plan, path, text, features)


def _scan_front_matter(plan: Plan, path: Path, text: str) -> None:
    front, _body = split_front_matter(text, plan.shown(path), [])
    foreign = sorted(str(key) for key in front if key not in FRONT_MATTER_KEYS)
    if foreign:
        plan.note(
            path,
            2,
            "front matter key(s) publish does not take: "
            + ", ".join(foreign)
            + f" (it takes {', '.join(sorted(FRONT_MATTER_KEYS))}; remove the others)",
        )


def _scan_headings(plan: Plan, name: str, path: Path, text: str) -> None:
    lines = text.splitlines(keepends=True)
    front, body_start = split_front_matter(text, plan.shown(path), [])
    top = [h for h in scan(lines[body_start - 1 :], body_start).headings if h.level == 1]
    if not top and "title" not in front:
        plan.missing_titles[name] = plan.titles.get(name) or title_from_name(name)
    elif len(top) > 1:
        where = ", ".join(str(h.line) for h in top)
        plan.note(
            path,
            top[1].line,
            f"{len(top)} level-1 headings (lines {where}): publish wants one per chapter "
            "file; split the file or make the later ones '##' (check reports MS005)",
        )


def _scan_features(plan: Plan, path: Path, text: str, features: list[Feature]) -> None:
    for feature in features:
        lines = [n for n, line in enumerate(text.splitlines(), 1) if feature.pattern.search(line)]
        if lines:
            times = f" ({len(lines)} times: lines {_line_list(lines)})" if len(lines) > 1 else ""
            plan.note(path, lines[0], feature.message + times)


def _line_list(lines: list[int], shown: int = 8) -> str:
    listed = ", ".join(str(n) for n in lines[:shown])
    return listed + (", ..." if len(lines) > shown else "")


def markdown_files(root: Path) -> list[Path]:
    """Markdown files under `root`, real files only, hidden and build folders left out."""
    found = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p in SKIPPED_FOLDERS for p in parts):
            continue
        markdown = path.suffix.lower() in {".md", ".markdown"}
        if markdown and path.is_file() and not path.is_symlink() and is_inside(path, [root]):
            found.append(path)
    return found


def first_heading(path: Path) -> str:
    """The text of a Markdown file's first level-1 heading, or ''."""
    if not path.is_file():
        return ""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    top = [h for h in scan(lines).headings if h.level == 1]
    return top[0].text if top else ""
