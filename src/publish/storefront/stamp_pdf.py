"""Stamp a PDF: the licence line in the footer of the copyright page and of every body
page, the buyer in the XMP metadata, the fingerprint as invisible text; nothing of the
book is laid out again.

The line is laid out once per copy on one page of the book's size, in the theme's face;
that page becomes a form XObject drawn on each stamped page inside an `/Artifact`
marked-content sequence, so the structure tree, outline, links and page labels stay
exactly as the master has them. The copy is the master's bytes with an incremental
update appended (pdf_update), so its cost hardly grows with the book's length. The
masters are WeasyPrint's: every object of generation 0, with an XMP stream.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
from dataclasses import dataclass

import pikepdf
from fontTools.ttLib import TTFont

from ..project.theme import DEFAULT_THEME
from ..render.pdf_engine import lay_out
from . import fingerprint
from .order import Order
from .pdf_update import Update, append, bring_in, dictionary, serialise, stream_object

STAMP_NS = "https://publish.invalid/vocab/stamp#"
# Draws the stamp's form as a footer artifact, after the page's own content (which the
# update wraps in q ... Q, so nothing it leaves on the graphics state moves the stamp).
DRAW_STAMP = b"\nQ\nq /Artifact <</Type /Pagination /Subtype /Footer>> BDC /PublishStamp Do EMC Q\n"
COLOPHON_PAGE = 2
OVERLAY_CSS = """
@font-face { font-family: "Open Sans"; src: url(%(fonts)s/OpenSans-Regular.ttf); }
@font-face { font-family: "DejaVu Sans Symbols"; src: url(%(fonts)s/DejaVuSans-Symbols.ttf); }
@page { size: %(width)spt %(height)spt; margin: 0; }
html, body { margin: 0; font-family: "Open Sans", "DejaVu Sans Symbols", sans-serif; }
p { position: absolute; left: 20mm; right: 20mm; bottom: 10mm; margin: 0;
  text-align: center; font: 6.5pt/1.2 "Open Sans", "DejaVu Sans Symbols", sans-serif;
  color: #4f5d68; }
.fp { position: absolute; left: 0; bottom: 0; font-size: 1pt; color: rgb(255 255 255 / 0); }
"""


# The faces the overlay's line is set in, in fallback order (as OVERLAY_CSS names them).
OVERLAY_FONTS = ("OpenSans-Regular.ttf", "DejaVuSans-Symbols.ttf")


@functools.cache
def _drawable() -> frozenset[int]:
    """Every code point the overlay's faces have a glyph for."""
    points: set[int] = set()
    for name in OVERLAY_FONTS:
        with TTFont(DEFAULT_THEME / "fonts" / name, lazy=True) as font:
            points.update(font.getBestCmap())
    return frozenset(points)


def undrawable(text: str) -> int | None:
    """The 0-based index of the first character the footer cannot draw, or None: a
    missing glyph would print as an empty box, so such a stamp is refused instead."""
    drawable = _drawable()
    return next(
        (i for i, char in enumerate(text) if char != " " and ord(char) not in drawable), None
    )


@dataclass(frozen=True)
class PdfMaster:
    """What every copy of one master PDF shares, down to the bytes of the objects every
    stamp redefines the same way (the stamped pages, their resources)."""

    sha256: str
    data: bytes
    width: float
    height: float
    stamped_pages: tuple[int, ...]
    """The copyright page and every body page (from the page labels)."""
    size: int
    """The master's object count: a stamp's new objects are numbered from here."""
    redefined: dict[int, bytes]
    metadata: tuple[int, bytes]
    """The XMP stream's object number and its decoded packet."""
    trailer: dict[str, bytes]
    first_id: bytes

    @classmethod
    def read(cls, data: bytes, sha256: str) -> PdfMaster:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            box = [float(v) for v in pdf.pages[0].mediabox]
            body = _body_start(pdf)
            pages = (*_colophon_pages(body), *range(body, len(pdf.pages)))
            size = int(pdf.trailer.Size)
            redefined = _stamped_page_objects(pdf, pages, size)
            xmp = pdf.Root.Metadata
            # A file's first ID is fixed once made; the master may have none (give it one).
            ids = pdf.trailer.get("/ID")
            first_id = bytes(ids[0]) if ids else bytes.fromhex(sha256[:32])
            trailer = {
                key[1:]: serialise(pdf.trailer[key])
                for key in ("/Root", "/Info")
                if key in pdf.trailer
            }
            return cls(
                sha256, data, box[2] - box[0], box[3] - box[1], pages, size, redefined,
                (xmp.objgen[0], xmp.read_bytes()), trailer, first_id,
            )  # fmt: skip


def _stamped_page_objects(pdf: pikepdf.Pdf, pages: tuple[int, ...], size: int) -> dict:
    """Each stamped page with the stamp's streams around its content (objects `size` and
    `size + 1`), and its resources naming the stamp's form (object `size + 2`)."""
    objects = {}
    for index in pages:
        page = pdf.pages[index].obj
        contents = page.Contents
        parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        array = b"[%d 0 R %s %d 0 R]" % (size, b" ".join(serialise(p) for p in parts), size + 1)
        overrides = {"Contents": array}
        resources = page.Resources
        if resources.is_indirect:
            objects[resources.objgen[0]] = _with_form(resources, size + 2)
        else:
            overrides["Resources"] = _with_form(resources, size + 2)
        objects[page.objgen[0]] = dictionary(page.items(), **overrides)
    return objects


def _with_form(resources: pikepdf.Dictionary, form: int) -> bytes:
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    named = dictionary(xobjects.items(), PublishStamp=b"%d 0 R" % form)
    return dictionary(resources.items(), XObject=named)


def _body_start(pdf: pikepdf.Pdf) -> int:
    """The first page labelled with arabic numbers: where the body begins."""
    nums = list(pdf.Root.get("/PageLabels", {}).get("/Nums", []))
    for index, label in zip(nums[::2], nums[1::2], strict=True):
        if label.get("/S") == "/D":
            return int(index)
    return 0


def _colophon_pages(body: int) -> tuple[int, ...]:
    """The copyright page: the PDF writer lays out the cover, the title page and the
    colophon, one page each, before the contents and the body."""
    return (COLOPHON_PAGE,) if body > COLOPHON_PAGE else ()


def overlay_pdf(width: float, height: float, order: Order) -> bytes:
    """One page of the book's size with the licence line at its foot, and the
    fingerprint as invisible text."""
    esc = html.escape
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>'
        f"<p>Licensed to {esc(order.buyer)} &lt;{esc(order.email)}&gt;, order "
        f"{esc(order.order)}, {esc(order.date)}</p>"
        f'<span class="fp">{fingerprint.token(order.order)}</span></body></html>'
    )
    fonts = (DEFAULT_THEME / "fonts").as_uri()
    css = OVERLAY_CSS % {"width": round(width, 4), "height": round(height, 4), "fonts": fonts}
    layout = lay_out(page, css, [DEFAULT_THEME])
    return layout.write()


