"""The EPUB's fonts: only the faces its pages use, each cut down to the characters it draws.

Whole fonts were 94% of the bundled EPUB. After the EPUB's documents are written, the
stylesheet's cascade says which face draws which character (`font_usage`), each used face
is subset to those characters (fontTools, `render/svg_fonts.py`), and the
stylesheet and the package's manifest list only those subsets.

Subsets stay TrueType (or OpenType-CFF) files, not WOFF2: every reading system that embeds
fonts reads TTF/OTF (Kindle's converters and older Adobe-engine readers read nothing
else), while WOFF2 is core only since EPUB 3.3; the zip's deflate already halves a TTF.

A subset is a Modified Version under the SIL Open Font License, which may not carry the
font's Reserved Font Names: a face whose licence reserves names (Charis SIL reserves
"Charis" and "SIL") is renamed, in its name table and in the stylesheet, to a name
without them ("Publish Serif"); its copyright and licence records are kept. Every subset
says in its description that it was modified, as the Apache License asks of Open Sans.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
from pathlib import Path

import fontTools
from fontTools.ttLib import TTFont
from lxml import etree

from ..cache_entries import read_entry, write_entry
from ..checks.glyphs import font_characters
from ..project.theme import FONT_URL, Theme
from ..render.resources import MEDIA_TYPES
from ..render.svg_fonts import subset_font
from .font_usage import GENERIC, Face, characters_by_face, font_faces

OPF_NS = "http://www.idpf.org/2007/opf"
XHTML_TYPE = "application/xhtml+xml"
RESERVED = re.compile(r"Reserved Font Names?\s+((?:\"[^\"]+\"(?:\s*,\s*|\s+and\s+)?)+)", re.I)
MODIFIED_NOTICE = (
    "Modified by publish: subset to the characters one book uses, for embedding in it. "
    "See the copyright and licence records."
)
GENERIC_ROLES = {"serif": "Serif", "sans-serif": "Sans", "monospace": "Mono"}
KEPT_NAME_IDS = ["*"]  # copyright, licence, trademark and designer records travel with it
SUBSET_FORMAT = "epub-subset-2"  # change when subset_face changes what it makes
FONT_DECLARATION = re.compile(r"\bfont(?:-family)?\s*:[^;}]*[;}]", re.I)
FACE_RULE = re.compile(r"@font-face\s*\{[^}]*\}")


def reserved_names(font_file) -> list[str]:
    """The Reserved Font Names a font's copyright or licence record declares."""
    with TTFont(font_file, lazy=True) as font:
        notices = " ".join(font["name"].getDebugName(i) or "" for i in (0, 13))
    return [n for group in RESERVED.findall(notices) for n in re.findall(r'"([^"]+)"', group)]


def _role(family: str, css: str) -> str:
    """'Serif', 'Sans' or 'Mono': the generic family the stylesheet falls back to after it."""
    for stack in re.findall(r"font-family:\s*([^;}]*)", css):
        names = [n.strip().strip("'\"") for n in stack.split(",")]
        if family in names and names[-1] in GENERIC:
            return GENERIC_ROLES.get(names[-1], "Font")
    return "Font"


def family_names(faces: list[Face], theme: Theme, css: str) -> dict[str, str]:
    """Each family's name in the EPUB: its own, or a free one when its licence reserves it."""
    names: dict[str, str] = {}
    for face in faces:
        if face.family in names:
            continue
        reserved = reserved_names(theme.file(face.source))
        if any(word.lower() in face.family.lower() for word in reserved):
            base = f"Publish {_role(face.family, css)}"
            name, number = base, 2
            while name in names.values():
                name, number = f"{base} {number}", number + 1
            names[face.family] = name
        else:
            names[face.family] = face.family
    return names


def _rename(font, family: str) -> None:
    """Give a subset its family name in every record that names the font."""
    table = font["name"]
    style = table.getDebugName(17) or table.getDebugName(2) or "Regular"
    postscript = f"{family}-{style}".replace(" ", "")
    for record_id, value in (
        (1, family),
        (16, family),
        (21, family),
        (4, f"{family} {style}"),
        (18, f"{family} {style}"),
        (3, f"{postscript};publish-subset"),
        (6, postscript),
        (20, postscript),
    ):
        if table.getDebugName(record_id) is not None or record_id in (1, 3, 4, 6):
            table.removeNames(nameID=record_id)
            table.addMultilingualName({"en": value}, ttFont=font, nameID=record_id, mac=False)
    if "CFF " in font:
        font["CFF "].cff.fontNames = [postscript]


def cached_subset(
    face: Face, characters: set[str], theme: Theme, family: str, cache: Path | None
) -> bytes:
    """A subset from the cache when the same font was cut to the same characters before:
    decompiling Charis SIL's layout tables takes about a second a face, and most edits
    to a chapter change no character set."""
    if cache is None:
        return subset_face(face, characters, theme, family)
    key = hashlib.sha256()
    for part in (SUBSET_FORMAT, fontTools.version, family, "".join(sorted(characters))):
        key.update(part.encode() + b"\0")
    key.update(theme.file(face.source).read_bytes())
    path = cache / f"{key.hexdigest()}.font"
    if (cached := read_entry(path)) is not None:
        return cached
    data = subset_face(face, characters, theme, family)
    write_entry(path, data, cache.parent)
    return data


