"""A book's release: the semantic version book.yaml gives, and the changelog beside it.

`version:` in book.yaml is the release the build makes (it shows on every copyright
page and in every file's metadata); `manuscript/CHANGELOG.md` says what each release
changed, in Keep a Changelog's shape: a `## 1.2.0 - 2026-11-01` heading per release,
newest first, `### Added` / `### Changed` / `### Fixed` groups of `- ` items below.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ERROR, WARNING, Finding, relative_name
from ..files import is_inside
from .config import Book

CHANGELOG_FILE = Path("manuscript") / "CHANGELOG.md"
# Semantic Versioning 2.0.0's grammar: MAJOR.MINOR.PATCH, then a pre-release and build.
_IDENT = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
SEMVER = re.compile(
    rf"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    rf"(?:-({_IDENT}(?:\.{_IDENT})*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
# `## 1.2.0 - 2026-11-01`, also Keep a Changelog's `## [1.2.0] - 2026-11-01`.
RELEASE_HEADING = re.compile(r"^##\s+\[?([^\]\s]+)\]?\s+[-–]\s+(\d{4}-\d{2}-\d{2})\s*$")
UNRELEASED = re.compile(r"^##\s+\[?unreleased\]?\s*$", re.I)
GROUP_HEADING = re.compile(r"^###\s+(.+?)\s*$")
ITEM = re.compile(r"^\s*[-*]\s+(.*\S)\s*$")


@dataclass(frozen=True)
class Change:
    group: str  # "Added", "Changed", "Fixed"... or "" outside any group
    text: str


@dataclass(frozen=True)
class ChangelogEntry:
    version: str
    date: str
    line: int
    changes: tuple[Change, ...] = ()

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "date": self.date,
            "changes": [{"group": c.group, "text": c.text} for c in self.changes],
        }


@dataclass(frozen=True)
class Release:
    """The version being built and every release the changelog records, newest first."""

    version: str
    changelog: tuple[ChangelogEntry, ...] = field(default=())

    @property
    def current(self) -> ChangelogEntry | None:
        """The changelog's entry for the version being built, if it has one."""
        return next((e for e in self.changelog if e.version == self.version), None)


def version_key(version: str) -> tuple:
    """Semantic Versioning's precedence as a sort key (build metadata ignored)."""
    major, minor, patch, pre, _build = SEMVER.match(version).groups()
    numbers = (int(major), int(minor), int(patch))
    if pre is None:
        return (*numbers, 1, ())  # a release sorts after its pre-releases
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (*numbers, 0, parts)


def load_release(root: Path, book: Book) -> tuple[Release | None, list[Finding]]:
    """The release book.yaml and CHANGELOG.md describe, and every problem with them."""
    findings = []
    yaml_name = relative_name(root / "manuscript" / "book.yaml", root)
    version = book.version.strip()
    if version and not SEMVER.match(version):
        hint = "MAJOR.MINOR.PATCH, e.g. version: 1.2.0 (quoted if YAML reads it as a number)"
        message = f"version '{version}' is not a semantic version"
        findings.append(
            Finding(yaml_name, book.line_of("version"), 1, ERROR, "VER001", message, hint)
        )
    path = root / CHANGELOG_FILE
    entries: tuple[ChangelogEntry, ...] = ()
    if path.is_file():
        name = relative_name(path, root)
        entries, problems = _read_confined(root, path, name)
        findings += problems
        if not problems or all(f.code.startswith("VER") for f in problems):
            findings += _entry_for_version(version, entries, name, yaml_name)
    if not version or any(f.code == "VER001" for f in findings):
        return None, findings
    return Release(version, entries), findings


def _read_confined(root: Path, path: Path, name: str):
    """The changelog's entries, unless it is a link out of the project or not UTF-8."""
    if not is_inside(path, [root]):
        message = "CHANGELOG.md is a link to a file outside the project"
        return (), [Finding(name, 1, 1, ERROR, "SEC006", message)]
    try:
        return read_changelog(path, name)
    except UnicodeDecodeError:
        message = "CHANGELOG.md is not UTF-8 text"
        return (), [Finding(name, 1, 1, ERROR, "MS002", message, "save it as UTF-8")]


def _entry_for_version(version: str, entries, changelog_name: str, yaml_name: str) -> list[Finding]:
    if not version:
        message = "CHANGELOG.md records releases but book.yaml gives no version"
        hint = "add version: with the newest release, e.g. version: 1.0.0"
        return [Finding(yaml_name, 1, 1, WARNING, "VER005", message, hint)]
    if SEMVER.match(version) and all(e.version != version for e in entries):
        message = f"CHANGELOG.md has no entry for version {version}"
        hint = f"add '## {version} - YYYY-MM-DD' with what changed, above the older releases"
        return [Finding(changelog_name, 1, 1, WARNING, "VER003", message, hint)]
    return []


def read_changelog(path: Path, name: str) -> tuple[tuple[ChangelogEntry, ...], list[Finding]]:
    """Every release heading and its items; findings for headings and order that are wrong."""
    findings: list[Finding] = []
    entries: list[ChangelogEntry] = []
    changes: list[Change] = []
    group = ""
    in_release = False

    def close() -> None:
        if entries and in_release:
            entries[-1] = ChangelogEntry(
                entries[-1].version, entries[-1].date, entries[-1].line, tuple(changes)
            )

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## ") or line.rstrip() == "##":
            close()
            changes, group = [], ""
            in_release = False
            if UNRELEASED.match(line):
                continue
            entry = _release_heading(line, number, name, findings)
            if entry is not None:
                entries.append(entry)
                in_release = True
        elif in_release and (heading := GROUP_HEADING.match(line)):
            group = heading.group(1)
        elif in_release and (item := ITEM.match(line)):
            changes.append(Change(group, item.group(1)))
        elif in_release and changes and line.strip() and line[:1].isspace():
            last = changes.pop()  # an item's wrapped continuation line
            changes.append(Change(last.group, f"{last.text} {line.strip()}"))
    close()
    findings += _order_findings(entries, name)
    return tuple(entries), findings


def _release_heading(line: str, number: int, name: str, findings: list[Finding]):
    match = RELEASE_HEADING.match(line)
    if match is None or not SEMVER.match(match.group(1)):
        message = f"release heading '{line.strip()}' is not '## VERSION - YYYY-MM-DD'"
        hint = "e.g. ## 1.2.0 - 2026-11-01 (or ## Unreleased for changes not yet released)"
        findings.append(Finding(name, number, 1, ERROR, "VER002", message, hint))
        return None
    return ChangelogEntry(match.group(1), match.group(2), number)


def _order_findings(entries: list[ChangelogEntry], name: str) -> list[Finding]:
    findings = []
    for newer, older in itertools.pairwise(entries):
        if version_key(older.version) >= version_key(newer.version):
            message = f"release {older.version} is listed below {newer.version}"
            word = "twice" if older.version == newer.version else "out of order"
            hint = f"each release once, newest first ({older.version} is {word})"
            findings.append(Finding(name, older.line, 1, ERROR, "VER004", message, hint))
    return findings
