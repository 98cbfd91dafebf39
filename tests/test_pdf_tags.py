"""Tagged PDFs that are what their XMP says (issue 17): margin content as artifacts,
code as `Code`, figures with /Alt, labelled form fields in the tree, and the PDF/UA
claim dropped (TAG001) when any of it fails. Every PDF the bundled book and the
fixtures build is walked in test_conformance.py; these tests take each rule apart."""

from __future__ import annotations

import io

import pikepdf
import pytest

import pdf_structure as ps
from publish.project.theme import DEFAULT_THEME, Stylesheet
from publish.render import pdf_engine
from publish.render.pdf_tags import finish_tagging
from publish.render.warnings import capture_weasyprint, weasyprint_findings

FONTS = DEFAULT_THEME / "fonts"
CSS = f"""
@font-face {{ font-family: Mono; src: url("{(FONTS / "JetBrainsMono-Regular.ttf").as_uri()}"); }}
@font-face {{ font-family: Serif; src: url("{(FONTS / "CharisSIL-Regular.ttf").as_uri()}"); }}
@page {{ size: A5; margin: 20mm;
  @top-center {{ content: "Running head"; font-family: Serif; }}
  @bottom-center {{ content: counter(page); font-family: Serif; }} }}
html {{ font-family: Serif; }}
pre, code {{ font-family: Mono; }}
.break {{ break-before: page; }}
.boxed {{ background: #eeeeee; border: 1pt solid #333333; }}
"""
BODY = """
<h1>A chapter</h1>
<p>Prose with <code>inline_code()</code> in the middle of it.</p>
<pre><code>first_line = 1
second_line = 2</code></pre>
<p class="break">A second page, so there are two running heads.</p>
<hr>
<div class="boxed"><p>A ruled box on a tinted ground.</p></div>
"""


def _page(body: str = BODY) -> str:
    return f'<!DOCTYPE html><html lang="en"><head><title>T</title></head><body>{body}</body></html>'


def _raw_and_finished(tmp_path, body: str = BODY, **options):
    """The same layout written as WeasyPrint writes it, and as publish does."""
    options = {"pdf_variant": "pdf/ua-1", **options}
    layout = pdf_engine.lay_out(_page(body), CSS, [FONTS], **options)
    raw = (
        pdf_engine.load_weasyprint()
        .HTML(string=_page(body))
        .render(
            stylesheets=[pdf_engine.load_weasyprint().CSS(string=CSS)],
            font_config=pdf_engine.font_configuration(),
        )
    )
    raw_path, finished_path = tmp_path / "raw.pdf", tmp_path / "finished.pdf"
    raw_path.write_bytes(raw.write_pdf(**options))
    finished_path.write_bytes(layout.write(**options))
    return raw_path, finished_path


@pytest.fixture(scope="module")
def chapter(tmp_path_factory):
    """The two-page chapter as WeasyPrint writes it and as publish finishes it."""
    return _raw_and_finished(tmp_path_factory.mktemp("chapter"))


def test_running_heads_and_page_numbers_become_artifacts(chapter):
    raw, finished = chapter
    before = ps.read(raw)
    assert len(before.unclaimed()) >= 4, "WeasyPrint leaves margin text outside the tree"
    after = ps.read(finished)
    assert after.unclaimed() == []
    assert after.untagged_drawing == {}
    _, artifacts = ps.marked_texts(finished)
    for page, number in ((0, "1"), (1, "2")):
        assert "Running head" in artifacts[page] and number in artifacts[page]
    paginations = [s for s in after.sequences if s.properties.get("/Type") == "/Pagination"]
    assert len(paginations) == 4
    assert ps.claims_pdf_ua(finished)


def test_rules_borders_and_backgrounds_are_artifacts(chapter):
    _, finished = chapter
    drawn = ps.path_painting(finished)
    assert drawn["artifact"] >= 3, "the rule, the box's ground and its border"
    assert drawn["tagged"] == 0 and drawn["untagged"] == 0


def test_the_tree_keeps_all_else(chapter):
    raw, finished = chapter
    texts, _ = ps.marked_texts(finished)
    tagged_text = " ".join(texts[mark] for mark in ps.read(finished).reached)
    for words in ("A chapter", "Prose with", "A second page"):
        assert words in tagged_text
    assert len(ps.read(finished).roles("/H1")) == len(ps.read(raw).roles("/H1")) == 1


def test_code_blocks_and_inline_code_are_code(chapter):
    _, finished = chapter
    document = ps.read(finished)
    texts, _ = ps.marked_texts(finished)
    code = ps.text_under(document, texts, "/Code")
    assert any("inline_code()" in text for text in code)
    block = [text for text in code if "first_line" in text]
    assert block and "second_line" in block[0], "the block is one Code element"
    holder = next(e for e in document.roles("/Code") if "first_line" in ps.element_text(e, texts))
    assert holder.ancestors[-1] == "/P", "a code block is a P holding its Code"
    prose = ps.text_under(document, texts, "/P")
    assert not any("Prose with" in text for text in code)
    assert any("Prose with" in text for text in prose)


def test_a_figure_without_alt_drops_the_claim_with_a_finding(tmp_path):
    svg = tmp_path / "box.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"/>')
    body = f'<p>Before</p><img src="{svg.as_uri()}"><p>After</p>'
    with capture_weasyprint() as records:
        layout = pdf_engine.lay_out(_page(body), CSS, [FONTS, tmp_path], pdf_variant="pdf/ua-1")
        data = layout.write(pdf_variant="pdf/ua-1")
    path = tmp_path / "figure.pdf"
    path.write_bytes(data)
    assert not ps.claims_pdf_ua(path)
    findings = weasyprint_findings(records, _stylesheet(), tmp_path)
    tagged = [f for f in findings if f.code == "TAG001"]
    assert tagged and "/Alt" in tagged[0].message


def test_untagged_drawing_drops_the_claim(chapter, tmp_path):
    _, finished = chapter
    with pikepdf.open(finished) as pdf:
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(b"0 0 10 10 re f"), prepend=False)
        data, problems = finish_tagging(_save(pdf))
    assert problems == ["page 1: 1 drawing operation(s) neither tagged nor artifacts"]
    path = tmp_path / "drawn.pdf"
    path.write_bytes(data)
    assert not ps.claims_pdf_ua(path)
    assert ps.read(path).tagged, "still tagged, only no longer claiming PDF/UA"


def test_form_fields_are_labelled_form_elements(tmp_path):
    body = (
        '<form><p>Owner: <input type="text" name="owner" title="Launch owner"></p>'
        '<p><input type="checkbox" name="done" title="Baseline measured"> Baseline</p></form>'
    )
    _, finished = _raw_and_finished(tmp_path, body, pdf_forms=True)
    fields = ps.form_fields(finished)
    assert {f["label"] for f in fields} == {"Launch owner", "Baseline measured"}
    in_tree = {obj for e in ps.read(finished).roles("/Form") for obj in e.objects}
    assert {f["id"] for f in fields} <= in_tree
    assert ps.claims_pdf_ua(finished)


def test_an_untagged_pdf_passes_through_unchanged(tmp_path):
    layout = pdf_engine.lay_out(_page(), CSS, [FONTS])
    data = layout.write()
    assert finish_tagging(data) == (data, [])


def test_finishing_is_reproducible(chapter):
    raw, _ = chapter
    first, second = finish_tagging(raw.read_bytes()), finish_tagging(raw.read_bytes())
    assert first[0] == second[0] != raw.read_bytes()


def _stylesheet() -> Stylesheet:
    return Stylesheet.of(CSS)


def _save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
