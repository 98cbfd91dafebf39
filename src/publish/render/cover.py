"""A generated cover image, for books that don't bring their own.

Pillow (already needed by WeasyPrint) draws it with the theme's fonts; PNG
encoding is deterministic, so the same book gives the same bytes.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1600, 2400
BACKGROUND = (22, 52, 74)
ACCENT = (242, 169, 59)
INK = (255, 255, 255)
# Apple Books refuses images over 4 megapixels; a larger cover is scaled down to fit.
MAX_PIXELS = 4_000_000
# Storefronts want a cover of at least about this many pixels on its long side.
MIN_LONG_SIDE = 1600


def _font(fonts_dir: Path, name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts_dir / name), size)


def _draw_lines(
    draw: ImageDraw.ImageDraw, lines: list[str], font, top: int, fill, spacing: float = 1.2
) -> int:
    for line in lines:
        draw.text((140, top), line, font=font, fill=fill)
        top += int(font.size * spacing)
    return top


def generate_cover(
    title: str, subtitle: str, authors: list[str], label: str, course: str, fonts_dir: Path
) -> bytes:
    """A 1600 x 2400 PNG: course, title, subtitle, edition label and authors."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 36), fill=ACCENT)
    top = 260
    if course:
        course_font = _font(fonts_dir, "OpenSans-Semibold.ttf", 52)
        top = _draw_lines(draw, [course.upper()], course_font, top, ACCENT) + 60
    title_font = _font(fonts_dir, "OpenSans-Bold.ttf", 118)
    top = _draw_lines(draw, textwrap.wrap(title, 20), title_font, top, INK, 1.15) + 50
    draw.rectangle((140, top, 440, top + 12), fill=ACCENT)
    top += 90
    if subtitle:
        subtitle_font = _font(fonts_dir, "CharisSIL-Italic.ttf", 58)
        _draw_lines(draw, textwrap.wrap(subtitle, 40), subtitle_font, top, INK, 1.35)
    if label:
        label_font = _font(fonts_dir, "OpenSans-Bold.ttf", 64)
        box = draw.textbbox((0, 0), label.upper(), font=label_font)
        width = box[2] - box[0]
        draw.rectangle((140, HEIGHT - 560, 140 + width + 80, HEIGHT - 440), fill=ACCENT)
        draw.text((180, HEIGHT - 545), label.upper(), font=label_font, fill=BACKGROUND)
    author_font = _font(fonts_dir, "OpenSans-Regular.ttf", 64)
    _draw_lines(draw, [", ".join(authors)], author_font, HEIGHT - 300, INK)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def label_cover(path: Path, label: str, fonts_dir: Path) -> bytes:
    """The author's cover as PNG, at most 4 megapixels, with the edition's label in a band
    across its foot."""
    with Image.open(path) as source:
        image = source.convert("RGB")
    if image.width * image.height > MAX_PIXELS:
        scale = (MAX_PIXELS / (image.width * image.height)) ** 0.5
        size = (int(image.width * scale), int(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    if label:
        draw = ImageDraw.Draw(image)
        size = max(12, image.height // 28)
        font = _font(fonts_dir, "OpenSans-Bold.ttf", size)
        top = image.height - size * 3
        draw.rectangle((0, top, image.width, top + size * 2), fill=ACCENT)
        draw.text((size, top + size // 2), label.upper(), font=font, fill=BACKGROUND)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def edition_cover(book, label: str, fonts_dir: Path, manuscript_root: Path) -> bytes:
    """The cover every format of an edition shares: the book's own, or a generated one."""
    if book.cover:
        return label_cover(manuscript_root / book.cover, label, fonts_dir)
    return generate_cover(book.title, book.subtitle, book.authors, label, book.course, fonts_dir)
