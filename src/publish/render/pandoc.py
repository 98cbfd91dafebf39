"""pandoc, run directly (it is pypandoc's binary) so that it runs within the book's limits."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pypandoc

from ..errors import PublishError
from ..limited import LimitHit, run_limited
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
# PANDOC_ARGS as pandoc's Lua API names them, for the batch (pandoc_batch.lua), which
# runs without `--sandbox` (the script says why it needs none). test_pandoc_batch proves
# both give the same HTML.
WRITER_OPTIONS = {
    "section_divs": True,
    "wrap_text": "none",
    "reference_location": "document",
    "highlight_method": "default",
    "html_math_method": "mathml",
}
# The pandoc command turns tabs into spaces, 4 columns apart, before reading (`--tab-stop`);
# `pandoc.read` does not, so the batch does it first.
TAB_STOP = 4
BATCH_SCRIPT = Path(__file__).with_name("pandoc_batch.lua")
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
    return html, _warnings(entries)


def run_pandoc_batch(
    texts: list[str], raw_html: bool = False, limits: Limits = DEFAULT_LIMITS
) -> list[tuple[str, list[str]]]:
    """`run_pandoc(text, raw_html, limits)` for each of `texts`, from one pandoc process.

    Starting pandoc costs more than rendering a chapter, so a book's changed chapters
    go to one `pandoc lua` run of `pandoc_batch.lua`. On a limit hit, `LimitHit.part`
    is the index of the text pandoc was on, when that is known.
    """
    request = {
        "reader": CHAPTER_FORMAT if raw_html else PANDOC_FORMAT,
        "writer": "html5",
        "options": WRITER_OPTIONS,
        "texts": [text.replace("\r", "").expandtabs(TAB_STOP) for text in texts],
    }
    command = [pypandoc.get_pandoc_path(), "lua", "-E", str(BATCH_SCRIPT)]
    try:
        result = run_limited(command, json.dumps(request).encode("utf-8"), limits, "pandoc")
    except LimitHit as hit:
        hit.part = _part_on(hit.stderr, len(texts))
        raise
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").splitlines()
        message = "\n".join(line for line in lines if not line.isdigit()).strip()
        raise PublishError(f"pandoc failed: {message or f'exit status {result.returncode}'}")
    rendered = json.loads(result.stdout.decode("utf-8"))
    # A text without messages has an empty Lua table for its log, which encodes as `{}`.
    return [(entry["html"], _warnings(entry["log"] or [])) for entry in rendered]


def _part_on(progress: bytes, count: int) -> int | None:
    """The text a stopped batch was on: the last index it wrote to stderr; the only text
    when it stopped before starting one; else None (unknown)."""
    lines = progress.decode("utf-8", "replace").splitlines()
    started = [line for line in lines if line.isdigit()]
    if started:
        return int(started[-1])
    return 0 if count == 1 else None


def _warnings(entries: list[dict]) -> list[str]:
    """pandoc's log messages of level WARNING, as "line N: message" where it gives a line."""
    return [
        (f"line {entry['line']}: " if entry.get("line") else "") + entry.get("pretty", "")
        for entry in entries
        if entry.get("verbosity") == "WARNING"
    ]
