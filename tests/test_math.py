"""Issue 15, math: TeX as MathML in the EPUB, as vector drawings in the PDF.

The fixture `tests/fixtures/math` is a small primer written as an author would, with
inline and display formulas: fractions, sums and products with limits, sub- and
superscripts, bars and hats, Greek, roots, `\\text`, `aligned` and `pmatrix`.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import lxml.html
import pypandoc
import pytest
from lxml import etree
from PIL import Image

import conformance
import conformance_links
from helpers import FIXTURES, copy_project, epubcheck, opf, pdf_text
from publish.engine.build import build
from publish.errors import FindingsError
from publish.render.html import run_pandoc
from publish.render.math import (
    MathError,
    SourceText,
    draw,
    draw_formulas,
    drawing_image,
    label_math,
    presentation_markup,
    reader_text,
)

MATHML = "http://www.w3.org/1998/Math/MathML"
CHAPTERS = ("averages.md", "models.md")
DPI = 144  # pixels per inch when a page is rendered to measure its ink
SCALE = DPI / 72


def rendered_math(markdown: str) -> lxml.html.HtmlElement:
    html, _warnings = run_pandoc(markdown)
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    label_math(root)
    return root


def source_formulas(path: Path) -> list[str]:
    """The TeX of every formula in a chapter, as pandoc reads the Markdown."""
    ast = json.loads(pypandoc.convert_file(str(path), "json", format="markdown"))
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Math":
                found.append(node["c"][1].strip())
            else:
                walk(node.get("c"))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(ast["blocks"])
    return found


# --------------------------------------------------------------------------- rendering


def test_tex_becomes_mathml_with_the_tex_as_alttext():
    root = rendered_math("Inline $\\frac{a}{b}$ and\n\n$$\\sum_{i=1}^{n} x_i$$\n")
    maths = list(root.iter("math"))
    assert [m.get("display") for m in maths] == ["inline", "block"]
    assert [m.get("alttext") for m in maths] == ["\\frac{a}{b}", "\\sum_{i=1}^{n} x_i"]
    assert maths[0].find(".//mfrac") is not None
    assert maths[1].find(".//munderover") is not None


def test_a_heading_with_a_formula_reads_as_its_symbols_in_titles():
    root = rendered_math("# The $\\alpha$ parameter\n\nText.")
    assert reader_text(root.find(".//h1")) == "The α parameter"


def test_drawing_is_an_svg_image_on_the_baseline():
    root = rendered_math("$x_i^2$ and $k$")
    subscripted, plain = (drawing_image(m) for m in list(root.iter("math")))
    for image in (subscripted, plain):
        assert image.tag == "img" and image.get("class") == "math-inline"
        assert image.get("src").startswith("data:image/svg+xml;base64,")
        assert "vertical-align: -" in image.get("style")
    assert subscripted.get("alt") == "x_i^2"
    depth = {
        tex: draw(presentation_markup(m), tex).depth
        for m, tex in zip(root.iter("math"), ("x_i^2", "k"), strict=True)
    }
    assert depth["x_i^2"] > depth["k"] + 0.1  # the subscript hangs below the baseline
    assert depth["k"] < 0.1  # a letter without descender sits on it


def test_a_hat_over_one_letter_is_not_stretched():
    root = rendered_math("$\\beta$ $\\hat{\\beta}$ $\\widehat{abc}$")
    beta, hat, wide = (draw(presentation_markup(m), "").width for m in root.iter("math"))
    assert hat < beta * 1.3
    assert wide > hat * 1.5


def test_display_math_is_a_block_image_and_the_print_css_centres_it():
    root = rendered_math("$$\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}$$")
    image = drawing_image(next(root.iter("math")))
    assert image.get("class") == "math-display"
    css = (Path(__file__).parents[1] / "src/publish/theme/print.css").read_text()
    rule = re.search(r"img\.math-display \{([^}]*)\}", css).group(1)
    assert "display: block" in rule and "auto" in rule


def test_mathml_the_drawing_cannot_handle_is_mth001_at_its_line():
    root = lxml.html.fragment_fromstring(
        '<p>See <math display="inline"><semantics><mblink>x</mblink>'
        '<annotation encoding="application/x-tex">\\blink{x}</annotation></semantics></math></p>'
    )
    with pytest.raises(MathError):
        draw(presentation_markup(next(root.iter("math"))), "\\blink{x}")
    lines = ["# Title", "", "See $\\blink{x}$ here."]
    with pytest.raises(FindingsError) as caught:
        draw_formulas(root, [SourceText("chapters/one.md", lines)])
    [finding] = caught.value.findings
    assert (finding.path, finding.line, finding.code) == ("manuscript/chapters/one.md", 3, "MTH001")
    assert finding.level == "error" and "\\blink{x}" in finding.message


def test_tex_pandoc_cannot_read_is_mth001_at_the_chapter_line(tmp_path):
    root = copy_project(FIXTURES / "math", tmp_path / "book")
    chapter = root / "manuscript" / "models.md"
    lines = chapter.read_text(encoding="utf-8").splitlines()
    lines[2:2] = ["", "A picture: $\\begin{tikzpicture}\\draw (0,0);\\end{tikzpicture}$."]
    chapter.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FindingsError) as caught:
        build(root)
    [finding] = caught.value.findings
    assert finding.format().startswith("manuscript/models.md:4:1: ERROR MTH001 ")
    assert "tikzpicture" in finding.message
    assert not (root / "build" / "full").exists()


# --------------------------------------------------------------------------- the fixture's book


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    root = copy_project(FIXTURES / "math", tmp_path_factory.mktemp("math"))
    build(root)
    return root


def _pdf(book: Path) -> Path:
    return conformance.edition_artifact(book / "build", "full", "pdf")


def _epub(book: Path) -> Path:
    return conformance.edition_artifact(book / "build", "full", "epub")


@pytest.mark.slow
def test_pdf_text_holds_no_raw_tex(book):
    text = pdf_text(_pdf(book))
    poppler = subprocess.run(
        ["pdftotext", str(_pdf(book)), "-"], capture_output=True, text=True, check=True
    ).stdout
    for extracted in (text, poppler):
        for raw in ("$", "\\frac", "\\sum", "\\begin", "\\text", "\\hat", "pmatrix", "{"):
            assert raw not in extracted
        assert "A moving average smooths a noisy series" in " ".join(extracted.split())


@pytest.mark.slow
def test_pdf_formulas_are_vector_drawings_with_the_tex_as_alt(book):
    from pypdf import PdfReader

    reader = PdfReader(_pdf(book))
    body = [p for p in reader.pages if "Averages and spread" in p.extract_text()][1:]
    for page in body:
        content = page.get_contents().get_data().decode("latin-1")
        # No image drawn: the formulas are paths (a form drawn is the folio, pdf_join).
        xobjects = page["/Resources"].get("/XObject", {})
        drawn = [xobjects[f"/{name}"].get_object() for name in re.findall(r"/(\S+) Do", content)]
        assert all(xobject["/Subtype"] == "/Form" for xobject in drawn)
        assert re.search(r"\n[fF]\*?\n", content)  # filled outlines
    alts = set()

    def walk(node) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if node.get("/S") == "/Figure":
            alts.add(str(node.get("/Alt")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    for name in CHAPTERS:
        assert set(source_formulas(book / "manuscript" / name)) <= alts


def _words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    root = lxml.html.fromstring(out.encode())
    return [
        (*(float(w.get(k)) for k in ("xmin", "ymin", "xmax", "ymax")), w.text_content())
        for w in root.iter("word")
    ]


def _ink(pdf: Path, page: int, folder: Path) -> Image.Image:
    stem = folder / f"page-{page}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), str(stem)],
        check=True,
    )  # fmt: skip
    return Image.open(f"{stem}.png").convert("L")


def _ink_box(image: Image.Image, left: float, top: float, right: float, bottom: float):
    """The bounding box, in points, of the ink inside a box given in points."""
    box = tuple(round(v * SCALE) for v in (left, top, right, bottom))
    mask = image.crop(box).point(lambda v: 255 if v < 150 else 0)
    found = mask.getbbox()
    assert found, f"no ink in {box}"
    return tuple((v + o) / SCALE for v, o in zip(found, box[:2] * 2, strict=True))


def _word(words, text: str):
    return next(w for w in words if w[4] == text)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("heading", "above", "below"),
    [
        ("Averages and spread", "smooths", "lags"),  # \bar{x}_t = \frac{1}{k}\sum ...
        ("Averages and spread", "square", "Products"),  # \hat{y} = ... \text{for every}
        ("Averages and spread", "multiply.", "falls"),  # \prod_{j=1}^{n}
        ("Models in matrix form", "signs:", "second"),  # aligned
        ("Models in matrix form", "observation:", "Reading"),  # pmatrix
    ],
)
def test_display_formulas_are_centred_in_the_text_column(book, tmp_path, heading, above, below):
    pdf = _pdf(book)
    page = _body_page(pdf, heading)
    words = _words(pdf, page)
    body = [w for w in words if not w[4].isdigit()]  # the page number aside
    column = (min(w[0] for w in body), max(w[2] for w in body))
    line_above = [w for w in words if abs(w[1] - _word(words, above)[1]) < 1]
    top = max(w[3] for w in line_above) + 2
    bottom = _word(words, below)[1] - 2
    left, _, right, _ = _ink_box(_ink(pdf, page, tmp_path), column[0] - 20, top, column[1] + 20,
                                 bottom)  # fmt: skip
    centre, middle = (left + right) / 2, (column[0] + column[1]) / 2
    assert right - left < (column[1] - column[0]) * 0.8  # a formula, not a line of text
    assert abs(centre - middle) < 1.5, f"formula centre {centre:.1f}pt, column {middle:.1f}pt"


def _body_page(pdf: Path, heading: str) -> int:
    """The page where a chapter starts (its heading, after the contents page)."""
    from pypdf import PdfReader

    pages = PdfReader(pdf).pages
    return next(
        n for n, page in enumerate(pages, 1) if page.extract_text().lstrip().startswith(heading)
    )


@pytest.mark.slow
@pytest.mark.parametrize("before", ["last", "stack:"])  # "$k$ values", "$x_i^2$ is"
def test_inline_formula_sits_on_the_text_baseline(book, tmp_path, before):
    """The formula's first letter ends where the word before it ends: on the baseline,
    though `x_i^2` reaches below it (without `vertical-align` it would sit ~3pt high)."""
    pdf = _pdf(book)
    page = _body_page(pdf, "Averages and spread")
    words = _words(pdf, page)
    word = _word(words, before)
    after = min(
        (w for w in words if abs(w[1] - word[1]) < 1 and w[0] > word[2]), key=lambda w: w[0]
    )
    image = _ink(pdf, page, tmp_path)
    word_ink = _ink_box(image, word[0], word[1], word[2], word[3] + 4)
    formula_ink = _ink_box(image, word[2] + 0.5, word[1], after[0] - 0.5, word[3] + 4)
    letter_ink = _ink_box(image, formula_ink[0], word[1], formula_ink[0] + 3, word[3] + 4)
    assert abs(word_ink[3] - letter_ink[3]) <= 0.75, (word_ink, letter_ink)


@pytest.mark.slow
def test_epub_carries_mathml_with_the_tex_as_alttext(book):
    files = conformance.helpers.epub_files(_epub(book))
    package = opf(_epub(book))
    items = {
        item.get("href"): (item.get("properties") or "").split()
        for item in package.iter("{http://www.idpf.org/2007/opf}item")
    }
    for number, name in enumerate(CHAPTERS, 1):
        xhtml = f"chapter-{number:02d}.xhtml"
        root = etree.fromstring(files[f"EPUB/{xhtml}"])
        maths = list(root.iter(f"{{{MATHML}}}math"))
        expected = source_formulas(book / "manuscript" / name)
        assert sorted(m.get("alttext") for m in maths) == sorted(expected)
        for math in maths:
            annotation = math.find(f".//{{{MATHML}}}annotation")
            assert annotation.get("encoding") == "application/x-tex"
            assert annotation.text.strip() == math.get("alttext")
            assert math.get("display") in ("inline", "block")
        assert "mathml" in items[xhtml]
    assert not any("mathml" in props for href, props in items.items() if "chapter" not in href)
    features = {
        meta.text
        for meta in package.iter("{http://www.idpf.org/2007/opf}meta")
        if meta.get("property") == "schema:accessibilityFeature"
    }
    assert "MathML" in features


@pytest.mark.slow
def test_epub_text_has_no_dollar_signs_outside_formulas(book):
    with zipfile.ZipFile(_epub(book)) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                root = etree.fromstring(archive.read(name))
                for math in list(root.iter(f"{{{MATHML}}}math")):
                    math.clear(keep_tail=True)  # the TeX annotation may hold dollars
                assert "$" not in "".join(root.itertext()), name


@pytest.mark.slow
def test_math_epubs_pass_epubcheck(book):
    for edition in ("full", "sample"):
        path = conformance.edition_artifact(book / "build", edition, "epub")
        counts, lines = conformance_links.epubcheck_findings(epubcheck(path))
        assert not lines, "\n".join(lines)
        assert counts.get("ERROR", 0) == counts.get("WARNING", 0) == 0


@pytest.mark.slow
def test_cheatsheet_draws_its_formulas(book):
    sheets = [
        p for _edition, p in conformance.artifacts(book / "build", "pdf") if "formulas" in p.name
    ]
    assert len(sheets) == 2  # A4 and Letter
    for sheet in sheets:
        text = pdf_text(sheet)
        assert "Moving average:" in text and "Least squares:" in text
        assert "$" not in text and "\\" not in text
