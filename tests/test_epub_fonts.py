"""Issue 18: the EPUB carries only the faces it uses, subset to what they draw, renamed where
a licence reserves the name; every character is still drawn in the face its CSS assigns."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from helpers import FIXTURES, NS, copy_project, epub_files
from publish.engine.build import build
from publish.outputs.epub_fonts import _rewrite_css, reserved_names
from publish.outputs.font_usage import Cascade, FaceChooser, characters_by_face, font_faces
from publish.project.theme import DEFAULT_THEME

FONTS = DEFAULT_THEME / "fonts"
# The theme's faces by the family the EPUB names them (Charis SIL reserves its names).
ORIGINAL_FAMILY = {"Publish Serif": "Charis SIL"}
NAMING_RECORDS = (1, 3, 4, 6, 16, 18, 20, 21)


@pytest.fixture(scope="module")
def fonts_build(tmp_path_factory) -> Path:
    project = copy_project(FIXTURES / "epub-fonts", tmp_path_factory.mktemp("epub-fonts"))
    build(project, formats=("epub",))
    return project / "build"


def theme_faces() -> dict[tuple[str, int, bool], Path]:
    css = (DEFAULT_THEME / "fonts.css").read_text(encoding="utf-8")
    return {(f.family, f.weight, f.italic): DEFAULT_THEME / f.source for f in font_faces(css)}


class EmbeddedFonts:
    """An EPUB's stylesheet and fonts, parsed: which file each @font-face names, what it maps."""

    def __init__(self, files: dict[str, bytes]):
        self.css = files["EPUB/styles/book.css"].decode()
        self.faces = font_faces(self.css)
        self.fonts = {
            f: TTFont(io.BytesIO(files["EPUB/" + f.source.removeprefix("../")])) for f in self.faces
        }
        self.documents = {
            name: etree.fromstring(data)
            for name, data in files.items()
            if name.endswith(".xhtml") and name != "EPUB/cover.xhtml"
        }

    def stack(self, selector: str) -> list[str]:
        """The font stack of the rule whose selector list starts with `selector`."""
        start = r"(?:^|\}|\n)\s*" + re.escape(selector)
        rule = re.search(start + r"[^{]*\{[^}]*font-family:\s*([^;}]+)", self.css)
        return [name.strip().strip("\"'") for name in rule.group(1).split(",")]

    def bold_code_tokens(self) -> set[str]:
        """pandoc's token classes a rule `code span.x` sets in bold."""
        tokens = set()
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", self.css):
            if re.search(r"font-weight:\s*(bold|[6-9]00)", body):
                tokens.update(re.findall(r"code span\.(\w+)", selectors))
        return tokens

    def face(self, family: str, weight: int = 400, italic: bool = False):
        faces = [f for f in self.faces if f.family == family]
        exact = [f for f in faces if f.weight == weight and f.italic == italic]
        return exact[0] if exact else None

    def drawn_by(self, char: str, stack: list[str], weight: int, italic: bool) -> str | None:
        """The family that must draw `char`: the first whose full theme face has it."""
        originals = theme_faces()
        for family in stack:
            original = originals.get((ORIGINAL_FAMILY.get(family, family), weight, italic))
            if original is not None and ord(char) in TTFont(original).getBestCmap():
                return family
        return None

    def assert_covered(self, text: str, stack: list[str], weight=400, italic=False, where=""):
        for char in sorted(set(text) - set(" \n\t\u00a0")):
            family = self.drawn_by(char, stack, weight, italic)
            if family is None:
                continue  # no face of the theme has it: FNT001's business, not the subset's
            face = self.face(family, weight, italic)
            assert face is not None, (where, char, family, weight, italic)
            assert ord(char) in self.fonts[face].getBestCmap(), (where, char, face)


def text_of(elements) -> str:
    return "".join("".join(e.itertext()) for e in elements)


