"""book.yaml `limits:`: the bounds on the work one build may do, for a trusted author.

The defaults pass every real book we know of (the bundled book, the test
fixtures, the benchmark books) with a wide margin, and stop hostile or runaway
input in seconds with a finding at its line. An author who trusts the
manuscript (say, a 900-page reference) raises the one that stops them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import doc


def _doc(text: str, default: int):
    return doc(text, default=default)


@dataclass(frozen=True)
class Limits:
    child_seconds: int = _doc("Wall-clock seconds one pandoc or Graphviz run may take.", 60)
    child_memory_mb: int = _doc(
        "Memory (address space, MB) one pandoc or Graphviz run, or build worker, may use.", 2048
    )
    task_seconds: int = _doc(
        "Wall-clock seconds the build waits for its next task (an EPUB, a PDF) to finish.", 900
    )
    max_bracket_depth: int = _doc(
        "How many '[' may be open at once in one paragraph (pandoc's time doubles with each).",
        12,
    )
    max_nesting: int = _doc("How deep lists and block quotes may nest.", 100)
    max_headings: int = _doc("How many headings the whole book may have.", 2000)
    max_run: int = _doc(
        "The longest run of one punctuation character outside code (`<<<...`, `***...`).", 1000
    )
    max_diagram_edges: int = _doc("How many edges one Graphviz diagram may have.", 5000)

    def problems(self) -> list[tuple[str, str]]:
        """(key, message) for each limit that is not a positive number."""
        return [
            (name, f"limits.{name} must be a positive whole number")
            for name, value in vars(self).items()
            if value < 1
        ]


DEFAULT_LIMITS = Limits()
