"""Nothing an author writes is lost or broken: notes, links between chapter files, ids,
callouts and the sample's "What comes next", checked on the real EPUB and PDF.

tests/fixtures/fidelity is a small course as an outside author writes it: notes with
two paragraphs and inside a list, a table and a callout; links between chapter files
with and without #id; figures without ids; the same heading text in every chapter; a
sample cut by reading time that ends at a level-3 heading, linking into paid text.
"""

from __future__ import annotations

import posixpath
import shutil
from pathlib import Path

import pytest
from lxml import etree

from helpers import FIXTURES, NS, copy_project, epub_files, epubcheck, pdf_text
from publish.checks.links import chapter_target
from publish.editions.compose import teaser_entries
from publish.editions.kinds import SAMPLE
from publish.engine.build import build
from publish.errors import FindingsError
from publish.project.loader import load_project

SLUG = "working-with-dates"
EPUB_NS = "{http://www.idpf.org/2007/ops}type"
PAID_NOTE = "A note in paid text"


@pytest.fixture(scope="session")
def fidelity(tmp_path_factory):
    """The fixture built once: (build folder, the build's findings)."""
    project = copy_project(FIXTURES / "fidelity", tmp_path_factory.mktemp("fidelity"))
    result = build(project)
    return project / "build", result.findings


def epub_path(out: Path, edition: str) -> Path:
    return (
        out
        / ("full" if edition == "full" else "sample")
        / (f"{SLUG}.epub" if edition == "full" else f"{SLUG}-sample.epub")
    )


def pdf_path(out: Path, edition: str) -> Path:
    return epub_path(out, edition).with_suffix(".pdf")


def xhtml_files(epub: Path) -> dict[str, etree._Element]:
    """Every XHTML file of an EPUB, parsed as XML, by its name inside EPUB/."""
    return {
        name.removeprefix("EPUB/"): etree.fromstring(data)
        for name, data in epub_files(epub).items()
        if name.endswith(".xhtml")
    }


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def link_by_text(tree, text: str):
    for link in tree.iterfind(".//x:a", NS):
        if text_of(link) == text:
            return link
    return None


# --- footnotes ---------------------------------------------------------------------------


def notes_of(tree) -> dict[str, etree._Element]:
    return {a.get("id"): a for a in tree.iterfind(".//x:aside", NS)}


@pytest.mark.slow
def test_every_note_call_is_an_epub3_noteref_to_an_aside_in_its_file(fidelity):
    out, _ = fidelity
    for edition in ("full", "sample"):
        for name, tree in xhtml_files(epub_path(out, edition)).items():
            notes = notes_of(tree)
            refs = tree.xpath(".//x:a[contains(@class, 'footnote-ref')]", namespaces=NS)
            assert len(refs) == len(notes), name
            for ref in refs:
                assert ref.get(EPUB_NS) == "noteref" and ref.get("role") == "doc-noteref"
                note = notes[ref.get("href").removeprefix("#")]
                assert note.get(EPUB_NS) == "footnote" and note.get("role") == "doc-footnote"
                back = note.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)
                assert back and back[0].get("href") == f"#{ref.get('id')}"
                assert text_of(note).strip("↩︎ ")


@pytest.mark.slow
def test_notes_in_paragraphs_lists_tables_and_callouts_keep_their_text(fidelity):
    out, _ = fidelity
    files = xhtml_files(epub_path(out, "full"))
    where = {
        "chapter-01.xhtml": ("p", "The second paragraph of the same note"),
        "chapter-02.xhtml": ("li", "Use the day in the time zone"),
        "chapter-03.xhtml": ("td", "Days are in the reader"),
    }
    for name, (parent, words) in where.items():
        tree = files[name]
        ref = tree.xpath(f".//x:{parent}//x:a[@epub:type='noteref']", namespaces=NS)[0]
        assert words in text_of(notes_of(tree)[ref.get("href")[1:]])
    long_note = next(iter(notes_of(files["chapter-01.xhtml"]).values()))
    assert len(long_note.findall("x:p", NS)) == 2  # both paragraphs of the long note
    callout = files["chapter-03.xhtml"].xpath(".//x:div[@class='callout']", namespaces=NS)[0]
    ref = callout.xpath(".//x:a[@epub:type='noteref']", namespaces=NS)[0]
    assert "Count the days" in text_of(notes_of(files["chapter-03.xhtml"])[ref.get("href")[1:]])
    text = pdf_text(pdf_path(out, "full"))
    for words in ("The second paragraph of the same note", "Use the day in the time zone"):
        assert words in " ".join(text.split())


@pytest.mark.slow
def test_a_note_called_in_the_sample_travels_with_it_and_a_paid_one_does_not(fidelity):
    out, _ = fidelity
    files = xhtml_files(epub_path(out, "sample"))
    assert "Use the day in the time zone" in text_of(files["chapter-02.xhtml"])
    assert "[^list]" not in text_of(files["chapter-02.xhtml"])
    sample_pdf = " ".join(pdf_text(pdf_path(out, "sample")).split())
    assert "Use the day in the time zone" in sample_pdf
    for tree in files.values():
        assert PAID_NOTE not in text_of(tree)
    assert PAID_NOTE not in sample_pdf


