"""Write an EPUB 3 with ebooklib, then repack it so the same book gives the same bytes."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import lxml.html
from ebooklib import epub
from lxml import etree

from ..render.context import EditionContext
from ..render.html import RenderedChapter
from ..render.markup_audit import audit_package
from .base import OutputJob
from .epub_fonts import embed_used_fonts
from .epub_images import packaged
from .epub_metadata import add_package_metadata
from .manifest import Artifact

CSS_NAME = "styles/book.css"
# Apple Books draws a book in its own fonts unless this file says to use the embedded ones.
APPLE_OPTIONS = "META-INF/com.apple.ibooks.display-options.xml"
APPLE_DISPLAY_OPTIONS = b"""<?xml version="1.0" encoding="UTF-8"?>
<display_options>
  <platform name="*">
    <option name="specified-fonts">true</option>
  </platform>
</display_options>
"""


def _xhtml(
    context: EditionContext, file_name: str, title: str, body: str, uid: str
) -> epub.EpubHtml:
    item = epub.EpubHtml(uid=uid, file_name=file_name, title=title, lang=context.book.language)
    item.content = body
    item.add_link(href=CSS_NAME, rel="stylesheet", type="text/css")
    return item


def _title_page(context: EditionContext) -> str:
    return (
        f'<section class="titlepage" epub:type="titlepage" role="doc-introduction"'
        f' aria-label="Title page"><h1 class="title">{html.escape(context.book.title)}</h1>'
        f"{context.title_page_lines(context.kind.label)}</section>"
    )


def _copyright_page(context: EditionContext) -> str:
    book = context.book
    esc = html.escape
    items = context.colophon_items()
    rights = f"<p>{esc(book.rights)}</p>" if book.rights else ""
    return (
        f'<section class="colophon" epub:type="colophon" role="doc-colophon"'
        f' aria-label="Copyright">'
        f"<h1>Copyright</h1>{rights}<dl>{items}</dl></section>"
    )


def chapter_body(chapter: RenderedChapter, context: EditionContext) -> str:
    """A chapter's XHTML body: its notes at its end, links into other files prefixed."""
    element = _copy(chapter.element)
    _attach_notes(element, context)
    # Notes first: their ids live in this file, and render_html already unlinked
    # every link whose target the edition does not hold.
    local = {e.get("id") for e in element.iter() if e.get("id")}
    for link in element.iter("a"):
        href = link.get("href", "")
        if href.startswith("#") and href[1:] not in local:
            target = context.rendered.file_of(href[1:])
            if target is None:
                link.drop_tag()
            else:
                link.set("href", f"{target}{href}")
    _code_lines(element)
    element.set("epub:type", "chapter" if chapter.kind == "chapter" else "backmatter")
    if chapter.kind == "chapter":
        element.set("role", "doc-chapter")  # Ace: an epub:type needs its ARIA role
    return lxml.html.tostring(element, encoding="unicode")


def _code_lines(element) -> None:
    """Each line of a plain code block in a span of its own, which epub.css indents when
    it wraps (pandoc already puts the lines of highlighted blocks in spans)."""
    for code in element.xpath(".//pre/code[not(*)]"):
        lines = (code.text or "").split("\n")
        code.text = None
        for number, line in enumerate(lines, 1):
            span = lxml.html.Element("span")
            span.text = line
            span.tail = "\n" if number < len(lines) else None
            code.append(span)


def _copy(element):
    return lxml.html.fromstring(lxml.html.tostring(element, encoding="unicode"))


def _attach_notes(element, context: EditionContext) -> None:
    """EPUB 3 notes: each call a noteref, each note an aside at the chapter's end
    (Apple Books and Kobo show it as a pop-up), with pandoc's back link."""
    refs = list(element.find_class("footnote-ref"))
    if not refs:
        return
    notes = lxml.html.Element(
        "section", {"class": "footnotes", "role": "doc-endnotes", "aria-label": "Notes"}
    )
    for ref in refs:
        note = context.rendered.footnotes.get(ref.get("href", "").lstrip("#"))
        if note is None:
            continue
        ref.set("epub:type", "noteref")
        ref.set("role", "doc-noteref")
        aside = lxml.html.Element(
            "aside", {"id": note.get("id"), "epub:type": "footnote", "role": "doc-footnote"}
        )
        for child in _copy(note):
            aside.append(child)
        notes.append(aside)
    element.append(notes)


