"""The web edition: a static site per edition, from the same rendered HTML as the EPUB.

    build/<edition>/web/
      index.html                 title page, contents, colophon
      chapter-01.html ...        one page per chapter, then answers.html or
                                 what-comes-next.html, linked previous/next
      search.html                search over the edition's own text (web_search.py)
      assets/book.css            the theme's EPUB styles laid out for screens (web.css)
      assets/*.js                lunr.js, the prebuilt index, the search page's script
      fonts/*.ttf                the faces the pages use, cut to the characters they draw
      images/*                   the edition's images; diagrams as the EPUB carries them

Every URL is relative and every page sits at the top, so the site works from a folder,
from `file://` and behind any static host. The manifest lists the site as one entry: its
file count, total bytes and a sha256 over its files (`manifest.folder_digest`).
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..project.theme import FONT_URL
from ..render.context import EditionContext
from ..render.svg_outlines import outline_labels
from ..render.svg_panel import add_panel
from .base import OutputJob
from .epub_fonts import embed_used_fonts
from .manifest import Artifact, folder_digest
from .web_pages import (
    CSS_FILE,
    INDEX,
    chapter_pages,
    document,
    search_page,
    title_page,
)
from .web_search import INDEX_SCRIPT, search_script

SITE_FOLDER = "web"
COVER = "images/cover.png"
# Theme files each site carries as they are: (path in the site, path in the theme).
THEME_FILES = (
    ("assets/lunr.min.js", "web/lunr.min.js"),
    ("assets/lunr-LICENSE.txt", "web/lunr-LICENSE.txt"),
    ("assets/search.js", "web/search.js"),
)
# Every kind of file a site holds, for removing what an earlier build left.
SITE_SUFFIXES = (".html", ".css", ".js", ".txt", ".ttf", ".otf", ".svg", ".png", ".jpg", ".jpeg")


@dataclass
class SiteOptions:
    """How a site is made: as the build writes it (the defaults), or as a preview serves
    it, where the pages change on every save and only they must be quick."""

    font_cache: Path | None = None
    subset_fonts: bool = True
    """False: the theme's whole fonts (cutting them on every save would cost more than
    serving them whole from this machine)."""
    search_index: bool = True
    """False: no search index; the preview builds it after the pages are served."""
    drawn_diagrams: dict[str, bytes] | None = None
    """Diagrams with their labels drawn as outlines, by their source's sha256: kept by a
    preview between renders, since most saves change no diagram."""


def site_files(context: EditionContext, options: SiteOptions | None = None) -> dict[str, bytes]:
    """Every file of the edition's site, by its path inside the site."""
    options = options or SiteOptions()
    chapters = chapter_pages(context)
    pages = [title_page(context, chapters, COVER), *chapters]
    files: dict[str, bytes] = {}
    for position, page in enumerate(pages):
        previous = pages[position - 1] if position else None
        following = pages[position + 1] if position + 1 < len(pages) else None
        files[page.file_name] = document(context, page, previous, following).encode()
    files[search_page().file_name] = document(context, search_page(), None, None).encode()
    if options.search_index:
        files[INDEX_SCRIPT] = search_script(chapters)
    theme = context.theme
    for target, source in THEME_FILES:
        files[target] = theme.file(source).read_bytes()
    files[COVER] = context.cover_png
    drawn = {} if options.drawn_diagrams is None else options.drawn_diagrams
    for name, resource in sorted(context.rendered.resources.items()):
        data = resource.path.read_bytes()
        if resource.media_type == "image/svg+xml":  # labels as outlines, on a light panel
            key = hashlib.sha256(data).hexdigest()
            if key not in drawn:
                drawn[key] = add_panel(outline_labels(data, theme))
            data = drawn[key]
        files[name] = data
    if options.subset_fonts:
        files.update(_styles_and_fonts(context, files, options.font_cache))
    else:
        files.update(_styles_and_whole_fonts(context))
    return files


def _styles_and_fonts(context: EditionContext, files: dict[str, bytes], cache) -> dict[str, bytes]:
    """The stylesheet and the font subsets the pages draw with: the EPUB's own font
    subsetting (`epub_fonts`), given the pages as a package it can read."""
    theme = context.theme
    css = (theme.stylesheet("web.css") + theme.extra_stylesheet()).text
    pages = sorted(name for name in files if name.endswith(".html"))
    entries = {f"site/{name}": _as_xml(files[name]) for name in pages}
    entries["site/package.opf"] = _package(pages)
    entries[f"site/{CSS_FILE}"] = css.encode()
    embedded = embed_used_fonts(entries, CSS_FILE, theme, cache)
    return {
        name.removeprefix("site/"): data
        for name, data in embedded.items()
        if name == f"site/{CSS_FILE}" or posixpath.dirname(name) == "site/fonts"
    }


def _styles_and_whole_fonts(context: EditionContext) -> dict[str, bytes]:
    theme = context.theme
    css = (theme.stylesheet("web.css") + theme.extra_stylesheet()).text
    files = {name: theme.file(name).read_bytes() for name in sorted(set(FONT_URL.findall(css)))}
    files[CSS_FILE] = FONT_URL.sub(lambda m: f"url(../{m.group(1)})", css).encode()
    return files


def _as_xml(page: bytes) -> bytes:
    root = etree.fromstring(page, etree.HTMLParser())
    return etree.tostring(root, method="xml", encoding="utf-8")


def _package(pages: list[str]) -> bytes:
    """A package document listing the pages, which is how `embed_used_fonts` finds them."""
    items = "".join(
        f'<item id="p{n}" href="{name}" media-type="application/xhtml+xml"/>'
        for n, name in enumerate(pages)
    )
    return (
        f'<package xmlns="http://www.idpf.org/2007/opf"><manifest>{items}</manifest></package>'
    ).encode()


def write(job: OutputJob) -> list[Artifact]:
    """The edition's site under `<edition>/web/`, one manifest entry for all of it."""
    context = job.context
    site = job.folder / SITE_FOLDER
    job.report(f"writing {job.edition.name}/{SITE_FOLDER}/")
    files = site_files(context, SiteOptions(font_cache=job.tree.cache_dir / "fonts"))
    for name, data in sorted(files.items()):
        job.tree.write(site / name, data)
    written = [site / name for name in files]
    for folder in [site, *(p for p in site.rglob("*") if p.is_dir())] if site.is_dir() else []:
        job.tree.remove_stale(folder, written, SITE_SUFFIXES)
    details = context.manifest_details()
    artifact = Artifact(
        (site.relative_to(job.tree.out)).as_posix(),
        job.edition.name,
        "web",
        sum(len(data) for data in files.values()),
        folder_digest(files),
        details["title"],
        details["identifier"],
        extra={**details["extra"], "files": len(files), "index": INDEX},
    )
    return [artifact]
