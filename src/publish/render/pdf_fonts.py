"""One embedded font per face in a PDF joined from parts.

Each part laid out on its own embeds its own subset of every face it uses, so a book
joined from sixty chapters would carry sixty copies of its body font. Here the fonts
of one face (the same name and the same font file, `font_union.Identity`) become one:
one font program holding every glyph any part drew, at the glyph ids the parts' text
already names (WeasyPrint keeps them: `font_union`), one widths array, one ToUnicode
map, one descriptor; every font resource of the book (pages, the folios' forms,
annotation appearances) points at it, and the parts' fonts, unreferenced, are not saved.

Only WeasyPrint's own kind of embedded font is merged: a Type0 font over a CIDFontType2
with identity encoding and glyph map, a TrueType program and a ToUnicode of single
glyphs. Any other font (CFF, a font with missing glyphs and its own CMap) stays as it is.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf
from fontTools.ttLib import TTLibError
from pikepdf import Array, Dictionary, Name

from .font_union import Conflict, Identity, Subset, identity, union

SUBSET_TAG = re.compile(r"^/[A-Z]{6}\+")
BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]*)>")
FIXED_PITCH = 1  # FontDescriptor flag bit 1
TO_UNICODE_HEAD = (
    b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    b"/CIDSystemInfo\n<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
    b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    b"1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
)
TO_UNICODE_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"


@dataclass
class Face:
    """The book's fonts of one face, in the order first met: Type0 dictionaries and
    their programs' bytes."""

    name: str
    fonts: list = field(default_factory=list)
    subsets: dict[bytes, Subset] = field(default_factory=dict)
    """Program bytes -> the subset opened (the same subset is often in many parts)."""


def merge_font_subsets(book: pikepdf.Pdf) -> None:
    """Every face's fonts in `book` replaced by one (see the module's docstring)."""
    holders = list(_font_resources(book))
    faces = _faces(holders)
    merged = {}
    for face in faces.values():
        if len(face.fonts) < 2:
            continue
        try:
            font = _merged_font(book, face)
        except Conflict:
            continue  # same name and header, different glyphs: not one face after all
        for old in face.fonts:
            merged[old.objgen] = font
    for resources in holders:
        for key in list(resources.keys()):
            if resources[key].objgen in merged:
                resources[key] = merged[resources[key].objgen]


def _font_resources(book: pikepdf.Pdf) -> Iterator[Dictionary]:
    """Every `/Font` resource dictionary of the book, once each, in page order: pages,
    the form XObjects they draw (folios), annotations' appearances, the form's defaults."""
    seen = set()
    stack = [page.obj for page in reversed(book.pages)]
    if "/AcroForm" in book.Root and "/DR" in book.Root.AcroForm:
        stack.insert(0, Dictionary(Resources=book.Root.AcroForm.DR))
    while stack:
        holder = stack.pop()
        if holder.is_indirect:
            if holder.objgen in seen:
                continue
            seen.add(holder.objgen)
        resources = holder.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, Dictionary) else None
        if isinstance(fonts, Dictionary) and fonts.objgen not in seen:
            if fonts.is_indirect:
                seen.add(fonts.objgen)
            yield fonts
        stack.extend(reversed(_drawn_by(holder, resources)))


def _drawn_by(holder, resources) -> list:
    """The forms a page or form draws and its annotations' appearance streams."""
    drawn = []
    if isinstance(resources, Dictionary) and isinstance(resources.get("/XObject"), Dictionary):
        drawn += [x for _, x in resources.XObject.items() if x.get("/Subtype") == Name.Form]
    for annotation in holder.get("/Annots", []):
        for _, state in annotation.get("/AP", Dictionary()).items():
            drawn += [state] if isinstance(state, pikepdf.Stream) else [s for _, s in state.items()]
    return drawn


def _faces(holders: list[Dictionary]) -> dict[tuple[str, Identity], Face]:
    faces: dict[tuple[str, Identity], Face] = {}
    seen, opened = set(), {}
    for resources in holders:
        for _, font in resources.items():
            if font.objgen in seen or not _mergeable(font):
                continue
            seen.add(font.objgen)
            program = _descriptor(font).FontFile2.read_bytes()
            subset = _opened(opened, program, max(_widths(font.DescendantFonts[0].W)))
            if subset is None:
                continue  # a program fontTools cannot read stays as it is
            name = SUBSET_TAG.sub("", str(font.BaseFont))
            face = faces.setdefault((name, identity(subset.font)), Face(name))
            face.fonts.append(font)
            face.subsets[program] = subset
    return faces


def _opened(opened: dict, program: bytes, last: int) -> Subset | None:
    """The program opened, once for all the fonts that share it (a part's fonts of one
    file do), and the highest glyph id any of them draws."""
    if program not in opened:
        try:
            opened[program] = Subset(program, last)
        except (TTLibError, struct.error, KeyError, ValueError):
            opened[program] = None
    subset = opened[program]
    if subset is not None:
        subset.last = max(subset.last, last)
    return subset


