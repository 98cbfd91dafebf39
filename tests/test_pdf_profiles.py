"""The screen and print PDF profiles: `pdf:` in book.yaml, the print interior's trim,
mirrored margins, gutter, bleed, blank versos and even count, the screen PDF's pages
without blanks, code blocks across page breaks, and page fill measured from the PDFs."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from helpers import FIXTURES, REPO, copy_project
from publish.errors import FindingsError
from publish.outputs import pdf_print
from publish.outputs.pdf_print import INCH, OUTSIDE, gutter, kdp_gutter
from publish.project.config import load_book
from publish.project.config_pdf import TRIMS, profiles, trim_size

FIXTURE = FIXTURES / "pdf-profiles"
PROFILES_YAML = "pdf:\n  screen:\n  print:\n    trim: 6x9\n"
# Drawing and text operators: a truly blank page has none of them.
MARKING = {"Tj", "TJ", "'", '"', "re", "f", "f*", "F", "S", "s", "B", "b", "Do", "sh", "BI", "l"}


def page_fill():
    """bench/page_fill.py, the script the benchmark books are measured with."""
    spec = importlib.util.spec_from_file_location("page_fill", REPO / "bench" / "page_fill.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["page_fill"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _project(tmp_path: Path, extra: str = "") -> Path:
    project = tmp_path / "book"
    (project / "manuscript").mkdir(parents=True)
    (project / "manuscript" / "book.yaml").write_text(
        "title: T\nslug: t\nauthors: [A]\nlanguage: en\nchapters: [one.md]\n"
        "identifiers: {full: 'urn:uuid:1'}\n" + extra
    )
    return project


# ---- fast: the schema and the rules -------------------------------------------------


def test_named_and_custom_trim_sizes():
    assert {"5x8", "5.25x8", "5.5x8.5", "6x9", "7x10", "8.5x11", "a5", "a4"} <= set(TRIMS)
    assert (TRIMS["6x9"].width, TRIMS["6x9"].height) == (432, 648)
    assert round(TRIMS["a5"].width, 1) == 419.5
    custom = trim_size("6.14x9.21 in")
    assert (round(custom.width, 2), round(custom.height, 2)) == (442.08, 663.12)
    assert trim_size("210x297mm").width == pytest.approx(TRIMS["a4"].width)
    assert trim_size("pocket") is None


def test_gutter_is_kdp_table_never_under_ingramspark_half_inch():
    table = {24: 0.375, 150: 0.375, 151: 0.5, 300: 0.5, 301: 0.625, 500: 0.625, 700: 0.75}
    for pages, inches in {**table, 701: 0.875, 828: 0.875}.items():
        assert kdp_gutter(pages) == inches * INCH, pages
        assert gutter(pages) == max(inches, 0.5) * INCH, pages
    assert OUTSIDE >= 0.5 * INCH  # IngramSpark everywhere; KDP 0.375 in with bleed


def test_profiles_default_and_bare_keys(tmp_path):
    book = load_book(_project(tmp_path))
    assert (profiles(book).screen_paper, profiles(book).trim) == ("a4", None)
    book = load_book(_project(tmp_path / "2", "paper: letter\npdf:\n  print:\n"))
    chosen = profiles(book)
    assert chosen.screen_paper is None and chosen.trim.name == "6x9" and chosen.bleed == 0
    book = load_book(_project(tmp_path / "3", "pdf:\n  screen: {paper: letter}\n"))
    assert profiles(book).screen_paper == "letter"
    book = load_book(_project(tmp_path / "4", "pdf:\n  print: {trim: a5, bleed: 3mm}\n"))
    assert profiles(book).trim.name == "a5" and round(profiles(book).bleed, 2) == 8.5


def test_bad_pdf_settings_are_reported_with_their_lines(tmp_path):
    extra = "pdf:\n  screen: {paper: a3}\n  print:\n    trim: 4x4x4\n    bleed: 1in\n"
    with pytest.raises(FindingsError) as caught:
        load_book(_project(tmp_path, extra))
    found = {(f.line, f.code) for f in caught.value.findings}
    assert found == {(8, "CFG005"), (10, "CFG005"), (11, "CFG005")}
    with pytest.raises(FindingsError) as caught:
        load_book(_project(tmp_path / "2", "pdf: {}\n"))
    assert [f.message for f in caught.value.findings] == ["pdf: names no profile"]


class _Layout:
    """What the layout loop asks of a layout: its page count, the figures it pushed."""

    def __init__(self, pages: int) -> None:
        self.pages = pages

    def blocks_pushed_past_gaps(self, _attribute, _most_gap):
        return []


def test_second_pass_when_the_page_count_needs_a_wider_gutter():
    """A layout at 0.5 in gives 301 pages: the table asks 0.625 in, so it is laid out
    again; at 0.625 in it gives 312 pages, which that gutter covers: two passes."""
    from publish.outputs.pdf_fill import lay_out_filled

    fit = pdf_print.GutterFit()
    counts = {0.5 * INCH: 301, 0.625 * INCH: 312}
    gutters = []

    def lay_out_with(_plans):
        gutters.append(fit.inside)
        return _Layout(counts[fit.inside])

    layout = lay_out_filled(lay_out_with, lambda *_: False, fit.unsettled, passes=4)
    assert gutters == [0.5 * INCH, 0.625 * INCH]
    assert (layout.pages, fit.inside) == (312, 0.625 * INCH)
    assert not pdf_print.GutterFit().unsettled(_Layout(299)), "299 + 1 pages: 0.5 in"


# ---- slow: built books ---------------------------------------------------------------


def _build(project: Path, *args: str) -> str:
    from click.testing import CliRunner

    from publish.commands.cli import main

    result = CliRunner().invoke(main, ["build", str(project), "--format", "pdf", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory):
    """tests/fixtures/pdf-profiles: screen and 6x9 print with bleed; and the build output."""
    project = copy_project(FIXTURE, tmp_path_factory.mktemp("profiles"))
    return project / "build", _build(project)


@pytest.fixture(scope="module")
def bundled_profiles(tmp_path_factory):
    """The bundled book with both profiles (print at 6x9, no bleed)."""
    project = copy_project(REPO, tmp_path_factory.mktemp("bundled-profiles"))
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text() + PROFILES_YAML)
    _build(project, "-q")
    return project / "build"


@pytest.fixture(params=["bundled", "fixture"])
def built(request):
    if request.param == "bundled":
        return request.getfixturevalue("bundled_profiles")
    return request.getfixturevalue("fixture_build")[0]


def _artifacts(build: Path) -> dict[str, dict]:
    manifest = json.loads((build / "manifest.json").read_text())
    return {a["path"]: a for a in manifest["artifacts"] if a["format"] == "pdf"}


def _chapter_starts(reader: PdfReader) -> list[int]:
    """0-based pages of the top-level bookmarks from the body on (chapters)."""
    body = reader.page_labels.index("1")
    pages = {
        reader.get_destination_page_number(i) for i in reader.outline if not isinstance(i, list)
    }
    return sorted(p for p in pages if p >= body)


@pytest.mark.slow
def test_each_profile_is_its_own_manifest_entry(built):
    entries = _artifacts(built)
    for path, entry in entries.items():
        if entry["profile"] == "print":
            assert path.endswith("-print.pdf") and entry["paper"] == "6x9"
            assert entry["pages"] % 2 == 0 == len(PdfReader(built / path).pages) % 2
            assert entry["gutter_in"] * INCH == gutter(entry["pages"])
        else:
            assert entry["profile"] == "screen" and not path.endswith("-print.pdf")
    assert sorted(e["profile"] for e in entries.values() if e["edition"] == "full") == [
        "print",
        "screen",
    ]


@pytest.mark.slow
def test_screen_pdf_has_no_blank_page_and_none_under_half_full(built):
    fill = page_fill()
    for path, entry in _artifacts(built).items():
        if entry["profile"] != "screen":
            continue
        report = fill.measure(built / path, "screen")
        assert report.blank_pages == [], path
        assert [(p.number, round(p.fill, 2)) for p in report.under_half] == [], path
        reader = PdfReader(built / path)
        assert reader.page_labels[0] == "Cover"  # the cover is page 1
        assert len(reader.pages[0].images) >= 1 and not reader.pages[0].extract_text().strip()


@pytest.mark.slow
def test_print_pdf_chapters_on_recto_and_blank_versos_truly_blank(built):
    for path, entry in _artifacts(built).items():
        if entry["profile"] != "print":
            continue
        pdf = built / path
        reader = PdfReader(pdf)
        assert reader.page_labels[0] == "i", "no cover: the title page comes first"
        starts = _chapter_starts(reader)
        assert starts and all(start % 2 == 0 for start in starts), starts  # odd folios
        blanks = [i for i, page in enumerate(reader.pages) if not page.extract_text().strip()]
        assert blanks, "chapters here end on recto pages too"
        with pikepdf.open(pdf) as document:
            for index in blanks:
                assert index % 2 == 1, "a blank page is a verso"
                assert index + 1 in starts or index == len(reader.pages) - 1
                page = document.pages[index]
                operators = {str(op) for _, op in pikepdf.parse_content_stream(page)}
                assert not operators & MARKING, (path, index, operators)
                assert "/Annots" not in page.obj


def _words(pdf: Path, page: int) -> list[tuple[float, float, float, float]]:
    """(left, right, top, bottom) of each word on a 1-based page, in points from the
    MediaBox's top-left corner."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    number = r'="([\d.]+)"'
    found = re.findall(f"<word xMin{number} yMin{number} xMax{number} yMax{number}", out)
    return [(float(x0), float(x1), float(y0), float(y1)) for x0, y0, x1, y1 in found]


