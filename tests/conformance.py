"""Helpers for the conformance tests (issue 14, acceptance points 1-3).

Nothing here is a test. Three checks, each usable on any built project:

- completeness: the words an author wrote (pandoc's plain writer over each chapter)
  found, in runs of six, in an EPUB's or a PDF's text;
- links: every internal link of an EPUB or a PDF lands on something that exists;
- EPUBCheck: messages counted by severity.
"""

from __future__ import annotations

import json
import posixpath
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from lxml import etree

import helpers
from helpers import FIXTURES

BUNDLED = "bundled"
# Fixture projects built to fail (their tests prove the refusal); a fixture can also
# say so itself with a file of this name next to its manuscript/ folder.
BUILD_FAILS = {"cheatsheet-overflow"}
BUILD_FAILS_MARKER = "BUILD-FAILS"

RUN = 6
EPUB_THRESHOLD = 0.99
PDF_THRESHOLD = 0.97
SHOWN = 20

XHTML = "http://www.w3.org/1999/xhtml"
OPF = "http://www.idpf.org/2007/opf"
XHTML_TYPE = "application/xhtml+xml"
EXTERNAL_SCHEMES = ("http", "https", "mailto")


# --------------------------------------------------------------------------- projects


def fixture_projects() -> list[str]:
    """Every fixture folder with a book.yaml, those built to fail left out."""
    return sorted(
        path.name
        for path in FIXTURES.iterdir()
        if (path / "manuscript" / "book.yaml").is_file() and not builds_to_fail(path)
    )


def builds_to_fail(project: Path) -> bool:
    return project.name in BUILD_FAILS or (project / BUILD_FAILS_MARKER).exists()


def chapter_sources(project: Path) -> list[Path]:
    """The chapter files book.yaml lists, in reading order."""
    manuscript = project / "manuscript"
    book = yaml.safe_load((manuscript / "book.yaml").read_text(encoding="utf-8"))
    return [manuscript / name for name in book.get("chapters") or []]


def artifacts(build: Path, fmt: str) -> list[tuple[str, Path]]:
    """(edition, path) of every artifact of a format that build/manifest.json lists."""
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    return [
        (item.get("edition", ""), build / item["path"])
        for item in manifest["artifacts"]
        if item.get("format") == fmt
    ]


def edition_artifact(build: Path, edition: str, fmt: str) -> Path:
    """The one book file of an edition and format (not cheatsheets or templates)."""
    found = [
        path
        for ed, path in artifacts(build, fmt)
        if ed == edition and path.parent == build / edition
    ]
    assert len(found) == 1, f"expected one {edition} {fmt} in {build}, found {found}"
    return found[0]


# --------------------------------------------------------------------------- words

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": " - ",  # figure, en and em dashes and the bar separate words
        "\u2013": " - ",
        "\u2014": " - ",
        "\u2015": " - ",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u2060": None,  # word joiner
        "\ufeff": None,
        "\u00a0": " ",
    }
)
_WORD = re.compile(r"\w+(?:'\w+)*")
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
# A note call set as a superscript sticks to its word in extracted text ("day4"):
# letters followed by digits are two tokens, on both sides.
_CALL = re.compile(r"(?<=[^\W\d_])(?=\d+(?:'|$))")


def normalise(text: str) -> str:
    """Ligatures (NFKC), curly quotes, dashes, soft hyphens and odd spaces made plain."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


def words(text: str) -> list[str]:
    """The comparable tokens of a text, casefolded.

    A whitespace-separated chunk with letters or digits gives its alphanumeric runs
    (hyphens inside words dropped, so a compound split at a line end compares equal,
    and digits after letters split off, so a note call stuck to its word does not hide it);
    a chunk of symbols only (`===`, `=>`, `//`) is a token of its own, so mangled
    code shows up as a missing word.
    """
    out: list[str] = []
    for chunk in normalise(text).split():
        chunk = _INNER_HYPHEN.sub("", chunk)
        found = _WORD.findall(chunk)
        if found:
            for word in found:
                out.extend(part.casefold() for part in _CALL.split(word))
        elif len(chunk) >= 2 and not re.fullmatch(r"\.+|-+|_+|\*+|\++|:+|\|+", chunk):
            out.append(chunk)
    return out


# --------------------------------------------------------------------------- source text

CUT = "QQCUTQQ"  # a block boundary: generated text may stand here in a book


def source_blocks(path: Path, drop_answers: bool = False) -> list[list[str]]:
    """The words of a chapter, block by block, as pandoc's plain writer gives them.

    Footnotes and code included; figure alt text and `::: longdesc` divs left out
    (and `::: answer` divs when `drop_answers`, for a sample). Figures keep their
    captions. Lists, table cells and notes are blocks of their own, and a footnote
    call, a cross-reference, an inline image or a formula ends a run: a book may put
    generated text there.
    """
    return [block for section in source_sections(path, drop_answers) for block in section.blocks]


@dataclass
class Section:
    """A heading's words (empty before the first heading) and the blocks under it."""

    heading: list[str]
    blocks: list[list[str]] = field(default_factory=list)


