"""Read the manuscript: chapter files, their front matter and their units.

A *unit* is a heading and the text up to the next heading of any level: the
smallest piece an edition can take or leave, so a cut always falls on a heading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ERROR, WARNING, Finding
from ..files import is_inside
from .bounds import line_bounds, path_name_problem, too_many_headings
from .config import Book
from .includes import Includes, Origin, shown
from .paths import rebase_paths
from .scan import Heading, Scan, scan
from .yaml_safe import error_code, error_place, error_problem, load_yaml

MANUSCRIPT_DIR = "manuscript"
# `author`, `date` and `description` are what other tools (Jekyll, Hugo, mdBook, Quarto)
# put in a chapter's front matter: accepted and kept on the chapter, not printed, since
# the book's own authors, date and description come from book.yaml.
FRONT_MATTER_KEYS = {"title", "sample", "author", "date", "description"}
SAMPLE_MARKS = {"in", "out"}


@dataclass
class Unit:
    """A heading and its text, up to the next heading."""

    chapter: Chapter
    heading: Heading
    start: int
    end: int
    words: int = 0
    mark: str | None = None

    @property
    def key(self) -> str:
        return f"{self.chapter.name}:{self.start}"


@dataclass
class Chapter:
    name: str
    path: Path
    lines: list[str]
    body_start: int
    front_matter: dict = field(default_factory=dict)
    scan: Scan = field(default_factory=Scan)
    units: list[Unit] = field(default_factory=list)
    synthetic_title: bool = False
    origins: list[Origin] = field(default_factory=list)

    def where(self, line: int) -> tuple[str, int]:
        """The file (as findings show it) and line that line `line` of the chapter, its
        includes expanded, came from."""
        if 1 <= line <= len(self.origins):
            name, number = self.origins[line - 1]
            return shown(name), number
        return shown(self.name), line

    @property
    def title(self) -> str:
        return self.units[0].heading.text if self.units else self.name

    def text(self, start: int, end: int) -> str:
        """File lines start..end inclusive (1-based), as Markdown."""
        text = "".join(self.lines[start - 1 : end])
        if self.synthetic_title and start == self.body_start:
            text = f"# {self.units[0].heading.text}\n\n{text}"
        return text

    def in_divs(self, classes: set[str]) -> set[int]:
        """Lines inside (and including the fences of) divs with one of these classes."""
        covered = set()
        for div in self.scan.divs:
            if classes & set(div.classes):
                covered.update(range(div.start, (div.end or len(self.lines)) + 1))
        return covered


@dataclass
class Manuscript:
    project: Path
    book: Book
    chapters: list[Chapter]

    @property
    def root(self) -> Path:
        return self.project / MANUSCRIPT_DIR

    @property
    def units(self) -> list[Unit]:
        return [unit for chapter in self.chapters for unit in chapter.units]


def read_text(path: Path, name: str, line: int, findings: list[Finding], where: str) -> str | None:
    """A UTF-8 text file, or None with a finding pointing at whoever named it."""
    if not path.is_file():
        findings.append(
            Finding(
                where,
                line,
                1,
                ERROR,
                "MS001",
                f"file not found: {name}",
                "check the spelling; paths are relative to manuscript/",
            )
        )
        return None
    try:
        # utf-8-sig: a byte order mark (Windows editors write one) is no text of the file
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        before = exc.object[: exc.start]  # point at the first byte that is not UTF-8
        line, col = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        findings.append(
            Finding(
                f"{MANUSCRIPT_DIR}/{name}",
                line,
                col,
                ERROR,
                "MS002",
                "file is not UTF-8 text",
                "save it as UTF-8",
            )
        )
        return None


def split_front_matter(text: str, name: str, findings: list[Finding]) -> tuple[dict, int]:
    """YAML front matter (if any) and the 1-based line where the body starts."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            block = "\n".join(lines[1:index])
            try:
                data = load_yaml(block) or {}
            except yaml.YAMLError as exc:
                line, col = error_place(exc, block)
                code = error_code(exc, "MS003")
                problem = error_problem(exc)
                if code == "MS003":
                    problem = f"invalid front matter: {problem}"
                findings.append(Finding(name, line + 1, col, ERROR, code, problem))
                return {}, index + 2
            if not isinstance(data, dict):
                findings.append(
                    Finding(name, 2, 1, ERROR, "MS003", "front matter must be a mapping of keys")
                )
                return {}, index + 2
            return data, index + 2
    findings.append(Finding(name, 1, 1, ERROR, "MS003", "front matter has no closing '---'"))
    return {}, 1


