"""render/pdf_fonts on three small parts laid out by the engine (fast): the joined PDF
embeds one font per face, and draws and reads exactly as the parts' own fonts did.

The parts are chosen so the merge has work of every kind: one draws accented letters
whose components lie past the highest glyph it uses (its subset renumbers them), one
draws ligatures high in the font (so the others' subsets stop earlier), and faces
(regular, italic, bold, monospace) used by some parts and not others.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections import Counter

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from pikepdf import Name

from publish.outputs.pdf_parts import PartDocument, render_parts
from publish.render import pdf_join
from publish.render.pdf_fonts import merge_font_subsets
from publish.render.pdf_join import Joining, join, label_ranges

STYLE = (
    "<style>body { font-family: 'Charis SIL'; } h1 { font-family: 'Open Sans'; }"
    "code { font-family: 'JetBrains Mono'; }</style>"
)
PARTS = [
    ("Café", "<p>Un café naïve, déjà vu; the résumé of an élève. Ça va.</p>"),
    ("Offices", "<p>The affluent office baffled <em>waffles</em>, fluffy and final.</p>"),
    ("Plain", "<p>Plain <strong>words</strong> and <code>code = 1</code> at the end.</p>"),
]
SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")


@pytest.fixture(scope="module")
def parts() -> list[bytes]:
    documents = [
        PartDocument(
            f'<html lang="en"><head><title>{title}</title>{STYLE}</head><body>'
            f"<h1>{title}</h1>{body}</body></html>",
            "",
        )
        for title, body in PARTS
    ]
    return [layout.data for layout in render_parts(documents, [], None)]


def _how() -> Joining:
    return Joining([False, False, False], labels=label_ranges(0, cover=False))


@pytest.fixture(scope="module")
def joined(parts) -> bytes:
    return join(parts, _how())


@pytest.fixture(scope="module")
def unmerged(parts) -> bytes:
    """The same join with the parts' fonts left as they are."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_join, "merge_font_subsets", lambda book: None)
        return join(parts, _how())


def _face(name) -> str:
    return SUBSET_TAG.sub("", str(name).lstrip("/"))


def _fonts(data: bytes) -> tuple[Counter, Counter]:
    """(Type0 fonts per face, FontFile2 programs per face) among the PDF's objects."""
    fonts, programs = Counter(), Counter()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == Name.Type0:
                fonts[_face(obj.BaseFont)] += 1
            if isinstance(obj, pikepdf.Dictionary) and "/FontFile2" in obj:
                programs[_face(obj.FontName)] += 1
    return fonts, programs


def test_each_face_embedded_once(joined, unmerged):
    fonts, programs = _fonts(joined)
    before, _ = _fonts(unmerged)
    assert set(fonts) == set(before) >= {"Charis-SIL", "Charis-SIL-Italic", "Open-Sans-Bold"}
    assert before["Charis-SIL"] == 3 and before["Open-Sans-Bold"] == 3  # one per part
    assert set(fonts.values()) == set(programs.values()) == {1}
    assert set(programs) == set(fonts)


def test_pdffonts_lists_each_face_once_embedded_and_subset(joined, tmp_path):
    path = tmp_path / "joined.pdf"
    path.write_bytes(joined)
    listing = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True)
    rows = [line.split() for line in listing.stdout.splitlines()[2:]]
    names = [_face(row[0]) for row in rows]
    assert len(names) == len(set(names)) >= 4
    for row in rows:
        assert SUBSET_TAG.match(row[0]) and row[-5:-2] == ["yes", "yes", "yes"], row


def _pages_text(path) -> list[str]:
    count = len(pikepdf.open(path).pages)
    return [
        subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), path, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for page in range(1, count + 1)
    ]


def _rasters(path, folder) -> list[bytes]:
    subprocess.run(["pdftoppm", "-r", "60", path, folder / "page"], check=True)
    return [page.read_bytes() for page in sorted(folder.glob("page*.ppm"))]


def test_nothing_reads_or_draws_differently(joined, unmerged, tmp_path):
    paths = {}
    for name, data in (("merged", joined), ("parts", unmerged)):
        paths[name] = tmp_path / f"{name}.pdf"
        paths[name].write_bytes(data)
        (tmp_path / name).mkdir()
    texts = _pages_text(paths["merged"])
    assert texts == _pages_text(paths["parts"])
    assert "café naïve" in texts[0] and "affluent office" in texts[1]
    merged, parts = (
        _rasters(paths["merged"], tmp_path / "merged"),
        _rasters(paths["parts"], tmp_path / "parts"),
    )
    assert len(merged) == len(parts) == 3
    assert merged == parts


