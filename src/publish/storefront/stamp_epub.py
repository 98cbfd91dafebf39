"""Stamp an EPUB: the licence line on the copyright page, the buyer in the OPF, the
fingerprint in every text document; nothing rendered again.

The master is read once: every member a stamp leaves alone (fonts, images, styles) is
compressed into a base archive, and each copy appends only the few small documents it
changes to a copy of that base, so a copy costs a few kilobytes of compression.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

from . import fingerprint
from .order import Order

CONTAINER = "META-INF/container.xml"
OPF_NS = {"opf": "http://www.idpf.org/2007/opf"}
# Properties a stamp adds to the OPF, in a vocabulary the package declares.
PREFIX = "stamp: https://publish.invalid/vocab/stamp#"
FIRST_PARAGRAPH_END = re.compile(r"</p>")
SECTION_END = re.compile(r"</section>\s*</body>")


@dataclass(frozen=True)
class EpubMaster:
    """What every copy of one master EPUB shares."""

    sha256: str
    base: bytes
    """A valid archive: the mimetype first, then every member no stamp changes."""
    opf_name: str
    colophon_name: str
    texts: dict[str, str]
    """The members a stamp changes (the OPF and the XHTML documents), as text."""
    infos: dict[str, zipfile.ZipInfo]

    @classmethod
    def read(cls, data: bytes, sha256: str) -> EpubMaster:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            opf_name = _opf_name(archive.read(CONTAINER))
            changing = {opf_name, *_spine_documents(archive, opf_name)}
            colophon = _colophon(archive, changing)
            texts = {name: archive.read(name).decode("utf-8") for name in sorted(changing)}
            infos = {info.filename: info for info in archive.infolist()}
            base = io.BytesIO()
            with zipfile.ZipFile(base, "w") as out:
                for info in archive.infolist():
                    if info.filename not in changing:
                        out.writestr(_same_info(info), archive.read(info))
        return cls(sha256, base.getvalue(), opf_name, colophon, texts, infos)


def _opf_name(container: bytes) -> str:
    rootfile = etree.fromstring(container).find(".//{*}rootfile")
    return rootfile.get("full-path")


def _spine_documents(archive: zipfile.ZipFile, opf_name: str) -> list[str]:
    package = etree.fromstring(archive.read(opf_name))
    folder = opf_name.rpartition("/")[0]
    hrefs = {item.get("id"): item.get("href") for item in package.iterfind(".//opf:item", OPF_NS)}
    refs = package.iterfind(".//opf:itemref", OPF_NS)
    return [f"{folder}/{hrefs[ref.get('idref')]}".lstrip("/") for ref in refs]


def _colophon(archive: zipfile.ZipFile, documents: set[str]) -> str:
    """The spine document that is the copyright page (epub:type colophon)."""
    for name in sorted(documents):
        if name.endswith(".xhtml") and b'epub:type="colophon"' in archive.read(name):
            return name
    raise ValueError("the EPUB has no copyright page (epub:type colophon)")


def _same_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh entry with the master's name, time and compression, so copies are
    byte-identical whatever the clock says."""
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    return copy


def stamp_epub(master: EpubMaster, order: Order) -> bytes:
    out = io.BytesIO(master.base)
    mark = fingerprint.zero_width(order.order)
    with zipfile.ZipFile(out, "a") as archive:
        for name, text in master.texts.items():
            if name == master.opf_name:
                text = _stamped_opf(text, order, master.sha256)
            else:
                text = FIRST_PARAGRAPH_END.sub(mark + "</p>", text, count=1)
                if name == master.colophon_name:
                    text = SECTION_END.sub(_licence_paragraph(order, mark) + r"\g<0>", text, 1)
            info = _same_info(master.infos[name])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()


def _licence_paragraph(order: Order, mark: str) -> str:
    """The licence line; names are isolated (bdi) so a right-to-left name cannot reorder
    the words around it."""
    esc = html.escape
    return (
        f'<p class="licence">Licensed to <bdi>{esc(order.buyer)}</bdi> '
        f"&lt;<bdi>{esc(order.email)}</bdi>&gt;, order {esc(order.order)}, "
        f"{esc(order.date)}{mark}</p>"
    )


def _stamped_opf(text: str, order: Order, sha256: str) -> str:
    esc = html.escape
    text = re.sub(
        r'(<package\b[^>]*?\bprefix=")([^"]*)"',
        lambda m: f'{m.group(1)}{m.group(2)} {PREFIX}"',
        text,
        count=1,
    )
    if PREFIX not in text:
        text = text.replace("<package ", f'<package prefix="{PREFIX}" ', 1)
    metas = "".join(
        f'<meta property="stamp:{name}">{esc(value)}</meta>\n    '
        for name, value in (
            ("licensee", f"{order.buyer} <{order.email}>"),
            ("order", order.order),
            ("date", order.date),
            ("master-sha256", sha256),
        )
    )
    return text.replace("</metadata>", metas + "</metadata>", 1)
