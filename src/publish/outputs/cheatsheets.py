"""One-page printable cheatsheets, gathered from the chapters' cheatsheet blocks.

Each cheatsheet is rendered for A4 and US Letter and must fit exactly one page.
When it does not, the layout is tightened one step at a time (smaller type,
tighter leading, narrower margins, then a fourth column) down to a legible
floor; past that floor the build stops and says how much is too long. When it
fits with room to spare, it grows instead (larger type, more leading), up to a
ceiling, until about four fifths of the page is used.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import lxml.html

from ..errors import ERROR, Finding, PublishError
from ..project.config import BOOK_FILE, PAPERS, Book, CheatsheetSpec
from ..project.manuscript import Chapter, Manuscript
from ..project.scan import IMAGE, Div
from ..project.theme import Theme
from ..render.diagrams import diagram_key, graphviz_version, load_diagram_theme
from ..render.habits import open_alerts, shape_habits
from ..render.html import run_pandoc
from ..render.math import drawn_or_refused
from ..render.pdf_engine import PagedDocument, image_url, lay_out, metadata_tags
from ..render.resources import resource_name
from ..render.sanitize import sanitize
from ..urls import url_scheme
from .base import KeyInput, OutputJob
from .manifest import Artifact
from .printables import anchor_links, file_urls_for_fonts, png_preview

if TYPE_CHECKING:
    from ..project.loader import Project
    from ..render.resources import Resource

# Tall enough for any sheet worth measuring: the overflow is read off one endless page.
ENDLESS_PAGE = "2000mm"
FILL_IN_TURN = ".sheet-blocks { column-fill: auto; }\n"
BALANCE_BELOW = 0.6
STYLESHEET = "cheatsheet.css"


@dataclass(frozen=True)
class Layout:
    """One step of tightening; the first is the designed look, the last the floor."""

    font_pt: float
    line_height: float
    columns: int
    gap_mm: float
    margin_mm: float

    def css(self, paper: str, endless: bool = False) -> str:
        size = f"{PAPERS[paper].width} {ENDLESS_PAGE}" if endless else PAPERS[paper].css_size
        return (
            f"@page {{ size: {size}; margin: {self.margin_mm}mm "
            f"{self.margin_mm}mm {self.margin_mm + 6}mm; }}\n"
            f"html {{ font-size: {self.font_pt}pt; line-height: {self.line_height}; }}\n"
            f".sheet-blocks {{ columns: {self.columns}; column-gap: {self.gap_mm}mm; }}\n"
        )


# The first step is roomy, for a sheet read from the wall; 7 pt is the smallest size
# that stays readable on a printed page at arm's length.
LAYOUTS = (
    Layout(10.5, 1.36, 3, 7, 14),
    Layout(9.75, 1.34, 3, 6.5, 13),
    Layout(9.0, 1.32, 3, 6, 12),
    Layout(8.5, 1.28, 3, 5, 11),
    Layout(8.0, 1.25, 3, 5, 10),
    Layout(7.5, 1.22, 3, 4.5, 10),
    Layout(7.0, 1.2, 3, 4, 9),
    Layout(7.0, 1.15, 4, 3.5, 8),
)


# Growing a sheet that leaves room: larger steps, largest first. A sheet is read on
# the desk or pinned beside the screen, at 50-70 cm, about one and a half times the
# 40 cm at which 9.5-10 pt book text reads comfortably; 14 pt at 60 cm looks as large
# as 9.5 pt does at 40 cm, so it is the ceiling: larger, and the sheet turns into a
# poster whose points no longer fit in one glance.
GROWN = (
    Layout(14.0, 1.42, 3, 8, 16),
    Layout(13.25, 1.4, 3, 8, 15),
    Layout(12.5, 1.4, 3, 7.5, 15),
    Layout(11.75, 1.38, 3, 7, 14),
    Layout(11.0, 1.37, 3, 7, 14),
)
# Grow until the blocks take this share of the columns' room (area, as laid out).
FILL_TARGET = 0.8


@dataclass
class Block:
    """One `::: {.cheatsheet title="..."}` block's title and Markdown."""

    title: str
    markdown: str


PlacedBlock = tuple[Chapter, Div, Block]


