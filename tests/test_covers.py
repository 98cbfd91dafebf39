"""Covers are fitted whole to the PDF's first page, and the sample's label covers nothing.

Each test cover carries coloured markers in its four corners and in its title and author
regions; the rendered pages and the EPUB's cover image are searched for them.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops, ImageDraw

from helpers import FIXTURES, copy_project, epub_files
from publish.checks.stores import MAX_PIXELS
from publish.commands.cli import main
from publish.engine.build import build
from publish.render.cover import BAND_SHARE, page_colour

PAPER = (235, 228, 210)
CORNERS = {
    "top-left": (220, 30, 30),
    "top-right": (30, 150, 50),
    "bottom-left": (40, 70, 220),
    "bottom-right": (230, 210, 0),
}
# Where a designer puts the title and the author's name; the author's region lies where
# the old "FREE SAMPLE" band was painted.
REGIONS = {"title": (190, 20, 190), "author": (0, 190, 200)}
REGION_BOXES = {"title": (0.2, 0.15, 0.8, 0.3), "author": (0.25, 0.86, 0.75, 0.95)}
CORNER_SHARE = 0.1
TOLERANCE = 16


def marker_boxes(width: int, height: int) -> dict[str, tuple[int, int, int, int]]:
    """Each marker's box in a width x height cover: corner squares and text regions."""
    side = int(width * CORNER_SHARE)
    boxes = {
        "top-left": (0, 0, side, side),
        "top-right": (width - side, 0, width, side),
        "bottom-left": (0, height - side, side, height),
        "bottom-right": (width - side, height - side, width, height),
    }
    for name, (x0, y0, x1, y1) in REGION_BOXES.items():
        boxes[name] = (int(x0 * width), int(y0 * height), int(x1 * width), int(y1 * height))
    return boxes


