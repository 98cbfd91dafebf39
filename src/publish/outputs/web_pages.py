"""The web edition's pages: each chapter, generated part, title page and search page as
an HTML5 document in one shell (skip link, header with search, prev/next, footer).

Chapters are the EPUB's own chapter bodies (`epub.chapter_body`: notes at the end, links
across chapters resolved), renamed from `.xhtml` to `.html` and made for screens: wide
tables and formulas get a box that scrolls, code blocks can take the keyboard's focus.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import lxml.html

from ..render.context import EditionContext
from ..render.html import RenderedChapter
from .epub import chapter_body

CSS_FILE = "assets/book.css"
INDEX = "index.html"
SEARCH = "search.html"
TEASER = "what-comes-next.html"
XHTML_LINK = re.compile(r"^([\w.-]+)\.xhtml(#.*)?$")


@dataclass(frozen=True)
class Page:
    """One page of the site: its file, its title, its main content as HTML."""

    file_name: str
    title: str
    main: str
    chapter: RenderedChapter | None = None


def page_name(chapter: RenderedChapter) -> str:
    return chapter.file_name.rsplit(".", 1)[0] + ".html"


def chapter_pages(context: EditionContext) -> list[Page]:
    """Every chapter and generated part (answers, what comes next), in reading order."""
    return [
        Page(
            page_name(chapter), chapter.title, screen_body(chapter_body(chapter, context)), chapter
        )
        for chapter in context.rendered.chapters
    ]


def screen_body(body: str) -> str:
    """The EPUB's chapter body as HTML for a browser: links to `.html` pages, no
    `epub:type`, and boxes that scroll around what may be wider than a phone."""
    element = lxml.html.fragment_fromstring(body)
    for node in element.iter():
        if isinstance(node.tag, str):
            node.attrib.pop("epub:type", None)
    for link in element.iter("a"):
        match = XHTML_LINK.match(link.get("href", ""))
        if match:
            link.set("href", f"{match.group(1)}.html{match.group(2) or ''}")
    for pre in element.iter("pre"):
        pre.set("tabindex", "0")  # a block that scrolls must be reachable by keyboard
    for table in list(element.iter("table")):
        _wrap(table, "div", "Table")
    for formula in list(element.xpath(".//math[@display='block']")):
        _wrap(formula, "span", "Formula")
    return lxml.html.tostring(element, encoding="unicode")


def _wrap(element, tag: str, label: str) -> None:
    box = lxml.html.Element(
        tag, {"class": "scroll-box", "tabindex": "0", "role": "region", "aria-label": label}
    )
    element.addprevious(box)
    box.tail, element.tail = element.tail, None
    box.append(element)


def title_page(context: EditionContext, chapters: list[Page], cover: str) -> Page:
    """The book's title page, its table of contents and its colophon."""
    esc = html.escape
    book = context.book
    items = "".join(_toc_entry(page) for page in chapters)
    rights = f"<p>{esc(book.rights)}</p>" if book.rights else ""
    main = (
        f'<section class="titlepage" aria-labelledby="book-title">'
        f'<h1 class="title" id="book-title">{esc(book.title)}</h1>'
        f"{context.title_page_lines(context.kind.label)}"
        f'<img class="cover" src="{cover}" alt="Cover of {esc(context.title)}"/></section>'
        f'<nav class="toc" id="contents" aria-labelledby="contents-title">'
        f'<h2 id="contents-title">Contents</h2><ol>{items}</ol></nav>'
        f'<section class="colophon" aria-labelledby="colophon-title">'
        f'<h2 id="colophon-title">Copyright</h2>{rights}<dl>{context.colophon_items()}</dl>'
        f"</section>"
    )
    return Page(INDEX, context.title, main)


def _toc_entry(page: Page) -> str:
    esc = html.escape
    sections = "".join(
        f'<li><a href="{page.file_name}#{esc(ident)}">{esc(text)}</a></li>'
        for level, ident, text in (page.chapter.headings if page.chapter else [])
        if level == 2 and ident
    )
    nested = f"<ol>{sections}</ol>" if sections else ""
    return f'<li><a href="{page.file_name}">{esc(page.title)}</a>{nested}</li>'


def search_page() -> Page:
    main = (
        '<h1 id="search-title">Search</h1>'
        '<form id="search-page-form" role="search" aria-labelledby="search-title" '
        'class="search-form" action="search.html">'
        '<label class="visually-hidden" for="search-page-query">Words to search for</label>'
        '<input type="search" id="search-page-query" name="q" autocomplete="off"/>'
        '<button type="submit">Search</button></form>'
        '<p id="search-status" role="status"></p>'
        '<ol class="search-results" id="search-results"></ol>'
        "<noscript><p>Search needs JavaScript. Every chapter is listed in the "
        '<a href="index.html#contents">contents</a>.</p></noscript>'
    )
    return Page(SEARCH, "Search", main)


SEARCH_SCRIPTS = ("assets/lunr.min.js", "assets/search-index.js", "assets/search.js")


def document(context: EditionContext, page: Page, previous: Page | None, next_: Page | None) -> str:
    """A whole HTML5 document around `page`'s content."""
    esc = html.escape
    book_title = esc(context.title)
    title = book_title if page.file_name == INDEX else f"{esc(page.title)} – {book_title}"
    links = "".join(
        f'<link rel="{rel}" href="{other.file_name}"/>'
        for rel, other in (("prev", previous), ("next", next_))
        if other is not None
    )
    scripts = (
        "".join(f'<script src="{src}" defer></script>' for src in SEARCH_SCRIPTS)
        if page.file_name == SEARCH
        else ""
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(context.book.language)}"><head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        '<meta name="color-scheme" content="light dark"/>'
        f"<title>{title}</title>"
        f'<link rel="stylesheet" href="{CSS_FILE}"/>{links}{scripts}</head>'
        '<body><a class="skip-link" href="#content">Skip to content</a>'
        f"{_header(context, page)}"
        f'<main id="content">{page.main}</main>'
        f"{_pager(previous, next_)}"
        f'<footer class="site-footer"><p>{book_title} · {esc(context.kind.label)}</p></footer>'
        "</body></html>\n"
    )


def _header(context: EditionContext, page: Page) -> str:
    esc = html.escape
    badge = (
        f'<a class="edition-badge" href="{TEASER}">{esc(context.kind.label)}</a>'
        if context.kind.teaser
        else ""
    )
    search = (
        ""
        if page.file_name == SEARCH
        else '<form class="search-form" role="search" aria-label="Search the book" '
        'action="search.html"><label class="visually-hidden" for="site-search">'
        "Search the book</label>"
        '<input type="search" id="site-search" name="q" placeholder="Search"/>'
        '<button type="submit">Search</button></form>'
    )
    return (
        f'<header class="site-header"><a class="book-title" href="{INDEX}">'
        f"{esc(context.book.title)}</a>{badge}"
        f'<a class="contents-link" href="{INDEX}#contents">Contents</a>{search}</header>'
    )


def _pager(previous: Page | None, next_: Page | None) -> str:
    esc = html.escape
    links = []
    for rel, word, other in (("prev", "Previous", previous), ("next", "Next", next_)):
        if other is not None:
            links.append(
                f'<a class="{"previous" if rel == "prev" else "next"}" rel="{rel}" '
                f'href="{other.file_name}"><span class="direction">{word}</span>'
                f"{esc(other.title)}</a>"
            )
    if not links:
        return ""
    return f'<nav class="pager" aria-label="Previous and next page">{"".join(links)}</nav>'
