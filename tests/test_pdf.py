"""The print PDF: bookmarks, page labels, links, fonts, metadata, tags and page layout."""

from __future__ import annotations

import subprocess

import pytest
from pypdf import PdfReader

from helpers import REPO
from publish.project.config import load_book

SLUG = "ml-product-lifecycle"
PDFS = [f"full/{SLUG}.pdf", f"sample/{SLUG}-sample.pdf"]


def outline(reader, items=None, depth=0):
    """(depth, title) for every bookmark, depth first."""
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found.extend(outline(reader, item, depth + 1))
        else:
            found.append((depth, item.title))
    return found


def page_text_in_box(path, page: int, top: float, height: float) -> str:
    """Text inside a horizontal band of one page (points from the top)."""
    result = subprocess.run(
        [
            "pdftotext",
            "-f",
            str(page),
            "-l",
            str(page),
            "-x",
            "0",
            "-y",
            str(int(top)),
            "-W",
            "1000",
            "-H",
            str(int(height)),
            "-r",
            "72",
            str(path),
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def chapter_continuation(reader, after: int) -> tuple[int, str]:
    """The first page past `after` that continues a chapter (no chapter opens on it), and
    that chapter's title: the screen PDF's running head."""
    opens = {}
    for item in reader.outline:
        if not isinstance(item, list):
            opens[reader.get_destination_page_number(item)] = item.title
    later = next(i for i in range(after + 1, len(reader.pages)) if i not in opens)
    return later, opens[max(i for i in opens if i < later)]


@pytest.mark.parametrize("name", PDFS)
def test_bookmarks_mirror_the_headings(bundled_build, name):
    reader = PdfReader(bundled_build / name)
    marks = outline(reader)
    top = [title for depth, title in marks if depth == 0]
    assert top[0] == "Contents"
    assert "Stage 1: Problem definition" in top
    assert all(depth <= 2 for depth, _ in marks)
    assert any(depth == 1 and title == "The PM’s job" for depth, title in marks)


@pytest.mark.parametrize("name", PDFS)
def test_page_labels_match_printed_folios(bundled_build, name):
    path = bundled_build / name
    reader = PdfReader(path)
    labels = reader.page_labels
    assert labels[0] == "Cover"
    assert labels[1] == "i"
    body = labels.index("1")
    toc = next(i for i, page in enumerate(reader.pages) if "Contents" in page.extract_text())
    assert labels[toc] in ("iii", "iv", "v")
    for index in (toc, body, body + 2):
        footer = page_text_in_box(path, index + 1, 780, 62)
        assert footer == labels[index], (index, footer)


@pytest.mark.parametrize("name", PDFS)
def test_internal_links_resolve(bundled_build, name):
    reader = PdfReader(bundled_build / name)
    destinations = reader.named_destinations
    count = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link" or ("/A" in annot and "/URI" in annot["/A"]):
                continue
            dest = annot.get("/Dest")
            if isinstance(dest, str):
                assert dest in destinations, dest
            else:
                assert dest is not None
            count += 1
    assert count >= 10


@pytest.mark.parametrize("name", PDFS)
def test_fonts_are_embedded_and_metadata_set(bundled_build, name):
    path = bundled_build / name
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    book = load_book(REPO)
    reader = PdfReader(path)
    info = reader.metadata
    assert info.title.startswith(book.title)
    assert info.author == ", ".join(book.authors)
    assert info.subject == book.description
    assert "Machine learning" in info["/Keywords"]
    assert info.creation_date is not None
    root = reader.trailer["/Root"]
    assert root["/Lang"] == book.language
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]


def test_chapter_first_page_has_no_running_header(bundled_build):
    path = bundled_build / PDFS[0]
    reader = PdfReader(path)
    texts = [page.extract_text() for page in reader.pages]
    first = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Stage 1: Problem"))
    assert texts[first - 1].strip(), "the screen PDF opens a chapter on the next page"
    assert page_text_in_box(path, first + 1, 0, 60) == ""
    later, chapter = chapter_continuation(reader, first)
    assert page_text_in_box(path, later + 1, 0, 60) == chapter


def test_cover_and_title_pages_have_no_folio(bundled_build):
    path = bundled_build / PDFS[0]
    for page in (1, 2):
        assert page_text_in_box(path, page, 780, 62) == ""


def test_paper_size_follows_book_yaml(bundled_build):
    reader = PdfReader(bundled_build / PDFS[0])
    width, height = (float(v) for v in reader.pages[3].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)


def test_rendered_chapter_opening_has_a_clean_head_margin(bundled_build, tmp_path):
    """Render pages with pdftoppm: a chapter's first page has an empty head margin, a later
    page has ink there (its running header)."""
    from PIL import Image, ImageOps

    path = bundled_build / PDFS[0]
    texts = [page.extract_text() for page in PdfReader(path).pages]
    first = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Stage 1: Problem"))
    later, _ = chapter_continuation(PdfReader(path), first)
    inked = {}
    for page in (first + 1, later + 1):
        stem = tmp_path / f"page-{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "72",
                "-gray",
                "-png",
                "-singlefile",
                "-f",
                str(page),
                "-l",
                str(page),
                str(path),
                str(stem),
            ],
            check=True,
        )
        with Image.open(f"{stem}.png") as image:
            head = ImageOps.invert(image.convert("L")).crop((0, 0, image.width, 60))
            inked[page] = head.getbbox() is not None
    assert inked == {first + 1: False, later + 1: True}