def source_sections(path: Path, drop_answers: bool = False) -> list[Section]:
    """A chapter's blocks (see `source_blocks`) grouped under their headings.

    A section's footnotes are blocks of that section, whatever heading follows.
    """
    import pypandoc

    text = path.read_text(encoding="utf-8")
    ast = json.loads(pypandoc.convert_text(text, "json", format="markdown"))
    notes: list[list] = []
    leaves: list = []

    def flush_notes() -> None:
        nonlocal notes
        while notes:
            pending, notes = notes, []
            for blocks in pending:
                _flatten(blocks, leaves, notes, drop_answers)

    for block in ast["blocks"]:
        if block["t"] == "Header":
            flush_notes()
            leaves.append(_para(HEAD))
        _flatten([block], leaves, notes, drop_answers)
    flush_notes()
    separated: list = []
    for block in leaves:
        separated.extend([block, _para(CUT)])
    ast["blocks"] = separated
    plain = pypandoc.convert_text(
        json.dumps(ast), "plain", format="json", extra_args=["--wrap=none"]
    )
    sections = [Section([])]
    heading_next = False
    for piece in plain.split(CUT):
        if HEAD in piece:
            heading_next = True
            continue
        lines = [line for line in piece.splitlines() if not _TABLE_RULE.fullmatch(line)]
        tokens = words("\n".join(lines))
        if not tokens:
            continue
        if heading_next:
            sections.append(Section(tokens))
            heading_next = False
        sections[-1].blocks.append(tokens)
    return [section for section in sections if section.blocks]


HEAD = "QQHEADQQ"  # the next block is a heading


_TABLE_RULE = re.compile(r"\s*[-=+:| ]*[-=][-=+:| ]*\s*")


def _para(text: str) -> dict:
    return {"t": "Para", "c": [{"t": "Str", "c": text}]}


def _flatten(blocks: Iterable, out: list, notes: list, drop_answers: bool) -> None:
    """Leaf blocks in reading order, containers opened, left-out divs dropped."""
    for block in blocks:
        kind, content = block["t"], block.get("c")
        if kind == "Div":
            classes = content[0][1]
            if "longdesc" in classes or (drop_answers and "answer" in classes):
                continue
            _flatten(content[1], out, notes, drop_answers)
        elif kind == "BlockQuote":
            _flatten(_without_alert_marker(content), out, notes, drop_answers)
        elif kind == "BulletList":
            for item in content:
                _flatten(item, out, notes, drop_answers)
        elif kind == "OrderedList":
            for item in content[1]:
                _flatten(item, out, notes, drop_answers)
        elif kind == "DefinitionList":
            for term, definitions in content:
                out.append({"t": "Plain", "c": _inlines(term, notes)})
                for definition in definitions:
                    _flatten(definition, out, notes, drop_answers)
        elif kind == "Figure":
            _flatten(content[1][1], out, notes, drop_answers)  # the caption, not the image
        elif kind == "Table":
            _flatten(content[1][1], out, notes, drop_answers)  # caption
            for cell in _table_cells(content):
                _flatten(cell, out, notes, drop_answers)
        elif kind in ("Para", "Plain", "Header"):
            inlines = content[2] if kind == "Header" else content
            fixed = _inlines(inlines, notes)
            out.append({"t": kind, "c": [*content[:2], fixed] if kind == "Header" else fixed})
        elif kind == "LineBlock":
            for line in content:
                out.append({"t": "Plain", "c": _inlines(line, notes)})
        elif kind == "CodeBlock" and "numberLines" in content[0][1]:
            # each line its own block: the book prints a line number before it
            for line in content[1].splitlines():
                out.append({"t": "CodeBlock", "c": [content[0], line]})
        elif kind == "CodeBlock":
            out.append(block)
        # RawBlock, HorizontalRule: nothing an EPUB reader sees as text


