"""Cheatsheets: one page in A4 and US Letter, print-ready, tightened or refused."""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess

import pytest
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader

from helpers import FIXTURES, copy_project
from publish.commands.cli import main
from publish.engine.build import build
from publish.outputs.cheatsheets import GROWN, LAYOUTS, render_cheatsheets
from publish.project.loader import load_project
from publish.project.theme import DEFAULT_THEME
from publish.render.context import build_time

SHEETS = "full/cheatsheets"
PAGE_SIZES = {"a4": (595, 842), "letter": (612, 792)}


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_bundled_cheatsheet_is_one_page_of_the_right_size(bundled_build, paper):
    reader = PdfReader(bundled_build / SHEETS / f"ml-lifecycle-cheatsheet-{paper}.pdf")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == PAGE_SIZES[paper]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_bundled_cheatsheet_embeds_every_font(bundled_build, paper):
    path = bundled_build / SHEETS / f"ml-lifecycle-cheatsheet-{paper}.pdf"
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = listing.stdout.splitlines()[2:]
    assert rows, "the cheatsheet uses no fonts at all"
    for row in rows:
        assert re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row), row


def test_bundled_cheatsheet_has_the_blocks_text(bundled_build):
    reader = PdfReader(bundled_build / SHEETS / "ml-lifecycle-cheatsheet-a4.pdf")
    text = reader.pages[0].extract_text()
    assert len(re.findall(r"\w+", text)) >= 200
    assert "ML Product Lifecycle: The PM's Cheatsheet" in text
    for title in ("PROBLEM DEFINITION", "DATA", "MONITORING"):
        assert title in text
    assert "From The ML Product Development Lifecycle" in text