@dataclass
class RenderedSheet:
    spec: CheatsheetSpec
    paper: str
    pdf: bytes
    layout: Layout
    attempts: int


def placed_blocks(manuscript: Manuscript, spec: CheatsheetSpec) -> Iterator[PlacedBlock]:
    """The spec's blocks in book order, each with the chapter and div it stands in."""
    wanted = spec.chapters if spec.chapters is not None else manuscript.book.chapters
    for chapter in manuscript.chapters:
        if chapter.name not in wanted:
            continue
        for div in sorted(chapter.scan.divs, key=lambda d: d.start):
            if "cheatsheet" in div.classes and div.end:
                body = chapter.text(div.start + 1, div.end - 1) if div.end > div.start + 1 else ""
                yield chapter, div, Block(div.attrs.get("title", ""), body)


def gather_blocks(manuscript: Manuscript, spec: CheatsheetSpec, index: int) -> list[Block]:
    """The spec's blocks in book order; an error pointing at book.yaml if it has none."""
    book = manuscript.book
    blocks = [block for _chapter, _div, block in placed_blocks(manuscript, spec)]
    if not blocks:
        line = book.line_of(f"cheatsheets[{index}]")
        hint = 'add a `::: {.cheatsheet title="..."}` block to a chapter it gathers'
        message = f"cheatsheet '{spec.name}' has no cheatsheet blocks to gather"
        finding = Finding(BOOK_FILE.as_posix(), line, 1, ERROR, "CHS001", message, hint)
        # Not a FindingsError: the editions are already written when cheatsheets are made.
        raise PublishError(finding.format())
    return blocks


def render_blocks(
    blocks: list[Block], images: ImageFiles, labels: dict[str, str]
) -> list[lxml.html.HtmlElement]:
    """Every block's HTML from one pandoc run, each wrapped in its own div, with alerts,
    code and task lists shaped as in the book."""
    bodies = [open_alerts(images.point(block.markdown)) for block in blocks]
    markdown = "\n\n".join(
        f"::::::::: {{#sheet-block-{n} .sheet-block-body}}\n{body}\n:::::::::"
        for n, body in enumerate(bodies)
    )
    # The blocks are chapter text, so their raw HTML passed the chapter checks and the
    # edition's sanitizer already: render it the same way here.
    html_text, _warnings = run_pandoc(markdown, raw_html=True)
    root = lxml.html.fragment_fromstring(sanitize(html_text, local_files=True), "div")
    shape_habits(root, labels.get)
    # Images take their final URLs only now: the sanitizer rightly drops data: URLs.
    for image in root.iter("img"):
        src = image.get("src", "")
        if src and url_scheme(src) in (None, "file"):
            image.set("src", images.url(src))
    return [root.get_element_by_id(f"sheet-block-{n}") for n in range(len(blocks))]


def sheet_html(
    book: Book,
    spec: CheatsheetSpec,
    blocks: list[Block],
    bodies: list[lxml.html.HtmlElement],
    built_at: dt.datetime,
) -> str:
    esc = html.escape
    sections = []
    for block, body in zip(blocks, bodies, strict=True):
        heading = f"<h2>{esc(block.title)}</h2>" if block.title else ""
        inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in body)
        sections.append(f'<section class="sheet-block">{heading}{body.text or ""}{inner}</section>')
    footer = f'<footer class="sheet-footer">{esc(spec.footer)}</footer>' if spec.footer else ""
    source = f"{book.title} · {', '.join(book.authors)}"
    return (
        f'<!DOCTYPE html><html lang="{esc(book.language)}"><head><meta charset="utf-8">'
        f"<title>{esc(spec.title)}</title>{metadata_tags(book, built_at, summary=False)}</head>"
        f'<body class="cheatsheet">{footer}<header class="sheet-header">'
        f'<h1>{esc(spec.title)}</h1><p class="sheet-source">{esc(source)}</p></header>'
        f'<main class="sheet-blocks">{"".join(sections)}</main></body></html>'
    )


