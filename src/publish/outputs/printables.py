"""What the printables share: font files for their stylesheets, PNG previews, and the
chapter links their warnings may point at."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote, unquote

from ..errors import PublishError
from ..project.theme import FONT_URL, Theme

PREVIEW_WIDTH = 600
# A fragment a Markdown or HTML link may name, and the ids pandoc gives footnotes.
FRAGMENT = re.compile(r"#([^\s\"'<>()\[\]{}]+)")
NOTE_FRAGMENT = re.compile(r"#fn(?:ref)?\d+$")
# What a URL fragment holds unencoded (RFC 3986), and "#", which an id may hold.
FRAGMENT_SAFE = "!$&'()*+,;=:@/?~-._#"


def file_urls_for_fonts(css: str, theme: Theme) -> str:
    """Point `url(fonts/...)` at the theme's font files, wherever the stylesheet came from."""
    return FONT_URL.sub(lambda m: f'url("{theme.file(m.group(1)).resolve().as_uri()}")', css)


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


def anchor_links(manuscript, texts: list[str]) -> list[tuple[str, str]]:
    """Each chapter link, with its line, that a WeasyPrint warning about a missing anchor
    in a document made from `texts` could point at (render/warnings.py names the first
    chapter link ending in `#id`): those ending in a fragment the texts name, or in a
    footnote's. A cached outcome replays its warnings, so their lines go in its key."""
    named = {match.group(1) for text in texts for match in FRAGMENT.finditer(text)}
    # pandoc may percent-encode what an author wrote raw, and WeasyPrint name it either way.
    named |= {unquote(n) for n in named} | {quote(n, safe=FRAGMENT_SAFE) for n in named}
    found = []
    for chapter in manuscript.chapters:
        for link in chapter.scan.links:
            fragments = link.target.split("#")[1:]
            ends = {"#".join(fragments[i:]) for i in range(len(fragments))}
            if ends & named or NOTE_FRAGMENT.search(link.target):
                found.append(("anchor link", f"{chapter.name}:{link.line}:{link.target}"))
    return found
