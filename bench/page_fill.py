"""How full each page of a book PDF is, measured from the PDF itself.

Each page is rendered small (pdftoppm, greyscale); its fill is how far down the text
area (the page inside the profile's top and bottom margins, within the TrimBox) the
lowest ink reaches, so text, figures, code and boxes all count, running heads and folios
(in the margins) never. A page is flagged when it is under half full and is neither a
chapter's last page nor an intentional blank (a verso before a chapter, the page that
makes a print interior's count even). Blank pages are counted apart.

    python bench/page_fill.py build/            # every book PDF the manifest lists
    python bench/page_fill.py book.pdf --profile print

Tests import `measure` (tests/test_pdf_profiles.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

DPI = 24
INK = 200  # a grey level darker than this is ink
HALF = 0.5


@dataclass
class Page:
    number: int  # 1-based
    fill: float  # 0..1 of the text area's height
    blank: bool  # no ink anywhere on the page
    chapter_end: bool = False


@dataclass
class Report:
    path: Path
    profile: str
    pages: list[Page] = field(default_factory=list)
    body_start: int = 1  # 1-based number of the body's first page

    @property
    def body(self) -> list[Page]:
        return [p for p in self.pages if p.number >= self.body_start]

    @property
    def blank_pages(self) -> list[int]:
        return [p.number for p in self.pages if p.blank]

    @property
    def under_half(self) -> list[Page]:
        """Body pages under half full that are neither a chapter's end nor blank."""
        return [p for p in self.body if p.fill < HALF and not p.chapter_end and not p.blank]

    def summary(self) -> dict:
        fills = [p.fill for p in self.body if not p.blank]
        return {
            "pdf": str(self.path),
            "profile": self.profile,
            "pages": len(self.pages),
            "blank": self.blank_pages,
            "under_half": [(p.number, round(p.fill, 2)) for p in self.under_half],
            "median_fill": round(sorted(fills)[len(fills) // 2], 2) if fills else 0.0,
        }


def text_margins(profile: str) -> tuple[float, float]:
    """The profile's top and bottom margins in points, from the code that sets them."""
    if profile == "print":
        from publish.outputs.pdf_print import BOTTOM, TOP

        return TOP, BOTTOM
    from publish.outputs.pdf_document import SCREEN_MARGINS_MM

    top, _, bottom = SCREEN_MARGINS_MM
    return top * 72 / 25.4, bottom * 72 / 25.4


def _render(path: Path, folder: Path) -> list[Path]:
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(path), str(folder / "p")], check=True
    )
    return sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))


def _ink_rows(image: Image.Image) -> list[int]:
    """The rows of `image` holding any ink."""
    width, height = image.size
    pixels = image.load()
    return [y for y in range(height) if any(pixels[x, y] < INK for x in range(0, width))]


def _page_fill(image: Image.Image, page, top: float, bottom: float) -> tuple[float, bool]:
    scale = DPI / 72
    media, trim = page.mediabox, page.trimbox
    trim_top = (float(media.top) - float(trim.top)) * scale
    trim_bottom = (float(media.top) - float(trim.bottom)) * scale
    rows = _ink_rows(image.crop((0, round(trim_top), image.width, round(trim_bottom))))
    area_top, area_bottom = top * scale, (trim_bottom - trim_top) - bottom * scale
    inside = [y for y in rows if area_top <= y < area_bottom]
    if not inside:
        return 0.0, not rows
    return min((max(inside) + 1 - area_top) / (area_bottom - area_top), 1.0), False


def _chapter_starts(reader: PdfReader) -> list[int]:
    """0-based pages where a top-level bookmark (a chapter, the contents) points."""
    starts = set()
    for item in reader.outline:
        if not isinstance(item, list):
            starts.add(reader.get_destination_page_number(item))
    return sorted(starts)


def _body_start(reader: PdfReader) -> int:
    labels = reader.page_labels
    return labels.index("1") if "1" in labels else 0


def measure(path: Path, profile: str) -> Report:
    """The fill of every page of the book PDF at `path`, laid out by `profile`."""
    reader = PdfReader(path)
    top, bottom = text_margins(profile)
    report = Report(Path(path), profile, body_start=_body_start(reader) + 1)
    with tempfile.TemporaryDirectory() as folder:
        for number, image_path in enumerate(_render(Path(path), Path(folder)), 1):
            with Image.open(image_path) as image:
                fill, blank = _page_fill(image.convert("L"), reader.pages[number - 1], top, bottom)
            report.pages.append(Page(number, fill, blank))
    starts = [s for s in _chapter_starts(reader) if s > 0] + [len(report.pages)]
    for start in starts:
        before = [p for p in report.pages[:start] if not p.blank]
        if before:
            before[-1].chapter_end = True
    return report


def book_pdfs(build: Path) -> list[tuple[Path, str]]:
    """(path, profile) of every book PDF in a build's manifest."""
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    return [
        (build / a["path"], a["profile"])
        for a in manifest["artifacts"]
        if a["format"] == "pdf" and "profile" in a
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path, help="a build folder, or one PDF")
    parser.add_argument("--profile", choices=("screen", "print"), default="screen")
    args = parser.parse_args(argv)
    targets = book_pdfs(args.target) if args.target.is_dir() else [(args.target, args.profile)]
    flagged = 0
    for path, profile in targets:
        summary = measure(path, profile).summary()
        flagged += len(summary["under_half"]) + (
            len(summary["blank"]) if profile == "screen" else 0
        )
        print(json.dumps(summary))
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
