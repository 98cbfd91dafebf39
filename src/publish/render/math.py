"""TeX math: MathML for the EPUB, vector drawings for the PDF.

pandoc (`--mathml`) turns `$...$` and `$$...$$` into MathML that keeps the TeX as an
annotation; the EPUB carries that MathML, with the TeX as `alttext` for readers that
show no MathML. WeasyPrint lays out no MathML, so the PDF gets each formula drawn by
ziamath (pure Python, its bundled STIX Two Math font) as an SVG image, embedded as a
`data:` URL (nothing fetched), sized in em so it follows the text around it, on the
text's baseline when inline and centred when displayed, with the TeX as its alt text.
"""

from __future__ import annotations

import base64
import copy
import functools
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from ..checks.codes import FIXES
from ..errors import ERROR, Finding, FindingsError, PublishError
from ..project.manuscript import MANUSCRIPT_DIR, Chapter
from .svg_sanitize import inspect_svg

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
TEX_ENCODING = "application/x-tex"
# ziamath draws in px at this size per em; the image is sized in em, so any size will do.
DRAW_SIZE = 20.0
# ziamath keeps global state (loaded fonts) and reports unknown MathML through logging:
# one formula at a time, so a warning belongs to the formula being drawn.
_DRAWING = threading.Lock()
ADDRESS = re.compile(r" at 0x[0-9a-f]+")  # ziamath names an element by its memory address


class MathError(Exception):
    """A formula that cannot be drawn: its TeX, and why."""

    def __init__(self, tex: str, reason: str):
        super().__init__(reason)
        self.tex = tex
        self.reason = reason


def tex_of(math: HtmlElement) -> str:
    """The TeX pandoc kept in a `<math>`'s annotation ("" if none)."""
    for annotation in math.iter("annotation"):
        if annotation.get("encoding") == TEX_ENCODING:
            return (annotation.text or "").strip()
    return ""


def reader_text(element: HtmlElement) -> str:
    """An element's text as a reader sees it, for titles and the contents: a formula's
    symbols, without the TeX its annotation keeps."""
    return "".join(element.xpath(".//text()[not(ancestor::annotation)]")).strip()


def label_math(root: HtmlElement) -> None:
    """Each formula's TeX as its `alttext`, what a reader without MathML shows or speaks."""
    for math in root.iter("math"):
        tex = tex_of(math)
        if tex:
            math.set("alttext", tex)


def unconverted(root: HtmlElement) -> list[str]:
    """The TeX pandoc could not convert: it leaves it, dollars and all, in a `span.math`."""
    return [span.text_content() for span in root.find_class("math") if span.tag == "span"]


class Source(Protocol):
    """Where a formula can be found: a chapter, or any manuscript file's lines."""

    name: str
    lines: list[str]


@dataclass
class SourceText:
    name: str
    lines: list[str]


def refuse_unconverted(parts: Iterable[tuple[HtmlElement, Chapter | None]]) -> None:
    """MTH001 at the chapter line of every formula pandoc left as raw TeX; a part from
    no known chapter (a footnote) is looked for in all of them."""
    parts = list(parts)
    chapters = [chapter for _element, chapter in parts if chapter is not None]
    findings = [
        finding
        for element, source in parts
        for finding in _unconverted_findings(element, [source] if source else chapters)
    ]
    if findings:
        raise FindingsError(sorted(set(findings)))


def _unconverted_findings(root: HtmlElement, sources: Sequence[Source]) -> list[Finding]:
    reason = "pandoc cannot read it"
    return [math_finding(sources, tex.strip("$"), reason) for tex in unconverted(root)]


def draw_formulas(root: HtmlElement, sources: Sequence[Source]) -> None:
    """Every formula under `root` replaced by its drawing, for a PDF; MTH001 at the line
    in `sources` of a formula left as raw TeX or that cannot be drawn."""
    findings = _unconverted_findings(root, sources)
    if findings:
        raise FindingsError(findings)
    try:
        typeset(root)
    except MathError as exc:
        raise FindingsError([math_finding(sources, exc.tex, exc.reason)]) from None


def drawn_or_refused(root: HtmlElement, sources: Sequence[Source]) -> None:
    """`draw_formulas` for a cheatsheet or template, made once the editions are written:
    its MTH001 as a plain error, since "nothing was written" would not be true."""
    try:
        draw_formulas(root, sources)
    except FindingsError as exc:
        raise PublishError("\n".join(finding.format() for finding in exc.findings)) from None


def math_finding(sources: Sequence[Source], tex: str, reason: str) -> Finding:
    """MTH001 at the first line of `sources` holding the formula (its first line, if several)."""
    needle = next((line.strip() for line in tex.splitlines() if line.strip()), tex)
    shown = " ".join(tex.split())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    message = f"TeX math that cannot be typeset ({reason}): {shown}"
    for source in sources:
        for number, line in enumerate(source.lines, 1):
            if needle and needle in line:
                path = f"{MANUSCRIPT_DIR}/{source.name}"
                return Finding(path, number, 1, ERROR, "MTH001", message, FIXES["MTH001"])
    path = f"{MANUSCRIPT_DIR}/{sources[0].name}" if len(sources) == 1 else MANUSCRIPT_DIR
    # Not found (pandoc may have normalised it): the file, or the manuscript, at line 1.
    return Finding(path, 1, 1, ERROR, "MTH001", message, FIXES["MTH001"])


