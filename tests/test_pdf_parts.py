"""The PDF laid out per chapter and joined (`pdf: {engine: parts}`), against the single
document (`engine: whole`), both profiles: on the bundled eight-chapter book, and on
tests/fixtures/pdf-parts (a one-page chapter, so blank versos in print; links across
chapters both ways; footnotes numbered on across chapters)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, NameTree, NumberTree
from pypdf import PdfReader

from helpers import FIXTURES, REPO, copy_project
from publish.engine.build import build

pytestmark = pytest.mark.slow
PROFILES = "pdf:\n  engine: {engine}\n  screen:\n  print:\n"
EPOCH = "1790000000"
SOURCES = {
    "bundled": (REPO, "ml-product-lifecycle", "chapters/08-wrap-up.md"),
    "fixture": (FIXTURES / "pdf-parts", "parts-joined", "last.md"),
}
PDFS = [(source, profile) for source in SOURCES for profile in ("", "-print")]


def _project(tmp_path_factory, source: str, engine: str) -> Path:
    project = copy_project(SOURCES[source][0], tmp_path_factory.mktemp(engine))
    book = project / "manuscript" / "book.yaml"
    text = book.read_text(encoding="utf-8").split("\npdf:")[0]
    book.write_text(f"{text.rstrip()}\n{PROFILES.format(engine=engine)}", encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """The full edition's PDFs of each source and engine: {(source, engine): project}."""
    made = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        for source in SOURCES:
            for engine in ("whole", "parts"):
                made[source, engine] = _project(tmp_path_factory, source, engine)
                build(made[source, engine], editions=("full",), formats=("pdf",), jobs=2)
    return made


def _pair(built, source: str, profile: str) -> tuple[Path, Path]:
    """(per-chapter PDF, single-document PDF) of `source` and `profile`."""
    name = f"{SOURCES[source][1]}{profile}.pdf"
    return tuple(built[source, engine] / "build" / "full" / name for engine in ("parts", "whole"))


def _dest_pages(pdf: pikepdf.Pdf) -> dict[str, int]:
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    names = NameTree(pdf.Root.Names.Dests)
    return {name: pages[destination[0].objgen] for name, destination in names.items()}


def _links(path: Path) -> list[tuple[int, str, int]]:
    """(page, destination name, page it lands on) for every internal link."""
    with pikepdf.open(path) as pdf:
        landing = _dest_pages(pdf)
        return [
            (index, str(annotation.Dest), landing[str(annotation.Dest)])
            for index, page in enumerate(pdf.pages)
            for annotation in page.obj.get("/Annots", [])
            if "/Dest" in annotation
        ]


def _outline(path: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page) of every outline entry, in order."""
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        entries = []

        def walk(items, depth):
            for item in items:
                entries.append((depth, item.title, pages[item.destination[0].objgen]))
                walk(item.children, depth + 1)

        with pdf.open_outline() as outline:
            walk(outline.root, 0)
        return entries


@pytest.mark.parametrize(("source", "profile"), PDFS)
def test_both_engines_agree_page_by_page(built, source, profile):
    mine, theirs = _pair(built, source, profile)
    parts, whole = PdfReader(mine), PdfReader(theirs)
    assert len(parts.pages) == len(whole.pages) > 10
    for index, (ours, single) in enumerate(zip(parts.pages, whole.pages, strict=True)):
        assert ours.extract_text() == single.extract_text(), f"page {index}"
    assert parts.page_labels == whole.page_labels
    assert _outline(mine) == _outline(theirs)
    assert _links(mine) == _links(theirs)
    assert len(_links(mine)) > 20


def test_print_opens_chapters_on_rectos_with_blank_versos(built):
    mine, _ = _pair(built, "fixture", "-print")
    reader = PdfReader(mine)
    starts = [i for i, page in enumerate(reader.pages) if "A long middle\n" in page.extract_text()]
    assert starts and starts[0] % 2 == 0  # a right-hand page: odd in 1-based counting
    assert reader.pages[starts[0] - 1].extract_text().strip() == ""  # the blank verso
    text = "".join(page.extract_text() for page in reader.pages)
    assert "5. The last note" in text  # footnotes numbered on across parts


@pytest.mark.parametrize(("source", "profile"), PDFS)
def test_joined_pdf_is_clean_for_qpdf(built, source, profile):
    check = subprocess.run(
        ["qpdf", "--check", _pair(built, source, profile)[0]], capture_output=True
    )
    assert check.returncode == 0, check.stdout.decode()[-2000:]
    assert b"WARNING" not in check.stdout + check.stderr


def _marked_content(page: pikepdf.Page) -> set[int]:
    """The MCIDs a page's content stream marks."""
    mcids = set()
    for operands, operator in pikepdf.parse_content_stream(page):
        marked = str(operator) == "BDC" and isinstance(operands[1], Dictionary)
        if marked and "/MCID" in operands[1]:
            mcids.add(int(operands[1].MCID))
    return mcids


