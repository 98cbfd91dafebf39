"""Lay out the book's PDF part by part: each chapter its own WeasyPrint document, in
parallel worker processes, each reused from a per-part cache while its document (and
the theme and tools, in `OutputJob.parts_key`) is unchanged.

A part's layout never depends on where it lands in the book: it prints no folio (the
join stamps those), its running heads are its own chapter's, and links to another
part's anchors go through a placeholder URL the join resolves (`pdf_join.CROSS_PART`).
What a part does depend on, the count of footnotes before it, is in its document.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from copy import deepcopy
from dataclasses import asdict, dataclass
from pathlib import Path

import lxml.html

from ..cache_entries import read_entry, write_entry
from ..project.theme import Stylesheet
from ..render.context import EditionContext
from ..render.pdf_engine import Styles, lay_out, parsed_styles, refusals_as_errors
from ..render.pdf_join import CROSS_PART
from ..render.warnings import capture_weasyprint
from .pdf_document import chapter_html
from .pdf_fill import lay_out_filled, marked_figures, movable_among, place_figures

PARTS_DIR = "pdf-parts"
# Not `.pdf`: a part is no deliverable, and nothing that looks for the build's PDFs
# should find it.
PART_SUFFIX = ".pdfpart"
# Parts print no folio: the join stamps them, so a part is the same wherever it starts.
NO_FOLIOS = (
    "@page body:left, body:right { @bottom-left { content: none; } "
    "@bottom-right { content: none; } @bottom-center { content: none; } }"
)
PART_LOG = logging.getLogger("weasyprint.publish-parts")


@dataclass
class PartLayout:
    """A part laid out and written: its PDF, page count, anchors and raster images."""

    data: bytes
    pages: int
    anchors: dict[str, int]
    """Element id -> index of the part's page holding it."""
    images: list[tuple[str, int, float]]
    warnings: list[tuple[int, str, str]]
    """(level, message, finding code or "") the engine logged, replayed by the parent."""


@dataclass(frozen=True)
class PartDocument:
    """A part to lay out: its HTML, its stylesheet apart (parts that share one share its
    parsing, see `render_parts`), and whether it is tagged: the folios' overlays are not,
    they are drawn as artifacts."""

    html: str
    css: str
    tagged: bool = True

    def key(self) -> str:
        return f"{self.tagged}\n{self.css}\n{self.html}"


def render_parts(parts: list[PartDocument], roots: list[Path], base_url: str) -> list[PartLayout]:
    """Lay out and write `parts` one after another (in a worker process when there are
    several), each stylesheet parsed and its fonts loaded once."""
    styles: dict[str, tuple[Styles, list]] = {}
    made = []
    for part in parts:
        if part.css not in styles:
            styles[part.css] = _parsed(part.css, roots, base_url)
        made.append(_render_part(part, *styles[part.css], roots, base_url))
    return made


def _parsed(css: str, roots: list[Path], base_url: str) -> tuple[Styles, list]:
    """The stylesheet parsed, and what the engine said of it (a misspelt property in
    custom.css): every part laid out with it carries that, as when each parsed its own,
    so a part's record does not depend on which others shared its worker."""
    with capture_weasyprint() as records, refusals_as_errors(Path(base_url or ".")):
        styles = parsed_styles(css, roots)
    return styles, _as_warnings(records)


def _render_part(part: PartDocument, styles: Styles, said: list, roots, base_url) -> PartLayout:
    variant = {"pdf_variant": "pdf/ua-1"} if part.tagged else {}
    # A refusal becomes the user's error here: WeasyPrint's exception would lose what it
    # names on its way back from a worker process.
    with capture_weasyprint() as records, refusals_as_errors(Path(base_url or ".")):
        layout = _lay_out_filled(part.html, styles, roots, base_url, variant)
        data = layout.write(**variant)
        images = list(layout.raster_images("data-source"))
    warnings = said + _as_warnings(records)
    return PartLayout(data, layout.pages, layout.anchor_pages(), images, warnings)


def _as_warnings(records) -> list[tuple[int, str, str]]:
    return [(r.levelno, r.getMessage(), getattr(r, "finding_code", "")) for r in records]


def _lay_out_filled(document: str, styles: Styles, roots, base_url: str, variant: dict):
    """The part's layout with its figures moved or scaled as the whole document's would be
    (pdf_fill): a chapter opens its own page, so its gaps are the same either way."""
    root = lxml.html.document_fromstring(document)
    figures = marked_figures(root)
    if not figures:
        return lay_out(document, styles, roots, base_url, **variant)

    def lay_out_with(plans):
        placed = deepcopy(root)
        place_figures(placed, plans)
        text = lxml.html.tostring(placed, encoding="unicode", doctype="<!DOCTYPE html>")
        return lay_out(text, styles, roots, base_url, **variant)

    return lay_out_filled(lay_out_with, movable_among(figures))


