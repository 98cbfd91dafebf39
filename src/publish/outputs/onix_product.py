"""One ONIX 3.0 `<Product>`: a sold format of the full edition, its blocks in the
order the ONIX 3.0 schema requires them."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..project.config import Book
from ..project.config_release import ChangelogEntry
from .onix_codes import DIGITAL_DOWNLOAD, FORM_DETAIL

# Code values used below, by their ONIX list: named so the tree reads as what it says.
ACCESSIBILITY_FEATURE = "09"  # List 79: e-publication accessibility detail
PROPRIETARY, ISBN_13, ISBN_10, URN = "01", "15", "02", "22"  # List 5
NO_DRM = "00"  # List 144
PREVIEW, PERMITTED_WITH_LIMIT, PERCENT = "01", "02", "05"  # Lists 145, 146, 147
ABSOLUTE_PAGES, NOTIONAL_PAGES, TEXT_LENGTH, DURATION = "07", "10", "02", "09"  # List 23
PAGES, WORDS, MINUTES = "03", "02", "05"  # List 24
FRONT_COVER, SAMPLE_CONTENT, IMAGE, TEXT, DOWNLOADABLE = "01", "15", "03", "04", "02"
DESCRIPTION, VERSION_HISTORY, UNRESTRICTED = "03", "19", "00"  # Lists 153, 154
ALTERNATIVE_FORMAT = "06"  # List 51


@dataclass(frozen=True)
class ProductFacts:
    """What every product of the book shares, gathered once from the project and build."""

    book: Book
    record_id: str
    language: str
    country: str | None
    words: int
    minutes: int
    pages: int | None
    accessibility: list[tuple[str, str]]
    preview_percent: int | None
    sample_link: str | None
    cover_link: str | None
    version_notes: ChangelogEntry | None
    publication_date: str


def record_reference(facts: ProductFacts, fmt: str) -> str:
    return f"{facts.record_id}-{fmt}"


def _add(parent, tag: str, text: str | int | None = None, **children) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    for name, value in children.items():
        etree.SubElement(element, name).text = str(value)
    return element


def product(facts: ProductFacts, entry: dict, others: list[dict]) -> etree._Element:
    fmt = entry["format"]
    element = etree.Element("Product")
    _add(element, "RecordReference", record_reference(facts, fmt))
    _add(element, "NotificationType", "03")  # confirmed on publication
    _add(element, "RecordSourceType", "01")  # the publisher
    _identifiers(element, facts, fmt)
    _descriptive(_add(element, "DescriptiveDetail"), facts, entry)
    _collateral(_add(element, "CollateralDetail"), facts)
    _publishing(_add(element, "PublishingDetail"), facts)
    if others:
        related = _add(element, "RelatedMaterial")
        for other in others:
            link = _add(related, "RelatedProduct", ProductRelationCode=ALTERNATIVE_FORMAT)
            _identifier(link, PROPRIETARY, record_reference(facts, other["format"]))
    return element


def _identifier(parent, kind: str, value: str) -> None:
    identifier = _add(parent, "ProductIdentifier", ProductIDType=kind)
    if kind == PROPRIETARY:
        _add(identifier, "IDTypeName", "publish record reference")
    _add(identifier, "IDValue", value)


def _identifiers(element, facts: ProductFacts, fmt: str) -> None:
    """The record's own id; the EPUB also the identifier its package carries (an ISBN
    belongs to one format, and the EPUB is the one that states it)."""
    _identifier(element, PROPRIETARY, record_reference(facts, fmt))
    if fmt != "epub":
        return
    if facts.record_id.startswith("urn:isbn:"):
        digits = facts.record_id.removeprefix("urn:isbn:")
        _identifier(element, ISBN_13 if len(digits) == 13 else ISBN_10, digits)
    elif facts.record_id.startswith("urn:"):
        _identifier(element, URN, facts.record_id)


def _descriptive(detail, facts: ProductFacts, entry: dict) -> None:
    book, fmt = facts.book, entry["format"]
    _add(detail, "ProductComposition", "00")  # a single-item retail product
    _add(detail, "ProductForm", DIGITAL_DOWNLOAD)
    _add(detail, "ProductFormDetail", FORM_DETAIL[fmt])
    if fmt == "epub":
        for code, description in facts.accessibility:
            feature = _add(detail, "ProductFormFeature")
            _add(feature, "ProductFormFeatureType", ACCESSIBILITY_FEATURE)
            _add(feature, "ProductFormFeatureValue", code)
            if description:
                _add(feature, "ProductFormFeatureDescription", description)
    _add(detail, "PrimaryContentType", "10")  # eye-readable text
    _add(detail, "EpubTechnicalProtection", NO_DRM)
    if fmt == "epub" and facts.preview_percent is not None:
        usage = _add(detail, "EpubUsageConstraint")
        _add(usage, "EpubUsageType", PREVIEW)
        _add(usage, "EpubUsageStatus", PERMITTED_WITH_LIMIT)
        _add(usage, "EpubUsageLimit", Quantity=facts.preview_percent, EpubUsageUnit=PERCENT)
    _titles(detail, book)
    for number, author in enumerate(book.authors, 1):
        _add(detail, "Contributor", SequenceNumber=number, ContributorRole="A01", PersonName=author)
    if book.version:  # its major number is the edition (ONIX wants one before a version)
        _add(detail, "EditionNumber", max(int(book.version.split(".")[0]), 1))
        _add(detail, "EditionVersionNumber", book.version)
    language = _add(detail, "Language", LanguageRole="01", LanguageCode=facts.language)
    if facts.country:
        _add(language, "CountryCode", facts.country)
    _extents(detail, facts, fmt)
    if book.subjects:
        subject = _add(detail, "Subject", SubjectSchemeIdentifier="20")  # keywords
        _add(subject, "SubjectHeadingText", "; ".join(book.subjects))


def _titles(detail, book: Book) -> None:
    if book.course:
        collection = _add(detail, "Collection", CollectionType="10")  # the publisher's series
        title = _add(collection, "TitleDetail", TitleType="01")
        part = _add(title, "TitleElement", TitleElementLevel="02")  # collection level
        if book.course_position:
            _add(part, "PartNumber", book.course_position)
        _add(part, "TitleText", book.course)
    title = _add(detail, "TitleDetail", TitleType="01")
    element = _add(title, "TitleElement", TitleElementLevel="01", TitleText=book.title)
    if book.subtitle:
        _add(element, "Subtitle", book.subtitle)


def _extents(detail, facts: ProductFacts, fmt: str) -> None:
    """Pages (the PDF's own; for the EPUB, the same as a notional count), words, and the
    reading time as a duration in minutes: ONIX 3.0 has no extent type for reading time."""
    if facts.pages:
        kind = ABSOLUTE_PAGES if fmt == "pdf" else NOTIONAL_PAGES
        _add(detail, "Extent", ExtentType=kind, ExtentValue=facts.pages, ExtentUnit=PAGES)
    _add(detail, "Extent", ExtentType=TEXT_LENGTH, ExtentValue=facts.words, ExtentUnit=WORDS)
    if facts.minutes:
        _add(detail, "Extent", ExtentType=DURATION, ExtentValue=facts.minutes, ExtentUnit=MINUTES)


def _collateral(collateral, facts: ProductFacts) -> None:
    book = facts.book
    if book.description:
        _text(collateral, DESCRIPTION, book.description)
    notes = facts.version_notes
    if notes is not None and notes.changes:
        lines = "; ".join(c.text for c in notes.changes)
        _text(collateral, VERSION_HISTORY, f"{notes.version} ({notes.date}): {lines}")
    if facts.cover_link:
        _resource(collateral, FRONT_COVER, IMAGE, facts.cover_link)
    if facts.sample_link:
        _resource(collateral, SAMPLE_CONTENT, TEXT, facts.sample_link)


def _text(collateral, kind: str, text: str) -> None:
    _add(collateral, "TextContent", TextType=kind, ContentAudience=UNRESTRICTED, Text=text)


def _resource(collateral, kind: str, mode: str, link: str) -> None:
    resource = _add(
        collateral,
        "SupportingResource",
        ResourceContentType=kind,
        ContentAudience=UNRESTRICTED,
        ResourceMode=mode,
    )
    _add(resource, "ResourceVersion", ResourceForm=DOWNLOADABLE, ResourceLink=link)


def _publishing(publishing, facts: ProductFacts) -> None:
    book = facts.book
    name = book.publisher or ", ".join(book.authors)  # without a publisher, self-published
    _add(publishing, "Publisher", PublishingRole="01", PublisherName=name)
    _add(publishing, "PublishingStatus", "04")  # active
    date = facts.publication_date.replace("-", "")
    _add(publishing, "PublishingDate", PublishingDateRole="01", Date=date)
