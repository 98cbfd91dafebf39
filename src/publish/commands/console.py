"""What the commands tell the author: progress, findings, summaries. Text only, no logic."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ERROR, Finding

if TYPE_CHECKING:
    from ..engine.build import BuildResult

THEME_PREFIX = "publish:theme/"


class Progress:
    """The build's `report` callback: each step, with the seconds since the build began."""

    def __init__(self, enabled: bool, echo: Callable[[str], None]):
        self.enabled = enabled
        self.echo = echo
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        if self.enabled:
            self.echo(f"[{time.monotonic() - self.started:4.1f}s] {message}")


def show_progress(quiet: bool, verbose: bool, is_tty: bool) -> bool:
    """Steps show on a terminal, or anywhere with -v; never with -q."""
    return verbose or (is_tty and not quiet)


def finding_lines(findings: list[Finding], verbose: bool) -> list[str]:
    """Findings to print. Warnings about the installed default theme are not the author's
    to fix, so without -v they shrink to one line that says how to see them."""
    shown = [
        f
        for f in sorted(findings)
        if verbose or f.level == ERROR or not f.path.startswith(THEME_PREFIX)
    ]
    lines = [f.format() for f in shown]
    hidden = len(findings) - len(shown)
    if hidden:
        lines.append(
            f"publish: {hidden} warning(s) about the default theme (run with -v to see them)"
        )
    return lines


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1000 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} B"  # unreachable: the loop returns in MB at the latest


def _shown_folder(folder: Path) -> str:
    try:
        return f"{folder.relative_to(Path.cwd())}/"
    except ValueError:
        return f"{folder}/"


def _pages(count: int | None) -> str:
    if not count:
        return ""
    return "1 page" if count == 1 else f"{count} pages"


def build_summary(result: BuildResult) -> list[str]:
    """The artifacts with their sizes and page counts, then the totals and time taken."""
    rows = [(a.path, human_size(a.bytes), _pages(a.pages)) for a in result.artifacts]
    width = max((len(path) for path, _, _ in rows), default=0)
    lines = [f"  {path.ljust(width)}  {size:>8}  {pages}".rstrip() for path, size, pages in rows]
    warnings = sum(1 for f in result.findings if f.level != ERROR)
    tail = f", {warnings} warning(s)" if warnings else ""
    lines.append(
        f"publish: built {len(result.artifacts)} file(s) in "
        f"{_shown_folder(result.out)} in {result.seconds:.1f} s{tail}"
    )
    return lines
