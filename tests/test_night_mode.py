"""Night and sepia modes in the EPUB: every text colour the theme sets is measured, from
the CSS, against every background it can land on, light and dark; boxes leave their text
to the reader; diagrams carry their own light panel; a dark-mode screenshot of a chapter
in Chromium shows light text on a dark page.

Readers differ in what they change: Apple Books and Kobo paint their own page and body
colours (white, sepia #f4ecd8, black) and leave the book's other colours alone; some also
paint every element's background black. So a colour with no background of its own is
measured against each page of its scheme and against each translucent box tint laid
over those pages, and an opaque background must come with its own text colour. Three
schemes: a reader that says nothing (any page: the theme leaves text colours to it), one
that says light (white or sepia) and one that says dark.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import tinycss2
import tinycss2.color3
from lxml import etree
from PIL import Image

from helpers import epub_files
from publish.project.theme import Theme
from publish.render.svg_panel import add_panel
from test_md_habits import AA, _flat_rules, contrast, css_rules

DARK = "prefers-color-scheme: dark"
# The pages a reader may paint, with the body text colour it paints on them.
PAGES = {
    "light": [("#ffffff", "#000000"), ("#f4ecd8", "#5b4636")],
    "dark": [("#000000", "#ffffff"), ("#121212", "#e3e6e8"), ("#000000", "#b0b0b0")],
}
PAGES["unsaid"] = PAGES["light"] + PAGES["dark"]
MEDIA = {"unsaid": None, "light": "prefers-color-scheme: light", "dark": DARK}
SVG = "{http://www.w3.org/2000/svg}"


def _hex(colour) -> str:
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in colour[:3])


def over(tint, page: str) -> str:
    """A translucent colour laid over an opaque page colour, as the eye sees it."""
    base = tinycss2.color3.parse_color(page)
    mixed = zip(tint[:3], base[:3], strict=True)
    return _hex([tint.alpha * t + (1 - tint.alpha) * b for t, b in mixed])


def _colour(value: str | None):
    """An RGBA for a colour value; None for inherit, currentColor, transparent or none."""
    parsed = tinycss2.color3.parse_color(value) if value else None
    if parsed is None or parsed == "currentColor" or parsed.alpha == 0:
        return None
    return parsed


def measured(selector: str) -> bool:
    """Code colours are measured against their block in test_md_habits.py."""
    return not selector.startswith(("code ", "pre.numberSource code"))


class Scheme:
    """The colours and backgrounds the EPUB stylesheet gives each selector in one scheme,
    the last declaration winning as in the cascade (rules override by repeating their
    selector)."""

    def __init__(self, css: str, scheme: str):
        self.colour: dict[str, str] = {}
        self.background: dict[str, str] = {}
        for selectors, declarations in css_rules(css, MEDIA[scheme]):
            for selector in selectors:
                if "color" in declarations:
                    self.colour[selector] = declarations["color"]
                for name in ("background", "background-color"):
                    if name in declarations:
                        self.background[selector] = declarations[name]
        own_page = _colour(self.background.get("body"))
        body_text = self.colour.get("body")
        self.pages = list(PAGES[scheme])
        if own_page is not None:
            self.pages.append((_hex(own_page), body_text))

    def tints(self) -> dict[str, object]:
        tints = {s: _colour(v) for s, v in self.background.items() if s != "body"}
        return {s: tint for s, tint in tints.items() if tint is not None and tint.alpha < 1}

    def box_of(self, selector: str):
        """The background a selector's text sits on: its own, or its nearest ancestor's
        among the compound selectors it is made of; None when that is the page."""
        parts = selector.replace(">", " ").split()
        for end in range(len(parts), 0, -1):
            background = _colour(self.background.get(" ".join(parts[:end])))
            if background is not None:
                return background
        return None

    def grounds(self, selector: str) -> list[str]:
        """Every opaque colour the selector's text can be seen on."""
        box = self.box_of(selector)
        if box is not None and box.alpha == 1:
            return [_hex(box)]
        tints = [box] if box is not None else [None, *self.tints().values()]
        return [page if t is None else over(t, page) for page, _ in self.pages for t in tints]

    def failures(self) -> dict[str, dict[str, float]]:
        failing = {}
        for selector, value in self.colour.items():
            colour = _colour(value)
            if colour is None or selector == "body" or not measured(selector):
                continue
            ratios = {g: round(contrast(_hex(colour), g), 2) for g in self.grounds(selector)}
            low = {ground: ratio for ground, ratio in ratios.items() if ratio < AA}
            if low:
                failing[f"{selector} {value}"] = low
        return failing


@pytest.fixture(scope="module")
def css() -> str:
    return Theme(None).stylesheet("epub.css").text


@pytest.mark.parametrize("scheme", list(MEDIA))
def test_every_text_colour_reads_on_every_background_it_can_land_on(css, scheme):
    assert not Scheme(css, scheme).failures()


def test_a_reader_that_says_light_gets_the_theme_colours(css):
    light = Scheme(css, "light").colour
    assert (light["h1"], light["a"], light[".alert-note .box-label"]) == (
        "#16344a",
        "#1f5f8b",
        "#1f5f8b",
    )
    unsaid = Scheme(css, "unsaid").colour
    assert (unsaid.get("h1"), unsaid["a"], unsaid[".alert-note .box-label"]) == (
        None,
        "inherit",
        "inherit",
    )


