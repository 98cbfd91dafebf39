"""The PDF engine seam: the only module that touches WeasyPrint.

Every read it makes goes through a fetcher confined to allowed roots; layouts
are handed back as `PagedDocument` objects that answer what the writers ask (pages,
anchors, how full a page is) without their reaching into WeasyPrint's boxes.
"""

from __future__ import annotations

import base64
import functools
import html
import logging
import mimetypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf

from ..checks.confinement import locate_reference
from ..errors import ERROR, Finding, PublishError, relative_name
from ..files import is_inside
from ..project.theme import DEFAULT_THEME
from .markup_audit import audit_document
from .pdf_tags import finish_tagging
from .svg_sanitize import sanitize_svg

# Lists the theme's font folder and nothing of the machine's (see the file).
FONTCONFIG_FILE = DEFAULT_THEME / "fonts" / "fonts.conf"
# The environment is the process's: one font configuration is made at a time.
ENVIRONMENT_LOCK = threading.Lock()
# A child of WeasyPrint's logger, so its warnings reach the findings as the engine's do.
TAGGING_LOG = logging.getLogger("weasyprint.publish-tagging")


@contextmanager
def _theme_fontconfig() -> Iterator[None]:
    """Fontconfig reads FONTCONFIG_FILE each time a configuration is made: point it at the
    theme's file meanwhile, so a glyph the book's fonts lack can never come from the build
    machine's fonts (PDFs stay the same on every machine). Restored at once, so other
    programs the process starts (Chromium, Java, Graphviz) keep the machine's fonts."""
    with ENVIRONMENT_LOCK:
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(FONTCONFIG_FILE)
        try:
            yield
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before


@functools.cache
def load_weasyprint():
    """Import WeasyPrint once per process (the import alone costs most of a second)."""
    with _theme_fontconfig():  # its import checks the font configuration
        import weasyprint

    return weasyprint


def font_configuration():
    """A WeasyPrint font configuration that knows the theme's fonts and no machine font;
    give it to every CSS and render call of a document."""
    weasyprint = load_weasyprint()
    with _theme_fontconfig():
        return weasyprint.text.fonts.FontConfiguration()


def image_url(path: Path, project: Path | None = None) -> str:
    """The URL a document names an image by. WeasyPrint names a raster image in the PDF
    after a hash of its URL, so a file URL would put the build folder's path into the
    bytes; a `data:` URL keeps them the same wherever the book is built. An SVG goes in
    as the sanitizer rebuilt it (svg_sanitize.py), never as the file on disk."""
    if path.suffix.lower() == ".svg":
        shown = relative_name(path, project) if project is not None else path.name
        clean = sanitize_svg(path.read_bytes(), shown)
        return f"data:image/svg+xml;base64,{base64.b64encode(clean).decode()}"
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode()}"


class ResourceRefused(PublishError):
    """A document asked for something outside the project, or on the network."""


def confined_fetcher(roots: list[Path]):
    """A WeasyPrint URL fetcher that serves `data:` and files under `roots`, nothing else.

    Anything else stops the rendering (a plain exception would only make WeasyPrint
    warn and drop the resource); `refusals_as_errors` turns that into an error.
    """
    weasyprint = load_weasyprint()
    urls = weasyprint.urls

    class ConfinedFetcher(urls.URLFetcher):
        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise _refusal(urls, url, "SEC007", "is remote: the build fetches nothing")
            path = Path(unquote(urlsplit(url).path))
            if not is_inside(path, roots):
                raise _refusal(urls, url, "SEC006", "is outside the project")
            if not path.is_file():
                raise _refusal(urls, url, "MS001", "does not exist")
            return urls.URLFetcherResponse(url, body=path.read_bytes())

    return ConfinedFetcher()


def _refusal(urls, url: str, code: str, reason: str):
    error = urls.FatalURLFetchingError(f"{url} {reason}")
    error.url, error.code, error.reason = url, code, reason
    return error


@contextmanager
def refusals_as_errors(project: Path) -> Iterator[None]:
    """Turn the fetcher's refusals into an error naming the file and line that asked.

    WeasyPrint is not imported for this: a refusal is an instance of its error class, so
    while nothing has imported WeasyPrint (an EPUB's task) nothing can have been refused,
    and whatever else is raised passes through unchanged."""
    try:
        yield
    except BaseException as exc:
        urls = sys.modules.get("weasyprint.urls")
        if urls is None or not isinstance(exc, urls.FatalURLFetchingError):
            raise
        url = getattr(exc, "url", "")
        shown, line = locate_reference(url, project)
        where = unquote(urlsplit(url).path) if url.startswith("file:") else url
        finding = Finding(
            shown,
            line,
            1,
            ERROR,
            getattr(exc, "code", "SEC006"),
            f"'{where}' {getattr(exc, 'reason', exc)}",
            "keep every file the book uses inside the project",
        )
        raise ResourceRefused(finding.format()) from None