def subset_face(face: Face, characters: set[str], theme: Theme, family: str) -> bytes:
    font = subset_font(theme.file(face.source), "".join(sorted(characters)), name_IDs=KEPT_NAME_IDS)
    if family != face.family:
        _rename(font, family)
    font.flavor = None  # a project's WOFF/WOFF2 face goes in as TTF/OTF too
    font["name"].removeNames(nameID=10)
    font["name"].addMultilingualName({"en": MODIFIED_NOTICE}, ttFont=font, nameID=10, mac=False)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _file_name(face: Face, family: str, data: bytes) -> str:
    """fonts/<file>: the theme's file name, or the new family's for a renamed face."""
    stem = posixpath.splitext(posixpath.basename(face.source))[0]
    if family != face.family:
        style = stem.rsplit("-", 1)[-1] if "-" in stem else "Regular"
        stem = f"{family.replace(' ', '')}-{style}"
    return f"fonts/{stem}{'.otf' if data[:4] == b'OTTO' else '.ttf'}"


def _rewrite_css(css: str, kept: dict[str, str], names: dict[str, str]) -> str:
    """The stylesheet naming only the embedded subsets: other @font-face rules go, each
    source becomes its subset's file, and a renamed family is renamed wherever it is named."""

    def face_rule(match: re.Match) -> str:
        source = FONT_URL.search(match.group(0))
        if source is None:
            return match.group(0)  # local() only: no file of ours to embed or leave out
        if source.group(1) not in kept:
            return ""
        return match.group(0).replace(source.group(1), "../" + kept[source.group(1)])

    css = FACE_RULE.sub(face_rule, css)
    for old, new in names.items():
        if old != new:
            css = _renamed(css, old, new)
    return css


def _renamed(css: str, old: str, new: str) -> str:
    """Every naming of family `old` as `new`: quoted anywhere, or unquoted in a font list
    (`font-family: Charis SIL, serif`)."""
    css = re.sub(rf"([\"']){re.escape(old)}\1", f'"{new}"', css)
    unquoted = re.compile(rf"(?<![\w\"'-]){re.escape(old)}(?=\s*[,;}}!])", re.I)
    return FONT_DECLARATION.sub(lambda m: unquoted.sub(f'"{new}"', m.group(0)), css)


def embed_used_fonts(
    entries: dict[str, bytes], css_name: str, theme: Theme, cache: Path | None = None
) -> dict[str, bytes]:
    """The EPUB's entries with the used faces' subsets added to the zip and the manifest,
    and the stylesheet at `css_name` (its fonts named `url(fonts/...)`, as in the theme)
    rewritten to name them; subsets, and what each page draws in each style, are kept in
    `cache` for the next build."""
    opf_name = next(name for name in entries if name.endswith(".opf"))
    root = posixpath.dirname(opf_name)
    package = etree.fromstring(entries[opf_name])
    items = package.iter(f"{{{OPF_NS}}}item")
    documents = {
        posixpath.join(root, i.get("href")): entries[posixpath.join(root, i.get("href"))]
        for i in items
        if i.get("media-type") == XHTML_TYPE
    }
    css_path = posixpath.join(root, css_name)
    css = entries[css_path].decode("utf-8")
    faces = [f for f in font_faces(css) if FONT_URL.fullmatch(f"url({f.source})")]
    faces = [f for f in faces if ".." not in f.source.split("/")]  # never outside the theme
    covered = {f.source: font_characters(theme.file(f.source)) for f in faces}
    used = characters_by_face(documents, css, faces, covered, cache)
    names = family_names(sorted(used, key=_face_order), theme, css)
    fonts, kept = {}, {}
    for face in sorted(used, key=_face_order):
        data = cached_subset(face, used[face], theme, names[face.family], cache)
        kept[face.source] = _file_name(face, names[face.family], data)
        fonts[kept[face.source]] = data
    entries = dict(entries)
    entries[css_path] = _rewrite_css(css, kept, names).encode("utf-8")
    for name, data in fonts.items():
        entries[posixpath.join(root, name)] = data
    entries[opf_name] = _with_font_items(package, sorted(fonts))
    return entries


def _face_order(face: Face) -> tuple:
    return (face.source, face.family, face.weight, face.italic)


def _with_font_items(package, names: list[str]) -> bytes:
    manifest = package.find(f"{{{OPF_NS}}}manifest")
    for index, name in enumerate(names):
        etree.SubElement(
            manifest,
            f"{{{OPF_NS}}}item",
            {
                "href": name,
                "id": f"font-{index}",
                "media-type": MEDIA_TYPES[posixpath.splitext(name)[1]],
            },
        )
    return etree.tostring(package, pretty_print=True, encoding="utf-8", xml_declaration=True)
