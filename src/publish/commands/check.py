"""`publish check`: every check the build runs before rendering, without rendering."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..checks.codes import CODES, FIXES
from ..errors import ERROR, Finding, FindingsError
from ..project.loader import load_project


@dataclass
class CheckResult:
    findings: list[Finding]
    summary: str

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == ERROR)

    @property
    def ok(self) -> bool:
        return self.errors == 0


def counted(number: int, word: str) -> str:
    """A count and its noun: 1 error, 2 errors."""
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def check_project(root: Path, strict: bool = False, allow_remote: bool = False) -> CheckResult:
    """Read and check the project like `build` does; nothing is rendered, written or fetched
    (`allow_remote` accepts remote images, as `build --allow-remote` would)."""
    try:
        project = load_project(root, strict, allow_remote)
    except FindingsError as exc:
        errors = sum(1 for f in exc.findings if f.level == ERROR)
        warnings = len(exc.findings) - errors
        summary = f"publish check: {counted(errors, 'error')}, {counted(warnings, 'warning')}"
        return CheckResult(exc.findings, summary)
    chapters = project.manuscript.chapters
    figures = sum(1 for c in chapters for image in c.scan.images if image.is_figure)
    links = sum(len(c.scan.links) + len(c.scan.xrefs) for c in chapters)
    summary = (
        f"publish check: OK: {counted(len(chapters), 'chapter')}, "
        f"{counted(figures, 'figure')}, {counted(links, 'link')} checked"
    )
    if project.findings:
        summary += f"; {counted(len(project.findings), 'warning')}"
    return CheckResult(sorted(project.findings), summary)


def codes_table() -> str:
    """The Markdown table of finding codes in README.md (a test keeps them equal)."""
    rows = ["| Code | Meaning | How to fix |", "|---|---|---|"]
    rows += [
        f"| `{code}` | {CODES[code]} | {FIXES[code]} |"
        for code in sorted(CODES, key=lambda c: (c.rstrip("0123456789"), c))
    ]
    return "\n".join(rows) + "\n"
