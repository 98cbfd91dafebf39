"""The foundation: the bundled book and a small one build into valid EPUB 3, PDF and manifest."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader

from helpers import FIXTURES, NS, REPO, copy_project, epub_files, epubcheck, opf, pdf_text
from publish.commands.cli import main
from publish.project.config import load_book

SLUG = "ml-product-lifecycle"
EPUBS = [f"full/{SLUG}.epub", f"sample/{SLUG}-sample.epub"]


def chapter_titles(project: Path) -> list[str]:
    """The level-1 heading of each chapter, straight from the Markdown."""
    book = load_book(project)
    titles = []
    for name in book.chapters:
        text = (project / "manuscript" / name).read_text(encoding="utf-8")
        match = re.search(r"^# (.+?)(?:\s+\{.*\})?$", text, re.M)
        titles.append(match.group(1).strip())
    return titles


def words(text: str) -> str:
    return " ".join(re.sub(r"[*_`]", "", text).split())


@pytest.mark.parametrize("name", EPUBS)
def test_bundled_epubs_pass_epubcheck(bundled_build, name):
    report = epubcheck(bundled_build / name)
    messages = [(m["severity"], m["ID"], m["message"]) for m in report["messages"]]
    assert report["checker"]["nFatal"] == 0
    assert report["checker"]["nError"] == 0, messages
    assert report["checker"]["nWarning"] == 0, messages


def test_mini_epubs_pass_epubcheck(mini_build):
    for path in sorted(mini_build.rglob("*.epub")):
        report = epubcheck(path)
        assert (report["checker"]["nError"], report["checker"]["nWarning"]) == (0, 0), path


def test_opf_metadata_is_complete(bundled_build):
    book = load_book(REPO)
    package = opf(bundled_build / EPUBS[0])
    metadata = package.find("opf:metadata", NS)

    def dc(name):
        return [e.text for e in metadata.findall(f"dc:{name}", NS)]

    assert package.get("version") == "3.0"
    assert dc("title") == [book.title, book.subtitle]  # the subtitle refined as such
    subtitle = metadata.find("dc:title[@id='subtitle']", NS)
    assert subtitle is not None and subtitle.text == book.subtitle
    assert dc("identifier") == [book.identifiers["full"]]
    assert dc("language") == [book.language]
    assert dc("creator") == book.authors
    assert dc("publisher") == [book.publisher]
    assert dc("date") == [book.date]
    assert set(dc("subject")) == set(book.subjects)
    assert dc("rights") == [book.rights]
    properties = {m.get("property"): m.text for m in metadata.findall("opf:meta", NS)}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", properties["dcterms:modified"])
    for required in (
        "schema:accessMode",
        "schema:accessModeSufficient",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
        "dcterms:conformsTo",
        "a11y:certifiedBy",
    ):
        assert properties.get(required), required


def nav_entries(epub: Path) -> list[tuple[str, str]]:
    files = epub_files(epub)
    package = opf(epub)
    nav_href = package.find("opf:manifest/opf:item[@properties='nav']", NS).get("href")
    nav = etree.fromstring(files[f"EPUB/{nav_href}"])
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    return [
        (a.get("href"), " ".join(a.itertext()).strip())
        for a in toc.findall("x:ol/x:li/x:a", NS) + toc.findall("x:ol/x:li/x:span", NS)
    ]


def test_nav_lists_every_chapter_in_order(bundled_build):
    titles = [title for _, title in nav_entries(bundled_build / EPUBS[0])]
    assert titles[: len(chapter_titles(REPO))] == chapter_titles(REPO)
    assert titles[-1] == "Answers to the exercises"


def test_nav_has_landmarks(bundled_build):
    files = epub_files(bundled_build / EPUBS[0])
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    kinds = {a.get("{http://www.idpf.org/2007/ops}type") for a in landmarks.iter("{*}a")}
    assert {"cover", "toc", "bodymatter"} <= kinds


def test_every_document_declares_its_language(bundled_build):
    book = load_book(REPO)
    for name, data in epub_files(bundled_build / EPUBS[0]).items():
        if name.endswith(".xhtml"):
            root = etree.fromstring(data)
            assert root.get("lang") == book.language, name
            assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == book.language


def test_chapter_text_is_in_epub_and_pdf(bundled_build):
    epub_text = words(
        " ".join(
            " ".join(etree.fromstring(data).itertext())
            for name, data in epub_files(bundled_build / EPUBS[0]).items()
            if name.endswith(".xhtml")
        )
    )
    pdf = words(pdf_text(bundled_build / f"full/{SLUG}.pdf")).replace("- ", "")
    for title in chapter_titles(REPO):
        assert title in epub_text
        assert title in pdf
    sentence = "Listeners struggle to find new music they like"
    assert sentence in epub_text
    assert "Listeners struggle to find new" in pdf


def test_pdf_has_metadata_title_page_and_numbers(bundled_build):
    book = load_book(REPO)
    reader = PdfReader(bundled_build / f"full/{SLUG}.pdf")
    assert reader.metadata.title == book.title
    assert reader.metadata.author == ", ".join(book.authors)
    assert reader.trailer["/Root"]["/Lang"] == book.language
    assert book.subtitle in words(reader.pages[1].extract_text())
    outline_titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline_titles[1:][: len(chapter_titles(REPO))] == chapter_titles(REPO)


def test_manifest_lists_every_artifact_with_true_hashes(bundled_build):
    manifest = json.loads((bundled_build / "manifest.json").read_text())
    assert manifest["book"]["title"] == load_book(REPO).title
    listed = {entry["path"]: entry for entry in manifest["artifacts"]}
    on_disk = {
        p.relative_to(bundled_build).as_posix()
        for p in bundled_build.rglob("*")
        if p.is_file() and ".cache" not in p.parts and p.name not in ("manifest.json", ".lock")
    }
    assert set(listed) == on_disk
    for path, entry in listed.items():
        data = (bundled_build / path).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["edition"] in ("full", "sample")
    pdf = listed[f"full/{SLUG}.pdf"]
    assert pdf["pages"] == len(PdfReader(bundled_build / pdf["path"]).pages)


def test_cli_version_and_help():
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).output.startswith("publish, version ")
    result = runner.invoke(main, ["build", "--help"])
    assert result.exit_code == 0 and "--edition" in result.output
    assert runner.invoke(main, ["build", "--edition", "nope"]).exit_code == 2


def test_missing_chapter_file_names_book_yaml_line(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text().replace("two.md", "tow.md"))
    result = CliRunner().invoke(main, ["build", str(project)])
    assert result.exit_code == 1
    line = next(
        i for i, text in enumerate(book_yaml.read_text().splitlines(), 1) if "tow.md" in text
    )
    assert f"manuscript/book.yaml:{line}:" in result.output
    assert "tow.md" in result.output and "Traceback" not in result.output
    assert not (project / "build").exists()


@pytest.mark.slow
def test_failed_build_leaves_previous_artifacts(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    assert CliRunner().invoke(main, ["build", str(project), "-q"]).exit_code == 0
    before = {p: p.read_bytes() for p in (project / "build").rglob("*.epub")}
    chapter = project / "manuscript" / "two.md"
    chapter.write_text(chapter.read_text() + "\n::: exercise\nNever closed.\n")
    assert CliRunner().invoke(main, ["build", str(project)]).exit_code == 1
    assert before and all(p.read_bytes() == data for p, data in before.items())


@pytest.mark.slow
def test_authors_cover_is_used_and_labelled_for_the_sample(tmp_path):
    from PIL import Image

    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    Image.new("RGB", (2000, 3000), (10, 120, 40)).save(project / "manuscript" / "cover.png")
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text() + "cover: cover.png\n")
    assert (
        CliRunner().invoke(main, ["build", str(project), "-q", "--format", "epub"]).exit_code == 0
    )
    covers = {}
    for edition, name in (("full", "mini-book"), ("sample", "mini-book-sample")):
        data = epub_files(project / "build" / edition / f"{name}.epub")["EPUB/images/cover.png"]
        covers[edition] = Image.open(__import__("io").BytesIO(data)).convert("RGB")
    width, height = covers["full"].size
    assert width * height <= 4_000_000, "Apple Books' 4-megapixel limit"
    assert abs(width / height - 2 / 3) < 0.01
    assert covers["full"].getpixel((width // 2, height - 10)) == (10, 120, 40)
    # The sample's label is in a band added below the art: the art's foot stays green.
    sample = covers["sample"]
    assert sample.getpixel((2, height - height // 28 * 2)) == (10, 120, 40)
    assert sample.height > height and sample.getpixel((2, sample.height - 2)) != (10, 120, 40)


def test_small_cover_is_flagged_for_storefronts(tmp_path):
    from PIL import Image

    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    Image.new("RGB", (400, 600), (10, 120, 40)).save(project / "manuscript" / "cover.png")
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text() + "cover: cover.png\n")
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 0
    assert re.search(
        r"manuscript/book\.yaml:\d+:1: WARNING IMG006 cover 'cover.png' is 400x600", result.output
    )
    assert CliRunner().invoke(main, ["check", str(project), "--strict"]).exit_code == 1


def test_cover_must_be_an_image(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    (project / "manuscript" / "cover.gif").write_bytes(b"GIF89a")
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text() + "cover: cover.gif\n")
    result = CliRunner().invoke(main, ["build", str(project)])
    assert result.exit_code == 1 and "manuscript/book.yaml:" in result.output
    assert "IMG002" in result.output


@pytest.mark.slow
def test_verbose_build_reports_each_task_and_a_summary(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    result = CliRunner().invoke(main, ["build", str(project), "-v", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    tasks = re.findall(r"\] \[(\d)/(\d)\] (\S+) done", result.output)
    assert sorted(name for _, _, name in tasks) == [
        "full-epub",
        "full-pdf",
        "sample-epub",
        "sample-pdf",
    ]
    assert {total for _, total, _ in tasks} == {"4"}
    assert re.search(r"full/mini-book\.pdf\s+[\d.]+ KB\s+\d+ pages", result.output)
    assert "publish: built 6 file(s)" in result.output  # and onix.xml with its cover
    again = CliRunner().invoke(main, ["build", str(project), "-v"])
    assert "reusing 4 unchanged artifact set(s) from the cache" in again.output


def test_manifest_carries_reading_time_and_the_opf_accessibility_claims(bundled_build):
    manifest = json.loads((bundled_build / "manifest.json").read_text())
    entries = {entry["path"]: entry for entry in manifest["artifacts"]}
    for path in EPUBS:
        metadata = opf(bundled_build / path).find("opf:metadata", NS)
        in_opf = {}
        for meta in metadata.findall("opf:meta", NS):
            prop = meta.get("property") or ""
            accessibility = prop != "schema:version"  # the release, not a claim
            if accessibility and prop.startswith(("schema:", "dcterms:conformsTo", "a11y:")):
                in_opf.setdefault(prop.split(":", 1)[1], []).append(meta.text)
        assert entries[path]["accessibility"] == in_opf
    full, sample = (
        entries[f"{edition}/{name}.pdf"]["reading_minutes"]
        for edition, name in (("full", SLUG), ("sample", f"{SLUG}-sample"))
    )
    assert 8 <= full <= 16 and 2 <= sample <= 4


def test_conformance_is_claimed_only_when_book_yaml_makes_the_claim(mini_build):
    metadata = opf(mini_build / "full/mini-book.epub").find("opf:metadata", NS)
    properties = {m.get("property") for m in metadata.findall("opf:meta", NS)}
    assert {"schema:accessMode", "schema:accessibilitySummary"} <= properties
    assert not {"dcterms:conformsTo", "a11y:certifiedBy"} & properties
