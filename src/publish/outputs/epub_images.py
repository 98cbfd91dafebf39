"""The EPUB's images as it carries them, SVGs drawn for it once and kept in the build cache.

Drawing a diagram's labels as outlines takes a few milliseconds an SVG, a third of a
second on a sixty-diagram book: after an edit to one chapter, every unchanged SVG comes
from `build/.cache/epub-images/` instead, keyed by its bytes, the theme and the tools.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import fontTools

from ..cache_entries import read_entry, write_entry
from ..errors import relative_name
from ..render.context import EditionContext
from ..render.resources import Resource
from ..render.svg_outlines import outline_labels
from ..render.svg_panel import add_panel
from ..render.svg_sanitize import inspect_svg, sanitize_svg

SVG = "image/svg+xml"
CACHE_FOLDER = "epub-images"


def packaged(
    resource: Resource, context: EditionContext, cache: Path | None = None, parts_key: str = ""
) -> bytes:
    """A resource's bytes as the EPUB carries them: an SVG with its labels drawn as outlines
    (no reader can draw them in another font) and a light panel behind it, so it reads on
    a night-mode page. Every SVG passes the sanitizer on its way in, and once more after
    the drawing is changed, so the book holds nothing the allowlist did not admit.

    With a `cache` folder and the theme's and tools' `parts_key`, a drawn SVG is kept there;
    one read back is used only if the sanitizer leaves it exactly as it is."""
    data = resource.path.read_bytes()
    if resource.media_type != SVG:
        return data
    if cache is None or not parts_key:
        return _drawn(data, resource, context)
    key = hashlib.sha256(f"{parts_key} {fontTools.version}\0".encode() + data).hexdigest()
    path = cache / CACHE_FOLDER / f"{key}.svg-drawn"
    cached = read_entry(path)
    if cached is not None and _as_sanitized(cached):
        return cached
    drawn = _drawn(data, resource, context)
    write_entry(path, drawn, cache)
    return drawn


def _drawn(data: bytes, resource: Resource, context: EditionContext) -> bytes:
    shown = relative_name(resource.path, context.project)
    drawn = add_panel(outline_labels(sanitize_svg(data, shown), context.theme))
    return sanitize_svg(drawn, shown)


def _as_sanitized(data: bytes) -> bool:
    """The sanitizer's own output, unchanged: what `_drawn` returned, and nothing else."""
    clean = inspect_svg(data)
    return not clean.refused and clean.data == data
