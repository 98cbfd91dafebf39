"""One TrueType font program from several subsets of the same font.

WeasyPrint subsets a font for a document with its glyph ids retained up to the highest
id the document draws (`last`): every glyph up to there keeps its place, unused ones are
left empty. Components of accented letters and the like that lie beyond `last` are kept
too, but renumbered after it (HarfBuzz's second pass cuts the file short), and the
composite glyphs naming them name them by their new ids.

So the union of several documents' subsets takes each glyph id up to the highest any
of them draws from a subset that holds it at its place, and appends the components some
subset had renumbered (once each, by content), pointing its composites at them. Every
glyph keeps the subset's bytes (a composite's component ids aside), so it draws exactly
as it did in its part.
"""

from __future__ import annotations

import functools
import io
import itertools
import struct
from dataclasses import dataclass

from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph

# Table fields that bound all glyphs: the union's is the widest of the subsets' (each
# subset's bounds its own glyphs, and every glyph of the union is in some subset).
WIDEST = {
    "head": {"xMin": min, "yMin": min, "xMax": max, "yMax": max},
    "hhea": {
        "advanceWidthMax": max,
        "minLeftSideBearing": min,
        "minRightSideBearing": min,
        "xMaxExtent": max,
    },
    "maxp": {
        field: max
        for field in (
            "maxPoints",
            "maxContours",
            "maxCompositePoints",
            "maxCompositeContours",
            "maxTwilightPoints",
            "maxStorage",
            "maxFunctionDefs",
            "maxInstructionDefs",
            "maxStackElements",
            "maxSizeOfInstructions",
            "maxComponentElements",
            "maxComponentDepth",
        )
    },
}
# What a PDF reader draws a TrueType glyph with (ISO 32000, 9.9) and the tables naming
# and describing the font. The rest (GDEF and any table HarfBuzz passed through) serve
# shaping, which a PDF's text never goes through again, and would describe only the
# glyphs of the subset they came from.
KEPT = {"OS/2", "cmap", "cvt ", "fpgm", "gasp", "glyf", "head", "hhea", "hmtx", "loca"}
KEPT |= {"maxp", "name", "post", "prep"}
# Composite glyph flags (OpenType `glyf`): the size of a component record.
WORDS, SCALE, XY_SCALE, TWO_BY_TWO, MORE = 0x0001, 0x0008, 0x0040, 0x0080, 0x0020


class Conflict(ValueError):
    """Two subsets hold different glyphs at one id: they are not of the same font."""


@dataclass(frozen=True)
class Identity:
    """What names the font a subset was cut from: its header's revision and dates and
    its units per em, which subsetting keeps (its checksum adjustment it does not)."""

    revision: float
    created: int
    modified: int
    units_per_em: int


class Subset:
    """A subset opened, its glyphs' bytes by id as stored (b"" when empty: never
    decoded), and the highest glyph id its document drew (from its PDF widths)."""

    def __init__(self, program: bytes, last: int) -> None:
        # Bounds and timestamps are merged or kept, never recomputed: recomputing would
        # decode every glyph, a timestamp of now would change the bytes on every build.
        self.font = TTFont(io.BytesIO(program), recalcBBoxes=False, recalcTimestamp=False)
        # Glyphs named by id (the program keeps no names; deriving them from `cmap`
        # would cost more than all the rest).
        self.font.setGlyphOrder(glyph_names(self.font["maxp"].numGlyphs))
        self.last = last
        offsets = self.font["loca"].locations
        data = self.font.getTableData("glyf")
        self.glyphs = [data[start:end] for start, end in itertools.pairwise(offsets)]

    @functools.cached_property
    def metrics(self) -> list[tuple[int, int]]:
        """(advance, left side bearing) by glyph id, read from `hmtx` as it is stored."""
        count, total = self.font["hhea"].numberOfHMetrics, len(self.glyphs)
        data = self.font.getTableData("hmtx")
        pairs = list(struct.iter_unpack(">Hh", data[: 4 * count]))
        bearings = struct.unpack_from(f">{total - count}h", data, 4 * count)
        return pairs + [(pairs[-1][0], bearing) for bearing in bearings]


def identity(font: TTFont) -> Identity:
    head = font["head"]
    return Identity(head.fontRevision, head.created, head.modified, head.unitsPerEm)


