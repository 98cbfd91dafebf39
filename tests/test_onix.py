"""Issue 19, ONIX 3.0: build/onix.xml, valid against the ONIX 3.0 schema (onixcheck),
one product per sold format, its facts the files' own and its accessibility the OPF's."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import onixcheck
import pytest
from click.testing import CliRunner
from lxml import etree

from helpers import FIXTURES, NS, copy_project, opf
from publish.commands.cli import main
from publish.engine.build import build
from publish.outputs.onix_codes import accessibility_codes, onix_language
from publish.project.loader import load_project

ONIX = {"o": "http://ns.editeur.org/onix/3.0/reference"}
# List 196's meaning of each schema.org feature the OPF may claim (EDItEUR's code list).
LIST_196 = {
    "tableOfContents": "11",
    "readingOrder": "13",
    "alternativeText": "14",
    "longDescription": "15",
    "MathML": "17",
    "structuralNavigation": "29",
    "displayTransformability": "36",
}


def _errors(path: Path) -> list[str]:
    return [f"{m.location} {m.message}" for m in onixcheck.validate(str(path))]


def _texts(element, path: str) -> list[str]:
    return [e.text for e in element.iterfind(path, ONIX)]


def _products(out: Path) -> dict[str, etree._Element]:
    root = etree.parse(str(out / "onix.xml")).getroot()
    forms = {"E101": "epub", "E107": "pdf"}
    return {
        forms[p.findtext("o:DescriptiveDetail/o:ProductFormDetail", namespaces=ONIX)]: p
        for p in root.iterfind("o:Product", ONIX)
    }


def _extent(product, kind: str) -> tuple[int, str]:
    for extent in product.iterfind("o:DescriptiveDetail/o:Extent", ONIX):
        if extent.findtext("o:ExtentType", namespaces=ONIX) == kind:
            return int(extent.findtext("o:ExtentValue", namespaces=ONIX)), extent.findtext(
                "o:ExtentUnit", namespaces=ONIX
            )
    raise AssertionError(f"no extent of type {kind}")


def _features(product) -> list[tuple[str, str]]:
    return [
        (
            f.findtext("o:ProductFormFeatureValue", namespaces=ONIX),
            f.findtext("o:ProductFormFeatureDescription", default="", namespaces=ONIX),
        )
        for f in product.iterfind("o:DescriptiveDetail/o:ProductFormFeature", ONIX)
        if f.findtext("o:ProductFormFeatureType", namespaces=ONIX) == "09"
    ]


def _opf_metas(epub: Path, prop: str) -> list[str]:
    return [m.text for m in opf(epub).iterfind(f".//opf:meta[@property='{prop}']", NS)]


def assert_onix_matches_the_build(project: Path, out: Path) -> dict[str, etree._Element]:
    assert _errors(out / "onix.xml") == []
    manifest = json.loads((out / "manifest.json").read_text())
    entries = {a["path"]: a for a in manifest["artifacts"]}
    onix_entry = entries["onix.xml"]
    assert onix_entry["sha256"] == hashlib.sha256((out / "onix.xml").read_bytes()).hexdigest()
    slug = manifest["book"]["slug"]
    epub, pdf = entries[f"full/{slug}.epub"], entries[f"full/{slug}.pdf"]
    products = _products(out)
    assert set(products) == {"epub", "pdf"}  # the sample is no product of its own
    loaded = load_project(project)
    words = loaded.editions["full"].reading_words
    for fmt, product in products.items():
        assert _texts(product, ".//o:TitleText")[-1] == manifest["book"]["title"]
        names = _texts(product, "o:DescriptiveDetail/o:Contributor/o:PersonName")
        assert names == manifest["book"]["authors"]
        assert _extent(product, "02") == (words, "02")  # words
        assert _extent(product, "09") == (epub["reading_minutes"], "05")  # minutes
        assert _extent(product, "07" if fmt == "pdf" else "10") == (pdf["pages"], "03")
        links = _texts(product, ".//o:SupportingResource/o:ResourceVersion/o:ResourceLink")
        for link in links:
            assert (out / link).is_file() and link in entries
        cover, sample = links
        assert sample == f"sample/{slug}-sample.epub"
        with zipfile.ZipFile(out / epub["path"]) as archive:
            assert (out / cover).read_bytes() == archive.read("EPUB/images/cover.png")
        assert (
            product.findtext(".//o:EditionVersionNumber", namespaces=ONIX)
            == (manifest["book"]["version"])
        )
    # Accessibility: exactly what the full EPUB's OPF claims, in List 196 codes.
    path = out / epub["path"]
    expected = [("00", s) for s in _opf_metas(path, "schema:accessibilitySummary")]
    expected += [("04", ""), ("81", ""), ("85", "")]  # EPUB Accessibility 1.1, WCAG 2.1 AA
    expected += [(LIST_196[f], "") for f in _opf_metas(path, "schema:accessibilityFeature")]
    expected += [("90", c) for c in _opf_metas(path, "a11y:certifiedBy")]
    assert _features(products["epub"]) == expected
    assert _features(products["pdf"]) == []  # nothing claimed of the PDF, nothing stated
    # Kobo's preview allowance: the sample's share of the words.
    limit = products["epub"].find(".//o:EpubUsageConstraint", ONIX)
    assert limit.findtext("o:EpubUsageType", namespaces=ONIX) == "01"
    percent = loaded.editions["sample"].reading_words * 100 // words
    assert int(limit.findtext(".//o:Quantity", namespaces=ONIX)) == percent
    return products


@pytest.mark.slow
def test_onix_of_the_versioned_fixture(tmp_path):
    project = copy_project(FIXTURES / "versioned", tmp_path / "book")
    build(project)
    products = assert_onix_matches_the_build(project, project / "build")
    epub = products["epub"]
    ids = {
        i.findtext("o:ProductIDType", namespaces=ONIX): i.findtext("o:IDValue", namespaces=ONIX)
        for i in epub.iterfind("o:ProductIdentifier", ONIX)
    }
    assert ids["15"] == "9783161484100"  # book.yaml's ISBN, on the EPUB that carries it
    assert "15" not in {
        i.findtext("o:ProductIDType", namespaces=ONIX)
        for i in products["pdf"].iterfind("o:ProductIdentifier", ONIX)
    }
    assert epub.findtext(".//o:Subtitle", namespaces=ONIX).startswith("A short guide")
    assert _texts(epub, ".//o:Language/o:LanguageCode") == ["eng"]
    assert _texts(epub, ".//o:Language/o:CountryCode") == ["GB"]
    assert epub.findtext(".//o:PublisherName", namespaces=ONIX) == "Fixture Press"
    assert epub.findtext(".//o:PublishingDate/o:Date", namespaces=ONIX) == "20261102"
    history = [
        t.findtext("o:Text", namespaces=ONIX)
        for t in epub.iterfind(".//o:TextContent", ONIX)
        if t.findtext("o:TextType", namespaces=ONIX) == "19"
    ]
    assert history == [
        "2.1.0-rc.1 (2026-11-02): The section on audiences now names who reads release notes.; "
        "A typo in the habits chapter."
    ]


def test_the_bundled_book_s_onix(bundled_build):
    from helpers import REPO

    assert_onix_matches_the_build(REPO, bundled_build)


@pytest.mark.slow
def test_an_invalid_record_fails_the_schema_check(tmp_path):
    """The validation above can fail: a missing title and an unknown code are caught."""
    project = copy_project(FIXTURES / "versioned", tmp_path / "book")
    build(project, formats=("epub", "onix"))
    valid = (project / "build" / "onix.xml").read_bytes()
    assert _errors(project / "build" / "onix.xml") == []
    for broken in (
        valid.replace(
            b"<ProductFormDetail>E101</ProductFormDetail>",
            b"<ProductFormDetail>E999</ProductFormDetail>",
        ),
        valid.replace(b"<TitleElementLevel>01</TitleElementLevel>", b"", 1),
        valid.replace(b"<NotificationType>03</NotificationType>", b"", 1),
    ):
        assert broken != valid
        path = tmp_path / "broken.xml"
        path.write_bytes(broken)
        assert _errors(path), broken.decode()[:200]


@pytest.mark.slow
def test_format_onix_alone_reads_the_last_build_and_needs_one(tmp_path):
    project = copy_project(FIXTURES / "versioned", tmp_path / "book")
    result = CliRunner().invoke(main, ["build", str(project), "--format", "onix"])
    assert result.exit_code == 1
    assert "no full-edition EPUB or PDF" in result.output and "Traceback" not in result.output
    build(project, formats=("epub",))
    epub = project / "build/full/release-notes-guide.epub"
    before = epub.stat().st_mtime_ns
    result = CliRunner().invoke(main, ["build", str(project), "--format", "onix"])
    assert result.exit_code == 0, result.output
    assert epub.stat().st_mtime_ns == before
    assert _errors(project / "build/onix.xml") == []
    assert set(_products(project / "build")) == {"epub"}  # only what the build holds


def test_language_tags_become_onix_codes():
    assert onix_language("en-US") == ("eng", "US")
    assert onix_language("de") == ("ger", None)
    assert onix_language("fr-CA") == ("fre", "CA")
    assert onix_language("es-419") == ("spa", None)  # a region, not a country
    assert onix_language("haw") == ("haw", None)
    assert onix_language("xx-YY") == (None, "YY")


def test_conformance_claims_become_list_196_codes():
    claims = {
        "conformsTo": ["EPUB Accessibility 1.0 - WCAG 2.0 Level A"],
        "accessibilityFeature": ["MathML", "unknownFeature", "tableOfContents"],
    }
    assert accessibility_codes(claims) == [
        ("02", ""),
        ("80", ""),
        ("84", ""),
        ("17", ""),
        ("11", ""),
    ]


@pytest.mark.slow
def test_a_language_without_an_onix_code_is_a_located_warning(tmp_path):
    project = copy_project(FIXTURES / "versioned", tmp_path / "book")
    book = project / "manuscript/book.yaml"
    book.write_text(book.read_text().replace("language: en-GB", "language: tl"))
    result = build(project, formats=("epub", "onix"))
    line = next(n for n, text in enumerate(book.read_text().splitlines(), 1) if "language:" in text)
    found = [(f.path, f.line, f.level, f.code) for f in result.findings if f.code.startswith("ONX")]
    assert found == [("manuscript/book.yaml", line, "warning", "ONX001")]
    assert _errors(project / "build/onix.xml") == []
    assert _texts(_products(project / "build")["epub"], ".//o:LanguageCode") == ["und"]


@pytest.mark.slow
def test_a_sample_only_build_leaves_the_record_alone(tmp_path):
    project = copy_project(FIXTURES / "versioned", tmp_path / "book")
    result = CliRunner().invoke(main, ["build", str(project), "--edition", "sample", "-q"])
    assert result.exit_code == 0, result.output
    assert not (project / "build/onix.xml").exists()
    listed = json.loads((project / "build/manifest.json").read_text())["artifacts"]
    assert {a["edition"] for a in listed} == {"sample"}
