"""The last look before a book is written: well-formed XML and allowlisted markup.

The chapter checks, pandoc's sandbox and nh3 stand in front of this; this pass
reads what is about to be packaged: every XML file of the EPUB is parsed as XML
(an ill-formed XHTML file would be refused by every reader), and every XHTML
file, and every HTML document the PDF engine lays out (book, cheatsheets,
templates), is held to the markup a book holds: the allowlisted elements, no
event handler, no URL attribute but `href` and `src`, links by the URL policy.
A failure names the source line whose text caused it, found by its text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
from lxml import etree

from ..checks.security import attribute_problem
from ..errors import ERROR, Finding, FindingsError
from ..files import is_inside
from ..urls import normalize_url
from .sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

DOCUMENT_TAGS = {"html", "head", "title", "meta", "link", "style", "body", "main", "nav"}
DOCUMENT_TAGS |= {"header", "footer", "aside", "section", "form", "input", "textarea"}
KNOWN_ATTRIBUTES = set().union(*ALLOWED_ATTRIBUTES.values()) | {
    *("href", "src", "alt", "rel", "type", "charset", "content", "alttext", "prefix"),
    *("rows", "cols", "name", "epub:type", "epub:prefix", "xml:lang", "xmlns"),
}
PREFIXES = {"http://www.idpf.org/2007/ops": "epub:", "http://www.w3.org/XML/1998/namespace": "xml:"}
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|svg\+xml);base64,", re.I)
CHAR_VALUE = re.compile(r"Char value (\d+)")
XML_FILES = (".xhtml", ".html", ".opf", ".ncx", ".xml", ".svg")
HINT = "the build made this from the text named; remove or rewrite that text"


def markup_problems(root, data_images: bool = False) -> Iterator[tuple[str, str, str]]:
    """(code, message, text to look for in the sources) for markup outside the allowlist.
    `data_images`: the PDF carries its images inline as data: URLs."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = etree.QName(element).localname.lower()
        if tag not in ALLOWED_TAGS | DOCUMENT_TAGS:
            yield "SEC015", f"<{tag}> is outside the markup a book holds", f"<{tag}"
        for name, value in element.attrib.items():
            problem = _attribute(_name(name), value, data_images)
            if problem:
                yield problem


def _name(name: str) -> str:
    qname = etree.QName(name)
    return PREFIXES.get(qname.namespace or "", "") + qname.localname.lower()


def _attribute(name: str, value: str, data_images: bool) -> tuple[str, str, str] | None:
    if name == "src" and data_images and DATA_IMAGE.match(value):
        return None
    problem = attribute_problem(name, value)
    if problem:
        return problem[0], problem[1], normalize_url(value)[:40] or name
    if name not in KNOWN_ATTRIBUTES and not name.startswith(("data-", "aria-")):
        return "SEC015", f"attribute '{name}' is outside the markup a book holds", name
    return None


def audit_package(entries: dict[str, bytes], sources: dict[str, object], project: Path) -> None:
    """Parse every XML file of an EPUB and audit its XHTML; FindingsError, located at the
    source (by `sources`: file name -> chapter) whose text made it, when anything fails."""
    findings = []
    for name, data in sorted(entries.items()):
        if not name.endswith(XML_FILES):
            continue
        chapter = sources.get(name.rsplit("/", 1)[-1])
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            needle = _offending_text(exc, data)
            message = f"{name} would not be well-formed XML: {exc.msg}"
            findings.append(locate(("SEC015", message, needle), chapter, project))
            continue
        if name.endswith((".xhtml", ".html")):
            for problem in markup_problems(root):
                findings.append(locate(problem, chapter, project))
    if findings:
        raise FindingsError(sorted(set(findings)))


def audit_document(page_html: str, project: Path | None) -> None:
    """Audit an HTML document before the PDF engine lays it out (links become /URI actions)."""
    root = lxml.html.document_fromstring(page_html)
    found = [locate(p, None, project) for p in markup_problems(root, data_images=True)]
    if found:
        raise FindingsError(sorted(set(found)))


def _offending_text(exc: etree.XMLSyntaxError, data: bytes) -> str:
    value = CHAR_VALUE.search(exc.msg or "")
    if value:
        return chr(int(value.group(1)))
    lines = data.decode("utf-8", "replace").splitlines()
    line = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
    return line[max(0, (exc.offset or 1) - 10) : (exc.offset or 1) + 10]


def _spellings(needle: str) -> list[str]:
    """How the source may write the text: as it is, or a character as a numeric entity."""
    keys = [normalize_url(needle)] if normalize_url(needle) else []
    if len(needle) == 1:
        keys += [needle, f"&#x{ord(needle):x};", f"&#{ord(needle)};"]
    return keys


def locate(problem: tuple[str, str, str], chapter, project: Path | None) -> Finding:
    """The finding at the first source line holding the problem's text: the chapter that
    made the file, then every Markdown file and book.yaml of the project."""
    code, message, needle = problem
    candidates = []
    if chapter is not None:
        candidates.append((chapter.name, chapter.lines, chapter.where))
    if project is not None:
        manuscript = project / "manuscript"
        for path in [*sorted(manuscript.rglob("*.md")), manuscript / "book.yaml"]:
            if path.is_file() and is_inside(path, [project]):
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
                shown = path.relative_to(project).as_posix()
                candidates.append((shown, lines, lambda n, _s=shown: (_s, n)))
    keys = _spellings(needle)
    for _name, lines, where in candidates:
        for number, text in enumerate(lines, 1):
            if any(key in normalize_url(text) or key in text.lower() for key in keys):
                path, line = where(number)
                return Finding(path, line, 1, ERROR, code, message, HINT)
    shown = f"manuscript/{chapter.name}" if chapter is not None else "manuscript/book.yaml"
    return Finding(shown, 1, 1, ERROR, code, message, HINT)
