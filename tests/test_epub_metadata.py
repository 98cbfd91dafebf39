"""Issue 18: metadata reading systems show (Calibre's ebook-meta as the witness), and
Apple's display options."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from lxml import etree

from helpers import FIXTURES, NS, REPO, copy_project, epub_files, epubcheck
from publish.engine.build import build
from publish.errors import FindingsError
from publish.outputs.epub_metadata import package_identifier
from publish.project.config import load_book

EPOCH = "1700000000"  # 2023-11-14T22:13:20Z
CALIBRE = shutil.which("ebook-meta")
needs_calibre = pytest.mark.skipif(
    CALIBRE is None, reason="Calibre's ebook-meta is not installed (Debian package calibre)"
)


@pytest.fixture(scope="module")
def isbn_build(tmp_path_factory) -> Path:
    """The epub-fonts fixture (ISBNs, two authors, subtitle, course), with a fixed build time."""
    project = copy_project(FIXTURES / "epub-fonts", tmp_path_factory.mktemp("isbn"))
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        build(project, formats=("epub",))
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return project / "build"


def opf(path: Path):
    return etree.fromstring(epub_files(path)["EPUB/content.opf"])


def meta(root, prop: str, refines: str | None = None) -> list[str]:
    return [
        m.text
        for m in root.iterfind(".//opf:metadata/opf:meta", NS)
        if m.get("property") == prop and (refines is None or m.get("refines") == refines)
    ]


@pytest.mark.parametrize(
    ("given", "written"),
    [
        (
            "urn:uuid:3419435F-F211-4E2A-9C34-A8C0A2419179",
            "urn:uuid:3419435f-f211-4e2a-9c34-a8c0a2419179",
        ),
        ("3419435f-f211-4e2a-9c34-a8c0a2419179", "urn:uuid:3419435f-f211-4e2a-9c34-a8c0a2419179"),
        ("ISBN 978-3-16-148410-0", "urn:isbn:9783161484100"),
        ("urn:isbn:9780306406157", "urn:isbn:9780306406157"),
        ("0-306-40615-2", "urn:isbn:0306406152"),
        ("978-3-16-148410-1", "978-3-16-148410-1"),  # a bad check digit is no ISBN
        ("doi:10.1000/182", "doi:10.1000/182"),
    ],
)
def test_identifiers_are_written_as_urns(given, written):
    assert package_identifier(given) == written


@pytest.mark.parametrize(
    ("lines", "finds"),
    [
        ("course: A Course\ncourse_position: 2\n", False),
        ("course: A Course\ncourse_position: 0\n", True),
        ("course_position: 2\n", True),
    ],
)
def test_a_course_position_needs_a_course_and_counts_from_one(tmp_path, lines, finds):
    manuscript = tmp_path / "manuscript"
    manuscript.mkdir()
    book = (FIXTURES / "mini" / "manuscript" / "book.yaml").read_text(encoding="utf-8")
    (manuscript / "book.yaml").write_text(book + lines, encoding="utf-8")
    try:
        load_book(tmp_path)
    except FindingsError as error:
        assert finds and [f.code for f in error.findings] == ["CFG005"]
        assert "course_position" in error.findings[0].message
    else:
        assert not finds


@pytest.mark.slow
def test_the_opf_states_titles_collection_dates_and_rendition(isbn_build):
    root = opf(isbn_build / "full" / "fonts-under-test.epub")
    unique = root.get("unique-identifier")
    identifier = root.find(f".//dc:identifier[@id='{unique}']", NS)
    assert identifier.text == "urn:isbn:9783161484100"
    assert meta(root, "identifier-type", f"#{unique}") == ["15"]
    titles = {t.get("id"): t.text for t in root.iterfind(".//dc:title", NS)}
    assert titles["title"] == "Fonts Under Test"
    assert titles["subtitle"].startswith("Every face the theme offers")
    assert meta(root, "title-type", "#title") == ["main"]
    assert meta(root, "title-type", "#subtitle") == ["subtitle"]
    course = root.find(".//opf:meta[@property='belongs-to-collection']", NS)
    assert course.text == "Typesetting For Readers"
    assert meta(root, "collection-type", f"#{course.get('id')}") == ["series"]
    assert meta(root, "group-position", f"#{course.get('id')}") == ["3"]
    assert root.find(".//dc:date", NS).text == "2026-03-14"  # book.yaml's, not the build's
    assert meta(root, "dcterms:modified") == ["2023-11-14T22:13:20Z"]  # SOURCE_DATE_EPOCH
    creators = root.findall(".//dc:creator", NS)
    assert len({c.get("id") for c in creators}) == len(creators) == 2
    assert meta(root, "rendition:layout") == ["reflowable"]
    assert meta(root, "rendition:orientation") == meta(root, "rendition:spread") == ["auto"]


@pytest.mark.slow
def test_apple_books_is_told_to_use_the_embedded_fonts(isbn_build):
    files = epub_files(isbn_build / "full" / "fonts-under-test.epub")
    options = etree.fromstring(files["META-INF/com.apple.ibooks.display-options.xml"])
    option = options.find("platform/option[@name='specified-fonts']")
    assert option is not None and option.text == "true"
    assert options.find("platform").get("name") == "*"


@pytest.mark.slow
def test_the_fixture_epubs_pass_epubcheck(isbn_build):
    for path in sorted(isbn_build.glob("*/*.epub")):
        report = epubcheck(path)
        counts = report["checker"]
        problems = [m for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]
        assert counts["nFatal"] == counts["nError"] == counts["nWarning"] == 0, problems


def ebook_meta(path: Path) -> dict[str, str]:
    result = subprocess.run([CALIBRE, str(path)], capture_output=True, text=True, check=True)
    fields = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


@pytest.mark.slow
@needs_calibre
def test_calibre_shows_the_isbn_book_s_metadata(isbn_build, tmp_path):
    path = isbn_build / "full" / "fonts-under-test.epub"
    shown = ebook_meta(path)
    assert shown["Title"] == (
        "Fonts Under Test: Every face the theme offers, and a few characters it lacks"
    )
    assert shown["Author(s)"] == "Zoë Ångström & Bartholomew Kwiatkowski"
    assert shown["Identifiers"] == "isbn:9783161484100"
    assert shown["Languages"] == "eng"
    assert shown["Publisher"] == "Small Press"
    # Calibre moves a date-only 1st of the month to the 2nd; the fixture's is mid-month.
    assert shown["Published"].startswith("2026-03-14")
    assert shown["Tags"] == "Typography, Ebooks"
    assert shown["Series"] == "Typesetting For Readers #3"
    cover = tmp_path / "cover.png"
    subprocess.run([CALIBRE, str(path), f"--get-cover={cover}"], check=True, capture_output=True)
    assert cover.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
@needs_calibre
def test_calibre_shows_the_bundled_book_s_metadata(bundled_build, tmp_path):
    book = yaml.safe_load((REPO / "manuscript" / "book.yaml").read_text(encoding="utf-8"))
    path = bundled_build / "full" / "ml-product-lifecycle.epub"
    shown = ebook_meta(path)
    assert shown["Title"] == f"{book['title']}: {book['subtitle']}"
    assert shown["Author(s)"] == " & ".join(book["authors"])
    assert shown["Publisher"] == book["publisher"]
    assert shown["Languages"] == "eng"
    assert shown["Published"].startswith(str(book["date"]))
    assert shown["Tags"] == ", ".join(book["subjects"])
    assert shown["Series"].startswith(book["course"])
    # ebook-meta lists no uuid (only other schemes), but Calibre reads it as the book's own
    # uuid rather than making one up.
    script = (
        "import sys; from calibre.ebooks.metadata.meta import get_metadata;"
        f"print(get_metadata(open({str(path)!r}, 'rb'), 'epub').uuid)"
    )
    uuid = subprocess.run(
        ["calibre-debug", "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    assert f"urn:uuid:{uuid}" == book["identifiers"]["full"]
    cover = tmp_path / "cover.png"
    subprocess.run([CALIBRE, str(path), f"--get-cover={cover}"], check=True, capture_output=True)
    assert cover.stat().st_size > 10_000
