"""Write the print PDF with WeasyPrint: one HTML document, tagged, with page labels."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import lxml.html
import pydyf

from .edition_context import EditionContext
from .fsutil import write_atomic
from .printables import file_urls_for_fonts
from .render_html import footnote_inline
from .resources import confined_fetcher, font_configuration, load_weasyprint

PAPER = {"a4": "A4", "letter": "letter"}


def _head(context: EditionContext) -> str:
    book = context.book
    esc = html.escape
    css = context.theme.stylesheet("print.css")
    css += f"\n@page {{ size: {PAPER[book.paper]}; }}\n" + context.theme.extra_css()
    css = file_urls_for_fonts(css, context.theme)
    metas = [
        ("author", ", ".join(book.authors)),
        ("description", book.description),
        ("keywords", ", ".join(book.subjects)),
        ("dcterms.created", context.built_at.isoformat()),
        ("dcterms.modified", context.built_at.isoformat()),
        ("generator", "publish"),
    ]
    meta = "".join(f'<meta name="{k}" content="{esc(v)}">' for k, v in metas if v)
    return (
        f'<head><meta charset="utf-8"><title>{esc(context.title)}</title>{meta}'
        f"<style>{css}</style></head>"
    )


def _front_matter(context: EditionContext) -> str:
    book = context.book
    esc = html.escape
    cover = base64.b64encode(context.cover_png).decode()
    parts = [
        f'<section class="cover"><img src="data:image/png;base64,{cover}" '
        f'alt="Cover of {esc(context.title)}"></section>',
        f'<section class="titlepage"><p class="book-title">{esc(book.title)}</p>',
    ]
    if book.subtitle:
        parts.append(f'<p class="subtitle">{esc(book.subtitle)}</p>')
    parts.append(f'<p class="authors">{esc(", ".join(book.authors))}</p>')
    if book.course:
        parts.append(f'<p class="course">A lesson in the course {esc(book.course)}</p>')
    parts.append(
        f'<p class="edition">{esc(context.edition_label)} · {esc(context.publication_date)}</p>'
    )
    if book.publisher:
        parts.append(f'<p class="publisher">{esc(book.publisher)}</p>')
    parts.append("</section>")
    items = context.colophon_items()
    rights = f"<p>{esc(book.rights)}</p>" if book.rights else ""
    parts.append(f'<section class="colophon">{rights}<dl>{items}</dl></section>')
    return "".join(parts)


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
    for image in element.iter("img"):
        resource = context.rendered.resources.get(image.get("src", ""))
        if resource is not None:
            image.set("src", resource.path.resolve().as_uri())
    return lxml.html.tostring(element, encoding="unicode")


def pdf_html(context: EditionContext) -> str:
    chapters = "".join(_chapter_html(context, c) for c in context.rendered.chapters)
    body_class = f"edition-{context.edition} paper-{context.book.paper}"
    title = html.escape(context.book.title)
    return (
        f'<!DOCTYPE html><html lang="{html.escape(context.book.language)}">'
        f'{_head(context)}<body class="{body_class}" data-title="{title}">'
        f"{_front_matter(context)}"
        f"{_toc(context)}<main>{chapters}</main></body></html>"
    )


def build_pdf(context: EditionContext, roots: list[Path]) -> tuple[bytes, int]:
    """The PDF's bytes and its page count."""
    weasyprint = load_weasyprint()
    document = weasyprint.HTML(
        string=pdf_html(context), base_url=str(context.project), url_fetcher=confined_fetcher(roots)
    ).render(pdf_variant="pdf/ua-1", font_config=font_configuration())
    first_chapter = context.rendered.chapters[0].ident
    body_start = next(i for i, page in enumerate(document.pages) if first_chapter in page.anchors)
    data = document.write_pdf(pdf_variant="pdf/ua-1", finisher=page_labels(body_start))
    return data, len(document.pages)


def page_labels(body_start: int):
    """A WeasyPrint finisher adding labels that match the printed folios: the cover,
    roman front matter, an arabic body. Set before the PDF is written, so it costs
    nothing (rewriting a finished PDF took seconds on a 400-page book)."""

    def finish(_document, pdf) -> None:
        ranges = [0, pydyf.Dictionary({"P": pydyf.String("Cover")})]
        if body_start > 1:
            ranges += [1, pydyf.Dictionary({"S": "/r", "St": 1})]
        ranges += [body_start, pydyf.Dictionary({"S": "/D", "St": 1})]
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(ranges)})

    return finish


def write_pdf(context: EditionContext, path: Path, roots: list[Path]) -> int:
    data, pages = build_pdf(context, roots)
    write_atomic(path, data)
    return pages
