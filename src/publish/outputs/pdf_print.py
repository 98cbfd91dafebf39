"""The print-on-demand interior, `<slug>-print.pdf`: the trim size, mirrored margins
whose gutter follows the final page count, optional bleed, no cover, an even page count,
and a finding for every raster image under 300 dpi at its printed size."""

from __future__ import annotations

from pathlib import Path

from ..checks.confinement import locate_reference
from ..errors import WARNING, Finding
from ..project.config_pdf import Profiles, Trim
from ..project.theme import Stylesheet
from ..render.context import EditionContext
from ..render.pdf_engine import pad_to_even_pages
from .base import OutputJob
from .manifest import Artifact
from .pdf_document import lay_out_book, stylesheet, write_book
from .pdf_fill import FIGURE_PASSES
from .pdf_joined import joined_book, parts_run

INCH = 72.0
# KDP's least inside margin in inches by page count: up to 150 pages, 300, 500, 700, more.
KDP_GUTTERS = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75))
KDP_GUTTER_BEYOND = 0.875
# IngramSpark asks for at least 0.5 in on every side; KDP for 0.25 in outside (0.375 in
# with bleed). Every margin here is at least 0.5 in, so one file suits both printers.
INGRAM_MINIMUM = 0.5 * INCH
OUTSIDE = 0.625 * INCH
# Top and bottom hold the running head and the folio, each 0.18 in inside the margin's
# inner edge (pdf-print.css), so both stay more than 0.5 in from the trim.
TOP = BOTTOM = 0.9 * INCH
# A bigger gutter can add pages and cross the next threshold: at most this many layouts
# for the gutter (figure moves share them, see lay_out_print).
MAX_PASSES = 3
PRINT_DPI = 300


def kdp_gutter(pages: int) -> float:
    """KDP's least inside margin in points for a book of `pages` pages."""
    for most, inches in KDP_GUTTERS:
        if pages <= most:
            return inches * INCH
    return KDP_GUTTER_BEYOND * INCH


def gutter(pages: int) -> float:
    """The inside margin used: KDP's table, never under IngramSpark's 0.5 in."""
    return max(kdp_gutter(pages), INGRAM_MINIMUM)


def page_rules(trim: Trim, inside: float, bleed: float) -> Stylesheet:
    """Trim, mirrored margins (recto: gutter on the left) and bleed on the three outer
    edges (none at the spine, where KDP and IngramSpark want none)."""
    right_bleed = left_bleed = ""
    if bleed:
        right_bleed = f"bleed: {bleed}pt {bleed}pt {bleed}pt 0;"
        left_bleed = f"bleed: {bleed}pt 0 {bleed}pt {bleed}pt;"
    text_height = trim.height - TOP - BOTTOM
    return Stylesheet.of(
        f"@page {{ size: {trim.width}pt {trim.height}pt; margin: {TOP}pt {OUTSIDE}pt "
        f"{BOTTOM}pt {OUTSIDE}pt; marks: none; }}\n"
        f"@page :right {{ margin-left: {inside}pt; margin-right: {OUTSIDE}pt; {right_bleed} }}\n"
        f"@page :left {{ margin-left: {OUTSIDE}pt; margin-right: {inside}pt; {left_bleed} }}\n"
        f"section.colophon {{ padding-top: {text_height * 0.45:.1f}pt; }}\n"
    )


def print_stylesheet(context: EditionContext, trim: Trim, inside: float, bleed: float):
    return stylesheet(context, page_rules(trim, inside, bleed), profile="print")


class GutterFit:
    """The inside margin, widened when a layout's page count asks for more; a wider one
    than the table's is always accepted, so it never narrows."""

    def __init__(self) -> None:
        self.inside = gutter(0)
        self.used = self.inside  # the gutter of the latest layout

    def unsettled(self, layout) -> bool:
        """Whether `layout` needs laying out again with a wider gutter (now set)."""
        needed = gutter(layout.pages + layout.pages % 2)
        if needed <= self.inside:
            return False
        self.inside = needed
        return True


def lay_out_print(context: EditionContext, roots: list[Path], chosen: Profiles):
    """Lay out with the gutter for the page count it gives, again if the count needs a
    wider one, in the same passes that move figures (see pdf_fill)."""
    fit = GutterFit()

    def sheet():
        fit.used = fit.inside
        return print_stylesheet(context, chosen.trim, fit.inside, chosen.bleed)

    passes = MAX_PASSES + FIGURE_PASSES - 1
    layout = lay_out_book(context, roots, sheet, False, fit.unsettled, passes)
    return layout, fit.used


def low_resolution_images(context: EditionContext, images) -> list[Finding]:
    """PRN001 for each raster image printed under 300 dpi, at the line that names it;
    `images` as `PagedDocument.raster_images` gives them."""
    findings = []
    for source, pixels, points in images:
        dpi = pixels / (points / INCH)
        if dpi >= PRINT_DPI - 0.5:
            continue
        shown, line = locate_reference(source, context.project)
        findings.append(
            Finding(
                shown,
                line,
                1,
                WARNING,
                "PRN001",
                f"image '{source}' prints at {dpi:.0f} dpi in the print PDF "
                f"({pixels} px across {points / INCH:.2f} in)",
                f"give it at least {round(points / INCH * PRINT_DPI)} px across for 300 dpi",
            )
        )
    return sorted(set(findings))


def write_print(job: OutputJob, chosen: Profiles) -> Artifact:
    context = job.context
    path = job.folder / f"{context.stem}-print.pdf"
    job.report(f"writing {job.edition.name}/{path.name}")
    with job.renderer_warnings(print_stylesheet(context, chosen.trim, gutter(0), chosen.bleed)):
        if chosen.engine == "parts":
            data, pages, images, inside = _joined_print(job, chosen)
        else:
            layout, inside = lay_out_print(context, job.fetch_roots, chosen)
            data = write_book(context, layout, cover=False, then=pad_to_even_pages())
            pages, images = layout.pages + layout.pages % 2, layout.raster_images("data-source")
    job.findings += low_resolution_images(context, images)
    job.tree.write(path, data)
    details = context.manifest_details()
    details["extra"] = {
        **details["extra"],
        "profile": "print",
        "gutter_in": round(inside / INCH, 3),
        "bleed_in": round(chosen.bleed / INCH, 3),
    }
    return job.describe(path, "pdf", pages=pages, paper=chosen.trim.name, **details)


def _joined_print(job: OutputJob, chosen: Profiles):
    """The print interior from parts, with the gutter its page count asks for (as
    `lay_out_print`); its bytes, pages, raster images and the gutter used."""
    inside, run = gutter(0), parts_run(job)
    for _ in range(MAX_PASSES):
        sheet = print_stylesheet(job.context, chosen.trim, inside, chosen.bleed)
        made = joined_book(job.context, sheet, run, printed=True, cover=False)
        if gutter(made.pages) <= inside:
            break
        inside = gutter(made.pages)
    return made.data, made.pages, made.images, inside