def _without_alert_marker(blocks: list) -> list:
    """A GitHub alert's `[!TIP]` is markup: the book prints its label (which book.yaml
    may rename) instead."""
    first = blocks[0] if blocks else None
    if not first or first["t"] != "Para" or not first["c"] or first["c"][0]["t"] != "Str":
        return blocks
    if not re.fullmatch(r"\[![A-Za-z]+\]", first["c"][0]["c"]):
        return blocks
    rest = first["c"][1:]
    while rest and rest[0]["t"] in ("SoftBreak", "Space", "LineBreak"):
        rest = rest[1:]
    return ([{"t": "Para", "c": rest}] if rest else []) + blocks[1:]


def _table_cells(table: list) -> Iterable[list]:
    _attr, _caption, _specs, head, bodies, foot = table
    rows = list(head[1])
    for body in bodies:
        rows.extend(body[2])
        rows.extend(body[3])
    rows.extend(foot[1])
    for _row_attr, cells in rows:
        for cell in cells:
            yield cell[4]


_STYLED = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}


def _inlines(inlines: list, notes: list) -> list:
    """Inlines with notes taken out (kept for later) and generated spots made cuts."""
    out = []
    for inline in inlines:
        kind, content = inline["t"], inline.get("c")
        if kind == "Note":
            notes.append(content)
            out.append({"t": "Str", "c": f" {CUT} "})
        elif kind in ("Cite", "Image", "Math"):  # a formula is MathML or a drawing, not words
            out.append({"t": "Str", "c": f" {CUT} "})
        elif kind in _STYLED:
            out.extend(_inlines(content, notes))
        elif kind == "Span":
            out.extend(_inlines(content[1], notes))
        elif kind == "Quoted":
            out.append(inline | {"c": [content[0], _inlines(content[1], notes)]})
        elif kind == "Link":
            out.extend(_inlines(content[1], notes))
        elif kind == "RawInline" and re.match(r"<br\b", content[1], re.I):
            out.append({"t": "LineBreak"})  # raw <br> is rendered (checks/inline_html.py)
        else:
            out.append(inline)
    return out


# --------------------------------------------------------------------------- book text


def epub_text(path: Path) -> str:
    """The text of every spine document, block elements kept apart by line breaks."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        package_path = _rootfile(archive.read("META-INF/container.xml"))
        package = etree.fromstring(archive.read(package_path))
        base = posixpath.dirname(package_path)
        items = {
            item.get("id"): posixpath.normpath(posixpath.join(base, unquote(item.get("href"))))
            for item in package.iter(f"{{{OPF}}}item")
        }
        texts = []
        for itemref in package.iter(f"{{{OPF}}}itemref"):
            name = items.get(itemref.get("idref"))
            if name in names:
                texts.append(xhtml_text(archive.read(name)))
    return "\n".join(texts)


def _rootfile(container: bytes) -> str:
    return etree.fromstring(container).find(".//{*}rootfile").get("full-path")


_INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
    "var", "wbr",
}  # fmt: skip


def xhtml_text(data: bytes) -> str:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    body = root.find(f"{{{XHTML}}}body")
    body = root if body is None else body
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).localname not in _INLINE:
            element.tail = "\n" + (element.tail or "")
    return "".join(body.itertext())


def pdf_text(path: Path) -> str:
    """pypdf's text of every page, normalised, words broken at line ends joined again."""
    return printed_text(helpers.pdf_text(path))


def printed_text(text: str) -> str:
    """Text as a PDF gives it, normalised, words hyphenated at line ends joined again."""
    return re.sub(r"(?<=\w)-[ \t]*\n\s*(?=\w)", "", normalise(text))


# --------------------------------------------------------------------------- completeness


