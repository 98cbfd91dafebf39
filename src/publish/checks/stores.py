"""What storefronts accept of a book's images: facts the checks and the cover share."""

from __future__ import annotations

# Apple Books refuses images over 4 megapixels; a larger cover is scaled down to fit.
MAX_PIXELS = 4_000_000
# Storefronts want a cover of at least about this many pixels on its long side.
MIN_LONG_SIDE = 1600
# Height / width the stores ask for: Kindle 2560 x 1600, Kobo 2400 x 1600.
STORE_RATIOS = (1.6, 1.5)
# Takes 1.42 to 1.68 (a 6 x 9 in trim is 1.5); warns on A4's 1.41, squares and landscapes.
RATIO_TOLERANCE = 0.08


def shape_problem(width: int, height: int) -> str | None:
    """Why a cover's proportions suit no store (CVR001's hint gives the size), or None."""
    ratio = height / width
    if any(abs(ratio - wanted) <= RATIO_TOLERANCE for wanted in STORE_RATIOS):
        return None
    return (
        f"is {width}x{height} px, {ratio:.2f} times as tall as wide; stores expect 1.6 "
        f"(or 1.5) and crop or box other shapes"
    )
