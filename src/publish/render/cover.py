"""Each edition's cover image: the author's own or a generated one, the sample's labelled.

Pillow (already needed by WeasyPrint) draws with the theme's fonts; PNG encoding is
deterministic, so the same book gives the same bytes. A label is never painted on the
art: it goes in a band added below it. Also here: the colour the PDF fills around a
fitted cover, and whether a cover's proportions suit the stores.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..checks.stores import MAX_PIXELS

WIDTH, HEIGHT = 1600, 2400
BACKGROUND = (22, 52, 74)
ACCENT = (242, 169, 59)
INK = (255, 255, 255)
# The sample's label goes in a band added below the cover, this share of its height tall.
BAND_SHARE = 1 / 12


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
    """A 1600 x 2400 PNG: course, title, subtitle and authors; an edition label goes in a
    band added below it, like an author's cover, so it can never cover the title or authors."""
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
    author_font = _font(fonts_dir, "OpenSans-Regular.ttf", 64)
    _draw_lines(draw, [", ".join(authors)], author_font, HEIGHT - 300, INK)
    # Flat colours and anti-aliased text: 256 colours show no difference and weigh half as
    # much (the sample's, rescaled to fit its band within 4 megapixels, a third as much).
    labelled = _with_label(image, label, fonts_dir)
    return _png(labelled.quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))


def label_cover(path: Path, label: str, fonts_dir: Path) -> bytes:
    """The author's cover as PNG, at most 4 megapixels, with the edition's label (if any)
    in a band added below it: every pixel of the author's art stays as it was."""
    with Image.open(path) as source:
        image = source.convert("RGB")
    return _png(_with_label(image, label, fonts_dir))


def _with_label(image: Image.Image, label: str, fonts_dir: Path) -> Image.Image:
    """The image within MAX_PIXELS once the label's band is added, then the band."""
    share = BAND_SHARE if label else 0.0
    # The band grows with the image (floor of height * share), so scaling the art to
    # MAX_PIXELS / (1 + share) keeps the labelled whole within the cap.
    budget = MAX_PIXELS / (1 + share)
    if image.width * image.height > budget:
        scale = (budget / (image.width * image.height)) ** 0.5
        size = (int(image.width * scale), int(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return _add_band(image, label, fonts_dir) if label else image


def _add_band(image: Image.Image, label: str, fonts_dir: Path) -> Image.Image:
    """A new canvas: the image on top, the label centred in an accent band below it."""
    band = max(1, int(image.height * BAND_SHARE))
    canvas = Image.new("RGB", (image.width, image.height + band), ACCENT)
    canvas.paste(image, (0, 0))
    text = label.upper()
    size = max(8, band * 9 // 20)
    font = _font(fonts_dir, "OpenSans-Bold.ttf", size)
    # A narrow cover gets a smaller label rather than one running off its sides.
    width = font.getlength(text)
    if width > image.width * 0.9:
        font = _font(fonts_dir, "OpenSans-Bold.ttf", max(6, int(size * image.width * 0.9 / width)))
    middle = (image.width / 2, image.height + band / 2)
    ImageDraw.Draw(canvas).text(middle, text, font=font, fill=BACKGROUND, anchor="mm")
    return canvas


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def page_colour(png: bytes) -> str:
    """The colour to fill the printed page around a fitted cover: the per-channel median of
    the image's outer edge, so the fill continues the art (a label band or a corner logo
    on one edge does not tint it, as an average would)."""
    with Image.open(io.BytesIO(png)) as source:
        image = source.convert("RGB")
    width, height = image.size
    edge = max(1, min(width, height) // 100)
    strips = [
        (0, 0, width, edge),
        (0, height - edge, width, height),
        (0, 0, edge, height),
        (width - edge, 0, width, height),
    ]
    counts = [0] * 768
    for box in strips:
        counts = [a + b for a, b in zip(counts, image.crop(box).histogram(), strict=True)]
    channels = (_median(counts[i * 256 : (i + 1) * 256]) for i in range(3))
    return "#" + "".join(f"{value:02x}" for value in channels)


def _median(histogram: list[int]) -> int:
    half, seen = sum(histogram) / 2, 0
    for value, count in enumerate(histogram):
        seen += count
        if seen >= half:
            return value
    return 0


def edition_cover(book, label: str, fonts_dir: Path, manuscript_root: Path) -> bytes:
    """The cover every format of an edition shares: the book's own, or a generated one."""
    if book.cover:
        return label_cover(manuscript_root / book.cover, label, fonts_dir)
    return generate_cover(book.title, book.subtitle, book.authors, label, book.course, fonts_dir)