def _tree(pdf: pikepdf.Pdf):
    """(elements reached from the root, (page, MCID) pairs they hold)."""
    reached, marks = [], set()
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, Array):
            stack.extend(node)
        elif isinstance(node, Dictionary) and "/S" in node:
            reached.append(node)
            kids = node.get("/K")
            for kid in kids if isinstance(kids, Array) else [kids]:
                if isinstance(kid, int) or (isinstance(kid, pikepdf.Object) and _is_int(kid)):
                    marks.add((pages[node.Pg.objgen], int(kid)))
                elif isinstance(kid, Dictionary) and "/MCID" in kid:
                    page = kid.get("/Pg", node.get("/Pg"))
                    marks.add((pages[page.objgen], int(kid.MCID)))
                elif kid is not None:
                    stack.append(kid)
    return reached, marks


def _is_int(value) -> bool:
    try:
        int(value)
        return True
    except (TypeError, ValueError):
        return False


@pytest.mark.parametrize(("source", "profile"), PDFS)
def test_joined_pdf_has_one_valid_structure_tree(built, source, profile):
    with pikepdf.open(_pair(built, source, profile)[0]) as pdf:
        root = pdf.Root.StructTreeRoot
        documents = [root.K] if isinstance(root.K, Dictionary) else list(root.K)
        assert [str(d.S) for d in documents] == ["/Document"]
        reached, marks = _tree(pdf)
        objects = [element.objgen for element in reached if element.is_indirect]
        assert len(objects) == len(set(objects)), "an element is reached twice"
        ids = [bytes(element.ID) for element in reached if "/ID" in element]
        assert len(ids) == len(set(ids))
        parents = NumberTree(root.ParentTree)
        keys = set()
        for index, page in enumerate(pdf.pages):
            drawn = {(index, mcid) for mcid in _marked_content(page)}
            assert drawn <= marks, f"page {index}: marked content outside the tree"
            if drawn:
                key = int(page.obj.StructParents)
                assert key not in keys
                keys.add(key)
                assert len(parents[key]) > max(mcid for _, mcid in drawn)
        # Every part's elements hang from the one Document: contents and chapters' H1s.
        chapters = 9 if source == "bundled" else 4
        assert sum(str(element.S) == "/H1" for element in reached) >= chapters


@pytest.mark.parametrize(("source", "profile"), PDFS)
def test_contents_numbers_are_the_pages_chapters_start_on(built, source, profile):
    path = _pair(built, source, profile)[0]
    reader = PdfReader(path)
    labels = reader.page_labels
    landing = {name: page for _, name, page in _links(path)}
    contents = next(i for i, page in enumerate(reader.pages) if "Contents" in page.extract_text())
    lines = reader.pages[contents].extract_text().splitlines()
    numbered = [re.match(r"^(.*?)[ .]*?(\d+)$", line) for line in lines]
    numbers = [int(match[2]) for match in numbered if match]
    # A link is one annotation per line box it covers (text, leader, number): once each.
    links = list(dict.fromkeys(name for page, name, _ in _links(path) if page == contents))
    assert len(numbers) == len(links) > 8
    for number, name in zip(numbers, links, strict=True):
        assert labels[landing[name]] == str(number), name
    outline = {title for depth, title, _ in _outline(path) if depth <= 1}
    for match in numbered:
        if match:
            assert match[1].rstrip(" .") in outline


