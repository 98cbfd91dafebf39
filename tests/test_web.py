"""The web edition (`--format web`) on a purpose-made fixture: its pages, its reading
path, its links, its search index, its manifest entry, its cache and its bytes."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from lunr.index import Index

import web_site as w
from helpers import FIXTURES, copy_project
from publish.engine.build import build

EPOCH = "1767225600"
FULL_PAGES = [
    "answers.html",
    "chapter-01.html",
    "chapter-02.html",
    "chapter-03.html",
    "index.html",
    "search.html",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(FIXTURES / "web-site", tmp_path_factory.mktemp("web"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build(root, formats=("web",))
    return root


@pytest.fixture(scope="module")
def full(project) -> Path:
    return project / "build" / "full" / "web"


@pytest.fixture(scope="module")
def sample(project) -> Path:
    return project / "build" / "sample" / "web"


def test_a_page_per_chapter_and_generated_part(full, sample):
    assert w.pages(full) == FULL_PAGES
    assert w.pages(sample) == [
        "chapter-01.html",
        "index.html",
        "search.html",
        "what-comes-next.html",
    ]
    titles = {name: w.page(full, name).findtext(".//main//h1") for name in FULL_PAGES}
    assert titles["chapter-03.html"] == "Harbour"
    assert titles["index.html"] == "Field Notes for Web Readers"
    assert "zeppelin mooring mast" in w.page(full, "chapter-03.html").text_content()


def test_every_page_has_landmarks_a_skip_link_and_its_language(full, sample):
    for site in (full, sample):
        for name in w.pages(site):
            root = w.page(site, name)
            assert root.get("lang") == "en"
            body = root.find("body")
            skip = body[0]
            assert skip.tag == "a" and skip.get("href") == "#content", name
            assert [child.tag for child in body[1:3]] == ["header", "main"], name
            assert root.find(".//main").get("id") == "content"
            assert root.find(".//footer") is not None
            assert root.findtext(".//title")
            viewport = root.xpath("//meta[@name='viewport']/@content")
            assert viewport == ["width=device-width, initial-scale=1"]


def test_the_reading_path_runs_through_every_chapter_in_order(full, sample):
    assert w.reading_path(full) == [
        "index.html",
        "chapter-01.html",
        "chapter-02.html",
        "chapter-03.html",
        "answers.html",
    ]
    # The sample's path ends at "What comes next", which makes the offer.
    assert w.reading_path(sample) == ["index.html", "chapter-01.html", "what-comes-next.html"]
    teaser = w.page(sample, "what-comes-next.html")
    offer = teaser.xpath("//main//*[contains(@class, 'call-to-action')]//a/@href")
    assert offer == ["https://example.com/field-notes"]
    for name in w.pages(sample):  # every sample page says where the offer is
        badge = w.page(sample, name).xpath("//header//a[@class='edition-badge']/@href")
        assert badge == ["what-comes-next.html"], name


def test_every_link_and_image_resolves_inside_the_site(full, sample):
    for site in (full, sample):
        assert w.local_link_problems(site) == []
    exercise = w.page(full, "chapter-01.html").xpath("//p[@class='answer-link']/a/@href")
    assert exercise == ["answers.html#answer-1"]


def test_the_contents_list_chapters_and_their_sections(full):
    toc = w.page(full, "index.html").xpath("//nav[@id='contents']//a")
    assert [(a.get("href"), a.text_content()) for a in toc] == [
        ("chapter-01.html", "Arrival"),
        ("chapter-01.html#packing-the-kit", "Packing the kit"),
        ("chapter-02.html", "Measures"),
        ("chapter-03.html", "Harbour"),
        ("chapter-03.html#the-tide-tables", "The tide tables"),
        ("answers.html", "Answers to the exercises"),
        ("answers.html#answer-1", "Exercise 1 (Arrival)"),
    ]


def test_wide_tables_and_formulas_scroll_in_a_box_code_takes_focus(full):
    root = w.page(full, "chapter-02.html")
    table = root.find(".//table")
    assert "scroll-box" in table.getparent().classes
    assert table.getparent().get("tabindex") == "0"
    formula = root.xpath("//*[local-name()='math'][@display='block']")
    assert formula and "scroll-box" in formula[0].getparent().classes
    assert root.find(".//pre").get("tabindex") == "0"
    assert root.xpath("//pre//span[@class='kw']"), "code is highlighted as in the EPUB"
    assert root.xpath("//*[local-name()='math']//*[local-name()='mi']"), "math is MathML"


def test_diagrams_are_svg_with_their_labels_drawn(full):
    figure = w.page(full, "chapter-01.html").find(".//figure//img")
    assert figure.get("alt") == "Camp leads to the ridge"
    svg = (full / figure.get("src")).read_text()
    assert svg.lstrip().startswith(("<svg", "<?xml")) and "<path" in svg
    assert "<text" not in svg, "labels are outlines in the theme's font, as in the EPUB"


def test_the_search_index_finds_a_word_of_the_last_chapter(full):
    data = w.search_data(full)
    index = Index.load(data["index"])
    hits = index.search("zeppelin")
    assert hits, "the word of chapter 3 is in the index"
    doc = data["docs"][hits[0]["ref"]]
    assert doc["url"] == "chapter-03.html" and doc["chapter"] == "Harbour"
    assert "zeppelin mooring mast" in doc["text"]
    tide = data["docs"][index.search("tide")[0]["ref"]]
    assert tide["url"] == "chapter-03.html#the-tide-tables"
    search = w.page(full, "search.html")
    scripts = search.xpath("//script/@src")
    assert scripts == ["assets/lunr.min.js", "assets/search-index.js", "assets/search.js"]
    for src in scripts:
        assert (full / src).is_file()


def test_the_sample_site_holds_nothing_of_the_paid_text(full, sample):
    paid, leaks = w.leaked_runs(full, sample)
    assert paid >= 5
    assert leaks == []
    corpus = w.words(w.site_text(sample))
    assert "ridge" in corpus  # the sample's own words are read
    assert "zeppelin" not in corpus


def test_the_manifest_lists_each_site_once(project, full):
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    entries = {a["path"]: a for a in manifest["artifacts"]}
    assert set(entries) == {"full/web", "sample/web"}
    entry = entries["full/web"]
    files = sorted((p for p in full.rglob("*") if p.is_file()), key=lambda p: str(p).encode())
    assert entry["format"] == "web" and entry["edition"] == "full"
    assert entry["files"] == len(files)
    assert entry["bytes"] == sum(p.stat().st_size for p in files)
    listing = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(full).as_posix()}\n"
        for p in files
    )
    assert entry["sha256"] == hashlib.sha256(listing.encode()).hexdigest()
    assert entry["identifier"] == "urn:uuid:7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"


@pytest.mark.slow
def test_an_unchanged_site_is_reused_and_a_stray_file_means_a_rebuild(project, full, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    record = project / "build" / ".cache" / "last-build.json"
    build(project, formats=("web",))
    assert json.loads(record.read_text()) == {
        "reused": ["full-web", "sample-web"],
        "built": [],
    }
    stray = full / "images" / "old-diagram.svg"
    stray.write_text("<svg/>")
    build(project, formats=("web",))
    assert json.loads(record.read_text())["built"] == ["full-web"]
    assert not stray.exists(), "what an earlier build left is removed"


@pytest.mark.slow
def test_two_builds_give_the_same_bytes(project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    again = copy_project(FIXTURES / "web-site", tmp_path / "again")
    build(again, formats=("web",))
    for edition in ("full", "sample"):
        first, second = project / "build" / edition / "web", again / "build" / edition / "web"
        names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
        assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
        for name in names:
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    shutil.rmtree(again)
