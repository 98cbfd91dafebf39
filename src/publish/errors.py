"""One exception root for every user-facing failure, and coded findings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from .checks.codes import FIXES

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in the input, pointing at a file, line and column."""

    path: str
    line: int
    col: int
    level: str
    code: str
    message: str
    hint: str = ""

    def format(self) -> str:
        text = (
            f"{self.path}:{self.line}:{self.col}: {self.level.upper()} {self.code} {self.message}"
        )
        hint = self.hint or default_hint(self.code)
        if hint:
            text += f" ({hint})"
        return text


def default_hint(code: str) -> str:
    """The code's general fix, so every finding says what to do even without its own hint."""
    return FIXES.get(code, "")


class PublishError(click.ClickException):
    """Root of every error the user can fix; shown without a traceback, exit 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True, file=file)


class FindingsError(PublishError):
    """The input has one or more errors; each is reported with its location."""

    def __init__(self, findings: list[Finding]):
        self.findings = sorted(findings)
        errors = [f for f in self.findings if f.level == ERROR]
        lines = [f.format() for f in self.findings]
        lines.append(f"publish: stopped with {len(errors)} error(s); nothing was written")
        super().__init__("\n".join(lines))

    def __reduce__(self):
        """Pickle by the findings, so an error in a build worker reaches the parent intact."""
        return (type(self), (self.findings,))


def relative_name(path: Path, root: Path) -> str:
    """A path as the user knows it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