class PartCache:
    """Parts' PDFs under `build/.cache/pdf-parts/` (`<sha256>.pdfpart` and `.json`),
    named by the hash of what made them."""

    def __init__(self, cache_dir: Path, key: str) -> None:
        self.cache_dir = cache_dir
        self.folder = cache_dir / PARTS_DIR
        self.key = key

    def name(self, document: str) -> str:
        digest = hashlib.sha256(self.key.encode())
        digest.update(document.encode())
        return digest.hexdigest()

    def get(self, name: str) -> PartLayout | None:
        # Entries are checked as every cache entry is (cache_entries): written by this
        # machine, not through a symlink, hashing as recorded; anything else is laid out.
        data = read_entry(self.folder / f"{name}{PART_SUFFIX}")
        facts = read_entry(self.folder / f"{name}.json")
        if data is None or facts is None:
            return None
        try:
            record = json.loads(facts)
            record["images"] = [tuple(image) for image in record["images"]]
            return PartLayout(data, **record)
        except (ValueError, TypeError, KeyError):
            return None

    def put(self, name: str, part: PartLayout) -> None:
        facts = asdict(part)
        del facts["data"]
        write_entry(self.folder / f"{name}{PART_SUFFIX}", part.data, self.cache_dir)
        write_entry(self.folder / f"{name}.json", json.dumps(facts).encode(), self.cache_dir)


def lay_out_parts(
    parts: list[PartDocument], roots: list[Path], base_url: str, jobs: int, cache: PartCache
) -> tuple[list[PartLayout], list[int]]:
    """Every part's layout, in order, and the indexes of those laid out anew (the rest
    came from the cache). Up to `jobs` forked workers, each given a share of the parts;
    one process when forking is unsafe (other threads running) or pointless: the bytes
    are the same either way."""
    names = [cache.name(part.key()) for part in parts]
    found = [cache.get(name) for name in names]
    todo = [index for index, part in enumerate(found) if part is None]
    shares = _shares(todo, [len(parts[i].html) for i in todo], jobs)
    batches = [[parts[i] for i in share] for share in shares]
    if len(batches) > 1 and threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(len(batches), mp_context=context) as pool:
            count = len(batches)
            made = list(pool.map(render_parts, batches, [roots] * count, [base_url] * count))
    else:
        made = [render_parts(batch, roots, base_url) for batch in batches]
    for share, layouts in zip(shares, made, strict=True):
        for index, part in zip(share, layouts, strict=True):
            cache.put(names[index], part)
            found[index] = part
    laid_out = [part for part in found if part is not None]
    for part in laid_out:
        for level, message, code in part.warnings:
            PART_LOG.log(level, message, extra={"finding_code": code} if code else None)
    return laid_out, todo


def _shares(indexes: list[int], sizes: list[int], jobs: int) -> list[list[int]]:
    """`indexes` dealt to at most `jobs` workers, largest first to the least loaded, so
    they finish together; each share keeps the book's order."""
    loads = [[0, []] for _ in range(max(1, min(jobs, len(indexes))))]
    for size, index in sorted(zip(sizes, indexes, strict=True), key=lambda pair: -pair[0]):
        lightest = min(loads, key=lambda load: load[0])
        lightest[0] += size
        lightest[1].append(index)
    return [sorted(share) for _, share in loads if share]


def part_ids(fragment: str) -> set[str]:
    return set(lxml.html.fromstring(fragment).xpath("//@id"))


def point_elsewhere(fragment: str, own: set[str], book: set[str]) -> str:
    """Links to an anchor of another part made placeholders the join resolves; a link to
    no anchor at all stays as written, so the engine still warns of it."""
    element = lxml.html.fromstring(fragment)
    for link in element.iter("a"):
        target = link.get("href", "")
        if target.startswith("#") and target[1:] not in own and target[1:] in book:
            link.set("href", CROSS_PART + target[1:])
    return lxml.html.tostring(element, encoding="unicode")


def chapter_documents(context: EditionContext, sheet: Stylesheet) -> list[PartDocument]:
    """One part per chapter, with the profile's stylesheet less the folios, its footnotes
    numbered on from the chapters before it (in the document's own style, so that every
    chapter shares the one stylesheet)."""
    fragments = [chapter_html(context, chapter) for chapter in context.rendered.chapters]
    ids = [part_ids(fragment) for fragment in fragments]
    book = set().union(*ids)
    parts, notes_before = [], 0
    body_class = f"edition-{context.kind.name} paper-{context.book.paper}"
    title = html.escape(context.book.title)
    css = (sheet + Stylesheet.of(NO_FOLIOS)).text
    for fragment, own in zip(fragments, ids, strict=True):
        counters = f"html {{ counter-reset: footnote {notes_before}; }}"
        document = (
            f'<!DOCTYPE html><html lang="{html.escape(context.book.language)}">'
            f"{part_head(context, counters)}"
            f'<body class="{body_class}" data-title="{title}"><main>'
            f"{point_elsewhere(fragment, own, book)}</main></body></html>"
        )
        parts.append(PartDocument(document, css))
        notes_before += len(lxml.html.fromstring(fragment).find_class("footnote"))
    return parts


def part_head(context: EditionContext, own_css: str = "") -> str:
    """A part's head: no metadata (the join keeps the front matter's), so the build's
    date, which follows the latest edit, is not in every part's cache key; `own_css` is
    what the part alone is styled with (set above the shared stylesheet)."""
    style = f"<style>{own_css}</style>" if own_css else ""
    return f'<head><meta charset="utf-8"><title>{html.escape(context.title)}</title>{style}</head>'