def _add_theme(book: epub.EpubBook, context: EditionContext) -> None:
    """The stylesheet, its fonts still named as in the theme (`url(fonts/...)`): the
    fonts go in once the pages are written, cut down to what they draw (epub_fonts)."""
    css = (context.theme.stylesheet("epub.css") + context.theme.extra_stylesheet()).text
    book.add_item(
        epub.EpubItem(uid="css", file_name=CSS_NAME, media_type="text/css", content=css.encode())
    )


def _add_metadata(book: epub.EpubBook, context: EditionContext) -> None:
    add_package_metadata(book, context)
    for prop, value in accessibility_metadata(context):
        book.add_metadata(None, "meta", value, {"property": prop})


def accessibility_metadata(context: EditionContext) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 claims, each made only when the book backs it."""
    visual = context.has_images
    features = [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ]
    if visual:
        features.append("alternativeText")
    if context.has_long_descriptions:
        features.append("longDescription")
    if context.has_math:
        features.append("MathML")  # each formula with its TeX as alttext (render/math.py)
    pairs = [("schema:accessMode", "textual")]
    if visual:
        pairs.append(("schema:accessMode", "visual"))
        pairs.append(("schema:accessModeSufficient", "textual,visual"))
    pairs.append(("schema:accessModeSufficient", "textual"))
    pairs.extend(("schema:accessibilityFeature", f) for f in features)
    pairs.append(("schema:accessibilityHazard", "none"))
    pairs.append(("schema:accessibilitySummary", _summary(context)))
    claim = context.book.accessibility
    if claim is not None:
        pairs.append(("dcterms:conformsTo", claim.conforms_to))
        pairs.append(("a11y:certifiedBy", claim.certified_by))
    return pairs


def accessibility_claims(context: EditionContext) -> dict[str, list[str]]:
    """The OPF's accessibility metadata for the manifest, grouped by property."""
    claims: dict[str, list[str]] = {}
    for prop, value in accessibility_metadata(context):
        claims.setdefault(prop.split(":", 1)[1], []).append(value)
    return claims


def _summary(context: EditionContext) -> str:
    """What a reader can rely on, in words: facts the build establishes, then the
    publisher's own conformance claim when book.yaml makes one."""
    summary = _established_facts(context)
    claim = context.book.accessibility
    if claim is not None:
        summary += f" {claim.certified_by} states that it meets {claim.conforms_to}."
    return summary


def _established_facts(context: EditionContext) -> str:
    navigation = "headings, a table of contents and landmarks give structured navigation."
    if not context.has_images:
        return f"A text-only book: {navigation[0].upper()}{navigation[1:]}"
    figures = [f for c in context.rendered.chapters for f in c.element.iter("figure")]
    described = sum(1 for f in figures if f.find(".//img[@aria-describedby]") is not None)
    if figures and described == len(figures):
        details = " and every figure has a long description"
    elif described:
        details = f" and {described} of {len(figures)} figures have a long description"
    else:
        details = ""
    return f"Every image has a text alternative{details}; {navigation}"