def stamp_pdf(master: PdfMaster, order: Order) -> bytes:
    """The master with an incremental update: the stamp's streams and form, the stamped
    pages, and metadata naming the buyer."""
    update = Update(master.size)
    update.add(stream_object(b"<<>>", b"q\n"))
    update.add(stream_object(b"<<>>", DRAW_STAMP))
    with pikepdf.open(io.BytesIO(overlay_pdf(master.width, master.height, order))) as overlay:
        _retag_subsets(overlay, order)
        form = bring_in(overlay.pages[0].as_form_xobject(), update)
    if form != master.size + 2:  # the stamped pages name the form by this number
        raise RuntimeError(f"the stamp's form became object {form}, not {master.size + 2}")
    update.objects.update(master.redefined)
    number, packet = master.metadata
    xmp = _xmp(packet, order, master.sha256)
    update.objects[number] = stream_object(b"<</Type /Metadata /Subtype /XML>>", xmp)
    second_id = hashlib.md5(master.first_id + order.order.encode() + xmp).hexdigest()
    trailer = {
        **master.trailer,
        "ID": b"[<%s> <%s>]" % (master.first_id.hex().encode(), second_id.encode()),
    }
    return append(master.data, update, trailer)


def _retag_subsets(overlay: pikepdf.Pdf, order: Order) -> None:
    """Give the line's font subsets a tag of their own: WeasyPrint tags a subset by its
    font, so it would share the master's name (`UREGIQ+Open-Sans`) while holding other
    glyphs, and a viewer that goes by names could draw the book with the wrong one."""
    digest = hashlib.sha256(order.licence_line.encode()).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    for font in overlay.pages[0].Resources.get("/Font", {}).values():
        named = [font, *font.get("/DescendantFonts", [])]
        named += [f.FontDescriptor for f in named if "/FontDescriptor" in f]
        for obj in named:
            for key in ("/BaseFont", "/FontName"):
                if key in obj and "+" in str(obj[key]):
                    obj[key] = pikepdf.Name(f"/{tag}+{str(obj[key]).split('+', 1)[1]}")


def _xmp(packet: bytes, order: Order, sha256: str) -> bytes:
    """The master's XMP packet with a description of the licence added."""
    esc = html.escape
    fields = (
        ("licensee", f"{order.buyer} <{order.email}>"),
        ("order", order.order),
        ("date", order.date),
        ("masterSha256", sha256),
    )
    description = (
        f'<rdf:Description rdf:about="" xmlns:stamp="{STAMP_NS}">'
        + "".join(f"<stamp:{name}>{esc(value)}</stamp:{name}>" for name, value in fields)
        + "</rdf:Description>"
    ).encode("utf-8")
    return packet.replace(b"</rdf:RDF>", description + b"</rdf:RDF>", 1)