def test_an_edit_lays_out_only_its_chapter_and_jobs_change_no_byte(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # as the first build: same tools' key
    project = built["bundled", "parts"]
    parts = project / "build" / ".cache" / "pdf-parts"
    before = {path.name for path in parts.glob("*.pdfpart")}
    chapter = project / "manuscript" / SOURCES["bundled"][2]
    original = chapter.read_text(encoding="utf-8")
    try:
        chapter.write_text(original.replace("the ", "the  ", 1), encoding="utf-8")
        text = chapter.read_text().replace("product", "produce", 1)
        chapter.write_text(text, encoding="utf-8")
        build(project, editions=("full",), formats=("pdf",), jobs=2)
        # The edited chapter laid out anew, once per profile; the front matter (same date,
        # same page numbers) and the seven other chapters reused from the part cache.
        assert len({path.name for path in parts.glob("*.pdfpart")} - before) == 2
        again = tmp_path / "again"
        shutil.copytree(project, again, ignore=shutil.ignore_patterns("build"))
        build(again, editions=("full",), formats=("pdf",), jobs=1)
        for profile in ("", "-print"):
            name = Path("build", "full", f"{SOURCES['bundled'][1]}{profile}.pdf")
            assert (again / name).read_bytes() == (project / name).read_bytes()
    finally:  # the other tests compare this project's PDFs with the single document's
        chapter.write_text(original, encoding="utf-8")
        build(project, editions=("full",), formats=("pdf",), jobs=2)


def _embedded(path: Path) -> tuple[Counter, Counter]:
    """(Type0 fonts, FontFile2 programs) per face, the subset tag left off."""
    fonts, programs = Counter(), Counter()
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, Dictionary) and obj.get("/Subtype") == pikepdf.Name.Type0:
                fonts[re.sub(r"^/[A-Z]{6}\+", "", str(obj.BaseFont))] += 1
            elif isinstance(obj, Dictionary) and "/FontFile2" in obj:
                programs[re.sub(r"^/[A-Z]{6}\+", "", str(obj.FontName))] += 1
    return fonts, programs


@pytest.mark.parametrize(("source", "profile"), PDFS)
def test_joined_pdf_embeds_each_face_once_and_weighs_about_the_whole(built, source, profile):
    """Each part's subset of a face merged into one (render/pdf_fonts), the folios'
    too: the same faces as the single document, once each, and a file within 15% of it."""
    mine, theirs = _pair(built, source, profile)
    fonts, programs = _embedded(mine)
    assert fonts == programs and set(programs.values()) == {1}
    assert set(programs) == set(_embedded(theirs)[1])
    assert mine.stat().st_size <= 1.15 * theirs.stat().st_size


@pytest.mark.parametrize(("source", "profile"), PDFS)
def test_joined_pdf_draws_every_page_as_the_whole(built, source, profile, tmp_path):
    """The merged fonts draw every glyph as the single document's fonts do: each page
    rasterised (60 dpi, grey) is byte for byte the single document's."""
    pages = {}
    for engine, path in zip(("parts", "whole"), _pair(built, source, profile), strict=True):
        subprocess.run(["pdftoppm", "-r", "60", "-gray", path, tmp_path / engine], check=True)
        pages[engine] = [page.read_bytes() for page in sorted(tmp_path.glob(f"{engine}-*.pgm"))]
    assert len(pages["parts"]) > 10
    assert pages["parts"] == pages["whole"]
