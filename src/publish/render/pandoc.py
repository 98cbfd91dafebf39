"""pandoc, run directly (it is pypandoc's binary) so that it runs within the book's limits."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pypandoc

from ..errors import PublishError
from ..limited import run_limited
from ..project.config_limits import DEFAULT_LIMITS, Limits

PANDOC_ARGS = [
    "--section-divs",
    "--sandbox",
    "--wrap=none",
    "--reference-location=document",
    # Code marked up as tokens (<span class="kw">); the theme colours them. Said here
    # because an HTML fragment carries no highlighting CSS that would hint it is on.
    "--syntax-highlighting=default",
    "--mathml",  # TeX math as MathML: the EPUB keeps it, the PDF draws it (math.py)
]
# Raw HTML (and pandoc's <div>/<span> readings of it) stays text: security.py tells the
# author why, with the line. Templates, which that check does not read, keep to this.
PANDOC_FORMAT = "markdown-raw_html-native_divs-native_spans-raw_tex-raw_attribute"
# Chapters: raw HTML passes, because security.py has refused every element and
# attribute outside the inline allowlist, and nh3 (sanitize.py) cleans the result.
CHAPTER_FORMAT = "markdown-native_divs-native_spans-raw_tex-raw_attribute"


def run_pandoc(
    markdown: str, raw_html: bool = False, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, list[str]]:
    """HTML, and pandoc's warnings as "line N: message" (N: line in `markdown`).

    `raw_html` only for chapter text that security.py has checked, and the caller
    passes the result through `sanitize` (nh3).

    pandoc writes its JSON log (`--log`) whatever its verbosity, so `--quiet`
    keeps its stderr empty and the warnings come from the log with their line
    numbers. It is pypandoc's pandoc, run directly so that it runs within
    `limits` (LimitHit past them).
    """
    with tempfile.TemporaryDirectory(prefix="publish-pandoc-") as folder:
        log = Path(folder) / "log.json"
        source_format = CHAPTER_FORMAT if raw_html else PANDOC_FORMAT
        command = [pypandoc.get_pandoc_path(), f"--from={source_format}", "--to=html5"]
        command += [*PANDOC_ARGS, "--quiet", f"--log={log}"]
        result = run_limited(command, markdown.encode("utf-8"), limits, "pandoc")
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise PublishError(f"pandoc failed: {message}")
        html = result.stdout.decode("utf-8", "replace")
        entries = json.loads(log.read_text(encoding="utf-8")) if log.is_file() else []
    warnings = [
        (f"line {entry['line']}: " if entry.get("line") else "") + entry.get("pretty", "")
        for entry in entries
        if entry.get("verbosity") == "WARNING"
    ]
    return html, warnings
