"""Load a project: read book.yaml and every chapter, check them, choose the editions.

What `check`, `stats` and `build` share. It imports no renderer, so `publish check`
starts in a fraction of the time a build takes to import WeasyPrint and ebooklib.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..checks.rules import check_manuscript
from ..editions.choose import Edition, choose_editions, words_per_minute
from ..editions.compose import Numbering, number_book
from ..errors import ERROR, WARNING, Finding, FindingsError, PublishError
from .config import Book, load_book
from .config_release import Release, load_release
from .manuscript import Manuscript, read_manuscript
from .theme import Theme, load_theme


@dataclass
class Project:
    """A validated project, ready to render."""

    root: Path
    book: Book
    manuscript: Manuscript
    theme: Theme
    findings: list[Finding]
    editions: dict[str, Edition]
    numbering: Numbering
    release: Release | None = None

    @property
    def words_per_minute(self) -> int:
        return words_per_minute(self.manuscript)

    def minutes(self, edition: str) -> int:
        """An edition's reading time, as its teaser, its manifest entry and `stats` say."""
        return self.editions[edition].minutes(self.words_per_minute)


def load_project(root: Path, strict: bool = False, allow_remote: bool = False) -> Project:
    """Read and check everything; raise FindingsError when anything is wrong.

    Remote images are refused unless `allow_remote` (`--allow-remote`).
    """
    root = root.resolve()
    if not root.is_dir():
        raise PublishError(
            f"{root}: no such project directory (give the folder that holds manuscript/book.yaml,"
            " or start one with `publish init DIR`)"
        )
    book = load_book(root)
    manuscript, findings = read_manuscript(root, book)
    findings += check_manuscript(manuscript, allow_remote)
    release, release_findings = load_release(root, book)
    findings += release_findings
    if strict:
        findings = [_as_error(f) for f in findings]
    if any(f.level == ERROR for f in findings):
        raise FindingsError(findings)
    numbering = number_book(manuscript)
    editions = choose_editions(manuscript, numbering.answer_words)
    theme = load_theme(root)
    return Project(root, book, manuscript, theme, findings, editions, numbering, release)


def _as_error(finding: Finding) -> Finding:
    if finding.level != WARNING:
        return finding
    return Finding(
        finding.path, finding.line, finding.col, ERROR, finding.code, finding.message, finding.hint
    )