class ImageFiles:
    """Where a block's images live: DOT diagrams as the SVG the edition build cached."""

    def __init__(self, manuscript: Manuscript, theme: Theme, cache: Path):
        self.root = manuscript.root
        self.theme = theme
        self.cache = cache / "diagrams"

    def point(self, markdown: str) -> str:
        """Markdown images at their files' URLs before pandoc sees them: a `.dot` source
        must arrive as the SVG it is drawn as, or pandoc makes it an <embed>."""

        def replace(match) -> str:
            src = match.group(2)
            if url_scheme(src) is not None:
                return match.group(0)
            return match.group(0).replace(f"]({src}", f"]({self.path(src).as_uri()}", 1)

        return IMAGE.sub(replace, markdown)

    def url(self, src: str) -> str:
        """The URL the PDF engine reads an image by: a file URL (from `point`) or a path
        from manuscript/ (a raw <img>)."""
        if src.startswith("file:"):
            return image_url(Path(unquote(urlsplit(src).path)))
        return image_url(self.path(src))

    def path(self, src: str) -> Path:
        source = self.root / src
        if source.suffix == ".dot":
            key = diagram_key(source.read_bytes(), self.diagram_theme, self.graphviz)
            source = self.cache / f"{key}.svg"
        return source.resolve()

    @functools.cached_property
    def diagram_theme(self):
        return load_diagram_theme(self.theme.file("diagrams.yaml"), self.theme.fonts_dir())

    @functools.cached_property
    def graphviz(self) -> str:
        return graphviz_version()


def fit_one_page(
    page_html: str, css: str, paper: str, roots: list[Path], spec: CheatsheetSpec, blocks: int
) -> tuple[bytes, Layout, int]:
    """The PDF at the first layout that fits one page (grown if it has room to spare,
    in no more columns than it has blocks), or an error saying by how much."""
    for attempt, layout in enumerate(LAYOUTS, 1):
        # Filling columns in turn lays out many times faster than balancing them and
        # fits just as much on a page: find the layout that way.
        filled = _render(page_html, css + layout.css(paper) + FILL_IN_TURN, roots)
        if filled.pages == 1:
            if attempt == 1:
                sizes = [replace(g, columns=min(g.columns, blocks)) for g in GROWN]
                filled, layout = _grown(filled, layout, sizes, page_html, css, paper, roots)
            return _balanced(filled, page_html, css + layout.css(paper), roots), layout, attempt
    excess = filled.overflow_of(_render(page_html, css + layout.css(paper, endless=True), roots))
    raise PublishError(
        f"cheatsheet '{spec.name}' ({paper}) does not fit one page: {_how_much(excess)} too "
        f"long even at {layout.font_pt:g} pt in {layout.columns} columns; shorten "
        "its cheatsheet blocks or split it into several cheatsheets with `chapters:`"
    )


def _grown(
    filled: PagedDocument,
    layout: Layout,
    sizes: list[Layout],
    page_html: str,
    css: str,
    paper: str,
    roots: list[Path],
) -> tuple[PagedDocument, Layout]:
    """The largest of `sizes` that still fits one page, for a sheet that fills less
    than FILL_TARGET at the designed size; trying only the sizes whose area, scaled
    from this fill, could fit, so a short sheet costs one or two more layouts.

    A sheet with fewer blocks than columns grows in fewer, wider columns (blocks are
    never split, so the extra columns would stay empty): large type in a narrow
    column would break code and short lines that fit at the designed size."""
    fill = filled.fill_ratio() * layout.columns / sizes[0].columns
    if filled.fill_ratio() >= FILL_TARGET:
        return filled, layout
    for grown in sizes:
        if fill * (grown.font_pt / layout.font_pt) ** 2 > 1:
            continue
        candidate = _render(page_html, css + grown.css(paper) + FILL_IN_TURN, roots)
        if candidate.pages == 1:
            return candidate, grown
    return filled, layout


def _balanced(filled: PagedDocument, page_html: str, css: str, roots: list[Path]) -> bytes:
    """Balance the columns of a short sheet; a nearly full one already looks balanced.

    Balancing a full page can take WeasyPrint ten times as long as filling it.
    """
    chosen = filled
    if filled.fill_ratio() < BALANCE_BELOW:
        balanced = _render(page_html, css, roots)
        chosen = balanced if balanced.pages == 1 else filled
    return chosen.write(pdf_variant="pdf/ua-1")