def column_use(path, columns: int = 3) -> list[float]:
    """How far down each column the text reaches, as a share of the room between the
    top of the title and the top of the footer (word boxes from pdftotext)."""
    listing = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = [
        tuple(float(w.get(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
        for w in etree.fromstring(listing.encode(), etree.HTMLParser()).iter("word")
    ]
    last_line = max(w[1] for w in words)
    footer = [w for w in words if w[1] >= last_line - 2]
    body = [w for w in words if w not in footer]
    top, bottom = min(w[1] for w in body), min(w[1] for w in footer)
    left, right = min(w[0] for w in body), max(w[2] for w in body)
    width = (right - left) / columns
    lowest = [
        max((w[3] for w in body if left + i * width <= w[0] < left + (i + 1) * width), default=top)
        for i in range(columns)
    ]
    return [(low - top) / (bottom - top) for low in lowest]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_bundled_cheatsheet_grows_to_fill_its_page(bundled_build, paper):
    """Issue 17: a sheet with room to spare grows until at least 80% of the page is used."""
    used = column_use(bundled_build / SHEETS / f"ml-lifecycle-cheatsheet-{paper}.pdf")
    assert sum(used) / len(used) >= 0.8, used
    assert min(used) >= 0.7, f"a column is left short: {used}"


def test_the_preview_shows_the_filled_page(bundled_build):
    from PIL import Image

    for paper in PAGE_SIZES:
        with Image.open(bundled_build / SHEETS / f"ml-lifecycle-cheatsheet-{paper}.png") as image:
            grey = image.convert("L")
            inked = [
                y
                for y in range(grey.height)
                if grey.crop((0, y, grey.width, y + 1)).getextrema()[0] < 128
            ]
        # The footer is the last run of inked rows; the content ends before its gap.
        gaps = [(a, b) for a, b in itertools.pairwise(inked) if b - a > 1]
        content_end, footer_start = gaps[-1]
        assert (content_end - inked[0]) / (footer_start - inked[0]) >= 0.8, paper


@pytest.mark.slow
def test_a_short_sheet_grows_to_the_ceiling_and_no_further(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text() + "cheatsheets:\n  - name: mini\n    title: Mini\n")
    chapter = project / "manuscript" / "one.md"
    chapter.write_text(chapter.read_text() + '\n::: {.cheatsheet title="Mini"}\n- A point.\n:::\n')
    project = load_project(project)
    roots = [project.root, DEFAULT_THEME]
    sheets = render_cheatsheets(project.manuscript, project.theme, roots, tmp_path, build_time())
    ceiling = max(layout.font_pt for layout in GROWN)
    assert [sheet.layout.font_pt for sheet in sheets] == [ceiling, ceiling]
    assert all(len(PdfReader(io.BytesIO(sheet.pdf)).pages) == 1 for sheet in sheets)


def test_previews_are_600_pixels_wide(bundled_build):
    from PIL import Image

    for paper in PAGE_SIZES:
        with Image.open(bundled_build / SHEETS / f"ml-lifecycle-cheatsheet-{paper}.png") as image:
            assert image.width == 600
            assert image.height > image.width


def test_manifest_lists_cheatsheets_in_the_full_edition_only(bundled_build):
    manifest = json.loads((bundled_build / "manifest.json").read_text())
    sheets = [a for a in manifest["artifacts"] if "cheatsheets/" in a["path"]]
    assert {(a["format"], a["paper"]) for a in sheets} == {
        ("pdf", "a4"),
        ("pdf", "letter"),
        ("png", "a4"),
        ("png", "letter"),
    }
    assert all(a["edition"] == "full" for a in sheets)
    assert all(a["pages"] == 1 for a in sheets if a["format"] == "pdf")
    assert not (bundled_build / "sample" / "cheatsheets").exists()


@pytest.mark.slow
def test_far_too_long_cheatsheet_fails_the_build(tmp_path):
    project = copy_project(FIXTURES / "cheatsheet-overflow", tmp_path / "book")
    result = CliRunner().invoke(main, ["build", str(project), "-q"])
    assert result.exit_code == 1
    assert "cheatsheet 'everything'" in result.output
    assert re.search(r"about \d+% of a page too long", result.output)
    assert not (project / "build" / SHEETS).exists()


@pytest.mark.slow
def test_slightly_too_long_cheatsheet_is_tightened_to_one_page(tmp_path):
    project = copy_project(FIXTURES / "cheatsheet-tight", tmp_path / "book")
    result = CliRunner().invoke(main, ["build", str(project), "-q"])
    assert result.exit_code == 0, result.output
    for paper in PAGE_SIZES:
        assert len(PdfReader(project / "build" / SHEETS / f"field-notes-{paper}.pdf").pages) == 1


@pytest.mark.slow
def test_tightening_stays_within_the_legible_floor(tmp_path):
    project = load_project(copy_project(FIXTURES / "cheatsheet-tight", tmp_path / "book"))
    roots = [project.root, DEFAULT_THEME]
    sheets = render_cheatsheets(project.manuscript, project.theme, roots, tmp_path, build_time())
    assert all(sheet.attempts > 1 for sheet in sheets)
    assert all(LAYOUTS[-1].font_pt <= s.layout.font_pt < LAYOUTS[0].font_pt for s in sheets)


@pytest.mark.slow
def test_sample_only_build_writes_no_cheatsheets(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text() + "cheatsheets:\n  - name: mini\n    title: Mini\n")
    (project / "manuscript" / "one.md").write_text(
        (project / "manuscript" / "one.md").read_text()
        + '\n::: {.cheatsheet title="Mini"}\n- A point.\n:::\n'
    )
    result = CliRunner().invoke(main, ["build", str(project), "--edition", "sample", "-q"])
    assert result.exit_code == 0, result.output
    assert not list((project / "build").rglob("cheatsheets"))


def test_cheatsheet_without_blocks_points_at_book_yaml(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(
        book_yaml.read_text() + "cheatsheets:\n  - name: empty\n    title: Empty\n"
    )
    for command in ("check", "build"):
        result = CliRunner().invoke(main, [command, str(project)])
        assert result.exit_code == 1
        pattern = r"manuscript/book\.yaml:\d+:1: ERROR CHS001 cheatsheet 'empty'"
        assert re.search(pattern, result.output)
    assert not (project / "build" / "full").exists(), "found before anything is rendered"


@pytest.mark.slow
def test_a_small_diagram_in_a_block_is_drawn(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    manuscript = project / "manuscript"
    book_yaml = manuscript / "book.yaml"
    book_yaml.write_text(book_yaml.read_text() + "cheatsheets:\n  - name: mini\n    title: Mini\n")
    chapter = manuscript / "one.md"
    chapter.write_text(
        chapter.read_text() + '\n::: {.cheatsheet title="Flow"}\n- A goes to B.\n\n'
        '![The flow.](diagrams/flow.dot){alt="A to B"}\n:::\n'
    )
    result = build(project)
    assert not [f for f in result.findings if "flow.dot" in f.message]
    text = PdfReader(project / "build" / SHEETS / "mini-a4.pdf").pages[0].extract_text()
    assert "The flow." in text
    assert re.search(r"^A$", text, re.M) and re.search(r"^B$", text, re.M), text


@pytest.mark.slow
def test_format_option_selects_printables(tmp_path):
    project = copy_project(FIXTURES / "cheatsheet-tight", tmp_path / "book")
    result = CliRunner().invoke(main, ["build", str(project), "-q", "--format", "epub"])
    assert result.exit_code == 0, result.output
    assert not (project / "build" / SHEETS).exists()
    result = CliRunner().invoke(main, ["build", str(project), "-q", "--format", "printables"])
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in (project / "build").rglob("*.*") if ".cache" not in p.parts)
    assert [n for n in made if n.endswith(".pdf")] == [
        "field-notes-a4.pdf",
        "field-notes-letter.pdf",
    ]


@pytest.mark.slow
def test_a_renamed_cheatsheet_leaves_neither_old_files_nor_old_manifest_entries(tmp_path):
    """Old files are removed when the build commits, and the manifest never lists them."""
    project = copy_project(FIXTURES / "cheatsheet-tight", tmp_path / "book")
    build(project, formats=("cheatsheets",))
    book_yaml = project / "manuscript" / "book.yaml"
    old = re.search(r"name: (\S+)", book_yaml.read_text()).group(1)
    book_yaml.write_text(book_yaml.read_text().replace(f"name: {old}", "name: renamed-sheet"))
    build(project, formats=("cheatsheets",))
    made = sorted(p.name for p in (project / "build" / SHEETS).iterdir())
    assert made == [
        f"renamed-sheet-{paper}.{ext}" for paper in ("a4", "letter") for ext in ("pdf", "png")
    ]
    listed = json.loads((project / "build" / "manifest.json").read_text())["artifacts"]
    assert not [a["path"] for a in listed if old in a["path"]]
