"""Carry a diagram's fonts inside its SVG, for e-readers.

An SVG shown through `<img>` is a document of its own: it cannot see the book's
`@font-face` rules, so a reading system draws its labels in whatever font it has.
Embedding a subset of each named font (just the glyphs the labels use, as WOFF2
in a data URL) keeps the diagram in the book's type everywhere, for a few KB.
"""

from __future__ import annotations

import base64
import io
import re

from fontTools import subset
from fontTools.ttLib import TTFont
from lxml import etree

from ..checks.glyphs import font_characters
from ..project.theme import Theme

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FACE = re.compile(r"@font-face\s*\{([^}]*)\}")
FAMILY = re.compile(r'font-family:\s*"([^"]+)"')
SYMBOLS_FAMILY = "DejaVu Sans Symbols"  # the theme's fallback face (fonts.css)
SOURCE = re.compile(r"url\(\s*['\"]?(fonts/[^'\")]+)")


def regular_faces(theme: Theme) -> dict[str, str]:
    """Family name -> font file of its upright regular face, from the theme's fonts.css."""
    faces = {}
    for rule in FONT_FACE.findall(theme.file("fonts.css").read_text(encoding="utf-8")):
        family, source = FAMILY.search(rule), SOURCE.search(rule)
        if family and source and "font-weight" not in rule and "font-style" not in rule:
            faces[family.group(1)] = source.group(1)
    return faces


# SIL's Graphite tables, which fontTools cannot subset (it drops them, with a warning).
GRAPHITE_TABLES = ["Silf", "Silt", "Sill", "Glat", "Gloc", "Feat"]


def subset_font(font_file, text: str, **options) -> TTFont:
    """The font cut down to the glyphs `text` needs (with their ligatures and accents); its
    own head date kept, so the same text gives the same bytes on any day."""
    font = TTFont(font_file, recalcTimestamp=False)
    settings = subset.Options(**options)
    settings.drop_tables += GRAPHITE_TABLES
    subsetter = subset.Subsetter(settings)
    subsetter.populate(text=text)
    subsetter.subset(font)
    return font


def subset_woff2(font_file, text: str) -> bytes:
    font = subset_font(font_file, text)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _add_symbols_fallback(texts, used: dict[str, set[str]], faces: dict[str, str], theme):
    """Labels with characters their family lacks (arrows, check marks) name the theme's
    symbols face after it, so the reading system need not guess a font for them."""
    if SYMBOLS_FAMILY not in faces:
        return
    for text in texts:
        family = text.get("font-family", "").strip("'\"")
        if family not in faces or family == SYMBOLS_FAMILY:
            continue
        covered = font_characters(theme.file(faces[family]))
        missing = {c for c in "".join(text.itertext()) if ord(c) not in covered}
        if missing:
            text.set("font-family", f"{family},{SYMBOLS_FAMILY}")
            used.setdefault(SYMBOLS_FAMILY, set()).update(missing | {" "})


def embed_fonts(svg: bytes, theme: Theme) -> bytes:
    """The SVG with an @font-face rule per theme font its text uses; unchanged otherwise."""
    root = etree.fromstring(svg)
    texts = list(root.iter(f"{{{SVG_NS}}}text"))
    used: dict[str, set[str]] = {}
    for text in texts:
        family = text.get("font-family", "").strip("'\"")
        used.setdefault(family, set()).update("".join(text.itertext()))
    faces = regular_faces(theme)
    _add_symbols_fallback(texts, used, faces, theme)
    rules = []
    for family in sorted(used.keys() & faces.keys()):
        data = subset_woff2(theme.file(faces[family]), "".join(sorted(used[family])))
        url = "data:font/woff2;base64," + base64.b64encode(data).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{family}"; src: url({url}); }}')
    if not rules:
        return svg
    style = etree.Element(f"{{{SVG_NS}}}style")
    style.text = "\n".join(rules)
    root.insert(0, style)
    return etree.tostring(root, encoding="utf-8")
