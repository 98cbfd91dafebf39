"""Write the print PDF with WeasyPrint: one HTML document, tagged, with page labels."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import lxml.html

from ..project.config import PAPERS
from ..project.theme import Stylesheet
from ..render.context import EditionContext
from ..render.cover import page_colour
from ..render.html import footnote_inline
from ..render.math import draw_formulas
from ..render.pdf_engine import image_url, lay_out, metadata_tags, page_labels, with_version
from .base import OutputJob
from .manifest import Artifact
from .printables import file_urls_for_fonts


def stylesheet(context: EditionContext) -> Stylesheet:
    """The print stylesheet: the theme's fonts and print.css, the paper, custom.css."""
    theme = context.theme
    # The cover is fitted whole to any page size; the page around it takes its edge colour.
    fill = page_colour(context.cover_png)
    size = PAPERS[context.book.paper].css_size
    paper = Stylesheet.of(f"@page {{ size: {size}; }} @page cover {{ background: {fill}; }}")
    sheet = theme.stylesheet("print.css") + paper + theme.extra_stylesheet()
    return sheet.with_text(file_urls_for_fonts(sheet.text, theme))


def _head(context: EditionContext) -> str:
    esc = html.escape
    meta = metadata_tags(context.book, context.built_at)
    return (
        f'<head><meta charset="utf-8"><title>{esc(context.title)}</title>{meta}'
        f"<style>{stylesheet(context).text}</style></head>"
    )


def _front_matter(context: EditionContext) -> str:
    esc = html.escape
    cover = base64.b64encode(context.cover_png).decode()
    edition = f"{context.kind.label} · {context.publication_date}"
    items = context.colophon_items()
    rights = f"<p>{esc(context.book.rights)}</p>" if context.book.rights else ""
    return (
        f'<section class="cover"><img src="data:image/png;base64,{cover}" '
        f'alt="Cover of {esc(context.title)}"></section>'
        f'<section class="titlepage"><p class="book-title">{esc(context.book.title)}</p>'
        f"{context.title_page_lines(edition)}</section>"
        f'<section class="colophon">{rights}<dl>{items}</dl></section>'
    )


def _toc(context: EditionContext) -> str:
    entries = []
    for chapter in context.rendered.chapters:
        for level, ident, text in chapter.headings:
            if level <= 2 and ident:
                entries.append(
                    f'<li class="toc-level{level}"><a href="#{ident}">{html.escape(text)}</a></li>'
                )
    return (
        f'<nav class="toc" role="doc-toc" aria-label="Contents"><h1 class="toc-title">'
        f"Contents</h1><ol>{''.join(entries)}</ol></nav>"
    )


def _chapter_html(context: EditionContext, chapter) -> str:
    """A chapter with its notes moved to where they are called, for `float: footnote`."""
    element = lxml.html.fromstring(lxml.html.tostring(chapter.element, encoding="unicode"))
    element.set("class", f"{element.get('class', '')} chapter {chapter.kind}".strip())
    for ref in list(element.find_class("footnote-ref")):
        note = context.rendered.footnotes.get(ref.get("href", "").lstrip("#"))
        if note is None:
            continue
        span = footnote_inline(note)
        span.tail = ref.tail
        ref.getparent().replace(ref, span)
    _draw_math(context, chapter, element)
    for image in element.iter("img"):
        resource = context.rendered.resources.get(image.get("src", ""))
        if resource is not None:
            image.set("src", image_url(resource.path, context.project))
    return lxml.html.tostring(element, encoding="unicode")


def _draw_math(context: EditionContext, chapter, element) -> None:
    """Each formula drawn (WeasyPrint lays out no MathML); MTH001 where one cannot be."""
    chapters = [c.source for c in context.rendered.chapters if c.source is not None]
    draw_formulas(element, [chapter.source] if chapter.source is not None else chapters)


def pdf_html(context: EditionContext) -> str:
    chapters = "".join(_chapter_html(context, c) for c in context.rendered.chapters)
    body_class = f"edition-{context.kind.name} paper-{context.book.paper}"
    title = html.escape(context.book.title)
    return (
        f'<!DOCTYPE html><html lang="{html.escape(context.book.language)}">'
        f'{_head(context)}<body class="{body_class}" data-title="{title}">'
        f"{_front_matter(context)}"
        f"{_toc(context)}<main>{chapters}</main></body></html>"
    )


def build_pdf(context: EditionContext, roots: list[Path]) -> tuple[bytes, int]:
    """The PDF's bytes and its page count."""
    layout = lay_out(pdf_html(context), None, roots, str(context.project), pdf_variant="pdf/ua-1")
    body_start = layout.first_page_with_anchor(context.rendered.chapters[0].ident)
    finisher = with_version(page_labels(body_start), context.book.version)
    data = layout.write(finisher, pdf_variant="pdf/ua-1")
    return data, layout.pages


def write(job: OutputJob) -> list[Artifact]:
    """The edition's print PDF and its manifest entry."""
    context = job.context
    path = job.folder / f"{context.stem}.pdf"
    job.report(f"writing {job.edition.name}/{path.name}")
    with job.renderer_warnings(stylesheet(context)):
        data, pages = build_pdf(context, job.fetch_roots)
    job.tree.write(path, data)
    details = context.manifest_details()
    return [job.describe(path, "pdf", pages=pages, paper=context.book.paper, **details)]