def cover_project(tmp_path: Path, size: tuple[int, int], paper: str | None = None) -> Path:
    """A copy of the mini book with a marked cover of `size` (and `paper:` when given)."""
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    colours = CORNERS | REGIONS
    for name, (x0, y0, x1, y1) in marker_boxes(*size).items():
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=colours[name])
    image.save(project / "manuscript" / "cover.png")
    book_yaml = project / "manuscript" / "book.yaml"
    extra = "cover: cover.png\n" + (f"paper: {paper}\n" if paper else "")
    book_yaml.write_text(book_yaml.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return project


def first_page(pdf: Path, tmp_path: Path) -> Image.Image:
    """Page 1 rendered at 40 dpi, as the acceptance asks."""
    stem = tmp_path / f"{pdf.stem}-page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    with Image.open(stem.with_suffix(".png")) as page:
        return page.convert("RGB")


def found(image: Image.Image, colour: tuple[int, int, int]) -> tuple[int, tuple | None]:
    """How many pixels of `image` have `colour` (within TOLERANCE), and their bounding box."""
    bands = []
    for channel, wanted in zip(image.split(), colour, strict=True):
        bands.append(channel.point(lambda v, w=wanted: 255 if abs(v - w) <= TOLERANCE else 0))
    mask = bands[0]
    for band in bands[1:]:
        mask = Image.composite(band, Image.new("L", mask.size, 0), mask)
    return mask.histogram()[255], mask.getbbox()


def assert_marker_whole(page: Image.Image, name: str, colour, expected_ratio: float) -> tuple:
    """The marker is on the page with its full shape: not cut by the page's edge, not
    painted over (a cropped or covered marker loses its width-to-height ratio or pixels)."""
    count, box = found(page, colour)
    assert box is not None, f"{name} marker missing from the page"
    width, height = box[2] - box[0], box[3] - box[1]
    assert width >= 4 and height >= 4, f"{name} marker is a sliver: {box}"
    # Rendering blurs one pixel at each edge, so allow one pixel of slack per side.
    assert abs(width / height - expected_ratio) <= 2 / min(width, height) + 0.1, (name, box)
    assert count >= 0.8 * width * height, f"{name} marker is partly covered: {count} of {box}"
    return box


def assert_cover_whole_on_page(page: Image.Image, art: tuple[int, int], cover: Image.Image):
    """All markers of the `art`-sized drawing are whole on the page, and `cover` (the art,
    plus any label band below it, as the edition embeds it) is fitted to the page, centred."""
    found_boxes = {}
    for name, (x0, y0, x1, y1) in marker_boxes(*art).items():
        colour = (CORNERS | REGIONS)[name]
        found_boxes[name] = assert_marker_whole(page, name, colour, (x1 - x0) / (y1 - y0))
    left, top = found_boxes["top-left"][:2]
    right, bottom = found_boxes["bottom-right"][2:]
    assert found_boxes["top-right"][2] == right and found_boxes["bottom-left"][0] == left
    # Fitted: the cover as large as the page allows, without a pixel cut off.
    scale = min(page.width / cover.width, page.height / cover.height)
    width, height = cover.width * scale, cover.height * scale
    assert abs((right - left) - width) <= 2
    # The markers span the art alone: any label band lies below them.
    assert abs((bottom - top) - width * art[1] / art[0]) <= 2
    # Centred: the page's fill is the same on both sides of the cover.
    assert abs(left - (page.width - width) / 2) <= 1.5
    assert abs(top - (page.height - height) / 2) <= 1.5


def assert_regions_untouched(cover: Image.Image, size: tuple[int, int]) -> None:
    """Every pixel of each marker (scaled, 2 px in from its edges) keeps its colour."""
    scale = cover.width / size[0]
    for name, box in marker_boxes(*size).items():
        inner = [int(v * scale) + d for v, d in zip(box, (2, 2, -2, -2), strict=True)]
        extrema = cover.crop(inner).getextrema()
        for (low, high), wanted in zip(extrema, (CORNERS | REGIONS)[name], strict=True):
            assert wanted - TOLERANCE <= low and high <= wanted + TOLERANCE, (name, low, high)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("size", "paper"), [((1600, 2560), None), ((600, 900), "letter")], ids=["a4", "letter"]
)
def test_cover_is_fitted_whole_and_the_sample_label_covers_nothing(tmp_path, size, paper):
    project = cover_project(tmp_path, size, paper)
    build(project, formats=("epub", "pdf"))
    out = project / "build"
    for edition, stem in (("full", "mini-book"), ("sample", "mini-book-sample")):
        data = epub_files(out / edition / f"{stem}.epub")["EPUB/images/cover.png"]
        cover = Image.open(io.BytesIO(data)).convert("RGB")
        assert cover.width * cover.height <= MAX_PIXELS
        assert_regions_untouched(cover, size)
        # The PDF embeds the same cover image as the EPUB.
        page = first_page(out / edition / f"{stem}.pdf", tmp_path)
        assert_cover_whole_on_page(page, size, cover)
        # Beside the cover the page takes the colour of the cover's edge.
        assert page.getpixel((0, page.height // 2)) == PAPER
    # The label's band is added below the art: the sample's cover is taller, not painted.
    art_height = round(size[1] * cover.width / size[0])
    assert cover.height > art_height + 10
    band = cover.crop((0, art_height + 2, cover.width, cover.height))
    assert found(band, REGIONS["author"])[0] == 0


@pytest.mark.slow
def test_generated_sample_cover_keeps_its_label_below_the_art(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    build(project, formats=("epub",))
    out = project / "build"
    full, sample = (
        Image.open(io.BytesIO(epub_files(path)["EPUB/images/cover.png"])).convert("RGB")
        for path in (out / "full" / "mini-book.epub", out / "sample" / "mini-book-sample.epub")
    )
    assert sample.width * sample.height <= MAX_PIXELS
    # The band is a whole share of the art's height: find the art's height from the total.
    art_height = next(h for h in range(sample.height) if h + int(h * BAND_SHARE) == sample.height)
    art = sample.crop((0, 0, sample.width, art_height))
    # Above the band is the full edition's cover, only scaled: no label drawn over it. Both
    # are saved in 256 colours, which moves a pixel by a few levels; a label, by a hundred.
    scaled = full.resize(art.size, Image.Resampling.LANCZOS)
    assert ImageChops.difference(art, scaled).convert("L").getextrema()[1] <= 16
    assert sample.height > art_height + 10


def test_page_colour_is_the_covers_edge_not_its_band_or_logo():
    image = Image.new("RGB", (400, 640), (12, 34, 56))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 560, 399, 639), fill=(242, 169, 59))  # a band along one edge
    draw.rectangle((0, 0, 60, 60), fill=(255, 255, 255))  # a logo in a corner
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert page_colour(buffer.getvalue()) == "#0c2238"


def check_output(project: Path) -> str:
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 0, result.output
    return result.output


def test_check_warns_on_a_cover_of_the_wrong_shape_with_its_line(tmp_path):
    project = cover_project(tmp_path, (1800, 1800))
    lines = (project / "manuscript" / "book.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index("cover: cover.png") + 1
    output = check_output(project)
    assert re.search(
        rf"^manuscript/book\.yaml:{line}:1: WARNING CVR001 cover 'cover\.png' is 1800x1800 px"
        r".*\(give 1600 x 2560 px",
        output,
        re.MULTILINE,
    ), output


@pytest.mark.parametrize("size", [(1600, 2560), (1600, 2400), (600, 900)])
def test_check_takes_the_stores_shapes(tmp_path, size):
    assert "CVR001" not in check_output(cover_project(tmp_path, size))
