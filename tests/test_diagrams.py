"""Diagrams as code: DOT rendered in the theme, numbered, linked, described and cached."""

from __future__ import annotations

import re
import subprocess

import pytest
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader

from helpers import FIXTURES, REPO, copy_project, epub_files
from publish.commands.cli import main
from publish.engine.build import build

SLUG = "ml-product-lifecycle"
XHTML = "{http://www.w3.org/1999/xhtml}"


def chapter_documents(epub):
    return {
        name: etree.fromstring(data)
        for name, data in epub_files(epub).items()
        if re.search(r"EPUB/(chapter-\d+|answers)\.xhtml$", name)
    }


def test_bundled_figures_are_numbered_in_order_with_alt_and_description(bundled_build):
    documents = chapter_documents(bundled_build / f"full/{SLUG}.epub")
    figures = [f for name in sorted(documents) for f in documents[name].iter(f"{XHTML}figure")]
    assert len(figures) == 3
    for number, figure in enumerate(figures, 1):
        caption = " ".join(figure.find(f"{XHTML}figcaption").itertext())
        assert caption.startswith(f"Figure {number}. ")
        image = figure.find(f".//{XHTML}img")
        assert image.get("src").endswith(".svg")
        assert len(image.get("alt", "").split()) >= 5
        described = image.get("aria-describedby")
        details = next(
            d
            for d in documents.values()
            for d in d.iter(f"{XHTML}details")
            if d.get("id") == described
        )
        assert len(" ".join(details.itertext()).split()) > 15


def test_cross_references_link_to_their_figure(bundled_build):
    """Each "Figure N" link names the figure numbered N, in the file that holds it."""
    documents = chapter_documents(bundled_build / f"full/{SLUG}.epub")
    captions = {
        (name.removeprefix("EPUB/"), figure.get("id")): " ".join(
            figure.find(f"{XHTML}figcaption").itertext()
        )
        for name, root in documents.items()
        for figure in root.iter(f"{XHTML}figure")
    }
    links = [
        (name.removeprefix("EPUB/"), a)
        for name, root in documents.items()
        for a in root.iter(f"{XHTML}a")
        if "xref" in (a.get("class") or "")
    ]
    assert len(links) >= 3
    for source, link in links:
        target, _, fragment = link.get("href").rpartition("#")
        caption = captions[(target or source, fragment)]
        assert caption.startswith(f"{link.text}. "), (link.text, caption)


def test_svg_uses_the_theme_font_and_is_vector_in_pdf(bundled_build):
    # Graphviz's SVGs (the PDF's; the EPUB draws their labels as outlines)
    svgs = [path.read_bytes() for path in (bundled_build / ".cache/diagrams").glob("*.svg")]
    assert len(svgs) == 3 and all(b'font-family="Open Sans' in svg for svg in svgs)
    images = subprocess.run(
        ["pdfimages", "-list", str(bundled_build / f"full/{SLUG}.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    assert len(images) == 1, "only the cover is a raster image; diagrams stay vector"


def test_pdf_cross_reference_links_resolve_to_the_figure_page(bundled_build):
    """Every figure is linked from the text, and each link lands on its caption's page."""
    reader = PdfReader(bundled_build / f"full/{SLUG}.pdf")
    texts = [page.extract_text() for page in reader.pages]
    destinations = reader.named_destinations
    linked = {
        annot.get_object()["/Dest"]
        for page in reader.pages
        for annot in page.get("/Annots") or []
        if str(annot.get_object().get("/Dest", "")).startswith("fig-")
    }
    assert linked == {"fig-lifecycle", "fig-offline-to-online", "fig-monitoring-loop"}
    for number, ident in enumerate(
        ("fig-lifecycle", "fig-offline-to-online", "fig-monitoring-loop"), 1
    ):
        page = reader.get_destination_page_number(destinations[ident])
        assert f"Figure {number}." in texts[page], ident


def write_chapter(project, text):
    (project / "manuscript" / "one.md").write_text(text)


def test_missing_alt_text_fails_with_chapter_line(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    write_chapter(project, "# One\n\nText.\n\n![](diagrams/flow.dot){#fig:flow}\n")
    result = CliRunner().invoke(main, ["build", str(project)])
    assert result.exit_code == 1
    assert "manuscript/one.md:5:1: ERROR IMG003" in result.output


def test_broken_dot_fails_with_its_path_and_line(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    (project / "manuscript/diagrams/flow.dot").write_text("digraph {\n  A -> B\n  B -> -> C\n}\n")
    result = CliRunner().invoke(main, ["build", str(project)])
    assert result.exit_code == 1
    assert "manuscript/diagrams/flow.dot:3:" in result.output
    assert "DIA001" in result.output and "syntax error" in result.output


def test_unknown_cross_reference_fails(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    chapter = project / "manuscript" / "two.md"
    chapter.write_text(chapter.read_text() + "\nAs @fig:nowhere shows.\n")
    result = CliRunner().invoke(main, ["build", str(project)])
    assert result.exit_code == 1
    assert "manuscript/two.md:" in result.output and "REF001" in result.output


def test_unsupported_image_type_is_refused(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    (project / "manuscript" / "pic.gif").write_bytes(b"GIF89a")
    write_chapter(project, '# One\n\n![Cap.](pic.gif){alt="A picture"}\n')
    result = CliRunner().invoke(main, ["build", str(project)])
    assert result.exit_code == 1 and "IMG002" in result.output


@pytest.mark.slow
def test_unchanged_diagrams_are_not_rendered_again(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    assert build(project, formats=("epub",)).graphviz_runs == 1
    assert build(project, formats=("epub",)).graphviz_runs == 0
    dot = project / "manuscript/diagrams/flow.dot"
    dot.write_text("digraph { A -> C }\n")
    assert build(project, formats=("epub",)).graphviz_runs == 1
    theme = project / "styles" / "diagrams.yaml"
    theme.parent.mkdir(exist_ok=True)
    theme.write_text(
        (REPO / "src/publish/theme/diagrams.yaml").read_text().replace("#e8f0f6", "#ffffff")
    )
    assert build(project, formats=("epub",)).graphviz_runs == 1


def test_epub_svgs_draw_their_labels_without_a_font(bundled_build):
    """An SVG seen through <img> cannot use the book's fonts, and some readers ignore a font
    inside it: labels are outlines (tests/test_diagram_text.py has the rest)."""
    svgs = {
        name: data
        for name, data in epub_files(bundled_build / f"full/{SLUG}.epub").items()
        if name.endswith(".svg")
    }
    assert len(svgs) == 3
    for name, data in svgs.items():
        root = etree.fromstring(data)
        assert root.find(".//{http://www.w3.org/2000/svg}text") is None, name
        assert b"@font-face" not in data and b"font-family" not in data, name
        assert len(data) < 40_000, name


@pytest.mark.slow
def test_theme_styles_every_diagram_and_a_diagram_can_override_it(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    dot = project / "manuscript/diagrams/flow.dot"
    dot.write_text('digraph { A -> B; B [fillcolor="#ff0000"] }\n')
    build(project, formats=("epub",))
    svg = epub_files(project / "build/full/mini-book.epub")["EPUB/images/diagrams-flow.svg"]
    fills = re.findall(rb'<path fill="(#[0-9a-f]{6})"', svg)
    assert sorted(set(fills)) == [b"#e8f0f6", b"#ff0000"], "theme fill for A, its own for B"
    graphviz = next((project / "build/.cache/diagrams").glob("*.svg")).read_bytes()
    assert b'font-family="Open Sans"' in graphviz, "the theme's font (the EPUB draws outlines)"