@pytest.mark.slow
def test_print_margins_mirror_with_the_gutter_for_the_page_count(built):
    for path, entry in _artifacts(built).items():
        if entry["profile"] != "print":
            continue
        pdf = built / path
        inside = gutter(entry["pages"])
        assert inside >= kdp_gutter(entry["pages"])
        reader = PdfReader(pdf)
        body = reader.page_labels.index("1")
        edges = {0: [], 1: []}  # recto, verso: (leftmost, rightmost) text in the text area
        for index in range(body, len(reader.pages)):
            page = reader.pages[index]
            # From the MediaBox's top-left corner to the TrimBox's (they differ by the bleed).
            dx = float(page.mediabox.left) - float(page.trimbox.left)
            dy = float(page.trimbox.top) - float(page.mediabox.top)
            placed = [
                (x0 + dx, x1 + dx, y0 + dy, y1 + dy) for x0, x1, y0, y1 in _words(pdf, index + 1)
            ]
            # Running heads and folios included, nothing comes within 0.5 in of the trim
            # (half a point for rounding: justified lines end on the margin).
            for x0, x1, y0, y1 in placed:
                inside_half_inch = min(x0, 432 - x1, y0, 648 - y1) >= 36 - 0.5
                assert inside_half_inch, (path, index, x0, x1, y0, y1)
            words = [
                (x0, x1) for x0, x1, y0, _ in placed if pdf_print.TOP < y0 < 648 - pdf_print.BOTTOM
            ]
            if words:
                edges[index % 2].append((min(w[0] for w in words), max(w[1] for w in words)))
        recto_left = min(left for left, _ in edges[0])
        verso_left = min(left for left, _ in edges[1])
        recto_right = max(right for _, right in edges[0])
        verso_right = max(right for _, right in edges[1])
        # No text crosses a margin on either side...
        assert recto_left > inside - 1 and recto_right < 432 - OUTSIDE + 1.5, path
        assert verso_left > OUTSIDE - 1 and verso_right < 432 - inside + 1.5, path
        if entry["edition"] == "full":
            # ...and plain justified paragraphs meet both edges (the sample's few versos
            # may hold only indented boxes and lists).
            assert recto_left == pytest.approx(inside, abs=1), path
            assert verso_left == pytest.approx(OUTSIDE, abs=1), path
            assert recto_right == pytest.approx(432 - OUTSIDE, abs=1.5), path
            assert verso_right == pytest.approx(432 - inside, abs=1.5), path