@dataclass(frozen=True)
class Drawing:
    """A formula as SVG, and its box in em: the depth is how far it reaches below the
    baseline."""

    svg: str
    width: float
    height: float
    depth: float

    def data_url(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def typeset(root: HtmlElement) -> None:
    """Replace every `<math>` under `root` with its drawing, an `<img>` (raises MathError)."""
    for math in list(root.iter("math")):
        math.getparent().replace(math, drawing_image(math))


def drawing_image(math: HtmlElement) -> HtmlElement:
    display = math.get("display") == "block"
    tex = tex_of(math)
    drawing = draw(presentation_markup(math), tex)
    style = f"width: {drawing.width:.3f}em"
    if not display:  # inline: the drawing's baseline on the line's
        style += f"; height: {drawing.height:.3f}em; vertical-align: {-drawing.depth:.3f}em"
    image = lxml.html.Element(
        "img",
        {
            "class": "math-display" if display else "math-inline",
            "src": drawing.data_url(),
            "alt": tex or math.text_content(),
            "style": style,
        },
    )
    image.tail = math.tail
    return image


# pandoc writes \hat and \widehat alike, as a combining accent, which ziamath stretches
# to its widest; over one letter or digit the spacing accent is the one TeX would set.
SPACING_ACCENTS = {"\u0302": "\u02c6", "\u0303": "\u02dc", "\u0307": "\u02d9", "\u030c": "\u02c7"}


def presentation_markup(math: HtmlElement) -> str:
    """The formula's MathML as ziamath should draw it: without pandoc's `<semantics>`
    wrapper and TeX annotation (ziamath would draw those too), accents over one
    letter unstretched."""
    math = copy.deepcopy(math)
    body = math.find("semantics")
    children = [body[0]] if body is not None and len(body) else list(math)
    for child in children:
        _narrow_accents(child)
        _table_spacing(child)
    inner = "".join(etree.tostring(c, encoding="unicode", with_tail=False) for c in children)
    display = math.get("display") or "inline"
    return f'<math xmlns="{MATHML_NS}" display="{display}">{inner}</math>'


def _narrow_accents(element: HtmlElement) -> None:
    for over in element.iter("mover"):
        if len(over) == 2 and over[0].tag in ("mi", "mn") and over[1].tag == "mo":
            accent = over[1]
            if accent.text in SPACING_ACCENTS:
                accent.text = SPACING_ACCENTS[accent.text]
                accent.set("stretchy", "false")


def _table_spacing(element: HtmlElement) -> None:
    """Row and column gaps nearer TeX's than ziamath's 0.3em: no column gap inside an
    `aligned` pair of right- and left-aligned columns (pandoc says so in CSS padding,
    which ziamath ignores), 1em between a matrix's columns."""
    for table in element.iter("mtable"):
        table.set("rowspacing", table.get("rowspacing") or "0.5em")  # fractions would touch
        row = table.find("mtr")
        if table.get("columnspacing") or row is None or len(row) < 2:
            continue
        gaps = [
            "0em" if "padding-right: 0" in (cell.get("style") or "") else "1em" for cell in row[:-1]
        ]
        table.set("columnspacing", " ".join(gaps))


@functools.lru_cache(maxsize=1024)
def draw(mathml: str, tex: str) -> Drawing:
    """The formula drawn by ziamath; MathError for MathML it does not know or cannot set."""
    import ziamath

    complaints: list[str] = []
    package = Path(ziamath.__file__).parent

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if Path(record.pathname).is_relative_to(package):  # not another thread's log
                complaints.append(ADDRESS.sub("", record.getMessage()))

    handler = Collect(logging.WARNING)
    with _DRAWING:
        logging.getLogger().addHandler(handler)
        try:
            formula = ziamath.Math(mathml, size=DRAW_SIZE)
            svg = formula.svg()
        except Exception as exc:  # ziamath raises whatever its layout code meets
            raise MathError(tex, f"the PDF's math renderer failed: {exc}") from None
        finally:
            logging.getLogger().removeHandler(handler)
    if complaints:
        raise MathError(tex, f"the PDF's math renderer: {complaints[0]}")
    drawn = inspect_svg(svg.encode())  # every SVG in a book passes the one sanitizer
    if drawn.refused:
        raise MathError(tex, f"the drawing was refused: {drawn.refused[0].message}")
    svg = drawn.data.decode("utf-8")
    root = etree.fromstring(drawn.data)
    width, height = float(root.get("width")), float(root.get("height"))
    depth = formula.margin - formula.node.bbox.ymin  # below the baseline, margin included
    return Drawing(svg, width / DRAW_SIZE, height / DRAW_SIZE, depth / DRAW_SIZE)
