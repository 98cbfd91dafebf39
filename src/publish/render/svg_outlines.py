"""Draw a diagram's labels as outlines, for e-readers.

An SVG shown through `<img>` cannot see the book's `@font-face` rules, and a font embedded
in the SVG itself is ignored by some readers and converters (Calibre's Kindle output drew
"iterate" as "terate" in a fallback font). So the EPUB's copy of each diagram draws its
labels as path data instead: the same font file Graphviz measured the text with, shaped by
HarfBuzz (kerning, ligatures) as the PDF's renderer shapes it, placed by the `<text>`
element's x, y and `text-anchor`. The words themselves reach readers through the figure's
alt text and long description; the PDF keeps real text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont
from lxml import etree

from ..project.theme import Theme

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
FONT_FACE = re.compile(r"@font-face\s*\{([^}]*)\}")
DESCRIPTOR = re.compile(r"(font-family|font-weight|font-style)\s*:\s*([^;]+)")
SOURCE = re.compile(r"url\(\s*['\"]?(fonts/[^'\")]+)")
SYMBOLS_FAMILY = "DejaVu Sans Symbols"  # the theme's fallback face (fonts.css)
WEIGHTS = {"normal": "400", "semibold": "600", "bold": "700"}
FACE_NAME = re.compile(r"(.+?)\s+((?:(?:semibold|bold|italic|regular)\s*)+)", re.I)
# The text attributes a label's path keeps: its colour and any transform.
KEPT_ATTRIBUTES = ("fill", "fill-opacity", "opacity", "transform")


@dataclass(frozen=True)
class Face:
    shaper: hb.Font
    glyphs: object  # fontTools glyph set
    glyph_order: list[str]
    units_per_em: int
    characters: frozenset[int]


@functools.lru_cache(maxsize=16)
def load_face(path: Path) -> Face:
    font = TTFont(path, lazy=True)
    shaper = hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))
    return Face(
        shaper,
        font.getGlyphSet(),
        font.getGlyphOrder(),
        font["head"].unitsPerEm,
        frozenset(font.getBestCmap()),
    )


def theme_faces(theme: Theme) -> dict[tuple[str, str, str], Path]:
    """(family, weight, style) -> font file, from the theme's fonts.css."""
    faces = {}
    for rule in FONT_FACE.findall(theme.file("fonts.css").read_text(encoding="utf-8")):
        descriptors = {k: v.strip().strip("'\"") for k, v in DESCRIPTOR.findall(rule)}
        source = SOURCE.search(rule)
        if "font-family" in descriptors and source:
            weight = descriptors.get("font-weight", "normal")
            weight = WEIGHTS.get(weight, weight)
            key = (descriptors["font-family"], weight, descriptors.get("font-style", "normal"))
            faces[key] = theme.file(source.group(1))
    return faces


def _face_for(text, faces: dict) -> Path | None:
    family = text.get("font-family", "").split(",")[0].strip().strip("'\"")
    weight = WEIGHTS.get(text.get("font-weight", "normal"), text.get("font-weight", "400"))
    style = text.get("font-style", "normal")
    # Graphviz passes `fontname="Open Sans Bold Italic"` on as the family: read the style
    # words off its end, as fontconfig does when it finds the face.
    named = FACE_NAME.fullmatch(family)
    if named and not any(f == family for f, _, _ in faces):
        family, words = named.group(1), named.group(2).lower()
        weight = next((w for name, w in WEIGHTS.items() if name in words), weight)
        style = "italic" if "italic" in words else style
    # A face the theme lacks (a semibold italic) is drawn in its nearest: the upright, then
    # the regular, rather than left to whatever font a reader has.
    for key in ((family, weight, style), (family, weight, "normal"), (family, "400", "normal")):
        if key in faces:
            return faces[key]
    return None


def _runs(label: str, face: Face, fallback: Face | None):
    """The label cut into runs of one face each: characters the label's face lacks (arrows,
    check marks) come from the theme's symbols face, as they do in the PDF."""
    runs: list[tuple[Face, str]] = []
    for char in label:
        chosen = face
        if ord(char) not in face.characters and fallback and ord(char) in fallback.characters:
            chosen = fallback
        if runs and runs[-1][0] is chosen:
            runs[-1] = (chosen, runs[-1][1] + char)
        else:
            runs.append((chosen, char))
    return runs


def _shaped(label: str, face: Face, fallback: Face | None, size: float):
    """Each glyph as (face, glyph name, x, y) in pixels from the label's start, and the
    label's whole advance width."""
    placed, pen_x = [], 0.0
    for run_face, run in _runs(label, face, fallback):
        buffer = hb.Buffer()
        buffer.add_str(run)
        buffer.guess_segment_properties()
        hb.shape(run_face.shaper, buffer)
        scale = size / run_face.units_per_em
        for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
            name = run_face.glyph_order[info.codepoint]
            x, y = pen_x + position.x_offset * scale, position.y_offset * scale
            placed.append((run_face, name, x, y))
            pen_x += position.x_advance * scale
    return placed, pen_x