def _how_much(excess: float) -> str:
    # Blocks are never split, so a sheet can spill over by less than its last block.
    return "a few lines" if excess < 0.05 else f"about {excess:.0%} of a page"


def _render(page_html: str, css: str, roots: list[Path]) -> PagedDocument:
    return lay_out(page_html, css, roots, pdf_variant="pdf/ua-1")


def render_cheatsheets(
    manuscript: Manuscript, theme: Theme, roots: list[Path], cache: Path, built_at: dt.datetime
) -> list[RenderedSheet]:
    """Every cheatsheet in every paper size, in memory: nothing is written on failure."""
    book = manuscript.book
    gathered = [gather_blocks(manuscript, spec, i) for i, spec in enumerate(book.cheatsheets)]
    everything = [block for blocks in gathered for block in blocks]
    if not everything:
        return []
    bodies = render_blocks(everything, ImageFiles(manuscript, theme, cache), manuscript.book.labels)
    for body in bodies:
        drawn_or_refused(body, manuscript.chapters)
    css = file_urls_for_fonts(theme.stylesheet(STYLESHEET).text, theme)
    sheets, start = [], 0
    for spec, blocks in zip(book.cheatsheets, gathered, strict=True):
        page_html = sheet_html(book, spec, blocks, bodies[start : start + len(blocks)], built_at)
        start += len(blocks)
        for paper in PAPERS:
            fitted = fit_one_page(page_html, css, paper, roots, spec, len(blocks))
            pdf, layout, attempts = fitted
            sheets.append(RenderedSheet(spec, paper, pdf, layout, attempts))
    return sheets


def write(job: OutputJob) -> list[Artifact]:
    """Each sheet's PDF and PNG preview under full/cheatsheets/, described for the manifest.

    Every sheet is fitted before anything is written, so a sheet that overflows
    leaves no half-updated set behind.
    """
    project = job.project
    job.report("fitting the cheatsheets on one page")
    with job.renderer_warnings(project.theme.stylesheet(STYLESHEET)):
        sheets = render_cheatsheets(
            project.manuscript, project.theme, job.fetch_roots, job.tree.cache_dir, job.built_at
        )
    folder = job.folder / "cheatsheets"
    artifacts = []
    for sheet in sheets:
        stem = f"{sheet.spec.name}-{sheet.paper}"
        details = {"title": sheet.spec.title, "paper": sheet.paper}
        job.tree.write(folder / f"{stem}.pdf", sheet.pdf)
        artifacts.append(job.describe(folder / f"{stem}.pdf", "pdf", pages=1, **details))
        job.tree.write(folder / f"{stem}.png", png_preview(sheet.pdf))
        artifacts.append(job.describe(folder / f"{stem}.png", "png", **details))
    job.tree.remove_stale(folder, [job.tree.out / a.path for a in artifacts], (".pdf", ".png"))
    return artifacts


def key_inputs(project: Project, resources: dict[str, Resource]) -> list[KeyInput]:
    """What the sheets are made of, for their cache key: each block's text, where it
    stands (file and line of each of its lines: a replayed warning must point at today's
    line) and its images; and the chapter links a warning could point at."""
    manuscript = project.manuscript
    inputs: list[KeyInput] = []
    texts = []
    for spec in manuscript.book.cheatsheets:
        for chapter, div, block in placed_blocks(manuscript, spec):
            origins = [chapter.where(line) for line in range(div.start, div.end + 1)]
            place = [spec.name, chapter.name, div.start, div.end, origins, block.title]
            inputs += [("block", json.dumps(place)), ("markdown", block.markdown)]
            texts.append(block.markdown)
            for image in chapter.scan.images:
                if div.start < image.line < div.end:
                    inputs.append(_image_input(image.src, manuscript.root, resources))
    return inputs + anchor_links(manuscript, texts)


def _image_input(src: str, root: Path, resources: dict[str, Resource]) -> KeyInput:
    """A block's image as `ImageFiles` reads it: a diagram as the SVG drawn for it."""
    name = resource_name(src)
    if name in resources:
        return f"image {src}", resources[name].path
    source = root / src
    return f"image {src}", source if source.is_file() else "absent"