@pytest.mark.slow
def test_print_bleed_sets_trim_and_bleed_boxes_on_the_outer_edges(fixture_build):
    build, _ = fixture_build
    bleed = 0.125 * INCH
    with pikepdf.open(build / "full" / "blocks-on-pages-print.pdf") as pdf:
        for index, page in enumerate(pdf.pages):
            trim = [float(v) for v in page.obj.TrimBox]
            media = [float(v) for v in page.obj.MediaBox]
            assert [float(v) for v in page.obj.BleedBox] == media
            assert (trim[2] - trim[0], trim[3] - trim[1]) == (432, 648)
            outside_left = index % 2 == 1  # a verso's outside edge is its left
            assert trim[0] - media[0] == (bleed if outside_left else 0)
            assert media[2] - trim[2] == (0 if outside_left else bleed)
            assert (trim[1] - media[1], media[3] - trim[3]) == (bleed, bleed)


@pytest.mark.slow
def test_every_profile_embeds_its_fonts_and_passes_qpdf(built):
    for path in _artifacts(built):
        listing = subprocess.run(
            ["pdffonts", str(built / path)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert listing and all(line.split()[-5] == "yes" for line in listing), path
        check = subprocess.run(["qpdf", "--check", str(built / path)], capture_output=True)
        assert check.returncode == 0, (path, check.stdout[-300:])


@pytest.mark.slow
def test_low_resolution_image_is_a_finding_at_its_line(fixture_build):
    _, output = fixture_build
    assert "manuscript/pictures.md:6:1: WARNING PRN001 image 'images/coarse.png' prints at" in (
        output
    )


def _pages_of(texts: list[str], needle: str) -> list[int]:
    return [i for i, text in enumerate(texts) if needle in text]


@pytest.mark.slow
def test_short_code_blocks_stay_whole_long_ones_split_three_each_side(fixture_build):
    build, _ = fixture_build
    pushed = 0
    for name in ("blocks-on-pages.pdf", "blocks-on-pages-print.pdf"):
        texts = [p.extract_text() for p in PdfReader(build / "full" / name).pages]
        for block in range(1, 25):
            first = _pages_of(texts, f"CREATE TABLE t{block:02d} (")
            last = _pages_of(texts, f"end_{block:02d}_6")
            assert first == last and len(first) == 1, (name, block, first, last)
            pushed += texts[first[0]].lstrip().startswith(f"CREATE TABLE t{block:02d}")
        pages = [_pages_of(texts, f"long block line {n:02d}")[0] for n in range(1, 41)]
        if name == "blocks-on-pages.pdf":
            assert len(set(pages)) == 2, "on A4 the 40-line block starts mid-page and splits"
        for page in set(pages):
            assert pages.count(page) >= 3, (name, pages)
    assert pushed >= 2, "some six-line blocks met a page end and moved whole"


def test_a_pushed_figure_moves_past_paragraphs_not_headings_or_is_scaled():
    import lxml.html

    from publish.outputs.pdf_fill import FigurePlan, mark_figures, movable_in, place_figures
    from publish.render.pdf_engine import PushedBlock

    source = (
        "<section><p>a</p><figure><img src='x.png'></figure><p>b</p><ul><li>c</li></ul>"
        "<h2>d</h2><figure><img src='y.png'></figure><h2>e</h2></section>"
    )
    element = lxml.html.fromstring(source)
    movable = movable_in([("ch", element)])
    assert movable("ch-1", 2) and not movable("ch-1", 3) and not movable("ch-2", 1)
    mark_figures(element, "ch")
    place_figures(element, {"ch-1": FigurePlan(steps=5), "ch-2": FigurePlan(max_height=90)})
    assert [child.tag for child in element] == ["p", "p", "ul", "figure", "h2", "figure", "h2"]
    assert element[5].find("img").get("style") == "max-height: 90.0px"

    from publish.outputs.pdf_fill import replan

    plan = FigurePlan()
    # 300 px of figure (280 of image) pushed past a gap of 250 px: the image gets 224 px.
    assert replan(plan, PushedBlock("ch-2", 250, 300, 280), can_move=False)
    assert plan.max_height == 280 - 50 - 6
    # Fitting it would take it under 60% of its size: left as it is.
    assert not replan(FigurePlan(), PushedBlock("ch-2", 100, 300, 280), can_move=False)


@pytest.mark.slow
def test_a_profile_dropped_from_book_yaml_leaves_no_file(tmp_path):
    project = copy_project(FIXTURE, tmp_path / "book")
    _build(project, "-q")
    printed = project / "build" / "full" / "blocks-on-pages-print.pdf"
    assert printed.is_file()
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text().split("pdf:")[0] + "pdf:\n  screen:\n")
    _build(project, "-q")
    assert not printed.exists()
    assert list(_artifacts(project / "build")) == ["full/blocks-on-pages.pdf"]


@pytest.mark.slow
def test_print_interior_holds_every_chapter_word(built):
    """The print PDF loses nothing the screen PDF has (conformance's measure)."""
    import conformance

    for path, entry in _artifacts(built).items():
        if entry["profile"] == "print" and entry["edition"] == "full":
            text = conformance.pdf_text(built / path)
            for result in conformance.project_coverage(built.parent, text, path):
                assert result.ratio >= conformance.PDF_THRESHOLD, result.summary()


def _bookmarks(reader: PdfReader, items=None) -> list:
    found = []
    for item in reader.outline if items is None else items:
        found += _bookmarks(reader, item) if isinstance(item, list) else [item]
    return found


@pytest.mark.slow
def test_no_heading_is_left_at_the_foot_of_a_page(built):
    """Every heading has text of its section below it on its own page: a heading's
    bookmark points at its top, and words start at least 40 pt lower, above the foot
    margin (a heading is 1-2 lines, so that is its section's first line)."""
    fill = page_fill()
    for path, entry in _artifacts(built).items():
        pdf = built / path
        reader = PdfReader(pdf)
        _, bottom_margin = fill.text_margins(entry["profile"])
        for mark in _bookmarks(reader):
            index = reader.get_destination_page_number(mark)
            page = reader.pages[index]
            heading_top = float(page.mediabox.top) - float(mark.top)
            foot = float(page.mediabox.top) - float(page.trimbox.bottom) - bottom_margin
            below = [y0 for _, _, y0, _ in _words(pdf, index + 1) if heading_top + 40 <= y0 < foot]
            assert below, (path, mark.title, index + 1)
