"""Link and EPUBCheck helpers for the conformance tests: every internal link of an EPUB
or a PDF lands on something that exists; EPUBCheck messages counted by severity."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from conformance import OPF, XHTML, rootfile

XHTML_TYPE = "application/xhtml+xml"
EXTERNAL_SCHEMES = ("http", "https", "mailto")


# --------------------------------------------------------------------------- links


def epub_link_problems(path: Path) -> list[str]:
    """Every internal href (XHTML `a`, nav, NCX) that names no file or no id."""
    import zipfile

    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        package_path = rootfile(archive.read("META-INF/container.xml"))
        package = etree.fromstring(archive.read(package_path))
        base = posixpath.dirname(package_path)
        manifest = {}
        for item in package.iter(f"{{{OPF}}}item"):
            name = posixpath.normpath(posixpath.join(base, unquote(item.get("href"))))
            manifest[name] = item.get("media-type")
        ids: dict[str, set[str]] = {}

        def ids_of(name: str) -> set[str]:
            if name not in ids:
                root = etree.fromstring(archive.read(name))
                ids[name] = {el.get("id") for el in root.iter() if el.get("id") is not None}
            return ids[name]

        for name, media_type in sorted(manifest.items()):
            if media_type not in (XHTML_TYPE, "application/x-dtbncx+xml") or name not in names:
                continue
            root = etree.fromstring(archive.read(name))
            links = [
                (el.get("href"), "a")
                for el in root.iter(f"{{{XHTML}}}a", "{*}a")
                if el.get("href") is not None
            ]
            links += [(el.get("src"), "ncx") for el in root.iter("{*}content") if el.get("src")]
            for href, kind in links:
                problem = _epub_href_problem(name, href, names, manifest, ids_of)
                if problem:
                    problems.append(f"{name}: {kind} href={href!r}: {problem}")
    return problems


def _epub_href_problem(source, href, names, manifest, ids_of) -> str | None:
    parts = urlsplit(href)
    if parts.scheme:
        if parts.scheme in EXTERNAL_SCHEMES:
            return None
        return f"scheme {parts.scheme}: is neither http(s) nor mailto"
    if not href.strip():
        return "empty href"
    target = source
    if parts.path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(parts.path)))
        if target not in names:
            return f"no file {target} in the EPUB"
        if target not in manifest:
            return f"{target} is not in the package manifest"
    if "#" in href:
        fragment = unquote(parts.fragment)
        if not fragment:
            return "empty fragment"
        if manifest.get(target) not in (XHTML_TYPE, "image/svg+xml"):
            return f"#{fragment} in {target}, which is no XHTML or SVG"
        if fragment not in ids_of(target):
            return f"no id {fragment!r} in {target}"
    return None


def pdf_link_problems(path: Path) -> list[str]:
    """Every link annotation neither an http(s)/mailto URI nor an existing destination."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject

    reader = PdfReader(path)
    names = set(reader.named_destinations)
    pages = {page.indirect_reference.idnum for page in reader.pages if page.indirect_reference}
    problems = []
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            where = f"page {number} link at {[round(float(v)) for v in annot.get('/Rect', [])]}"
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if "/Dest" in annot:
                dest = annot["/Dest"]
            elif action is not None and action.get("/S") == "/GoTo":
                dest = action.get("/D")
            elif action is not None and action.get("/S") == "/URI":
                uri = str(action.get("/URI", ""))
                if urlsplit(uri).scheme not in EXTERNAL_SCHEMES:
                    problems.append(f"{where}: URI {uri!r} is neither http(s) nor mailto")
                continue
            else:
                kind = action.get("/S") if action is not None else None
                problems.append(f"{where}: no destination (action {kind})")
                continue
            dest = dest.get_object() if hasattr(dest, "get_object") else dest
            if isinstance(dest, ArrayObject):
                page_ref = dest[0] if dest else None
                if getattr(page_ref, "idnum", None) not in pages:
                    problems.append(f"{where}: explicit destination to no page: {dest}")
            elif str(dest) not in names:
                problems.append(f"{where}: destination {str(dest)!r} is not a named destination")
    return problems


# --------------------------------------------------------------------------- EPUBCheck


def epubcheck_findings(report: dict) -> tuple[dict[str, int], list[str]]:
    """Counts by severity, and one line per ERROR/FATAL/WARNING message."""
    counts: dict[str, int] = {}
    lines = []
    for message in report.get("messages", []):
        severity = message.get("severity", "")
        counts[severity] = counts.get(severity, 0) + 1
        if severity in ("FATAL", "ERROR", "WARNING"):
            where = ", ".join(
                f"{loc.get('path')}:{loc.get('line')}:{loc.get('column')}"
                for loc in message.get("locations", [])[:3]
            )
            lines.append(f"{severity} {message.get('ID')} {message.get('message')} [{where}]")
    return counts, lines