@pytest.mark.slow
def test_the_bundled_books_chapter_4_note_is_an_epub_note(bundled_build):
    epub = bundled_build / "full" / "ml-product-lifecycle.epub"
    tree = xhtml_files(epub)["chapter-04.xhtml"]
    (note,) = notes_of(tree).values()
    assert "Netflix Prize" in text_of(note)
    (ref,) = tree.xpath(".//x:a[@epub:type='noteref']", namespaces=NS)
    assert ref.get("href") == f"#{note.get('id')}"


# --- links and ids -----------------------------------------------------------------------


def assert_links_land(epub: Path) -> int:
    """Every internal href names a file of the EPUB and an id in it; returns the count."""
    files = xhtml_files(epub)
    ids = {name: {e.get("id") for e in tree.iter() if e.get("id")} for name, tree in files.items()}
    names = set(epub_files(epub))
    count = 0
    for name, tree in files.items():
        for link in tree.iterfind(".//x:a[@href]", NS):
            href = link.get("href")
            if href.startswith(("http:", "https:", "mailto:")):
                continue
            path, _, fragment = href.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path or name))
            assert f"EPUB/{target}" in names, (name, href)
            assert not fragment or fragment in ids.get(target, set()), (name, href)
            count += 1
    return count


def assert_ids_valid(epub: Path) -> None:
    seen = set()
    for name, tree in xhtml_files(epub).items():
        for element in tree.iter():
            ident = element.get("id")
            if ident is None:
                continue
            assert ident.strip(), f"empty id in {name}"
            if name != "nav.xhtml":  # ebooklib's nav has its own ids
                assert ident not in seen, f"duplicate id {ident} in {name}"
                seen.add(ident)


@pytest.mark.slow
def test_links_between_chapter_files_reach_the_right_file_and_id(fidelity):
    out, _ = fidelity
    files = xhtml_files(epub_path(out, "full"))
    summary_of_frames = files["chapter-03.xhtml"].xpath(
        ".//x:section[x:h2='Summary']/@id", namespaces=NS
    )[0]
    expect = {
        ("chapter-01.xhtml", "frames"): "chapter-03.xhtml#frames",
        ("chapter-01.xhtml", "frame summary"): f"chapter-03.xhtml#{summary_of_frames}",
        ("chapter-03.xhtml", "Gaps"): "chapter-02.xhtml#gaps",
        ("chapter-04.xhtml", "fill them"): "chapter-02.xhtml#filling-the-gaps",
        ("chapter-04.xhtml", "frames summary"): f"chapter-03.xhtml#{summary_of_frames}",
    }
    for (name, text), href in expect.items():
        assert link_by_text(files[name], text).get("href") == href
    # `#terms` in chapter 3 means chapter 3's own "Key terms", though chapter 1 has one too
    own = link_by_text(files["chapter-03.xhtml"], "terms above").get("href")
    assert files["chapter-03.xhtml"].xpath(f".//*[@id='{own[1:]}']/x:h2", namespaces=NS)
    for edition in ("full", "sample"):
        assert assert_links_land(epub_path(out, edition)) > 0


@pytest.mark.slow
def test_no_empty_or_repeated_id_and_figures_without_ids_have_none(fidelity, bundled_build):
    out, _ = fidelity
    for edition in ("full", "sample"):
        assert_ids_valid(epub_path(out, edition))
    figures = xhtml_files(epub_path(out, "full"))["chapter-01.xhtml"].iterfind(".//x:figure", NS)
    assert all(figure.get("id") is None for figure in figures)
    for epub in bundled_build.glob("*/*.epub"):
        assert_ids_valid(epub)
        assert_links_land(epub)


@pytest.mark.slow
def test_sample_links_into_paid_text_are_plain_text_in_epub_and_pdf(fidelity):
    out, findings = fidelity
    files = xhtml_files(epub_path(out, "sample"))
    first = files["chapter-01.xhtml"]
    assert link_by_text(first, "frames") is None and link_by_text(first, "frame summary") is None
    assert "Later we reshape series into frames, and the frame summary" in text_of(first)
    assert not [f for f in findings if f.code == "REN002"]  # WeasyPrint found no dead anchor
    for edition in ("full", "sample"):
        assert_pdf_links_land(pdf_path(out, edition))