def test_every_pdf_uses_the_theme_fonts_only(bundled_build):
    """A font the theme names but WeasyPrint cannot load falls back to a system font,
    silently: every PDF the build makes must embed only the theme's families."""
    theme_families = ("Charis-SIL", "Open-Sans", "JetBrains-Mono", "DejaVu-Sans")
    pdfs = sorted(bundled_build.rglob("*.pdf"))
    assert len(pdfs) >= 6
    for path in pdfs:
        listing = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        names = [line.split()[0].split("+", 1)[-1] for line in listing]
        assert names and all(name.startswith(theme_families) for name in names), (path, names)


@pytest.mark.slow
def test_us_letter_paper(tmp_path):
    from click.testing import CliRunner

    from helpers import FIXTURES, copy_project
    from publish.commands.cli import main

    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text() + "paper: letter\n")
    result = CliRunner().invoke(main, ["build", str(project), "-q", "--format", "pdf"])
    assert result.exit_code == 0, result.output
    for path in (project / "build").rglob("*.pdf"):
        for page in PdfReader(path).pages:
            assert [round(float(v)) for v in page.mediabox[2:]] == [612, 792]


def test_every_pdf_passes_qpdf_check(bundled_build):
    for path in sorted(bundled_build.rglob("*.pdf")):
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, (path, result.stdout[-500:], result.stderr[-500:])
        assert "No syntax or stream encoding errors found" in result.stdout


@pytest.mark.slow
def test_footnote_prints_at_the_foot_of_its_page_in_order(tmp_path):
    """A two-paragraph note with emphasis keeps its words in order, below the body text."""
    from click.testing import CliRunner

    from helpers import FIXTURES, copy_project
    from publish.commands.cli import main

    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    chapter = project / "manuscript" / "two.md"
    chapter.write_text(
        chapter.read_text()
        + "\nA claim.[^long]\n\n[^long]: Alpha *bravo* charlie.\n\n    Delta echo.\n"
    )
    result = CliRunner().invoke(main, ["build", str(project), "-q", "--format", "pdf"])
    assert result.exit_code == 0, result.output
    path = project / "build" / "full" / "mini-book.pdf"
    reader = PdfReader(path)
    index = next(i for i, p in enumerate(reader.pages) if "Delta" in p.extract_text())
    body = " ".join(page_text_in_box(path, index + 1, 0, 600).split())
    foot = " ".join(page_text_in_box(path, index + 1, 600, 180).split())
    assert "A claim." in body and "Alpha" not in body
    assert "Alpha bravo charlie. Delta echo." in foot