@pytest.mark.parametrize("scheme", list(MEDIA))
def test_the_readers_own_text_reads_inside_every_box(css, scheme):
    rules = Scheme(css, scheme)
    assert {".why-it-matters", ".exercise", ".callout", ".alert-note"} <= rules.tints().keys()
    low = {
        (box, page, text): round(contrast(text, over(tint, page)), 2)
        for box, tint in rules.tints().items()
        for page, text in rules.pages
        if text and contrast(text, over(tint, page)) < AA
    }
    assert not low


def test_an_opaque_background_always_brings_its_own_text_colour(css):
    for scheme in MEDIA:
        rules = Scheme(css, scheme)
        for selector, value in rules.background.items():
            background = _colour(value)
            if background is not None and background.alpha == 1:
                assert _colour(rules.colour.get(selector)), (scheme, selector, value)


def test_every_coloured_text_on_the_page_has_a_night_colour(css):
    """A colour chosen for a light page is too dark for a black one: each selector that
    colours text without a background of its own is given its colour again in dark mode."""
    light = Scheme(css, "light")
    dark_only = _flat_rules(
        [r for r in tinycss2.parse_stylesheet(css, True, True) if r.type == "at-rule"], DARK
    )
    redeclared = {
        selector.strip()
        for rule in dark_only
        for selector in tinycss2.serialize(rule.prelude).split(",")
        if any(
            d.type == "declaration" and d.lower_name == "color"
            for d in tinycss2.parse_declaration_list(rule.content, True, True)
        )
    }
    on_page = {
        selector
        for selector, value in light.colour.items()
        if _colour(value) and measured(selector) and light.box_of(selector) is None
    }
    assert {"h1", "a", ".box-label", "figcaption"} <= on_page
    assert on_page <= redeclared, on_page - redeclared


# --- diagrams ---------------------------------------------------------------------


def test_a_panel_is_drawn_first_and_covers_the_view_box():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120.5 80">'
        b'<title>t</title><style>text {}</style><!-- note --><g><path d="M0,0L9,9"/></g></svg>'
    )
    root = etree.fromstring(add_panel(svg))
    drawn = [child for child in root if isinstance(child.tag, str)]
    assert [child.tag.split("}")[1] for child in drawn] == ["title", "style", "rect", "g"]
    panel = drawn[2]
    assert [panel.get(name) for name in ("width", "height", "fill")] == ["120.5", "80", "#ffffff"]
    assert add_panel(b'<svg xmlns="http://www.w3.org/2000/svg"/>') == (
        b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    )


@pytest.mark.slow
def test_epub_diagrams_read_on_their_own_panel(bundled_build):
    epub = next((bundled_build / "full").glob("*.epub"))
    svgs = {name: data for name, data in epub_files(epub).items() if name.endswith(".svg")}
    assert len(svgs) == 3
    for name, data in svgs.items():
        root = etree.fromstring(data)
        panel = next(child for child in root if child.tag in (f"{SVG}rect", f"{SVG}g"))
        assert panel.tag == f"{SVG}rect" and panel.get("class") == "panel", name
        assert panel.get("width") == root.get("viewBox").split()[2], name
        fill = panel.get("fill")
        # Labels are outlines in the EPUB (render/svg_outlines.py): a filled group each.
        labels = [g for g in root.iter(f"{SVG}g") if "label" in (g.get("class") or "").split()]
        texts = {t.get("fill") for t in [*root.iter(f"{SVG}text"), *labels]}
        strokes = {p.get("stroke") for p in root.iter(f"{SVG}path", f"{SVG}polygon")}
        assert texts and all(contrast(c, fill) >= AA for c in texts), (name, texts)
        # Lines and arrowheads are graphics: WCAG asks 3:1 of them.
        assert all(contrast(c, fill) >= 3 for c in strokes - {None, "none"}), (name, strokes)


# --- a look in Chromium -----------------------------------------------------------


def screenshot(page: Path, target: Path, dark: bool) -> Image.Image:
    flags = ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"] if dark else []
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    command += [*flags, f"--screenshot={target}", "--window-size=375,1400", page.as_uri()]
    subprocess.run(command, capture_output=True, timeout=120, check=False)
    return Image.open(target).convert("RGB")


def page_and_text(image: Image.Image) -> tuple[str, str]:
    """The page's colour (the commonest) and the text's (the commonest colour that stands
    well apart from it: the solid cores of the glyphs, not their anti-aliased edges)."""
    counts = sorted(image.getcolors(maxcolors=1 << 24), reverse=True)
    page = _hex([channel / 255 for channel in counts[0][1]])
    for _, pixel in counts:
        colour = _hex([channel / 255 for channel in pixel])
        if contrast(colour, page) >= 3:
            return page, colour
    return page, page


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium")
def test_a_chapter_at_phone_width_reads_light_and_dark(bundled_build, tmp_path):
    epub = next((bundled_build / "full").glob("*.epub"))
    for name, data in epub_files(epub).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    chapter = tmp_path / "EPUB" / "chapter-02.xhtml"
    light_page, light_text = page_and_text(screenshot(chapter, tmp_path / "light.png", False))
    dark_page, dark_text = page_and_text(screenshot(chapter, tmp_path / "dark.png", True))
    assert light_page == "#ffffff" and contrast(light_text, light_page) >= AA
    assert dark_page == "#121212" and contrast(dark_text, dark_page) >= AA, dark_text
    # The figure's panel stays white on the dark page (375 px wide: a few thousand pixels).
    figure = screenshot(chapter.with_name("chapter-01.xhtml"), tmp_path / "figure.png", True)
    pixels = {colour: count for count, colour in figure.getcolors(1 << 24)}
    assert pixels.get((255, 255, 255), 0) > 20_000
