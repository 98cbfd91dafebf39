"""The book as one HTML document for WeasyPrint, for either PDF profile: the cover (screen
only), title page, colophon, contents and chapters, with the profile's stylesheet."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import lxml.html

from ..project.config import PAPERS
from ..project.config_pdf import profiles
from ..project.theme import Stylesheet
from ..render.context import EditionContext
from ..render.cover import page_colour
from ..render.html import footnote_inline
from ..render.math import draw_formulas
from ..render.pdf_engine import image_url, lay_out, metadata_tags, page_labels, with_version
from .pdf_fill import FIGURE_PASSES, lay_out_filled, mark_figures, movable_in, place_figures
from .printables import file_urls_for_fonts

# Code blocks up to this many lines are never split across pages; longer ones split
# with at least three lines on each side (print.css's orphans and widows).
KEEP_WHOLE_LINES = 12
# The screen PDF's margins (top, sides, bottom): its text area, which bench/page_fill.py
# measures the pages' fill against.
SCREEN_MARGINS_MM = (22, 20, 24)


def screen_page(context: EditionContext) -> Stylesheet:
    """The screen PDF's paper; the cover fitted whole, its page the cover's edge colour."""
    fill = page_colour(context.cover_png)
    size = PAPERS[profiles(context.book).screen_paper or context.book.paper].css_size
    top, side, bottom = SCREEN_MARGINS_MM
    return Stylesheet.of(
        f"@page {{ size: {size}; margin: {top}mm {side}mm {bottom}mm; }} "
        f"@page cover {{ background: {fill}; margin: 0; }}"
    )


def stylesheet(context: EditionContext, page: Stylesheet | None = None, profile="screen"):
    """A profile's stylesheet: the theme's fonts, print.css and the profile's page rules,
    the page size and margins (`page`), custom.css."""
    theme = context.theme
    page = screen_page(context) if page is None else page
    sheet = theme.stylesheet(f"pdf-{profile}.css") + page + theme.extra_stylesheet()
    return sheet.with_text(file_urls_for_fonts(sheet.text, theme))


def head(context: EditionContext, sheet: Stylesheet) -> str:
    esc = html.escape
    meta = metadata_tags(context.book, context.built_at)
    return (
        f'<head><meta charset="utf-8"><title>{esc(context.title)}</title>{meta}'
        f"<style>{sheet.text}</style></head>"
    )


def cover_html(context: EditionContext) -> str:
    cover = base64.b64encode(context.cover_png).decode()
    return (
        f'<section class="cover"><img src="data:image/png;base64,{cover}" '
        f'alt="Cover of {html.escape(context.title)}"></section>'
    )


def front_matter(context: EditionContext) -> str:
    esc = html.escape
    edition = f"{context.kind.label} · {context.publication_date}"
    items = context.colophon_items()
    rights = f"<p>{esc(context.book.rights)}</p>" if context.book.rights else ""
    return (
        f'<section class="titlepage"><p class="book-title">{esc(context.book.title)}</p>'
        f"{context.title_page_lines(edition)}</section>"
        f'<section class="colophon">{rights}<dl>{items}</dl></section>'
    )


def toc(context: EditionContext, link=None) -> str:
    """The contents, chapters and their `##` sections; `link(ident)` gives each entry's
    link attributes (by default, an anchor in the same document)."""
    link = link or (lambda ident: f'href="#{ident}"')
    entries = [
        f'<li class="toc-level{level}"><a {link(ident)}>{html.escape(text)}</a></li>'
        for chapter in context.rendered.chapters
        for level, ident, text in chapter.headings
        if level <= 2 and ident
    ]
    return (
        f'<nav class="toc" role="doc-toc" aria-label="Contents"><h1 class="toc-title">'
        f"Contents</h1><ol>{''.join(entries)}</ol></nav>"
    )


def chapter_html(context: EditionContext, chapter, plans: dict | None = None) -> str:
    """A chapter with its notes moved to where they are called, for `float: footnote`,
    and the figures `plans` names moved or scaled (see pdf_fill)."""
    element = lxml.html.fromstring(lxml.html.tostring(chapter.element, encoding="unicode"))
    element.set("class", f"{element.get('class', '')} chapter {chapter.kind}".strip())
    mark_figures(element, chapter.ident)
    place_figures(element, plans or {})
    for ref in list(element.find_class("footnote-ref")):
        note = context.rendered.footnotes.get(ref.get("href", "").lstrip("#"))
        if note is None:
            continue
        span = footnote_inline(note)
        span.tail = ref.tail
        ref.getparent().replace(ref, span)
    _draw_math(context, chapter, element)
    _mark_short_code(element)
    for image in element.iter("img"):
        resource = context.rendered.resources.get(image.get("src", ""))
        if resource is not None:
            # The file the author named, so a finding about the image can find its line.
            image.set("data-source", _source_name(context, resource))
            image.set("src", image_url(resource.path, context.project))
    return lxml.html.tostring(element, encoding="unicode")


def _source_name(context: EditionContext, resource) -> str:
    manuscript = context.project / "manuscript"
    if resource.path.is_relative_to(manuscript):
        return resource.path.relative_to(manuscript).as_posix()
    return resource.name


def _mark_short_code(element) -> None:
    """Class `keep-whole` on code blocks short enough never to split (print.css)."""
    for pre in element.iter("pre"):
        if pre.text_content().rstrip("\n").count("\n") < KEEP_WHOLE_LINES:
            pre.set("class", f"{pre.get('class', '')} keep-whole".strip())


def _draw_math(context: EditionContext, chapter, element) -> None:
    """Each formula drawn (WeasyPrint lays out no MathML); MTH001 where one cannot be."""
    chapters = [c.source for c in context.rendered.chapters if c.source is not None]
    draw_formulas(element, [chapter.source] if chapter.source is not None else chapters)


def pdf_html(
    context: EditionContext,
    sheet: Stylesheet | None = None,
    cover: bool = True,
    plans: dict | None = None,
) -> str:
    """The book as one HTML document: the screen profile's unless given the print
    profile's stylesheet and `cover=False`; `plans` moves or scales figures (pdf_fill)."""
    chapters = "".join(chapter_html(context, c, plans) for c in context.rendered.chapters)
    body_class = f"edition-{context.kind.name} paper-{context.book.paper}"
    title = html.escape(context.book.title)
    sheet = stylesheet(context) if sheet is None else sheet
    return (
        f'<!DOCTYPE html><html lang="{html.escape(context.book.language)}">'
        f'{head(context, sheet)}<body class="{body_class}" data-title="{title}">'
        f"{cover_html(context) if cover else ''}{front_matter(context)}"
        f"{toc(context)}<main>{chapters}</main></body></html>"
    )


