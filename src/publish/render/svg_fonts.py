"""Cut a font down to the glyphs a text needs (the EPUB's fonts, `outputs/epub_fonts.py`).

Diagrams no longer carry fonts: their labels are outlines in the EPUB (`svg_outlines.py`).
"""

from __future__ import annotations

from fontTools.ttLib import TTFont

# SIL's Graphite tables, which fontTools cannot subset (it drops them, with a warning).
GRAPHITE_TABLES = ["Silf", "Silt", "Sill", "Glat", "Gloc", "Feat"]


def subset_font(font_file, text: str, **options) -> TTFont:
    """The font cut down to the glyphs `text` needs (with their ligatures and accents); its
    own head date kept, so the same text gives the same bytes on any day."""
    from fontTools import subset  # here: its import takes a fifth of a second, and a
    # rebuild whose subsets all come from the cache needs none

    font = TTFont(font_file, recalcTimestamp=False)
    settings = subset.Options(**options)
    settings.drop_tables += GRAPHITE_TABLES
    subsetter = subset.Subsetter(settings)
    subsetter.populate(text=text)
    subsetter.subset(font)
    return font
