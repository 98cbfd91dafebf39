"""The book's PDF made from parts (`pdf: {engine: parts}`): the chapters laid out on their
own (`pdf_parts`), then the front matter, whose contents now know every chapter's page,
and the folios, drawn by small overlay documents; `render.pdf_join` makes one book of them.

Why overlays: a folio is the only thing on a chapter's pages that depends on where the
chapter starts. Laying out empty pages with their margin boxes is cheap when the pages
come OVERLAY_CHUNK at a time (about 0.14 s a chunk; one 372-page document took 2.9 s),
and each chunk is cached, so an edit that changes one chapter's length lays out that
chapter, the front matter and the last chunk again, never the chapters after it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..project.theme import Stylesheet
from ..render.context import EditionContext
from ..render.join_process import JoinProcess
from ..render.pdf_join import CROSS_PART, Joining, label_ranges
from .pdf_document import cover_html, front_matter, head, toc
from .pdf_parts import (
    PartCache,
    PartDocument,
    PartLayout,
    chapter_documents,
    lay_out_parts,
    part_head,
)

# The overlay keeps only the folios: running heads are each part's own.
OVERLAY_CSS = (
    "@page body:left, body:right { @top-left { content: none; } @top-right { content: none; }"
    " @top-center { content: none; } } div.folio-page + div.folio-page { break-before: page; }"
)
# Even, so that every chunk opens on a recto as its first folio is odd.
OVERLAY_CHUNK = 32
STAND_IN_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# The contents' page numbers, known before the front matter is laid out.
TOC_NUMBERS = 'nav.toc a::after { content: leader(". . ") attr(data-page); }'


@dataclass
class JoinedBook:
    data: bytes
    pages: int
    images: list[tuple[str, int, float]] = field(default_factory=list)


@dataclass
class PartsRun:
    """What every part's layout shares: where it may read, workers, the part cache."""

    roots: list[Path]
    jobs: int
    cache: PartCache
    report: Callable[[str], None]


def joined_book(context: EditionContext, sheet, run: PartsRun, printed: bool, cover: bool):
    """The whole book from its parts; `printed` opens each part on a recto and makes the
    page count even, `cover` puts the cover first."""
    with JoinProcess() as joiner:
        return _joined_book(context, sheet, run, printed, cover, joiner)


def _joined_book(context, sheet, run: PartsRun, printed: bool, cover: bool, joiner) -> JoinedBook:
    base = str(context.project)
    # The cover (it depends on nothing) is laid out alongside the chapters.
    covers = [_cover_document(context, sheet)] if cover else []
    documents = chapter_documents(context, sheet)
    laid_out, fresh = lay_out_parts([*covers, *documents], run.roots, base, run.jobs, run.cache)
    made, chapters = laid_out[: len(covers)], laid_out[len(covers) :]
    fresh_chapters = len([index for index in fresh if index >= len(covers)])
    run.report(f"{fresh_chapters} of {len(chapters)} chapter(s) laid out, the rest from the cache")
    starts, blanks, folio = [], [], 1
    for part in chapters:
        starts.append(folio)
        blanks.append(printed and part.pages % 2 == 1)
        folio += part.pages + blanks[-1]
    numbers = {
        ident: start + page
        for part, start in zip(chapters, starts, strict=True)
        for ident, page in part.anchors.items()
    }
    folios = _overlay_documents(context, sheet, folio - 1)
    front_document = _front_document(context, sheet, numbers)
    (front, *overlays), _ = lay_out_parts(
        [front_document, *folios], run.roots, base, run.jobs, run.cache
    )
    made.append(front)
    front_blank = printed and front.pages % 2 == 1
    body_start = sum(part.pages for part in made) + front_blank
    everything = [*made, *chapters]
    how = Joining(
        [*(False for _ in made[:-1]), front_blank, *blanks],
        [overlay.data for overlay in overlays],
        _stamps(chapters, blanks, body_start),
        label_ranges(body_start, cover),
        even=printed,
        claims_ua=not any(code == "TAG001" for p in everything for *_, code in p.warnings),
        metadata_from=len(made) - 1,
        dated=(f"D:{context.built_at:%Y%m%d%H%M%S}+00'00", context.built_at.isoformat()),
        version=context.book.version,
    )
    data = joiner.join([part.data for part in everything], how)
    images = [image for part in chapters for image in part.images]
    pages = body_start + folio - 1
    return JoinedBook(data, pages + (printed and pages % 2), images)


def _stamps(chapters: list[PartLayout], blanks: list[bool], body_start: int) -> dict[int, int]:
    """Each body page that has a folio -> its page of the overlay (blank versos get none)."""
    stamps, index = {}, body_start
    for part, blank in zip(chapters, blanks, strict=True):
        for page in range(index, index + part.pages):
            stamps[page] = page - body_start
        index += part.pages + blank
    return stamps


def _front_document(context: EditionContext, sheet, numbers: dict) -> PartDocument:
    """Title page, colophon and contents, the contents' numbers written; its metadata
    becomes the book's."""
    contents = toc(
        context, lambda ident: f'href="{CROSS_PART}{ident}" data-page="{numbers.get(ident, "")}"'
    )
    # Laid out with a stand-in date, which the join replaces: the contents' leaders are
    # slow to lay out, and the part is then cached until the numbers or the text change.
    undated = dataclasses.replace(context, built_at=STAND_IN_DATE)
    metadata = head(undated, Stylesheet.of(""))
    html_text = _document(undated, front_matter(context) + contents, metadata)
    return PartDocument(html_text, sheet.text + TOC_NUMBERS)


# The cover on its own part: its image is slow to write and never changes with the date.
def _cover_document(context: EditionContext, sheet) -> PartDocument:
    return PartDocument(_document(context, cover_html(context), part_head(context)), sheet.text)


def _overlay_documents(context: EditionContext, sheet, pages: int) -> list[PartDocument]:
    """The folios of `pages` body pages, in documents of OVERLAY_CHUNK pages: a book that
    grows or shrinks by a page lays out its last chunk again, the others are cached."""
    return [
        _overlay_document(context, sheet, start, min(OVERLAY_CHUNK, pages - start))
        for start in range(0, pages, OVERLAY_CHUNK)
    ]


def _overlay_document(context: EditionContext, sheet, start: int, pages: int) -> PartDocument:
    """`pages` body pages holding nothing but their folios, the first numbered `start + 1`
    (in the document's own style, which wins over the theme's reset to 1)."""
    numbered = f"@page body:nth(1 of body) {{ counter-reset: page {start + 1}; }}"
    body = "<main>" + '<div class="folio-page"></div>' * pages + "</main>"
    html_text = _document(context, body, part_head(context, numbered))
    return PartDocument(html_text, sheet.text + OVERLAY_CSS, tagged=False)


def _document(context: EditionContext, body: str, head_html: str) -> str:
    body_class = f"edition-{context.kind.name} paper-{context.book.paper}"
    title = html.escape(context.book.title)
    return (
        f'<!DOCTYPE html><html lang="{html.escape(context.book.language)}">'
        f'{head_html}<body class="{body_class}" data-title="{title}">'
        f"{body}</body></html>"
    )


def parts_run(job) -> PartsRun:
    """An output job's fetch roots, workers and part cache."""
    cache = PartCache(job.tree.cache_dir, job.parts_key)
    return PartsRun(job.fetch_roots, job.jobs, cache, job.report)
