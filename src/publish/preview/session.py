"""A preview's state: the last good site, what the last render found, who is watching.

Every open page holds a server-sent-events stream; `wait` blocks it until the state
changes. The site's `version` moves only when a page's bytes change, so a save that
changes nothing the edition shows reloads nothing; a broken save keeps the last good
pages and changes only the findings, which the pages show in their overlay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from ..project.manuscript import MANUSCRIPT_DIR
from ..project.theme import PROJECT_STYLES
from .pdf import PdfJob
from .render import Attempt, EditionRenderer


@dataclass
class State:
    """What every open page is told (as JSON) whenever it changes."""

    version: int = 0
    serial: int = 0
    findings: list[dict] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    ok: bool = True
    has_pages: bool = False
    """Whether any render has succeeded yet (else the pages wait for the first one)."""

    def to_json(self) -> dict:
        return {
            "has_pages": self.has_pages,
            "version": self.version,
            "findings": self.findings,
            "changed": self.changed,
            "ok": self.ok,
        }


class PreviewSession:
    def __init__(self, root: Path, edition: str, echo: Callable[[str], None]) -> None:
        self.root = root.resolve()
        self.edition = edition
        self.echo = echo
        self.renderer = EditionRenderer(self.root, edition)
        self.files: dict[str, bytes] = {}
        self.state = State()
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.pdf = PdfJob(self.root, edition)
        # The search index is built when a search page asks for it, never on the path of
        # a reload: on a long book it takes seconds of the CPU a render needs.
        self.index_lock = threading.Lock()
        self._search_index: tuple[int, Callable[[], bytes] | None, bytes | None] = (0, None, None)
        self._watcher: threading.Thread | None = None

    # Rendering

    def refresh(self) -> Attempt:
        """Render again; keep the new site if it rendered, tell every open page."""
        attempt = self.renderer.render()
        changed: list[str] = []
        with self.changed:
            state = self.state
            if attempt.files is not None:
                changed = sorted(
                    name
                    for name in attempt.files.keys() | self.files.keys()
                    if attempt.files.get(name) != self.files.get(name)
                )
                if changed:
                    self.files = attempt.files
                    state.version += 1
                    self._search_index = (state.version, attempt.search_index, None)
                    state.changed = changed
            state.ok = attempt.files is not None
            state.has_pages = bool(self.files)
            state.findings = _shown(attempt)
            state.serial += 1
            self.changed.notify_all()
        self._report(attempt, changed)
        return attempt

    def _report(self, attempt: Attempt, changed: list[str]) -> None:
        clock = time.strftime("%H:%M:%S")
        for finding in attempt.findings:
            self.echo(finding.format())
        if attempt.problem:
            self.echo(f"publish: {attempt.problem}")
        if attempt.files is None:
            self.echo(f"{clock} the manuscript does not build: showing the last good pages")
        else:
            pages = sum(1 for name in changed if name.endswith(".html"))
            self.echo(
                f"{clock} rendered the {self.edition} edition in {attempt.seconds:.2f} s"
                f" (version {self.state.version}, {pages} page(s) changed)"
            )

    def search_index(self) -> bytes | None:
        """The current site's search index, built on the first request for it."""
        with self.index_lock:
            version, build, built = self._search_index
            if built is None and build is not None:
                built = build()
                if self._search_index[0] == version:  # no newer site meanwhile
                    self._search_index = (version, None, built)
            return built

    def wait(self, serial: int, timeout: float) -> dict:
        """The state once its serial is past `serial` (or after `timeout`, unchanged)."""
        with self.changed:
            self.changed.wait_for(
                lambda: self.state.serial != serial or self.stopping.is_set(), timeout
            )
            return {**self.state.to_json(), "serial": self.state.serial}

    # Watching

    def watched(self) -> list[Path]:
        folders = [self.root / MANUSCRIPT_DIR, self.root / PROJECT_STYLES]
        return [folder for folder in folders if folder.is_dir()]

    def start_watching(self) -> None:
        self._watcher = threading.Thread(target=self._watch, name="publish-watch", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        # Short steps: the first change is seen within ~50 ms, a burst is taken as one.
        for _changes in watchfiles.watch(
            *self.watched(), stop_event=self.stopping, step=30, debounce=400, rust_timeout=200
        ):
            self.refresh()

    def stop(self) -> None:
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        self.pdf.close()


def _shown(attempt: Attempt) -> list[dict]:
    """Findings as the overlay shows them: the formatted line and where it points."""
    shown = [
        {"level": f.level, "text": f.format(), "path": f.path, "line": f.line}
        for f in attempt.findings
    ]
    if attempt.problem:
        shown.append({"level": "error", "text": attempt.problem, "path": "", "line": 0})
    return shown