def metadata_tags(book, built_at, summary: bool = True) -> str:
    """<meta> tags WeasyPrint turns into PDF metadata; fixed dates keep builds reproducible.
    `summary` adds the description and keywords (the book PDF has them, printables not)."""
    stamp = built_at.isoformat()
    pairs = [("author", ", ".join(book.authors))]
    if summary:
        pairs += [("description", book.description), ("keywords", ", ".join(book.subjects))]
    pairs += [("dcterms.created", stamp), ("dcterms.modified", stamp), ("generator", "publish")]
    return "".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in pairs if v)


@dataclass(frozen=True)
class PushedBlock:
    """A block that opened a page because it did not fit in the room left on the page
    before; heights in CSS pixels."""

    name: str
    room: float
    height: float
    image_height: float


class PagedDocument:
    """A document laid out in pages, ready to write."""

    def __init__(self, document) -> None:
        self._document = document

    @property
    def pages(self) -> int:
        return len(self._document.pages)

    def anchor_pages(self) -> dict[str, int]:
        """Every anchor (element id) and the index of the first page holding it."""
        found: dict[str, int] = {}
        for index, page in reversed(list(enumerate(self._document.pages))):
            found.update(dict.fromkeys(page.anchors, index))
        return found

    def first_page_with_anchor(self, anchor: str) -> int:
        """The index of the first page holding the element with id `anchor`."""
        return next(i for i, page in enumerate(self._document.pages) if anchor in page.anchors)

    def write(self, finisher=None, **options) -> bytes:
        """The PDF's bytes; a tagged one finished by `pdf_tags`, its PDF/UA claim kept
        only if it holds (TAG001 says why not)."""
        data, problems = finish_tagging(self._document.write_pdf(finisher=finisher, **options))
        for problem in problems:
            TAGGING_LOG.warning(f"not claiming PDF/UA: {problem}", extra={"finding_code": "TAG001"})
        return data

    def fill_ratio(self, container: str = "main", block: str = "section") -> float:
        """How much of the first page's column space the `block` boxes take up."""
        page = self._page_box(0)
        boxes = list(page.descendants())
        main = next(box for box in boxes if box.element_tag == container)
        columns = main.style["column_count"]
        space = columns * (page.content_box_y() + page.height - main.content_box_y())
        blocks = [box for box in boxes if box.element_tag == block]
        return sum(box.margin_height() for box in blocks) / space

    def overflow_of(self, endless: PagedDocument, container: str = "main") -> float:
        """How far `endless` (the same content on one endless page) runs past the
        bottom of this layout's first page, as a fraction of that page's height."""
        page = self._page_box(0)
        bottom = page.content_box_y() + page.height
        main = next(
            box for box in endless._page_box(0).descendants() if box.element_tag == container
        )
        return max(main.position_y + main.margin_height() - bottom, 0.0) / page.height

    def raster_images(self, attribute: str) -> Iterator[tuple[str, int, float]]:
        """(the element's `attribute`, width in pixels, width laid out in points) for
        every raster image of the layout, vector images left out."""
        for index in range(self.pages):
            for box in self._page_box(index).descendants():
                image = getattr(box, "replacement", None)
                source = box.element.get(attribute) if box.element is not None else None
                if source and getattr(image, "mode", None) and box.width:
                    yield source, image.width, box.width * 0.75

    def blocks_pushed_past_gaps(self, attribute: str, most_gap: float) -> list[PushedBlock]:
        """Each element carrying `attribute` that opens a page while the page before ends
        more than `most_gap` of its height early (it did not fit there)."""
        pushed = []
        for index in range(1, self.pages):
            page = self._page_box(index)
            for box in page.children[0].descendants():
                name = box.element.get(attribute) if box.element is not None else None
                if not name or box.position_y > page.content_box_y() + 1:
                    continue
                empty = self._empty_below(index - 1)
                if empty > most_gap:
                    image = next((b for b in box.descendants() if hasattr(b, "replacement")), None)
                    image_height = image.height if image is not None else 0.0
                    pushed.append(
                        PushedBlock(name, empty * page.height, box.margin_height(), image_height)
                    )
                break
        return pushed

    def _empty_below(self, index: int) -> float:
        """How much of a page's content height is left empty below its last content."""
        page = self._page_box(index)
        top, height = page.content_box_y(), page.height
        bottoms = [
            box.position_y + box.margin_height()
            for box in page.children[0].descendants()
            if type(box).__name__ in ("LineBox", "BlockReplacedBox", "InlineReplacedBox")
        ]
        return (top + height - max(bottoms, default=top)) / height

    def _page_box(self, index: int):
        # WeasyPrint has no public API for box geometry; this seam is the one place
        # that relies on its page boxes, so an upgrade breaks here and only here.
        return self._document.pages[index]._page_box