def lay_out_book(
    context: EditionContext,
    roots: list[Path],
    sheet=None,
    cover: bool = True,
    unsettled=None,
    passes: int = FIGURE_PASSES,
):
    """The book laid out in a profile's stylesheet (or `sheet()`, asked at each pass),
    figures moved on or scaled where one would leave a page more than a third empty, and
    laid out again while `unsettled(layout)` says so (see `pdf_fill.lay_out_filled`)."""

    def lay_out_with(plans: dict):
        current = sheet() if callable(sheet) else sheet
        document = pdf_html(context, current, cover, plans)
        return lay_out(document, None, roots, str(context.project), pdf_variant="pdf/ua-1")

    chapters = [(c.ident, c.element) for c in context.rendered.chapters]
    return lay_out_filled(lay_out_with, movable_in(chapters), unsettled, passes)


def write_book(context: EditionContext, layout, cover: bool = True, then=None) -> bytes:
    """The PDF's bytes, with page labels; `then` is a further finisher (see pdf_engine)."""
    body_start = layout.first_page_with_anchor(context.rendered.chapters[0].ident)
    labels = page_labels(body_start, cover)

    def finish(document, pdf) -> None:
        labels(document, pdf)
        if then is not None:
            then(document, pdf)

    return layout.write(with_version(finish, context.book.version), pdf_variant="pdf/ua-1")