def _number(value: float) -> str:
    """Two decimals: a hundredth of a unit, finer than any screen, and short."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class GlyphDefinitions:
    """Each glyph a diagram uses, drawn once in `<defs>` in font units (whole numbers,
    short), and placed by `<use>` wherever a label needs it: a label costs a line."""

    def __init__(self, root):
        self.defs = etree.Element(f"{{{SVG_NS}}}defs")
        self.ids: dict[tuple[int, str], str | None] = {}
        self.root = root

    def use(self, face: Face, name: str) -> str | None:
        """The id of the glyph's definition; None for a glyph with no ink (a space)."""
        key = (id(face), name)
        if key not in self.ids:
            outline = DecomposingRecordingPen(face.glyphs)  # accents are components
            face.glyphs[name].draw(outline)
            pen = SVGPathPen(None, ntos=lambda value: str(round(value)))  # font units
            outline.replay(pen)
            data = pen.getCommands()
            self.ids[key] = f"glyph-{len(self.defs) + 1}" if data else None
            if data:
                etree.SubElement(self.defs, f"{{{SVG_NS}}}path", id=self.ids[key], d=data)
        return self.ids[key]

    def attach(self) -> None:
        if len(self.defs):
            self.root.insert(0, self.defs)


def rendered_text(text) -> str:
    """The characters a renderer draws for a `<text>`, by SVG 1.1's white-space rules: as
    WeasyPrint draws them in the PDF (Graphviz's " and " between an HTML label's bold and
    italic runs loses its spaces there too)."""
    label = "".join(text.itertext()).replace("\t", " ")
    if text.get(f"{{{XML_NS}}}space") == "preserve":
        return label.replace("\n", " ")
    return re.sub(" +", " ", label.replace("\n", "")).strip(" ")


def label_group(text, face: Face, fallback: Face | None, glyphs: GlyphDefinitions):
    """A `<g>` drawing the `<text>` element's label as a renderer would: shaped with kerning
    and ligatures, anchored at x by its whole width, on the baseline at y."""
    label = rendered_text(text)
    size = float(text.get("font-size", "14"))
    placed, width = _shaped(label, face, fallback, size)
    anchor = {"middle": width / 2, "end": width}.get(text.get("text-anchor", "start"), 0.0)
    x = float(text.get("x", "0")) - anchor
    y = float(text.get("y", "0"))
    # A class the text had (a stylesheet's hook) stays on its drawing.
    group = etree.Element(f"{{{SVG_NS}}}g", {"class": f"label {text.get('class', '')}".strip()})
    for name in KEPT_ATTRIBUTES:
        if text.get(name) is not None:
            group.set(name, text.get(name))
    # Glyphs are placed in the label font's own units, y up: whole numbers, short.
    scale = size / face.units_per_em
    placement = f"translate({_number(x)} {_number(y)}) scale({scale:.6g} -{scale:.6g})"
    group.set("transform", f"{group.get('transform', '')} {placement}".strip())
    for glyph_face, name, dx, dy in placed:
        glyph = glyphs.use(glyph_face, name)
        if glyph is None:
            continue
        use = etree.SubElement(group, f"{{{SVG_NS}}}use")
        use.set(f"{{{XLINK_NS}}}href", f"#{glyph}")
        use.set("x", _number(dx / scale))
        if dy:
            use.set("y", _number(dy / scale))
        if glyph_face.units_per_em != face.units_per_em:  # a symbol from another face
            ratio = face.units_per_em / glyph_face.units_per_em
            use.set("transform", f"scale({ratio:.6g})")
            use.set("x", _number(dx / scale / ratio))
    return group if len(group) else None


def outline_labels(svg: bytes, theme: Theme) -> bytes:
    """The SVG with each label in a theme font drawn as outlines; a label in a font the
    theme lacks stays text (the PDF and the EPUB then both depend on the reader's fonts)."""
    root = etree.fromstring(svg)
    faces = theme_faces(theme)
    symbols = next((p for (f, *_), p in faces.items() if f == SYMBOLS_FAMILY), None)
    fallback = load_face(symbols) if symbols else None
    glyphs = GlyphDefinitions(root)
    changed = False
    for text in list(root.iter(f"{{{SVG_NS}}}text")):
        source = _face_for(text, faces) if _placed_simply(text) else None
        if source is None:
            continue
        changed = True
        group = label_group(text, load_face(source), fallback, glyphs)
        if group is not None:
            group.tail = text.tail
            text.addprevious(group)
        _remove_keeping_tail(text)
    if not changed:
        return svg  # an author's own SVG with no text we can draw stays byte for byte
    glyphs.attach()
    return etree.tostring(root, encoding="utf-8")


def _placed_simply(text) -> bool:
    """A `<text>` as Graphviz writes it: one run at one x and y, styled by attributes. An
    author's own SVG may place each character or `<tspan>` itself, or style text from CSS;
    such text is left as it is rather than drawn somewhere else."""
    numbers = [text.get(a, "0").strip() for a in ("x", "y")]
    return (
        len(text) == 0
        and not any(text.get(a) for a in ("style", "dx", "dy", "rotate", "textLength"))
        and all(re.fullmatch(r"-?[\d.]+", n) for n in numbers)
    )


def _remove_keeping_tail(element) -> None:
    parent, previous = element.getparent(), element.getprevious()
    if element.tail and previous is not None and not previous.tail:
        previous.tail = element.tail
    parent.remove(element)