@dataclass(frozen=True)
class Styles:
    """A stylesheet parsed once, with the font configuration its @font-face rules loaded
    into: documents laid out one after another in a process share it (the parts of a
    book), and come out as the same bytes as each parsing the sheet on its own."""

    sheet: object
    fonts: object


def parsed_styles(css: str, roots: list[Path]) -> Styles:
    weasyprint = load_weasyprint()
    fonts = font_configuration()
    sheet = weasyprint.CSS(string=css, url_fetcher=confined_fetcher(roots), font_config=fonts)
    return Styles(sheet, fonts)


def lay_out(
    page_html: str,
    css: str | Styles | None,
    roots: list[Path],
    base_url: str | None = None,
    **options,
) -> PagedDocument:
    """Lay out a document, its stylesheet and its fonts sharing one font configuration
    (otherwise WeasyPrint ignores the stylesheet's @font-face rules)."""
    audit_document(page_html, roots[0] if roots else None)  # roots[0]: the project
    weasyprint = load_weasyprint()
    if css is None:
        styles, stylesheets = Styles(None, font_configuration()), []
    else:
        styles = css if isinstance(css, Styles) else parsed_styles(css, roots)
        stylesheets = [styles.sheet]
    fetcher = confined_fetcher(roots)
    document = weasyprint.HTML(string=page_html, base_url=base_url, url_fetcher=fetcher)
    rendered = document.render(stylesheets=stylesheets, font_config=styles.fonts, **options)
    return PagedDocument(rendered)


def page_labels(body_start: int, cover: bool = True):
    """A finisher adding page labels that match the printed folios: the cover (when the
    PDF has one), roman front matter, an arabic body. Set before the PDF is written, so it
    costs nothing (rewriting a finished PDF took seconds on a 400-page book)."""
    front = 1 if cover else 0

    def finish(_document, pdf) -> None:
        ranges = [0, pydyf.Dictionary({"P": pydyf.String("Cover")})] if cover else []
        if body_start > front:
            ranges += [front, pydyf.Dictionary({"S": "/r", "St": 1})]
        ranges += [body_start, pydyf.Dictionary({"S": "/D", "St": 1})]
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(ranges)})

    return finish


XMP_VERSION = (
    '<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
    "<xmpMM:VersionID>{}</xmpMM:VersionID></rdf:Description>"
)


def with_version(finisher, version: str):
    """`finisher`, then the release's version added to the XMP packet WeasyPrint wrote, as
    `xmpMM:VersionID` (XMP's version of a document), inside its one `rdf:RDF`."""

    def finish(document, pdf) -> None:
        finisher(document, pdf)
        if not version:
            return
        stream = next(o for o in pdf.objects if getattr(o, "extra", {}).get("Type") == "/Metadata")
        packet = b"".join(stream.stream)
        description = XMP_VERSION.format(html.escape(version)).encode()
        stream.stream = [packet.replace(b"</rdf:RDF>", description + b"</rdf:RDF>", 1)]

    return finish


def pad_to_even_pages():
    """A finisher adding one empty page (no content stream, nothing drawn) when the count
    is odd, as printers bind in sheets of two pages. It takes the boxes of the page two
    before it, the last page on the same side (trim and bleed differ by side)."""

    def finish(_document, pdf) -> None:
        count = pdf.pages["Count"]
        if count % 2 == 0 or count < 2:
            return
        kids = pdf.pages["Kids"]
        same_side = pdf.objects[kids[3 * (count - 2)]]
        page = pydyf.Dictionary({"Type": "/Page", "Parent": pdf.pages.reference})
        for box in ("MediaBox", "TrimBox", "BleedBox"):
            if box in same_side:
                page[box] = same_side[box]
        page["Resources"] = pydyf.Dictionary({})
        pdf.add_page(page)

    return finish
