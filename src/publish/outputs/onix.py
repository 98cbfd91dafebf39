"""`build/onix.xml`: an ONIX 3.0 record of the book for retailers and distributors.

One product per sold format of the full edition (EPUB, PDF), made from the manifest
entries of the files this build holds, so page counts, reading length, accessibility
and checksums are the files' own. The free sample is not a product (Google Play, for
one, forbids selling excerpts): the sold EPUB states it as Kobo's preview allowance
(`EpubUsageConstraint`, a percentage of the words), and both products link it as
sample content, next to the front cover, which is written beside the record. Both
files are listed in the manifest under the full edition, whose products they describe.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from lxml import etree

from ..editions.kinds import FULL, SAMPLE
from ..errors import WARNING, Finding, PublishError
from ..project.config import BOOK_FILE
from .base import BookJob
from .epub_metadata import package_identifier
from .manifest import Artifact
from .onix_codes import (
    FORM_DETAIL,
    NAMESPACE,
    UNDETERMINED,
    accessibility_codes,
    onix_language,
)
from .onix_product import ProductFacts, product

ONIX_FILE = "onix.xml"
BOOK_NAME = BOOK_FILE.as_posix()
SENT = re.compile(rb"<SentDateTime>[^<]*</SentDateTime>")


def write(job: BookJob) -> list[Artifact]:
    """onix.xml and the cover it links, each rewritten only when more than its time changed."""
    book = job.project.book
    entries = {entry["path"]: entry for entry in job.entries}
    sold = [
        entries[path]
        for fmt in FORM_DETAIL
        if (path := f"{FULL.name}/{FULL.stem(book.slug)}.{fmt}") in entries
    ]
    if not sold:
        raise PublishError(
            "onix: the build holds no full-edition EPUB or PDF to describe "
            "(build them too: publish build, or --format epub,pdf,onix)"
        )
    artifacts = []
    cover = _cover(job, entries)
    if cover is not None:
        artifacts.append(cover)
    sample = entries.get(f"{SAMPLE.name}/{SAMPLE.stem(book.slug)}.epub")
    facts = _facts(job, sold, sample, cover)
    root = etree.Element("ONIXMessage", nsmap={None: NAMESPACE}, release="3.0")
    root.append(_header(job, facts.language))
    for entry in sold:
        root.append(product(facts, entry, [e for e in sold if e is not entry]))
    data = etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)
    path = job.tree.out / ONIX_FILE
    _write_unless_same(job, path, data, lambda old: SENT.sub(b"", old) == SENT.sub(b"", data))
    job.report(f"writing {ONIX_FILE}")
    return [job.describe(path, FULL.name, "onix"), *artifacts]


def _facts(job: BookJob, sold: list[dict], sample: dict | None, cover) -> ProductFacts:
    project = job.project
    book = project.book
    language, country = onix_language(book.language)
    if language is None:
        message = f"no ONIX language code known for '{book.language}': the record says und"
        line = book.line_of("language")
        job.findings.append(Finding(BOOK_NAME, line, 1, WARNING, "ONX001", message))
    epub = next((e for e in sold if e["format"] == "epub"), None)
    pdf = next((e for e in sold if e["format"] == "pdf"), None)
    full_words = project.editions[FULL.name].reading_words
    preview = None
    if sample is not None and SAMPLE.name in project.editions and full_words:
        preview = project.editions[SAMPLE.name].reading_words * 100 // full_words
    release = project.release
    return ProductFacts(
        book=book,
        record_id=package_identifier(book.identifiers[FULL.name]),
        language=language or UNDETERMINED,
        country=country,
        words=full_words,
        minutes=project.minutes(FULL.name),
        pages=pdf.get("pages") if pdf else None,
        accessibility=accessibility_codes(epub.get("accessibility", {})) if epub else [],
        preview_percent=preview,
        sample_link=sample["path"] if sample else None,
        cover_link=cover.path if cover else None,
        version_notes=release.current if release else None,
        publication_date=book.date or job.built_at.date().isoformat(),
    )


def _header(job: BookJob, language: str) -> etree._Element:
    book = job.project.book
    header = etree.Element("Header")
    sender = etree.SubElement(header, "Sender")
    etree.SubElement(sender, "SenderName").text = book.publisher or ", ".join(book.authors)
    sent = job.built_at.strftime("%Y%m%dT%H%M%S") + "Z"
    etree.SubElement(header, "SentDateTime").text = sent
    etree.SubElement(header, "DefaultLanguageOfText").text = language
    return header


def _cover(job: BookJob, entries: dict[str, dict]) -> Artifact | None:
    """The full edition's front cover as its EPUB carries it, beside the record (which
    links it by a path relative to itself)."""
    slug = job.project.book.slug
    epub = entries.get(f"{FULL.name}/{FULL.stem(slug)}.epub")
    if epub is None:
        return None
    with zipfile.ZipFile(io.BytesIO(job.tree.read(job.tree.out / epub["path"]))) as archive:
        opf_name = etree.fromstring(archive.read("META-INF/container.xml")).find(".//{*}rootfile")
        opf_path = opf_name.get("full-path")
        item = etree.fromstring(archive.read(opf_path)).find(
            ".//{*}item[@properties='cover-image']"
        )
        if item is None:
            return None
        data = archive.read(str(Path(opf_path).parent / item.get("href")))
    path = job.tree.out / f"{FULL.stem(slug)}-cover{Path(item.get('href')).suffix}"
    _write_unless_same(job, path, data, lambda old: old == data)
    return job.describe(path, FULL.name, path.suffix.lstrip("."))


def _write_unless_same(job: BookJob, path: Path, data: bytes, same) -> None:
    """Leave the file (and its time) alone when it already says the same."""
    if path.is_file() and same(path.read_bytes()):
        return
    job.tree.write(path, data)
