"""What cheatsheets and templates share: fonts, PDF metadata, previews, old files."""

from __future__ import annotations

import datetime as dt
import html
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import PublishError
from .load_config import Book
from .resources import confined_fetcher, font_configuration, load_weasyprint
from .theme import FONT_URL, Theme

PREVIEW_WIDTH = 600


def file_urls_for_fonts(css: str, theme: Theme) -> str:
    """Point `url(fonts/...)` at the theme's font files, wherever the stylesheet came from."""
    return FONT_URL.sub(lambda m: f'url("{theme.file(m.group(1)).resolve().as_uri()}")', css)


def pdf_metadata(book: Book, built_at: dt.datetime) -> str:
    """<meta> tags WeasyPrint turns into PDF metadata; fixed dates keep builds reproducible."""
    stamp = built_at.isoformat()
    pairs = [
        ("author", ", ".join(book.authors)),
        ("dcterms.created", stamp),
        ("dcterms.modified", stamp),
        ("generator", "publish"),
    ]
    return "".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in pairs if v)


def png_preview(pdf: bytes, width: int = PREVIEW_WIDTH) -> bytes:
    """The first page as a PNG `width` pixels wide, drawn by poppler's pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise PublishError(
            "pdftoppm is not installed, and cheatsheet previews need it: "
            "install poppler-utils (`apt-get install poppler-utils`)"
        )
    with tempfile.TemporaryDirectory(prefix="publish-preview-") as temp:
        source, target = Path(temp) / "in.pdf", Path(temp) / "out"
        source.write_bytes(pdf)
        command = [
            pdftoppm,
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-scale-to-x",
            str(width),
            "-scale-to-y",
            "-1",
            "-singlefile",
            str(source),
            str(target),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise PublishError(f"pdftoppm could not draw a preview: {result.stderr.strip()}")
        return target.with_suffix(".png").read_bytes()


def remove_stale(folder: Path, kept: list[Path], suffixes: tuple[str, ...]) -> None:
    """Drop outputs an earlier build wrote that this one did not, e.g. a renamed cheatsheet."""
    if not folder.is_dir():
        return
    keep = {path.resolve() for path in kept}
    for path in folder.iterdir():
        if path.suffix in suffixes and path.resolve() not in keep:
            path.unlink()


def render_document(page_html: str, css: str, roots: list[Path], **options):
    """Lay out a printable with its stylesheet; one font configuration for both, or
    WeasyPrint ignores the stylesheet's @font-face rules and falls back to system fonts."""
    weasyprint = load_weasyprint()
    fonts = font_configuration()
    fetcher = confined_fetcher(roots)
    stylesheet = weasyprint.CSS(string=css, url_fetcher=fetcher, font_config=fonts)
    return weasyprint.HTML(string=page_html, url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=fonts, **options
    )
