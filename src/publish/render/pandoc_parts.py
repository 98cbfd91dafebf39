"""pandoc run part by part, each part's HTML kept: a rebuild renders only what changed.

Starting pandoc costs more than rendering a chapter, and an edit changes one chapter
of many. So the parts (chapters, generated pages) go to pandoc one by one, each
part's HTML is kept by its Markdown (in memory for a preview; on disk too for builds,
`PartStore`), and every part missing from both
goes to one pandoc process (`run_pandoc_batch`): a cold build starts pandoc once, an
edit renders one chapter.

The parts' HTML is joined as pandoc would have written it for the whole edition:
pandoc numbers footnotes (`fn1`, `fnref1`, the visible number) and code blocks (`cb1`,
`cb1-1`) across the document, so each part's numbers are moved on by the parts before
it; warnings' line numbers are moved to the joined Markdown's lines. What stays per
part is what an author thinks of as the chapter's own, as mdBook and Leanpub treat
it: link reference definitions and footnote labels (`[^note]`) are the chapter's,
so two chapters may both define `[docs]` or `[^1]` (one run would take the last
definition for both, and warn); example lists (`(@)`) are numbered per chapter, their
`@label` references with them. Headings with the same text in two chapters get
the ids one run gives them (`summary`, `summary-1`, ...): pandoc numbers repeats
within a part, `unique_ids` across parts, both from `-1`. An explicit id repeated in
two chapters is renamed in the second, whose own links follow it, without pandoc's
"Duplicate identifier" warning (which it gave only on a whole run).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..cache_entries import read_entry, write_entry
from ..limited import LimitHit
from ..project.config_limits import Limits
from .pandoc import BATCH_SCRIPT, CHAPTER_FORMAT, run_pandoc_batch

NOTE_ID = re.compile(r'((?:id|href)="#?)(fn|fnref)(\d+)"')
NOTE_NUMBER = re.compile(r'(class="footnote-ref"[^>]*><sup>)(\d+)(</sup>)')
CODE_ID = re.compile(r'((?:id|href)="#?)cb(\d+)((?:-\d+)?")')
WARNING_LINE = re.compile(r"^line (\d+): ")
JOINER = "\n\n"
STORE_DIR = "pandoc"
STORE_FILE = "parts.json"
# Fewer parts than this go to one pandoc batch: another pandoc start costs more.
PARTS_PER_BATCH = 8
Rendered = tuple[str, list[str]]


class PartStore:
    """Parts' HTML and warnings on disk, in one file, `build/.cache/pandoc/parts.json` (one
    write per build rather than one per chapter: each write is flushed to disk, which
    cost a cold build of 60 chapters 0.4 s and more on a busy disk), each part under
    the sha256 of the tools (`tool_fingerprint`), the batch script, the format and its
    Markdown."""

    def __init__(self, cache_dir: Path, tools: str) -> None:
        self.cache_dir = cache_dir
        self.path = cache_dir / STORE_DIR / STORE_FILE
        self.salt = tools + hashlib.sha256(BATCH_SCRIPT.read_bytes()).hexdigest() + CHAPTER_FORMAT
        self.entries: dict[str, Rendered] | None = None  # read on first use
        self.on_disk: set[str] = set()

    def name(self, text: str) -> str:
        return hashlib.sha256((self.salt + text).encode("utf-8")).hexdigest()

    def get(self, text: str) -> Rendered | None:
        return self._entries().get(self.name(text))

    def put(self, text: str, rendered: Rendered) -> None:
        self._entries()[self.name(text)] = rendered

    def save(self, texts: list[str], prune: bool) -> None:
        """Write the entries of `texts`, and unless `prune` every other one it holds
        (earlier drafts of a chapter go when a build covers every edition)."""
        entries = self._entries()
        kept = {self.name(text) for text in texts} & entries.keys() if prune else set(entries)
        if kept != self.on_disk:
            data = json.dumps({name: entries[name] for name in sorted(kept)}).encode("utf-8")
            write_entry(self.path, data, self.cache_dir)
            self.on_disk = kept

    def _entries(self) -> dict[str, Rendered]:
        if self.entries is None:
            self.entries = _read_store(self.path)
            self.on_disk = set(self.entries)
        return self.entries


def _read_store(path: Path) -> dict[str, Rendered]:
    """The stored parts, when this machine wrote the file and it is intact (cache_entries:
    not through a symlink, hashing as recorded), else none; the HTML is then checked and
    sanitized like pandoc's fresh output."""
    data = read_entry(path)
    try:
        stored = json.loads(data) if data is not None else {}
        return {name: (html, list(warnings)) for name, (html, warnings) in stored.items()}
    except (ValueError, TypeError, AttributeError):
        return {}


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
                rendered = _run_batches(missing, limits)
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


def _run_batches(texts: list[str], limits: Limits) -> list[Rendered]:
    """Every text rendered, by one pandoc batch per core when there are enough texts to
    make a second pandoc start (about 0.15 s) worth it: a cold 60-chapter book's parts
    take about 1.8 s in one batch. A limit hit says which of `texts` it was on."""
    count = max(1, min(len(os.sched_getaffinity(0)), len(texts) // PARTS_PER_BATCH))
    bounds = [len(texts) * share // count for share in range(count + 1)]
    shares = [texts[start:end] for start, end in itertools.pairwise(bounds)]
    if count == 1:
        return run_pandoc_batch(texts, raw_html=True, limits=limits)
    with ThreadPoolExecutor(count) as pool:
        pending = [pool.submit(run_pandoc_batch, share, True, limits) for share in shares]
        rendered = []
        for start, future in zip(bounds, pending, strict=False):
            try:
                rendered += future.result()
            except LimitHit as hit:
                hit.part = None if hit.part is None else start + hit.part
                raise
    return rendered


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
