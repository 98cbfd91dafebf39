"""Stamp a PDF: the licence line in the footer of the copyright page and of every body
page, the buyer in the XMP metadata, the fingerprint as invisible text; nothing of the
book is laid out again.

The line is laid out once per copy on one page of the book's size, in the theme's face;
that page becomes a form XObject drawn on each stamped page inside an `/Artifact`
marked-content sequence, so the structure tree, outline, links and page labels stay
exactly as the master has them.
"""

from __future__ import annotations

import functools
import html
import io
from dataclasses import dataclass

import pikepdf
from fontTools.ttLib import TTFont

from ..project.theme import DEFAULT_THEME
from ..render.pdf_engine import lay_out
from . import fingerprint
from .order import Order

STAMP_NS = "https://publish.invalid/vocab/stamp#"
FORM_NAME = pikepdf.Name("/PublishStamp")
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
    """What every copy of one master PDF shares."""

    sha256: str
    data: bytes
    width: float
    height: float
    stamped_pages: tuple[int, ...]
    """The copyright page and every body page (from the page labels)."""

    @classmethod
    def read(cls, data: bytes, sha256: str) -> PdfMaster:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            box = [float(v) for v in pdf.pages[0].mediabox]
            body = _body_start(pdf)
            pages = (*_colophon_pages(body), *range(body, len(pdf.pages)))
        return cls(sha256, data, box[2] - box[0], box[3] - box[1], pages)


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
    overlay = pikepdf.open(io.BytesIO(overlay_pdf(master.width, master.height, order)))
    with pikepdf.open(io.BytesIO(master.data)) as pdf:
        form = pdf.copy_foreign(overlay.pages[0].as_form_xobject())
        draw = b"q /Artifact <</Type /Pagination /Subtype /Footer>> BDC /PublishStamp Do EMC Q"
        for index in master.stamped_pages:
            page = pdf.pages[index]
            page.add_resource(form, pikepdf.Name.XObject, FORM_NAME, replace_existing=True)
            page.contents_add(b"q\n", prepend=True)
            page.contents_add(b"\nQ\n" + draw + b"\n")
        _xmp(pdf, order, master.sha256)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    overlay.close()
    return out.getvalue()


def _xmp(pdf: pikepdf.Pdf, order: Order, sha256: str) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta[f"{{{STAMP_NS}}}licensee"] = f"{order.buyer} <{order.email}>"
        meta[f"{{{STAMP_NS}}}order"] = order.order
        meta[f"{{{STAMP_NS}}}date"] = order.date
        meta[f"{{{STAMP_NS}}}masterSha256"] = sha256