@dataclass
class Coverage:
    name: str
    total: int = 0
    found: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.found / self.total if self.total else 1.0

    def summary(self) -> str:
        shown = "; ".join(f"«{run}»" for run in self.missing[:SHOWN])
        more = f" (+{len(self.missing) - SHOWN} more runs)" if len(self.missing) > SHOWN else ""
        return (
            f"{self.name}: {self.ratio:.1%} of {self.total} words "
            f"({self.total - self.found} missing); missing: {shown}{more}"
        )


def ngrams(tokens: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


class Target:
    """A book's text, ready to be asked whether a run of words is in it."""

    def __init__(self, text: str) -> None:
        tokens = words(text)
        self.grams = {size: ngrams(tokens, size) for size in range(1, RUN + 1)}

    def has(self, run: list[str]) -> bool:
        return tuple(run) in self.grams[len(run)]


def coverage(name: str, blocks: list[list[str]], target: Target | str) -> Coverage:
    """How many of the words are in the target in runs of six.

    A word counts as found when some run of six consecutive words of its block
    that contains it is in the target; a block shorter than six must be there whole.
    """
    if isinstance(target, str):
        target = Target(target)
    result = Coverage(name)
    for tokens in blocks:
        size = min(RUN, len(tokens))
        hit = [False] * len(tokens)
        for start in range(len(tokens) - size + 1):
            if target.has(tokens[start : start + size]):
                hit[start : start + size] = [True] * size
        result.total += len(tokens)
        result.found += sum(hit)
        run: list[str] = []
        for token, ok in zip(tokens, hit, strict=True):
            if not ok:
                run.append(token)
            elif run:
                result.missing.append(" ".join(run))
                run = []
        if run:
            result.missing.append(" ".join(run))
    return result


def project_coverage(
    project: Path, text: str, label: str, drop_answers: bool = False
) -> list[Coverage]:
    target = Target(text)
    return [
        coverage(f"{label} {source.name}", source_blocks(source, drop_answers), target)
        for source in chapter_sources(project)
    ]


def epub_headings(path: Path) -> list[list[str]]:
    """The words of every h1-h6 of the spine documents, in reading order."""
    import zipfile

    headings = []
    with zipfile.ZipFile(path) as archive:
        package_path = _rootfile(archive.read("META-INF/container.xml"))
        package = etree.fromstring(archive.read(package_path))
        base = posixpath.dirname(package_path)
        items = {
            item.get("id"): posixpath.normpath(posixpath.join(base, unquote(item.get("href"))))
            for item in package.iter(f"{{{OPF}}}item")
        }
        for itemref in package.iter(f"{{{OPF}}}itemref"):
            root = etree.fromstring(archive.read(items[itemref.get("idref")]))
            for element in root.iter(*(f"{{{XHTML}}}h{level}" for level in range(1, 7))):
                headings.append(words("".join(element.itertext())))
    return headings


def sample_sections(project: Path, sample_epub: Path) -> dict[Path, list[Section]]:
    """The sections of each chapter that the sample shows, answers left out.

    A section is in the sample when the sample has its heading, matched in reading
    order (a heading may carry a number before the author's words); text before a
    chapter's first heading goes with that first section.
    """
    shown = epub_headings(sample_epub)
    at = 0
    chosen: dict[Path, list[Section]] = {}
    for source in chapter_sources(project):
        taken = []
        preamble = None
        for section in source_sections(source, drop_answers=True):
            if not section.heading:
                preamble = section
                continue
            for k in range(at, len(shown)):
                if shown[k][-len(section.heading) :] == section.heading:
                    at = k + 1
                    if preamble is not None and not taken:
                        taken.append(preamble)
                    taken.append(section)
                    break
        if taken:
            chosen[source] = taken
    return chosen


def sample_coverage(project: Path, sample_epub: Path, text: str, label: str) -> list[Coverage]:
    target = Target(text)
    return [
        coverage(f"{label} {source.name}", [b for s in sections for b in s.blocks], target)
        for source, sections in sample_sections(project, sample_epub).items()
    ]


# --------------------------------------------------------------------------- links


def epub_link_problems(path: Path) -> list[str]:
    """Every internal href (XHTML `a`, nav, NCX) that names no file or no id."""
    import zipfile

    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        package_path = _rootfile(archive.read("META-INF/container.xml"))
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
