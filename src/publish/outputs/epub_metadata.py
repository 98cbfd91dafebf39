"""The OPF's descriptive metadata, in the forms reading systems and stores read.

- the identifier as a URN (`urn:uuid:`, `urn:isbn:` with its ONIX type), which Calibre,
  Apple Books and Kobo recognise, whatever spelling book.yaml uses;
- the subtitle as a second title refined as `title-type subtitle`, the title as `main`;
- `dc:date` the publication date, `dcterms:modified` the build time (ebooklib writes it
  from the writer's `mtime`, which is SOURCE_DATE_EPOCH when set);
- the release's semantic version as `schema:version` (schema.org's CreativeWork property;
  `schema:` is one of EPUB 3.3's reserved prefixes, so it needs no declaration);
- the course as a `belongs-to-collection` of type `series`: a course is a sequence of
  lessons, each a work of its own (a `set` would be one work in several volumes);
- the rendition properties of a reflowable book, stated rather than left to defaults.
"""

from __future__ import annotations

import re

from ebooklib import epub

from ..render.context import EditionContext

UUID = re.compile(r"^(?:urn:)?(?:uuid:)?([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})$", re.I)
ISBN = re.compile(r"^(?:urn:isbn:|isbn:?\s*)?([0-9][0-9 -]{8,15}[0-9xX])$", re.I)
ONIX_ISBN_13 = "15"  # ONIX code list 5, product identifier type
RENDITION = (("layout", "reflowable"), ("orientation", "auto"), ("spread", "auto"))


def _isbn_digits(value: str) -> str | None:
    """The ISBN-13 (or ISBN-10) digits of a valid ISBN, else None."""
    match = ISBN.match(value.strip())
    if not match:
        return None
    digits = re.sub(r"[ -]", "", match.group(1)).upper()
    if len(digits) == 13 and digits.isdigit():
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
        return digits if total % 10 == 0 else None
    if len(digits) == 10 and digits[:9].isdigit():
        total = sum((10 - i) * (10 if d == "X" else int(d)) for i, d in enumerate(digits))
        return digits if total % 11 == 0 and "X" not in digits[:9] else None
    return None


def package_identifier(value: str) -> str:
    """book.yaml's identifier as a URN: `urn:uuid:<lower-case uuid>`, `urn:isbn:<digits>`,
    or as written when it is neither (a DOI, a publisher's own URN)."""
    value = value.strip()
    uuid = UUID.match(value)
    if uuid:
        return f"urn:uuid:{uuid.group(1).lower()}"
    digits = _isbn_digits(value)
    return f"urn:isbn:{digits}" if digits else value


def add_package_metadata(book: epub.EpubBook, context: EditionContext) -> None:
    meta = context.book
    identifier = package_identifier(context.identifier)
    book.set_identifier(identifier)  # ebooklib gives it the id "id"
    if identifier.startswith("urn:isbn:") and len(identifier) == len("urn:isbn:") + 13:
        _refine(book, "id", "identifier-type", ONIX_ISBN_13, scheme="onix:codelist5")
    _add_titles(book, context.title, meta.subtitle)
    book.set_language(meta.language)
    for number, author in enumerate(meta.authors, 1):
        # Each creator its own id (ebooklib would give every one "creator"), each an author.
        book.add_author(author, role="aut", uid="creator" if number == 1 else f"creator-{number}")
    for name, value in (
        ("publisher", meta.publisher),
        ("description", meta.description),
        ("rights", meta.rights),
        ("date", context.publication_date),
    ):
        if value:
            book.add_metadata("DC", name, value)
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)
    if meta.version:  # schema.org's CreativeWork `version`, a reserved EPUB 3 prefix
        book.add_metadata(None, "meta", meta.version, {"property": "schema:version"})
    if meta.course:
        book.add_metadata(
            None, "meta", meta.course, {"property": "belongs-to-collection", "id": "course"}
        )
        _refine(book, "course", "collection-type", "series")
        if meta.course_position:
            _refine(book, "course", "group-position", str(meta.course_position))
    for name, value in RENDITION:
        book.add_metadata(None, "meta", value, {"property": f"rendition:{name}"})


def _add_titles(book: epub.EpubBook, title: str, subtitle: str) -> None:
    """The title, and the subtitle as a title of its own type (EPUB 3's way; a reader
    that knows no refinements shows the first title, the main one)."""
    book.title = title  # ebooklib names the navigation documents after it
    book.add_metadata("DC", "title", title, {"id": "title"})
    if subtitle:
        book.add_metadata("DC", "title", subtitle, {"id": "subtitle"})
        _refine(book, "title", "title-type", "main")
        _refine(book, "subtitle", "title-type", "subtitle")


def _refine(book: epub.EpubBook, target: str, prop: str, value: str, **extra: str) -> None:
    book.add_metadata(None, "meta", value, {"refines": f"#{target}", "property": prop, **extra})
