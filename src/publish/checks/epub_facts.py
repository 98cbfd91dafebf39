"""What a built EPUB holds, measured for the store preflight: cover, images, files, fonts.

Reads the zip as a store's ingestion would (container.xml, then the package document),
so it measures the EPUB that ships, whatever built it.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
APPLE_OPTIONS = "META-INF/com.apple.ibooks.display-options.xml"
FONT_ENDINGS = (".ttf", ".otf", ".woff", ".woff2")
RASTER_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass(frozen=True)
class Image:
    name: str  # path inside the EPUB
    width: int
    height: int
    bytes: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class Link:
    name: str  # the XHTML file inside the EPUB
    line: int
    href: str


@dataclass(frozen=True)
class Font:
    name: str
    fs_type: int | None  # None: the font could not be read (obfuscated or damaged)


@dataclass
class EpubFacts:
    title: str = ""
    opf_name: str = ""  # the package document, where the title is
    title_line: int = 1
    bytes: int = 0
    cover: Image | None = None  # a raster cover, measured
    has_cover: bool = False  # any cover, an SVG one too (it has no pixel size to measure)
    images: list[Image] = field(default_factory=list)
    xhtml_sizes: dict[str, int] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    fonts: list[Font] = field(default_factory=list)
    display_options: bool = False  # Apple's file, asking for the book's own fonts


def read_epub(path: Path) -> EpubFacts:
    """Measure one EPUB; raises zipfile.BadZipFile or KeyError if it is no EPUB."""
    facts = EpubFacts(bytes=path.stat().st_size)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        opf_name = _package_path(archive.read("META-INF/container.xml"))
        package = etree.fromstring(archive.read(opf_name), XML_PARSER)
        base = posixpath.dirname(opf_name)
        facts.opf_name = opf_name
        title = package.find(f".//{{{DC_NS}}}title")
        if title is not None:
            facts.title, facts.title_line = (title.text or "").strip(), title.sourceline or 1
        cover_id = _cover_id(package)
        for item in package.iter(f"{{{OPF_NS}}}item"):
            name = posixpath.normpath(posixpath.join(base, item.get("href", "")))
            if name not in names:
                continue  # EPUBCheck reports missing files; nothing to measure here
            _measure_item(archive, item, name, cover_id, facts)
        facts.display_options = APPLE_OPTIONS in names and _asks_for_fonts(
            archive.read(APPLE_OPTIONS)
        )
    return facts


def _measure_item(archive, item, name: str, cover_id: str, facts: EpubFacts) -> None:
    media_type = item.get("media-type", "")
    info = archive.getinfo(name)
    is_cover = bool(cover_id) and item.get("id") == cover_id
    facts.has_cover = facts.has_cover or is_cover
    if media_type in RASTER_TYPES:
        image = _image(name, archive.read(name), info.file_size)
        if image is not None:
            facts.images.append(image)
            if is_cover:
                facts.cover = image
    elif media_type == "application/xhtml+xml":
        facts.xhtml_sizes[name] = info.file_size
        facts.links += _links(name, archive.read(name))
    elif "font" in media_type or name.lower().endswith(FONT_ENDINGS):
        facts.fonts.append(Font(name, _fs_type(archive.read(name))))


def _package_path(container: bytes) -> str:
    root = etree.fromstring(container, XML_PARSER)
    rootfile = root.find(".//{*}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise KeyError("container.xml names no package document")
    return rootfile.get("full-path")


def _cover_id(package) -> str:
    """The cover's manifest id: EPUB 3's cover-image property, else EPUB 2's meta."""
    for item in package.iter(f"{{{OPF_NS}}}item"):
        if "cover-image" in item.get("properties", "").split():
            return item.get("id", "")
    for meta in package.iter(f"{{{OPF_NS}}}meta"):
        if meta.get("name") == "cover":
            return meta.get("content", "")
    return ""


def _image(name: str, data: bytes, size: int) -> Image | None:
    from PIL import Image as Pillow  # here: `publish check` without --store needs none

    try:
        with Pillow.open(io.BytesIO(data)) as picture:  # reads the header only
            width, height = picture.size
    except (OSError, Pillow.DecompressionBombError):
        # Unreadable (EPUBCheck reports it) or over 179 MP, which Pillow will not open.
        return None
    return Image(name, width, height, size)


def _links(name: str, data: bytes) -> list[Link]:
    try:
        root = etree.fromstring(data, XML_PARSER)
    except etree.XMLSyntaxError:
        return []  # EPUBCheck reports it
    return [
        Link(name, element.sourceline or 1, element.get("href"))
        for element in root.iter("{*}a", "{*}area")
        if element.get("href")
    ]


def _fs_type(data: bytes) -> int | None:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        return int(font["OS/2"].fsType) if "OS/2" in font else 0
    except (TTLibError, KeyError, OSError, ValueError, AssertionError):
        return None  # obfuscated (META-INF/encryption.xml) or damaged


def _asks_for_fonts(data: bytes) -> bool:
    try:
        root = etree.fromstring(data, XML_PARSER)
    except etree.XMLSyntaxError:
        return False
    return any(
        option.get("name") == "specified-fonts" and (option.text or "").strip() == "true"
        for option in root.iter("option")
    )