def _subsets(data: bytes, face: str) -> list[tuple[TTFont, int]]:
    """(program, highest glyph id drawn) of each font of `face`."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for font in _type0(pdf, face):
            cid = font.DescendantFonts[0]
            program = cid.FontDescriptor.FontFile2.read_bytes()
            found.append((TTFont(io.BytesIO(program)), _last_drawn(cid.W)))
    return found


def _type0(pdf: pikepdf.Pdf, face: str) -> list[pikepdf.Dictionary]:
    return [
        obj
        for obj in pdf.objects
        if isinstance(obj, pikepdf.Dictionary)
        and obj.get("/Subtype") == Name.Type0
        and _face(obj.BaseFont) == face
    ]


def _last_drawn(widths) -> int:
    items = list(widths)
    return int(items[-2]) + len(items[-1]) - 1  # WeasyPrint's `c [w ...]` runs, in order


def test_the_parts_renumber_components_and_the_union_does_not(joined, unmerged):
    """The first part's é has its accent past the last glyph it draws: its subset holds
    the accent at another id than the font's. The union's composites name components
    that are there, with the outlines the parts had."""
    renumbered = 0
    for font, last in _subsets(unmerged, "Charis-SIL"):
        glyf = font["glyf"]
        for name in font.getGlyphOrder()[: last + 1]:
            glyph = glyf[name]
            if glyph.isComposite():
                renumbered += any(font.getGlyphID(c.glyphName) > last for c in glyph.components)
    assert renumbered
    ((union, _),) = _subsets(joined, "Charis-SIL")
    glyf = union["glyf"]
    for name in union.getGlyphOrder():
        if glyf[name].isComposite():
            assert all(glyf[c.glyphName].numberOfContours for c in glyf[name].components)


def test_the_same_parts_join_to_the_same_bytes(parts, joined):
    assert join(parts, _how()) == joined


def test_qpdf_finds_nothing(joined, tmp_path):
    path = tmp_path / "joined.pdf"
    path.write_bytes(joined)
    check = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
    assert check.returncode == 0 and "WARNING" not in check.stdout + check.stderr


def test_fonts_of_one_name_but_other_glyphs_stay_apart(unmerged):
    """A font named and dated as Charis SIL whose `e` is drawn otherwise is another font:
    the merge keeps it, and merges the rest."""
    with pikepdf.open(io.BytesIO(unmerged)) as pdf:
        stream = _type0(pdf, "Charis-SIL")[0].DescendantFonts[0].FontDescriptor.FontFile2
        font = TTFont(io.BytesIO(stream.read_bytes()), recalcTimestamp=False)
        glyph = font["glyf"][font.getBestCmap()[ord("e")]]
        glyph.coordinates[0] = (glyph.coordinates[0][0] + 40, glyph.coordinates[0][1])
        changed = io.BytesIO()
        font.save(changed)
        stream.write(changed.getvalue())
        merge_font_subsets(pdf)
        out = io.BytesIO()
        pdf.save(out)
    fonts, programs = _fonts(out.getvalue())
    assert fonts["Charis-SIL"] == programs["Charis-SIL"] == 3
    assert fonts["Open-Sans-Bold"] == programs["Open-Sans-Bold"] == 1


def test_a_program_that_cannot_be_read_stays_as_it_is(unmerged):
    with pikepdf.open(io.BytesIO(unmerged)) as pdf:
        stream = _type0(pdf, "Charis-SIL")[0].DescendantFonts[0].FontDescriptor.FontFile2
        stream.write(b"\0\1\0\0 not a font")
        merge_font_subsets(pdf)
        out = io.BytesIO()
        pdf.save(out)
    fonts, programs = _fonts(out.getvalue())
    assert fonts["Charis-SIL"] == programs["Charis-SIL"] == 2  # that one, the others' union
    assert fonts["Open-Sans-Bold"] == programs["Open-Sans-Bold"] == 1


def test_a_cid_set_lists_the_union_of_glyphs(unmerged):
    """WeasyPrint writes a CIDSet for PDF 1.4 and older: the merged font's lists every
    glyph id any part drew, and no other."""
    with pikepdf.open(io.BytesIO(unmerged)) as pdf:
        drawn = set()
        for font in _type0(pdf, "Charis-SIL"):
            font.DescendantFonts[0].FontDescriptor.CIDSet = pdf.make_stream(b"\xff")
            widths = list(font.DescendantFonts[0].W)
            drawn |= {
                int(s) + i
                for s, run in zip(widths[::2], widths[1::2], strict=True)
                for i in range(len(run))
            }
        merge_font_subsets(pdf)
        out = io.BytesIO()
        pdf.save(out)
    with pikepdf.open(out) as pdf:
        (merged,) = _type0(pdf, "Charis-SIL")
        bits = merged.DescendantFonts[0].FontDescriptor.CIDSet.read_bytes()
    listed = {i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))}
    assert listed == drawn and len(drawn) > 30