def direct_text(element) -> str:
    """An element's own text: not its children's, but what follows each of them."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


def check_coverage(files: dict[str, bytes]) -> EmbeddedFonts:
    fonts = EmbeddedFonts(files)
    body, mono, headings = fonts.stack("body"), fonts.stack("code, pre"), fonts.stack("h1, h2, h3")
    for name, root in fonts.documents.items():
        paragraphs = root.xpath(
            ".//x:body//x:p[not(ancestor::x:figcaption or ancestor-or-self::*[contains(@class,"
            "'box-label') or contains(@class, 'titlepage')])]",
            namespaces=NS,
        )
        fonts.assert_covered("".join(map(direct_text, paragraphs)), body, where=name)
        italic = root.xpath(".//x:p/x:em[not(ancestor::x:strong)]", namespaces=NS)
        fonts.assert_covered("".join(map(direct_text, italic)), body, italic=True, where=name)
        bold = root.xpath(".//x:p/x:strong[not(ancestor::x:em)]", namespaces=NS)
        fonts.assert_covered("".join(map(direct_text, bold)), body, weight=700, where=name)
        both = root.xpath(".//x:strong//x:em|.//x:em//x:strong", namespaces=NS)
        fonts.assert_covered(text_of(both), body, weight=700, italic=True, where=name)
        # Highlighted tokens the CSS sets in bold (keywords...) are drawn from the bold face.
        bold_tokens = " or ".join(f"contains(@class, '{c}')" for c in fonts.bold_code_tokens())
        in_bold = f"ancestor-or-self::x:span[{bold_tokens}]" if bold_tokens else "false()"
        code = root.xpath(f".//x:code//text()[not(ancestor::x:strong or {in_bold})]", namespaces=NS)
        fonts.assert_covered("".join(code), mono, where=name)
        strong_code = root.xpath(f".//x:code//text()[{in_bold}]", namespaces=NS)
        fonts.assert_covered("".join(strong_code), mono, weight=700, where=name)
        titles = root.xpath(".//x:h1|.//x:h2", namespaces=NS)
        plain_titles = [direct_text(h) for h in titles]
        fonts.assert_covered("".join(plain_titles), headings, weight=700, where=name)
        labels = root.xpath(".//*[contains(@class, 'box-label')]", namespaces=NS)
        fonts.assert_covered(text_of(labels).upper(), headings, weight=700, where=name)
    return fonts


# Fast: the pieces.


def test_charis_reserves_its_names_and_the_others_reserve_none():
    assert reserved_names(FONTS / "CharisSIL-Regular.ttf") == ["Charis", "SIL"]
    for name in ("OpenSans-Regular.ttf", "JetBrainsMono-Regular.ttf", "DejaVuSans-Symbols.ttf"):
        assert reserved_names(FONTS / name) == [], name


def test_the_cascade_picks_faces_as_a_browser_does():
    css = (DEFAULT_THEME / "fonts.css").read_text() + (DEFAULT_THEME / "epub.css").read_text()
    faces = font_faces(css)
    covered = {f.source: frozenset(TTFont(DEFAULT_THEME / f.source).getBestCmap()) for f in faces}
    page = (
        b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title></head><body>'
        b"<h1>Head</h1><p>plain <em>slanted</em> <strong>heavy <em>both</em></strong>"
        b' <code>mono</code></p><div class="why-it-matters"><p class="box-label">label</p>'
        b"</div></body></html>"
    )
    used = characters_by_face({"a.xhtml": page}, css, faces, covered)
    by_file = {face.source.split("/")[-1]: chars for face, chars in used.items()}
    assert set("plain") <= by_file["CharisSIL-Regular.ttf"]
    assert set("slanted") <= by_file["CharisSIL-Italic.ttf"]
    assert set("heavy") <= by_file["CharisSIL-Bold.ttf"]
    assert set("both") <= by_file["CharisSIL-BoldItalic.ttf"]
    assert set("mono") <= by_file["JetBrainsMono-Regular.ttf"]
    assert set("Head") <= by_file["OpenSans-Bold.ttf"]
    assert set("LABEL") <= by_file["OpenSans-Bold.ttf"]  # text-transform: uppercase
    assert "OpenSans-Italic.ttf" not in by_file and "OpenSans-Semibold.ttf" not in by_file


def test_a_renamed_family_is_renamed_wherever_the_css_names_it_and_unused_faces_go():
    css = (
        '@font-face { font-family: "Charis SIL"; src: url(fonts/CharisSIL-Regular.ttf); }\n'
        '@font-face { font-family: "Charis SIL"; font-style: italic; src: url(fonts/I.ttf); }\n'
        "body { font-family: Charis SIL, serif; } p { font: italic 1em Charis SIL; }\n"
        ".x { font-family: 'Charis SIL'; } .y { font-family: Charis SILver; }\n"
        '@font-face { font-family: "Mine"; src: local("Mine"); }'
    )
    kept = {"fonts/CharisSIL-Regular.ttf": "fonts/PublishSerif-Regular.ttf"}
    out = _rewrite_css(css, kept, {"Charis SIL": "Publish Serif"})
    assert "url(../fonts/PublishSerif-Regular.ttf)" in out and "I.ttf" not in out
    assert out.count('"Publish Serif"') == 4 and "Charis SILver" in out
    assert "Charis SIL," not in out and "Charis SIL;" not in out
    assert 'src: local("Mine")' in out  # no file of the theme's: left as written


def test_a_face_only_a_media_rule_asks_for_is_embedded_too():
    css = (DEFAULT_THEME / "fonts.css").read_text() + (DEFAULT_THEME / "epub.css").read_text()
    css += "@media (prefers-color-scheme: dark) { p.note { font-weight: bold; } }"
    faces = font_faces(css)
    covered = {f.source: frozenset(TTFont(DEFAULT_THEME / f.source).getBestCmap()) for f in faces}
    page = (
        b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title></head><body>'
        b'<p class="note">night</p></body></html>'
    )
    used = characters_by_face({"a.xhtml": page}, css, faces, covered)
    by_file = {face.source.split("/")[-1]: chars for face, chars in used.items()}
    assert set("night") <= by_file["CharisSIL-Regular.ttf"] & by_file["CharisSIL-Bold.ttf"]


def test_a_character_the_first_face_lacks_goes_to_the_next_in_the_stack():
    css = (DEFAULT_THEME / "fonts.css").read_text() + (DEFAULT_THEME / "epub.css").read_text()
    faces = font_faces(css)
    covered = {f.source: frozenset(TTFont(DEFAULT_THEME / f.source).getBestCmap()) for f in faces}
    chooser = FaceChooser(faces, covered)
    page = etree.fromstring(
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body><h2>x</h2></body></html>'
    )
    h2 = next(e for e in page.iter() if e.tag.endswith("h2"))
    style = Cascade(css).styles(page)[h2][0]
    assert chooser.draw("x", style).source.endswith("OpenSans-Bold.ttf")
    assert chooser.draw("\u2713", style).source.endswith("DejaVuSans-Symbols.ttf")  # check mark


# Slow: built books.


def test_the_bundled_epubs_are_light(bundled_build):
    full = bundled_build / "full" / "ml-product-lifecycle.epub"
    sample = bundled_build / "sample" / "ml-product-lifecycle-sample.epub"
    assert full.stat().st_size < 400_000
    assert sample.stat().st_size < 300_000


@pytest.mark.parametrize("edition", ["full", "sample"])
def test_every_character_of_the_bundled_book_is_in_the_face_its_css_assigns(bundled_build, edition):
    path = next((bundled_build / edition).glob("*.epub"))
    fonts = check_coverage(epub_files(path))
    assert not any("JetBrains" in f.family for f in fonts.faces)  # the book has no code


@pytest.mark.slow
def test_every_character_of_the_fonts_fixture_is_in_the_face_its_css_assigns(fonts_build):
    fonts = check_coverage(epub_files(fonts_build / "full" / "fonts-under-test.epub"))
    embedded = {(f.family, f.weight, f.italic) for f in fonts.faces}
    assert ("Publish Serif", 700, True) in embedded  # ***bold italic***
    assert ("JetBrains Mono", 400, False) in embedded
    assert ("DejaVu Sans Symbols", 400, False) in embedded  # the spade
    assert ("Open Sans", 400, True) not in embedded  # no italic in a sans element
    assert ("Open Sans", 600, False) not in embedded  # no element asks for semibold


@pytest.mark.slow
def test_the_symbols_fixture_draws_its_symbols_from_the_symbols_subset(tmp_path):
    project = copy_project(FIXTURES / "code-symbols", tmp_path / "code-symbols")
    build(project, editions=("full",), formats=("epub",))
    fonts = check_coverage(epub_files(project / "build" / "full" / "code-symbols.epub"))
    symbols = fonts.face("DejaVu Sans Symbols")
    assert symbols is not None and ord("\u2660") in fonts.fonts[symbols].getBestCmap()  # spade


@pytest.mark.slow
def test_subsets_are_renamed_where_the_licence_reserves_the_name(fonts_build):
    files = epub_files(fonts_build / "full" / "fonts-under-test.epub")
    fonts = EmbeddedFonts(files)
    assert "Charis" not in fonts.css and "SIL" not in fonts.css
    for face, font in fonts.fonts.items():
        names = font["name"]
        naming = " ".join(names.getDebugName(i) or "" for i in NAMING_RECORDS)
        if face.family == "Publish Serif":
            assert "Charis" not in naming and "SIL" not in naming, naming
            assert "Reserved Font Names" in names.getDebugName(13)  # the licence travels
        else:
            original = TTFont(FONTS / Path(face.source).name)["name"]  # same file name
            assert names.getDebugName(1) == original.getDebugName(1), face
        assert "Copyright" in names.getDebugName(0) or "copyright" in names.getDebugName(0)
        assert "Modified by publish" in names.getDebugName(10)
        assert font.sfntVersion in ("\x00\x01\x00\x00", "OTTO")  # TTF/OTF, not WOFF2


@pytest.mark.slow
def test_the_manifest_lists_exactly_the_embedded_fonts(fonts_build):
    files = epub_files(fonts_build / "full" / "fonts-under-test.epub")
    opf = etree.fromstring(files["EPUB/content.opf"])
    listed = {
        i.get("href")
        for i in opf.iterfind(".//opf:item", NS)
        if i.get("media-type").startswith("font/")
    }
    in_zip = {n.removeprefix("EPUB/") for n in files if n.startswith("EPUB/fonts/")}
    css = EmbeddedFonts(files)
    named = {f.source.removeprefix("../") for f in css.faces}
    assert listed == in_zip == named
    assert "!important" not in re.search(r"body\s*\{[^}]*\}", css.css).group(0)
