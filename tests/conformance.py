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
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml
from lxml import etree

import helpers
from conformance_source import Section, source_blocks, source_sections
from conformance_words import normalise, words
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
    """The one book file of an edition and format (not cheatsheets or templates; of the
    PDFs, the screen one: tests/test_pdf_profiles.py checks the print interior's text)."""
    found = [
        path
        for ed, path in artifacts(build, fmt)
        if ed == edition and path.parent == build / edition and not path.stem.endswith("-print")
    ]
    assert len(found) == 1, f"expected one {edition} {fmt} in {build}, found {found}"
    return found[0]


# --------------------------------------------------------------------------- book text


def spine_documents(path: Path) -> list[bytes]:
    """The spine's XHTML documents of an EPUB, in reading order."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        package_path = rootfile(archive.read("META-INF/container.xml"))
        package = etree.fromstring(archive.read(package_path))
        base = posixpath.dirname(package_path)
        items = {
            item.get("id"): posixpath.normpath(posixpath.join(base, unquote(item.get("href"))))
            for item in package.iter(f"{{{OPF}}}item")
        }
        spine = [items.get(itemref.get("idref")) for itemref in package.iter(f"{{{OPF}}}itemref")]
        return [archive.read(name) for name in spine if name in names]


def epub_text(path: Path) -> str:
    """The text of every spine document, block elements kept apart by line breaks."""
    return "\n".join(xhtml_text(data) for data in spine_documents(path))


def rootfile(container: bytes) -> str:
    """The package document's path, from META-INF/container.xml."""
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
    levels = [f"{{{XHTML}}}h{level}" for level in range(1, 7)]
    return [
        words("".join(element.itertext()))
        for data in spine_documents(path)
        for element in etree.fromstring(data).iter(*levels)
    ]


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
