"""pandoc run part by part, each part's HTML kept: a rebuild renders only what changed.

Starting pandoc costs more than rendering a chapter, and an edit changes one chapter
of many. So the parts (chapters, generated pages) go to pandoc one by one, each
part's HTML is kept by its Markdown (in memory for a preview; on disk under
`build/.cache/pandoc/` for builds, `PartStore`), and every part missing from both
goes to one pandoc process (`run_pandoc_batch`): a cold build starts pandoc once, an
edit renders one chapter.

The parts' HTML is joined as pandoc would have written it for the whole edition:
pandoc numbers footnotes (`fn1`, `fnref1`, the visible number) and code blocks (`cb1`,
`cb1-1`) across the document, so each part's numbers are moved on by the parts before
it; warnings' line numbers are moved to the joined Markdown's lines. What stays per
part is what an author thinks of as the chapter's own, as mdBook and Leanpub treat
it: link reference definitions and footnote labels (`[^note]`) are the chapter's,
so two chapters may both define `[docs]` or `[^1]` (one run would take the last
definition for both, and warn). Headings with the same text in two chapters get
the ids one run gives them (`summary`, `summary-1`, ...): pandoc numbers repeats
within a part, `unique_ids` across parts, both from `-1`. An explicit id repeated in
two chapters is renamed in the second, whose own links follow it, without pandoc's
"Duplicate identifier" warning (which it gave only on a whole run).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from ..cache_entries import read_entry, real_folder, write_entry
from ..limited import LimitHit
from ..project.config_limits import Limits
from .pandoc import BATCH_SCRIPT, CHAPTER_FORMAT, run_pandoc_batch

NOTE_ID = re.compile(r'((?:id|href)="#?)(fn|fnref)(\d+)"')
NOTE_NUMBER = re.compile(r'(class="footnote-ref"[^>]*><sup>)(\d+)(</sup>)')
CODE_ID = re.compile(r'((?:id|href)="#?)cb(\d+)((?:-\d+)?")')
WARNING_LINE = re.compile(r"^line (\d+): ")
JOINER = "\n\n"
STORE_DIR = "pandoc"
Rendered = tuple[str, list[str]]


class PartStore:
    """Parts' HTML and warnings on disk, `build/.cache/pandoc/<sha256>.json`, named by the
    hash of the tools (`tool_fingerprint`), the batch script, the format and the part."""

    def __init__(self, cache_dir: Path, tools: str) -> None:
        self.cache_dir = cache_dir
        self.folder = cache_dir / STORE_DIR
        self.salt = tools + hashlib.sha256(BATCH_SCRIPT.read_bytes()).hexdigest() + CHAPTER_FORMAT

    def name(self, text: str) -> str:
        return hashlib.sha256((self.salt + text).encode("utf-8")).hexdigest()

    def get(self, text: str) -> Rendered | None:
        # Checked as every cache entry is (cache_entries): written by this machine, not
        # through a symlink, hashing as recorded; the HTML is then checked and sanitized
        # like pandoc's fresh output. Anything else is rendered again.
        data = read_entry(self.folder / f"{self.name(text)}.json")
        try:
            entry = json.loads(data) if data is not None else None
            return (entry["html"], entry["warnings"]) if entry else None
        except (ValueError, TypeError, KeyError):
            return None

    def put(self, text: str, rendered: Rendered) -> None:
        html, warnings = rendered
        data = json.dumps({"html": html, "warnings": warnings}).encode("utf-8")
        write_entry(self.folder / f"{self.name(text)}.json", data, self.cache_dir)

    def keep(self, texts: list[str]) -> None:
        """Remove the entries of every part but these (those of earlier drafts)."""
        kept = {self.name(text) for text in texts}
        for path in real_folder(self.folder, self.cache_dir.parent).iterdir():
            if path.name.split(".")[0] not in kept:
                path.unlink(missing_ok=True)


class PandocParts:
    """Each part's HTML and warnings by its Markdown, and on disk when given a store."""

    def __init__(self, store: PartStore | None = None) -> None:
        self.rendered: dict[str, Rendered] = {}
        self.store = store

    def prepare(self, texts: list[str], limits: Limits) -> None:
        """Have every text's HTML at hand: those neither in memory nor on disk rendered by
        one pandoc run; forget the rest (only what the book holds now is worth keeping).
        A limit hit says which of `texts` pandoc was on (`LimitHit.part`), when known."""
        current = {text: self.rendered[text] for text in texts if text in self.rendered}
        for text in texts:
            if text not in current and self.store and (found := self.store.get(text)):
                current[text] = found
        missing = list(dict.fromkeys(text for text in texts if text not in current))
        if missing:
            try:
                rendered = run_pandoc_batch(missing, raw_html=True, limits=limits)
            except LimitHit as hit:
                hit.part = None if hit.part is None else texts.index(missing[hit.part])
                raise
            for text, result in zip(missing, rendered, strict=True):
                current[text] = result
                if self.store:
                    self.store.put(text, result)
        self.rendered = current

    def __call__(self, texts: list[str], limits: Limits) -> tuple[str, list[str]]:
        """The joined HTML and warnings, as `run_pandoc(JOINER.join(texts))` gives them.
        Parts not prepared are rendered first (a build prepares every edition's at once,
        so that editions rendered side by side only read)."""
        if any(text not in self.rendered for text in texts):
            self.prepare(texts, limits)
        html_parts, warnings = [], []
        notes = blocks = 0
        line = 1
        for text in texts:
            html, part_warnings = self.rendered[text]
            html_parts.append(_renumbered(html, notes, blocks))
            notes += _count(NOTE_ID, html, group=3)
            blocks += _count(CODE_ID, html, group=2)
            warnings += [_moved(warning, line - 1) for warning in part_warnings]
            line += text.count("\n") + JOINER.count("\n")
        return "".join(html_parts), warnings


def _count(pattern: re.Pattern, html: str, group: int) -> int:
    return max((int(m.group(group)) for m in pattern.finditer(html)), default=0)


def _renumbered(html: str, notes: int, blocks: int) -> str:
    if notes:
        html = NOTE_ID.sub(lambda m: f'{m.group(1)}{m.group(2)}{int(m.group(3)) + notes}"', html)
        html = NOTE_NUMBER.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + notes}{m.group(3)}", html)
    if blocks:
        html = CODE_ID.sub(lambda m: f"{m.group(1)}cb{int(m.group(2)) + blocks}{m.group(3)}", html)
    return html


def _moved(warning: str, offset: int) -> str:
    return WARNING_LINE.sub(lambda m: f"line {int(m.group(1)) + offset}: ", warning, count=1)