def pdf_links(path: Path) -> list[tuple[int, str]]:
    """(page index, destination name) of every internal link annotation."""
    from pypdf import PdfReader

    links = []
    for index, page in enumerate(PdfReader(path).pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            action = action.get_object() if action is not None else {}
            if "/URI" in action:
                assert str(action["/URI"]).startswith(("http://", "https://", "mailto:"))
                continue
            links.append((index, str(annotation.get("/Dest") or action.get("/D"))))
    return links


def assert_pdf_links_land(path: Path) -> None:
    from pypdf import PdfReader

    names = set(PdfReader(path).named_destinations)
    for page, name in pdf_links(path):
        assert name in names, f"page {page + 1} links to missing #{name}"


@pytest.mark.slow
def test_pdf_links_between_chapters_go_to_the_right_page(fidelity):
    from pypdf import PdfReader

    out, _ = fidelity
    path = pdf_path(out, "full")
    reader = PdfReader(path)
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    summary_page = next(i for i, text in enumerate(pages) if "Frames make gaps visible" in text)
    basics_page = next(i for i, text in enumerate(pages) if "Later we reshape series" in text)
    targets = {
        name: reader.get_destination_page_number(dest)
        for name, dest in reader.named_destinations.items()
    }
    from_basics = {name for page, name in pdf_links(path) if page == basics_page}
    assert targets["frames"] == summary_page  # chapter 3 starts on the page of its summary
    assert any(name.startswith("summary") and targets[name] == summary_page for name in from_basics)
    assert "frames" in from_basics


# --- check ---------------------------------------------------------------------------------


def test_check_reports_links_to_a_non_chapter_or_a_missing_id(tmp_path):
    project = copy_project(FIXTURES / "fidelity", tmp_path / "book")
    chapter = project / "manuscript" / "chapters" / "04-wrap-up.md"
    chapter.write_text(
        chapter.read_text() + "\nSee [notes](../notes.md) and [gone](03-frames.md#nowhere).\n"
    )
    findings = load_project(project).findings
    ref = sorted((f.line, f.col, f.message) for f in findings if f.code == "REF002")
    assert [(line, col) for line, col, _ in ref] == [(10, 5), (10, 30)]
    assert "not a chapter" in ref[0][2] and "#nowhere" in ref[1][2]


def test_the_fixture_checks_clean(tmp_path):
    project = copy_project(FIXTURES / "fidelity", tmp_path / "book")
    try:
        findings = load_project(project).findings
    except FindingsError as exc:  # pragma: no cover - shows what failed
        pytest.fail(str(exc))
    assert [f.code for f in findings if f.code.startswith("REF")] == []


# --- callouts and "What comes next" -------------------------------------------------------


@pytest.mark.slow
def test_callouts_keep_their_title_and_are_boxed(fidelity):
    out, _ = fidelity
    tree = xhtml_files(epub_path(out, "full"))["chapter-03.xhtml"]
    (callout,) = tree.xpath(".//x:div[@class='callout']", namespaces=NS)
    assert text_of(callout.find("x:p", NS)) == "Dates with gaps"
    assert callout.get("title") is None
    text = " ".join(pdf_text(pdf_path(out, "full")).split())
    assert "DATES WITH GAPS" in text.upper() and "NOTE A frame built" not in text.upper()
    theme = Path(__file__).resolve().parents[1] / "src" / "publish" / "theme"
    for sheet in ("print.css", "epub.css"):
        rule = next(
            line for line in (theme / sheet).read_text().splitlines() if line.startswith(".callout")
        )
        assert "background" in rule and "border-left" in rule


def test_teaser_nests_left_out_sections_from_a_cut_at_level_3(tmp_path):
    project = load_project(copy_project(FIXTURES / "fidelity", tmp_path / "book"))
    entries = teaser_entries(project.editions[SAMPLE.name].left_out, "continued")
    assert entries[:4] == [
        (0, "Gaps (continued)"),
        (1, "Counting (continued)"),
        (2, "Filling the Gaps"),
        (1, "Summary"),
    ]
    assert (0, "Frames") in entries and (0, "Wrap-up") in entries


@pytest.mark.slow
def test_teaser_renders_a_nested_list_not_code(fidelity):
    out, _ = fidelity
    tree = xhtml_files(epub_path(out, "sample"))["what-comes-next.xhtml"]
    assert tree.find(".//x:pre", NS) is None
    (filling,) = [li for li in tree.iterfind(".//x:li", NS) if text_of(li) == "Filling the Gaps"]
    parents = [text_of(li).split(" ")[0] for li in filling.iterancestors(f"{{{NS['x']}}}li")]
    assert parents == ["Counting", "Gaps"]


# --- validity ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs Java")
def test_fixture_epubs_pass_epubcheck(fidelity):
    out, _ = fidelity
    for edition in ("full", "sample"):
        report = epubcheck(epub_path(out, edition))
        messages = [(m["severity"], m["ID"], m["message"]) for m in report["messages"]]
        assert messages == [], messages


def test_chapter_targets_resolve_from_the_linking_file_then_from_manuscript():
    names = {"chapters/01-basics.md", "chapters/03-frames.md", "intro.md"}
    here = "chapters/01-basics.md"
    assert chapter_target("03-frames.md", here, names) == ("chapters/03-frames.md", "")
    assert chapter_target("./03-frames.md#summary", here, names) == (
        "chapters/03-frames.md",
        "summary",
    )
    assert chapter_target("chapters/03-frames.md#a%20b", here, names) == (
        "chapters/03-frames.md",
        "a b",
    )
    assert chapter_target("intro.md", here, names) == ("intro.md", "")
    assert chapter_target("notes.md", here, names) == (None, "")
    for other in ("#summary", "https://example.com/x.md", "images/a.png", "/etc/x.md"):
        assert chapter_target(other, here, names) is None
