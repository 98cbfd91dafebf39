"""The `pdf:` section of book.yaml: which PDFs a build makes (screen, print) and the
print interior's trim size and bleed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ERROR, Finding
from .schema import doc

POINTS_PER = {"in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0}
LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt)\s*$")
CUSTOM_TRIM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)\s*(in|mm|cm)\s*$")


@dataclass(frozen=True)
class Trim:
    """A trim size (the finished page), width and height in points."""

    name: str
    width: float
    height: float


def _inches(name: str, width: float, height: float) -> Trim:
    return Trim(name, width * 72, height * 72)


def _mm(name: str, width: float, height: float) -> Trim:
    return Trim(name, width * POINTS_PER["mm"], height * POINTS_PER["mm"])


# KDP's common paperback trims, and the two ISO sizes printers in Europe use.
TRIMS = {
    trim.name: trim
    for trim in (
        _inches("5x8", 5, 8),
        _inches("5.25x8", 5.25, 8),
        _inches("5.5x8.5", 5.5, 8.5),
        _inches("6x9", 6, 9),
        _inches("7x10", 7, 10),
        _inches("8.5x11", 8.5, 11),
        _mm("a5", 148, 210),
        _mm("a4", 210, 297),
    )
}
# How the PDFs are laid out: one document, or one per chapter joined (outputs/pdf_joined).
ENGINES = ("whole", "parts")
# KDP accepts up to 0.125 in; more only makes a larger page for the printer to cut.
MAX_BLEED = 0.125 * 72


@dataclass
class ScreenProfile:
    paper: str = doc(
        "Paper of the screen PDF, `a4` or `letter`; the book's `paper` when absent.", default=""
    )


@dataclass
class PrintProfile:
    trim: str = doc(
        "Trim size of the print interior: `5x8`, `5.25x8`, `5.5x8.5`, `6x9` (default), "
        "`7x10`, `8.5x11`, `a5`, `a4`, or a custom `WxH in` / `WxH mm`.",
        default="6x9",
    )
    bleed: str = doc(
        "Bleed added on the top, bottom and outside edges, e.g. `0.125in`; none when absent.",
        default="0in",
    )


@dataclass
class PdfSpec:
    screen: ScreenProfile | None = doc(
        "The screen PDF `<slug>.pdf` (single-sided, no blank pages, the cover first); "
        "made when `pdf:` is absent or names `screen`.",
        default=None,
    )
    print: PrintProfile | None = doc(
        "The print-on-demand interior `<slug>-print.pdf` (trim size, mirrored margins, "
        "chapters on recto, no cover, even page count).",
        default=None,
    )
    engine: str = doc(
        "How the PDFs are laid out: `parts` (each chapter its own document, in parallel and "
        "cached, joined into one PDF) or `whole` (one WeasyPrint document for the book).",
        default="parts",
    )


@dataclass(frozen=True)
class Profiles:
    """The PDFs a build makes, resolved from `pdf:` and the book's paper."""

    screen_paper: str | None
    trim: Trim | None
    bleed: float
    engine: str = "parts"


def length_points(text: str) -> float | None:
    """Points in a length such as `0.125in` or `3mm`; None when it is not one."""
    match = LENGTH.match(text)
    return float(match[1]) * POINTS_PER[match[2]] if match else None


def trim_size(text: str) -> Trim | None:
    """A named trim or a custom `WxH in`; None when it is neither."""
    name = text.strip().lower()
    if name in TRIMS:
        return TRIMS[name]
    match = CUSTOM_TRIM.match(name)
    if not match:
        return None
    unit = POINTS_PER[match[3]]
    return Trim(name.replace(" ", ""), float(match[1]) * unit, float(match[2]) * unit)


def profiles(book) -> Profiles:
    """Which PDFs to make. A profile key written with no value (`screen:`) turns it on."""
    spec = book.pdf
    if spec is None:
        return Profiles(book.paper, None, 0.0)
    printed = spec.print or (PrintProfile() if "pdf.print" in book.lines else None)
    # `pdf:` naming only the engine keeps the default profile, the screen PDF.
    screen = spec.screen is not None or "pdf.screen" in book.lines or printed is None
    paper = (spec.screen.paper if spec.screen else "") or book.paper
    if printed is None:
        return Profiles(paper if screen else None, None, 0.0, spec.engine)
    return Profiles(
        paper if screen else None,
        trim_size(printed.trim),
        length_points(printed.bleed) or 0.0,
        spec.engine,
    )


def check_pdf(book, name: str, papers: tuple[str, ...]) -> list[Finding]:
    """What the types cannot say about `pdf:`: known sizes, a bleed a printer takes."""
    spec = book.pdf
    if spec is None:
        return []
    findings = []

    def bad(key: str, message: str, hint: str) -> None:
        line = book.lines.get(key, book.lines.get("pdf", 1))
        findings.append(Finding(name, line, 1, ERROR, "CFG005", message, hint))

    if spec.engine not in ENGINES:
        bad("pdf.engine", f"unknown PDF engine '{spec.engine}'", "`whole` or `parts`")
    if (
        spec.screen is None
        and spec.print is None
        and not {"pdf.screen", "pdf.print", "pdf.engine"} & set(book.lines)
    ):
        bad("pdf", "pdf: names no profile", "add `screen:`, `print:` or both")
    if spec.screen and spec.screen.paper and spec.screen.paper not in papers:
        bad("pdf.screen.paper", f"paper must be one of {', '.join(papers)}", "a4 or letter")
    if spec.print is not None:
        if trim_size(spec.print.trim) is None:
            bad(
                "pdf.print.trim",
                f"unknown trim size '{spec.print.trim}'",
                f"one of {', '.join(TRIMS)}, or a custom size such as `6.14x9.21 in`",
            )
        bleed = length_points(spec.print.bleed)
        if bleed is None or bleed > MAX_BLEED:
            bad(
                "pdf.print.bleed",
                f"bleed '{spec.print.bleed}' is not a length up to 0.125in",
                "KDP and IngramSpark take 0.125in (3.2 mm) of bleed: e.g. `bleed: 0.125in`",
            )
    return findings