def build_epub(context: EditionContext, cache: Path | None = None, parts_key: str = "") -> bytes:
    """The EPUB's bytes; font subsets and drawn SVGs are kept in `cache` (build/.cache)
    between builds, the SVGs only with the theme's and tools' `parts_key`."""
    book = epub.EpubBook()
    _add_metadata(book, context)
    book.set_cover("images/cover.png", context.cover_png, create_page=True)
    _add_theme(book, context)
    title_page = _xhtml(context, "titlepage.xhtml", "Title page", _title_page(context), "titlepage")
    colophon = _xhtml(
        context, "copyright.xhtml", "Copyright", _copyright_page(context), "copyright"
    )
    items = [title_page, colophon]
    chapters = []
    for chapter in context.rendered.chapters:
        body = chapter_body(chapter, context)
        item = _xhtml(
            context, chapter.file_name, chapter.title, body, chapter.file_name.split(".")[0]
        )
        if "<math" in body:  # serialised markup: text would read &lt;math
            item.properties.append("mathml")  # EPUB 3 requires it; ebooklib does not set it
        chapters.append(item)
    for item in items + chapters:
        book.add_item(item)
    for name, resource in sorted(context.rendered.resources.items()):
        book.add_item(
            epub.EpubItem(
                uid=re.sub(r"\W", "-", name),
                file_name=name,
                media_type=resource.media_type,
                content=packaged(resource, context, cache, parts_key),
            )
        )
    book.toc = _toc(context, chapters)
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav()
    nav.add_link(href=CSS_NAME, rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.spine = ["cover", title_page, colophon, "nav", *chapters]
    book.guide = [
        {"type": "cover", "href": "cover.xhtml", "title": "Cover"},
        {"type": "toc", "href": "nav.xhtml", "title": "Contents"},
        {"type": "text", "href": chapters[0].file_name, "title": "Start of content"},
    ]
    buffer = io.BytesIO()
    # No page list: ebooklib would list every element with an epub:type as a "page".
    writer = epub.EpubWriter(
        buffer,
        book,
        {
            "mtime": context.built_at.replace(tzinfo=None),
            "epub3_landmark": True,
            "epub3_pages": False,
            "play_order": {"enabled": False},
            "raise_exceptions": True,
        },
    )
    writer.process()
    writer.write()
    entries = _entries(buffer.getvalue())
    made_by = {c.file_name: c.source for c in context.rendered.chapters if c.source is not None}
    audit_package(entries, made_by, context.project)
    fonts = cache / "fonts" if cache is not None else None
    entries = embed_used_fonts(entries, CSS_NAME, context.theme, fonts)
    entries[APPLE_OPTIONS] = APPLE_DISPLAY_OPTIONS
    return repack(entries, context.built_at.timetuple()[:6], context.book.language)


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return {name: source.read(name) for name in source.namelist()}


def _with_package_language(opf: bytes, language: str) -> bytes:
    """The package document with its xml:lang (Ace's epub-lang rule), which ebooklib omits;
    serialised as ebooklib serialises it."""
    root = etree.fromstring(opf)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return etree.tostring(root, pretty_print=True, encoding="utf-8", xml_declaration=True)


def _toc(context: EditionContext, chapters: list[epub.EpubHtml]):
    toc = []
    for chapter, item in zip(context.rendered.chapters, chapters, strict=True):
        sections = [
            epub.Link(f"{item.file_name}#{ident}", text, f"{item.id}-{ident}")
            for level, ident, text in chapter.headings
            if level == 2 and ident
        ]
        link = epub.Link(item.file_name, chapter.title, item.id)
        toc.append((epub.Section(chapter.title, item.file_name), sections) if sections else link)
    return toc


def repack(entries: dict[str, bytes], date: tuple, language: str) -> bytes:
    """Write the zip in a fixed order with fixed dates: mimetype first and stored."""
    date = max(date, (1980, 1, 1, 0, 0, 0))
    first = ["mimetype", "META-INF/container.xml"]
    ordered = first + sorted(n for n in entries if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=date)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            content = entries[name]
            if name.endswith(".opf"):
                content = _with_package_language(content, language)
            target.writestr(info, content, compresslevel=9)
    return out.getvalue()


def write(job: OutputJob) -> list[Artifact]:
    """The edition's EPUB, and its manifest entry with the accessibility it claims."""
    context = job.context
    path = job.folder / f"{context.stem}.epub"
    job.report(f"writing {job.edition.name}/{path.name}")
    job.tree.write(path, build_epub(context, job.tree.cache_dir, job.parts_key))
    artifact = job.describe(path, "epub", **context.manifest_details())
    artifact.extra = {**artifact.extra, "accessibility": accessibility_claims(context)}
    return [artifact]