def _mergeable(font) -> bool:
    """A font as WeasyPrint embeds TrueType: Identity-H, one CIDFontType2 descendant with
    an identity glyph map, a FontFile2 program, a ToUnicode and widths."""
    if not isinstance(font, Dictionary) or font.get("/Subtype") != Name.Type0:
        return False
    descendants = font.get("/DescendantFonts")
    if font.get("/Encoding") != Name("/Identity-H") or "/ToUnicode" not in font:
        return False
    if not isinstance(descendants, Array) or len(descendants) != 1:
        return False
    cid = descendants[0]
    return (
        cid.get("/Subtype") == Name.CIDFontType2
        and cid.get("/CIDToGIDMap") == Name.Identity
        and len(cid.get("/W", ())) > 0
        and "/FontFile2" in cid.get("/FontDescriptor", Dictionary())
        and SUBSET_TAG.match(str(font.get("/BaseFont", "")))
    )


def _descriptor(font) -> Dictionary:
    return font.DescendantFonts[0].FontDescriptor


def _merged_font(book: pikepdf.Pdf, face: Face) -> Dictionary:
    """The one Type0 font of `face`: the union of its fonts' programs, widths and maps."""
    program = union(list(face.subsets.values()))
    widths, texts = {}, {}
    for font in face.fonts:
        for gid, width in _widths(font.DescendantFonts[0].W).items():
            if widths.setdefault(gid, width) != width:
                raise Conflict(gid)
        for gid, text in _texts(font.ToUnicode.read_bytes()).items():
            texts.setdefault(gid, text)
    base = max(face.fonts, key=lambda font: len(font.DescendantFonts[0].W))
    name = Name(f"/{_tag(program)}+{face.name}")
    stream = book.make_stream(program)
    stream.Length1 = len(program)
    descriptor = Dictionary(_descriptor(base))
    descriptor.FontName = name
    descriptor.FontFile2 = stream
    descriptor.FontBBox = _widest_box([_descriptor(font).FontBBox for font in face.fonts])
    descriptor.Flags = _flags(int(descriptor.Flags), widths)
    if "/CIDSet" in descriptor:
        descriptor.CIDSet = book.make_stream(_cid_set(widths))
    cid = Dictionary(base.DescendantFonts[0])
    cid.BaseFont = name
    cid.W = _widths_array(widths)
    cid.FontDescriptor = book.make_indirect(descriptor)
    merged = Dictionary(base)
    merged.BaseFont = name
    merged.ToUnicode = book.make_stream(_to_unicode(texts))
    merged.DescendantFonts = Array([book.make_indirect(cid)])
    return book.make_indirect(merged)


def _tag(program: bytes) -> str:
    """Six capitals from the program's bytes: the same glyphs, the same name."""
    return "".join(chr(65 + byte % 26) for byte in hashlib.sha256(program).digest()[:6])


def _widths(array: Array) -> dict[int, object]:
    """Glyph id -> width, from both forms of a `/W` array (`c [w ...]`, `c1 c2 w`)."""
    items, widths, index = list(array), {}, 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], Array):
            widths.update((first + i, w) for i, w in enumerate(items[index + 1]))
            index += 2
        else:
            widths.update(dict.fromkeys(range(first, int(items[index + 1]) + 1), items[index + 2]))
            index += 3
    return widths


def _widths_array(widths: dict[int, object]) -> Array:
    """`c [w ...]` runs of consecutive glyph ids, as WeasyPrint writes them."""
    array = Array()
    for gid in sorted(widths):
        if gid - 1 not in widths:
            array.append(gid)
            array.append(Array())
        array[-1].append(widths[gid])
    return array


def _texts(cmap: bytes) -> dict[int, bytes]:
    """Glyph id -> UTF-16BE hex text, from WeasyPrint's bfchar ToUnicode (a range
    form, which it never writes, would be a Conflict: the font is left as it is)."""
    if b"beginbfrange" in cmap:
        raise Conflict("ToUnicode ranges")
    return {int(gid, 16): text for gid, text in BFCHAR.findall(cmap)}


def _to_unicode(texts: dict[int, bytes]) -> bytes:
    lines = [TO_UNICODE_HEAD]
    gids = sorted(texts)
    for start in range(0, len(gids), 100):  # at most 100 entries a block (PDF's limit)
        block = gids[start : start + 100]
        lines.append(b"%d beginbfchar\n" % len(block))
        lines += [b"<%04x> <%s>\n" % (gid, texts[gid]) for gid in block]
        lines.append(b"endbfchar\n")
    lines.append(TO_UNICODE_TAIL)
    return b"".join(lines)


def _widest_box(boxes: list[Array]) -> Array:
    lows = [min((box[i] for box in boxes), key=float) for i in (0, 1)]
    highs = [max((box[i] for box in boxes), key=float) for i in (2, 3)]
    return Array(lows + highs)


def _flags(flags: int, widths: dict[int, object]) -> int:
    """FixedPitch as WeasyPrint sets it: more than one glyph, all of one width."""
    fixed = len(widths) > 1 and len({float(width) for width in widths.values()}) == 1
    return flags | FIXED_PITCH if fixed else flags & ~FIXED_PITCH


def _cid_set(widths: dict[int, object]) -> bytes:
    bits = bytearray((max(widths) + 8) // 8)
    for gid in widths:
        bits[gid // 8] |= 0x80 >> (gid % 8)
    return bytes(bits)