def read_chapter(
    root: Path, name: str, book: Book, index: int, findings: list[Finding]
) -> Chapter | None:
    line = book.line_of(f"chapters[{index}]")
    if problem := path_name_problem(name):
        findings.append(Finding(f"{MANUSCRIPT_DIR}/book.yaml", line, 1, ERROR, "LIM012", problem))
        return None
    if not is_inside(root / name, [root.parent]):  # never read a file outside the project
        findings.append(
            Finding(
                f"{MANUSCRIPT_DIR}/book.yaml",
                line,
                1,
                ERROR,
                "SEC006",
                f"chapter '{name}' is outside the project",
                "keep chapters under manuscript/, as real files, not symlinks",
            )
        )
        return None
    text = read_text(root / name, name, line, findings, f"{MANUSCRIPT_DIR}/book.yaml")
    if text is None:
        return None
    shown = f"{MANUSCRIPT_DIR}/{name}"
    front, body_start = split_front_matter(text, shown, findings)
    lines = text.splitlines(keepends=True)
    body = list(enumerate(lines, 1))[body_start - 1 :]
    expanded = Includes(root, findings).expand(body, name)
    lines = lines[: body_start - 1] + expanded.lines
    _check_front_matter(front, shown, findings, lines)
    chapter = Chapter(name, root / name, lines, body_start, front)
    chapter.origins = [(name, n) for n in range(1, body_start)] + expanded.origins
    refused = line_bounds(lines[body_start - 1 :], body_start, book.limits, chapter.where)
    if refused:  # scanning such text is itself the cost the bounds are there to stop
        findings.extend(refused)
        return None
    chapter.scan = scan(lines[body_start - 1 :], body_start)
    refused = _image_name_findings(chapter)
    if refused:
        findings.extend(refused)
        return None
    if rebase_paths(root, lines, chapter.scan, chapter.origins, name):
        chapter.scan = scan(lines[body_start - 1 :], body_start)
    if "title" in front and not _has_title_heading(lines, body_start):
        title = Heading(1, str(front["title"]), "", [], {}, body_start)
        chapter.scan.headings.insert(0, title)
        chapter.synthetic_title = True
    chapter.units = _split_units(chapter)
    return chapter


def _image_name_findings(chapter: Chapter) -> list[Finding]:
    """LIM012 for image names no file can have (NUL, 5,000 characters): the OS would
    refuse to even look them up."""
    found = []
    for image in chapter.scan.images:
        if problem := path_name_problem(image.src):
            path, line = chapter.where(image.line)
            found.append(Finding(path, line, image.col, ERROR, "LIM012", problem))
    return found


def _has_title_heading(lines: list[str], body_start: int) -> bool:
    return any(line.startswith("# ") for line in lines[body_start - 1 :])


def _check_front_matter(front: dict, name: str, findings: list[Finding], lines: list[str]) -> None:
    """Keys other tools use (`layout`, `tags`, `weight`, ...) are warnings, not errors: the
    chapter builds as it is, and `--strict` still refuses them."""
    for key in front:
        if key not in FRONT_MATTER_KEYS:
            findings.append(
                Finding(
                    name,
                    _key_line(lines, key),
                    1,
                    WARNING,
                    "MS004",
                    f"unknown front matter key '{key}', ignored",
                    "known keys: " + ", ".join(sorted(FRONT_MATTER_KEYS)) + "; remove the others",
                )
            )
    if "sample" in front and (
        not isinstance(front["sample"], str) or front["sample"] not in SAMPLE_MARKS
    ):
        line = _key_line(lines, "sample")
        findings.append(
            Finding(name, line, 1, ERROR, "MS004", "front matter 'sample' must be in or out")
        )


def _key_line(lines: list[str], key: object) -> int:
    """The file line of a top-level front matter key (line 1 is the opening '---')."""
    for number, line in enumerate(lines[1:], 2):
        if line.strip() in ("---", "..."):
            break
        if line.startswith((f"{key}:", f'"{key}":', f"'{key}':")):
            return number
    return 2


def _split_units(chapter: Chapter) -> list[Unit]:
    headings = chapter.scan.headings
    last_line = len(chapter.lines)
    units = []
    inherited: list[tuple[int, str | None]] = []
    chapter_mark = chapter.front_matter.get("sample")
    for position, heading in enumerate(headings):
        end = headings[position + 1].line - 1 if position + 1 < len(headings) else last_line
        start = chapter.body_start if position == 0 else heading.line
        while inherited and inherited[-1][0] >= heading.level:
            inherited.pop()
        own = heading.attrs.get("sample")
        mark = own or (inherited[-1][1] if inherited else None) or chapter_mark
        inherited.append((heading.level, mark))
        words = sum(chapter.scan.words_by_line.get(n, 0) for n in range(start, end + 1))
        units.append(Unit(chapter, heading, start, end, words, mark))
    if units:
        skipped = chapter.in_divs({"answer", "longdesc"})
        for unit in units:
            unit.words -= sum(
                chapter.scan.words_by_line.get(n, 0)
                for n in range(unit.start, unit.end + 1)
                if n in skipped
            )
    return units


def read_manuscript(project: Path, book: Book) -> tuple[Manuscript, list[Finding]]:
    """Every chapter named in book.yaml, scanned; findings for what cannot be read."""
    findings: list[Finding] = []
    root = project / MANUSCRIPT_DIR
    chapters = []
    for index, name in enumerate(book.chapters):
        chapter = read_chapter(root, name, book, index, findings)
        if chapter is not None:
            chapters.append(chapter)
    findings += _heading_bound(chapters, book.limits)
    return Manuscript(project, book, chapters), findings


def _heading_bound(chapters: list[Chapter], limits) -> list[Finding]:
    """A finding at the heading one past the book's limit, if there is one."""
    seen = 0
    for chapter in chapters:
        if seen + len(chapter.scan.headings) > limits.max_headings:
            heading = chapter.scan.headings[limits.max_headings - seen]
            return [too_many_headings(limits, *chapter.where(heading.line))]
        seen += len(chapter.scan.headings)
    return []