class _Union:
    """The union's glyphs and metrics by glyph id, as they are taken from the subsets."""

    def __init__(self, top: int) -> None:
        self.glyphs: dict[int, bytes] = {}
        self.metrics: dict[int, tuple[int, int]] = {}
        self.placed: dict[bytes, int] = {}
        self.pointed: set[int] = set()
        """Ids of composites naming a component by its id here: not the subset's bytes."""
        self.next = top + 1

    def take(self, subset: Subset, gid: int, at: int | None = None) -> int:
        """Put the subset's glyph `gid` in the union, at `at` (its own id), or appended
        after the drawn ids (once: by content) when `at` is None; its id here."""
        stored = subset.glyphs[gid]
        data = self._pointed(subset, stored)
        if at is None:
            if data in self.placed:
                return self.placed[data]
            at, self.next = self.next, self.next + 1
        self.glyphs[at], self.metrics[at] = data, subset.metrics[gid]
        self.placed.setdefault(data, at)
        if data != stored:
            self.pointed.add(at)
        return at

    def _pointed(self, subset: Subset, data: bytes) -> bytes:
        """A composite's bytes with each renumbered component's id replaced by its id
        here; any other glyph as it is."""
        renumbered = [(at, gid) for at, gid in _components(data) if gid > subset.last]
        if not renumbered:
            return data
        pointed = bytearray(data)
        for at, gid in renumbered:
            struct.pack_into(">H", pointed, at, self.take(subset, gid))
        return bytes(pointed)


def union(subsets: list[Subset]) -> bytes:
    """The font program holding every glyph any of `subsets` draws, at its id (see the
    module's docstring). Raises Conflict when two subsets disagree on a glyph."""
    ordered = sorted(subsets, key=lambda subset: -subset.last)  # stable: first met first
    merged = _Union(ordered[0].last)
    for subset in ordered:
        for gid, data in enumerate(subset.glyphs[: subset.last + 1]):
            if not data:
                continue
            if gid not in merged.glyphs:
                merged.take(subset, gid, at=gid)
            elif merged.glyphs[gid] != data and not _renumbers(subset, data, merged, gid):
                raise Conflict(gid)
    return _saved(ordered[0].font, merged, subsets)


def _renumbers(subset: Subset, data: bytes, merged: _Union, gid: int) -> bool:
    """Whether a difference at `gid` is only in renumbered components' ids."""
    return gid in merged.pointed or any(c > subset.last for _, c in _components(data))


def _components(data: bytes):
    """(offset of the glyph id, glyph id) of each component of a composite glyph."""
    if len(data) < 10 or struct.unpack_from(">h", data)[0] >= 0:
        return
    at, more = 10, True
    while more:
        flags, gid = struct.unpack_from(">HH", data, at)
        yield at + 2, gid
        at += 4 + (4 if flags & WORDS else 2)
        at += 2 if flags & SCALE else 4 if flags & XY_SCALE else 8 if flags & TWO_BY_TWO else 0
        more = bool(flags & MORE)


def _saved(base: TTFont, merged: _Union, subsets: list[Subset]) -> bytes:
    """`base` made the union: its tables widened, its glyphs, metrics and code points the
    union's (under names of our own: the font keeps none, a PDF needs none)."""
    codes = {}
    for subset in subsets:
        _widen(base, subset.font)
        for key, gid in _codes(subset).items():
            codes.setdefault(key, gid)
    base["cmap"]  # decoded under the subset's names, before they change
    names = glyph_names(max(merged.glyphs) + 1)
    base.setGlyphOrder(names)
    base["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = names
    glyf.glyphs = {name: Glyph(merged.glyphs.get(gid, b"")) for gid, name in enumerate(names)}
    base["hmtx"] = hmtx = newTable("hmtx")
    hmtx.metrics = {name: merged.metrics.get(gid, (0, 0)) for gid, name in enumerate(names)}
    for table in base["cmap"].tables:
        owner = (table.platformID, table.platEncID)
        table.cmap = {
            code: names[gid] for (*key, code), gid in codes.items() if tuple(key) == owner
        }
    base["post"].formatType = 3.0
    for tag in sorted(set(base.keys()) - KEPT - {"GlyphOrder"}):
        del base[tag]
    out = io.BytesIO()
    base.save(out, reorderTables=False)
    return out.getvalue()


def _codes(subset: Subset) -> dict[tuple[int, int, int], int]:
    """(platform, encoding, code point) -> glyph id, of every cmap subtable, for the
    glyphs at their own ids."""
    codes = {
        (table.platformID, table.platEncID, code): _glyph_id(name)
        for table in subset.font["cmap"].tables
        for code, name in sorted(table.cmap.items())
    }
    return {key: gid for key, gid in codes.items() if gid <= subset.last}


def glyph_names(count: int) -> list[str]:
    """Names by glyph id, as fontTools makes them for a font that has none."""
    return list(_names(count))


@functools.cache
def _names(count: int) -> tuple[str, ...]:
    return (".notdef", *(f"glyph{gid:05d}" for gid in range(1, count)))


def _glyph_id(name: str) -> int:
    return 0 if name == ".notdef" else int(name.removeprefix("glyph"))


def _widen(base: TTFont, font: TTFont) -> None:
    for tag, fields in WIDEST.items():
        mine, theirs = base[tag], font[tag]
        for field, pick in fields.items():
            if hasattr(mine, field) and hasattr(theirs, field):
                setattr(mine, field, pick(getattr(mine, field), getattr(theirs, field)))
