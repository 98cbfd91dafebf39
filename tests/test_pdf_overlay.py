"""The folios of a book joined from parts come from overlay documents of OVERLAY_CHUNK
pages each, numbered on from the chunks before: page k of the body prints k, on the
side its parity puts it, whichever chunk it is in."""

from __future__ import annotations

import io

import pikepdf
import pytest
from pypdf import PdfReader

from helpers import FIXTURES
from publish.engine.build import Build
from publish.engine.staging import OutputTree
from publish.outputs.pdf_document import stylesheet
from publish.outputs.pdf_joined import OVERLAY_CHUNK, _overlay_documents
from publish.outputs.pdf_parts import render_parts
from publish.outputs.pdf_print import print_stylesheet
from publish.outputs.registry import PDF
from publish.project.config_pdf import TRIMS
from publish.project.loader import load_project

BODY_PAGES = 2 * OVERLAY_CHUNK + 5


def _context(tmp_path, print_profile: bool):
    root = FIXTURES / "pdf-parts"
    project = load_project(root)
    run = Build(project, OutputTree(tmp_path / "out"), ("full",), (PDF,), lambda _: None)
    run.prepare()
    run.render({"full"}, needs_pdf_engine=True)
    context = run.contexts["full"]
    if print_profile:
        return context, print_stylesheet(context, TRIMS["6x9"], 36, 9), run.fetch_roots
    return context, stylesheet(context), run.fetch_roots


def _folios(context, sheet, roots) -> list[tuple[str, float, float]]:
    """(text, x of the folio, page width) per page of the overlays, in order."""
    documents = _overlay_documents(context, sheet, BODY_PAGES)
    pages = []
    for layout in render_parts(documents, roots, str(context.project)):
        for page in PdfReader(io.BytesIO(layout.data)).pages:
            xs: list[float] = []

            def place(text, cm, tm, _font, _size, xs=xs):
                if text.strip():  # the text's x on the page: its matrix through the page's
                    xs.append(cm[0] * tm[4] + cm[2] * tm[5] + cm[4])

            text = page.extract_text(visitor_text=place)
            pages.append((text.strip(), min(xs, default=0.0), float(page.mediabox.width)))
    return pages


@pytest.mark.parametrize("print_profile", [False, True], ids=["screen", "print"])
def test_chunked_overlays_number_every_body_page_on_its_side(tmp_path, print_profile):
    context, sheet, roots = _context(tmp_path, print_profile)
    assert len(_overlay_documents(context, sheet, BODY_PAGES)) == 3
    folios = _folios(context, sheet, roots)
    assert [text for text, _x, _w in folios] == [str(n) for n in range(1, BODY_PAGES + 1)]
    for number, (_text, x, width) in enumerate(folios, 1):
        if print_profile:  # rectos (odd) carry the folio right, versos left
            assert (x > width / 2) == (number % 2 == 1), number
        else:  # centred on every page
            assert width * 0.3 < x < width * 0.7, number


def test_overlay_pages_draw_nothing_but_the_folio(tmp_path):
    context, sheet, roots = _context(tmp_path, False)
    document = _overlay_documents(context, sheet, 3)[0]
    (layout,) = render_parts([document], roots, str(context.project))
    assert not document.tagged
    with pikepdf.open(io.BytesIO(layout.data)) as pdf:
        assert len(pdf.pages) == 3
        assert "/StructTreeRoot" not in pdf.Root  # drawn as an artifact at the join
