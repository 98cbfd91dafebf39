"""Code is exact and every glyph comes from a font the book ships (issue 14).

The fixture `code-symbols` has operators that JetBrains Mono would join into ligatures,
long identifiers a hyphenator would split, card suits, arrows and box drawing.
"""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from helpers import FIXTURES, copy_project, epub_files, pdf_text
from publish.checks.glyphs import check_characters, missing_characters
from publish.engine.build import build
from publish.project.loader import load_project
from publish.project.theme import DEFAULT_THEME, Theme

OPERATORS = ["<=", "==", "===", "!==", "=>", "//", "->"]
LONG_NAMES = [
    "PRECEDING_ROWS_UNBOUNDED_PRECEDING_AND_CURRENT_ROW_PARTITION_BY_CUSTOMER_IDENTIFIER",
    "PARTITION_BY_REGION_AND_PRODUCT_CATEGORY",
]
FONT_RULE = re.compile(r"@font-face\s*\{([^}]*)\}")
STYLESHEETS = ["print.css", "epub.css", "cheatsheet.css", "template.css"]
SYMBOLS_FAMILY = '"DejaVu Sans Symbols"'


@pytest.fixture(scope="module")
def symbols_build(tmp_path_factory) -> Path:
    project = copy_project(FIXTURES / "code-symbols", tmp_path_factory.mktemp("code-symbols"))
    build(project)
    return project / "build"


def shipped_face_names() -> set[str]:
    """The names pdffonts shows for the faces fonts.css declares: WeasyPrint names a font
    after its family and the weight and style of the face it really used."""
    names = set()
    css = (DEFAULT_THEME / "fonts.css").read_text(encoding="utf-8")
    for rule in FONT_RULE.findall(css):
        family = re.search(r'font-family:\s*"([^"]+)"', rule).group(1)
        weight = re.search(r"font-weight:\s*(\w+)", rule)
        style = re.search(r"font-style:\s*(\w+)", rule)
        words = [family]
        words += {"bold": ["Bold"], "600": ["Semi-Bold"]}.get(weight and weight.group(1), [])
        words += ["Italic"] if style else []
        names.add("-".join(" ".join(words).split()))
        # The font folder is also fontconfig's own, under the files' internal names.
        path = DEFAULT_THEME / re.search(r"url\(([^)]+)\)", rule).group(1)
        internal = TTFont(path)["name"].getDebugName(1)
        names.add("-".join(" ".join([internal, *words[1:]]).split()))
    return names


def pdf_font_names(path: Path) -> list[str]:
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return [line.split()[0].split("+", 1)[-1] for line in listing]


def operators_chapter_text(build_dir: Path) -> str:
    text = pdf_text(build_dir / "full" / "code-symbols.pdf")
    return text[text.index("Operators, exactly\nComparisons") : text.index("KEY POINTS")]


@pytest.mark.slow
def test_the_pdf_text_of_code_equals_its_source(symbols_build):
    text = operators_chapter_text(symbols_build)
    for source in [
        "a <= b, a == b, a === b, a !== b, x => x + 1, // a comment and p -> q",
        "if (a <= b && b == c && c === d && d !== e) { return x => x -> y; } // done",
        "a <= b == c === d !== e => f // g -> h",
    ]:
        assert source in text, source
    bold = "Bold code: a <= b and c === d."
    assert bold in text


@pytest.mark.slow
def test_code_is_never_hyphenated(symbols_build):
    text = operators_chapter_text(symbols_build)
    for name in LONG_NAMES:
        assert name in text, name
    # WeasyPrint hyphenates with U+2010: "FOLLOW\u2010\nING" before code set hyphens: none.
    split = re.findall(r"[A-Z_]+[-\u2010\u00ad]\n[A-Z_]+", text)
    assert not split, split
    assert text.count("FOLLOWING") == text.count("MATERIALIZED") == 3


@pytest.mark.slow
def test_cheatsheet_and_template_code_is_exact(symbols_build):
    sheet = pdf_text(symbols_build / "full" / "cheatsheets" / "symbols-sheet-a4.pdf")
    assert " ".join(OPERATORS) in sheet
    assert "♠ ♥ ♦ ★ → ✓ × ≤ ≥" in sheet
    template = pdf_text(symbols_build / "full" / "templates" / "review.pdf")
    assert "<= and >= read as written ✓" in template
    assert "=== and !== are not joined → no ligatures" in template


@pytest.mark.slow
def test_every_pdf_uses_only_fonts_the_theme_ships(symbols_build):
    """No machine font (DejaVu from the build machine) and no synthesised face: every name is
    a face fonts.css declares, symbols included."""
    shipped = shipped_face_names()
    pdfs = sorted(symbols_build.rglob("*.pdf"))
    assert len(pdfs) == 5  # two books, two cheatsheets, one template
    for path in pdfs:
        names = pdf_font_names(path)
        assert names and set(names) <= shipped, (path, sorted(set(names) - shipped))
    used = {n for path in pdfs for n in pdf_font_names(path)}
    assert {"DejaVu-Sans-Symbols", "JetBrains-Mono-Bold", "Open-Sans-Bold-Italic"} <= used


@pytest.mark.slow
def test_the_bundled_book_uses_only_fonts_the_theme_ships(bundled_build):
    shipped = shipped_face_names()
    for path in sorted(bundled_build.rglob("*.pdf")):
        names = pdf_font_names(path)
        assert names and set(names) <= shipped, (path, sorted(set(names) - shipped))


@pytest.mark.slow
def test_epub_code_has_no_ligatures_and_wraps_with_a_hanging_indent(symbols_build):
    files = epub_files(symbols_build / "full" / "code-symbols.epub")
    css = next(v for k, v in files.items() if k.endswith(".css")).decode()
    assert "font-variant-ligatures: none" in css and "hyphens: none" in css
    assert re.search(r"pre > code > span \{[^}]*text-indent: -", css)
    assert any(name.endswith("DejaVuSans-Symbols.ttf") for name in files)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    chapters = [etree.fromstring(v) for k, v in sorted(files.items()) if "chapter-" in k]
    blocks = [code for root in chapters for code in root.iterfind(".//x:pre/x:code", ns)]
    assert len(blocks) == 4
    for code in blocks:  # one span per line, as epub.css expects
        assert code.text is None or not code.text.strip()
        lines = code.findall("x:span", ns)
        assert lines and "".join(code.itertext()).count("\n") == len(lines) - 1
    assert max(len(code.findall("x:span", ns)) for code in blocks) == 3  # the box drawing
    assert "const everyOperator = [a <= b," in "".join(chapters[0].itertext())
    with zipfile.ZipFile(symbols_build / "full" / "code-symbols.epub") as archive:
        assert archive.testzip() is None


def test_every_font_stack_ends_with_the_symbols_face():
    for name in STYLESHEETS:
        css = Theme(None).stylesheet(name).text  # fonts.css, which every style shares, first
        css = re.sub(r"@font-face\s*\{[^}]*\}", "", css)  # a face's own name is no stack
        stacks = re.findall(r'"(?:Charis SIL|Open Sans|JetBrains Mono)"[^;}]*', css)
        assert stacks, name
        for stack in stacks:
            assert SYMBOLS_FAMILY in stack, (name, stack)
            family_names = re.findall(r'"[^"]+"', stack)
            assert family_names[-1] == SYMBOLS_FAMILY, (name, stack)


def test_every_stylesheet_turns_code_ligatures_and_hyphens_off():
    for name in STYLESHEETS:
        css = Theme(None).stylesheet(name).text
        rule = re.search(r"code, pre \{ font-variant-ligatures: none;[^}]*\}", css)
        assert rule, name
        assert '"calt" 0' in rule.group(0) and "hyphens: none" in rule.group(0)


def test_the_symbols_face_has_the_usual_symbols_and_is_small():
    path = DEFAULT_THEME / "fonts" / "DejaVuSans-Symbols.ttf"
    cmap = TTFont(path).getBestCmap()
    for char in "♠♥♦♣★→←↑↓⇒✓✗≤≥≠≈∞∑√┌─┐│└┘":
        assert ord(char) in cmap, char
    assert path.stat().st_size < 200_000
    licences = (DEFAULT_THEME / "fonts" / "LICENSES.md").read_text(encoding="utf-8")
    assert "DejaVuSans-Symbols.ttf" in licences and "DejaVuSans-LICENSE.txt" in licences
    assert (DEFAULT_THEME / "fonts" / "DejaVuSans-LICENSE.txt").is_file()


def test_a_character_no_font_has_is_reported_at_its_line(tmp_path):
    project = copy_project(FIXTURES / "code-symbols", tmp_path / "book")
    chapter = project / "manuscript" / "symbols.md"
    lines = chapter.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "A smile 😀 twice 😀, a cat 🐈, a joiner \u200d and a selector ✓\ufe0f.")
    chapter.write_text("\n".join(lines) + "\n", encoding="utf-8")
    findings = [f for f in load_project(project).findings if f.code == "FNT001"]
    shown = [f.format() for f in findings]
    assert len(findings) == 2, shown  # the first use of each, nothing for invisible marks
    assert shown[0].startswith("manuscript/symbols.md:3:9: WARNING FNT001 ")
    assert "U+1F600 GRINNING FACE" in shown[0]
    assert findings[1].line == 3 and "U+1F408" in shown[1]


def test_the_fixtures_and_the_bundled_book_need_no_font_they_lack():
    from helpers import REPO

    for root in (FIXTURES / "code-symbols", FIXTURES / "mini", REPO):
        assert check_characters(load_project(root).manuscript) == [], root


def test_missing_characters_skips_what_fonts_cover():
    covered = frozenset(map(ord, "ab "))
    assert missing_characters(["ab", "a☃b ☃", "é"], covered) == [(2, 2, "☃"), (3, 1, "é")]


MACHINE_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BRAILLE = "\u2801"  # in DejaVu Sans, not in the theme's symbols subset


@pytest.mark.slow
@pytest.mark.skipif(not MACHINE_DEJAVU.is_file(), reason="needs a font file to ship")
def test_a_font_the_project_ships_is_used_and_counted(tmp_path):
    """Fonts in styles/fonts/ are the project's own: they may be used (and cover characters
    the theme lacks) even though WeasyPrint sees no machine font."""
    project = copy_project(FIXTURES / "code-symbols", tmp_path / "book")
    chapter = project / "manuscript" / "symbols.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\nBraille {BRAILLE}.\n")
    assert [f.code for f in load_project(project).findings] == ["FNT001"]
    fonts = project / "styles" / "fonts"
    fonts.mkdir(parents=True)
    (fonts / "Extra.ttf").write_bytes(MACHINE_DEJAVU.read_bytes())
    (project / "styles" / "custom.css").write_text(
        '@font-face { font-family: "Project Extra"; src: url(fonts/Extra.ttf); }\n'
        'p { font-family: "Charis SIL", "Project Extra", "DejaVu Sans Symbols", serif; }\n'
    )
    assert load_project(project).findings == []
    build(project)
    book = project / "build" / "full" / "code-symbols.pdf"
    names = set(pdf_font_names(book))
    assert "Project-Extra" in names and names - {"Project-Extra"} <= shipped_face_names()
    assert f"Braille {BRAILLE}." in pdf_text(book)


def test_a_broken_font_file_is_no_crash_and_adds_nothing(tmp_path):
    project = copy_project(FIXTURES / "code-symbols", tmp_path / "book")
    (project / "styles" / "fonts").mkdir(parents=True)
    (project / "styles" / "fonts" / "Broken.ttf").write_text("not a font")
    assert load_project(project).findings == []


def test_weasyprint_sees_the_theme_fonts_and_the_process_keeps_its_own(monkeypatch):
    """Only WeasyPrint's font configuration is the theme's: Chromium or Java started later
    by the same process still find the machine's fonts."""
    from publish.render.pdf_engine import FONTCONFIG_FILE, font_configuration

    monkeypatch.setenv("FONTCONFIG_FILE", "/etc/fonts/fonts.conf")
    font_configuration()
    assert os.environ["FONTCONFIG_FILE"] == "/etc/fonts/fonts.conf"
    assert "<include" not in FONTCONFIG_FILE.read_text(encoding="utf-8")  # the machine's


def test_weasyprint_knows_no_font_but_the_theme_s():
    from weasyprint.text.ffi import ffi, fontconfig

    from publish.render.pdf_engine import font_configuration

    config = font_configuration()._config  # kept alive by the configuration's font map
    fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
    name = ffi.new("FcChar8 **")
    files = set()
    for index in range(fonts.nfont):
        fontconfig.FcPatternGetString(fonts.fonts[index], b"file", 0, name)
        files.add(Path(ffi.string(name[0]).decode()))
    assert files == set((DEFAULT_THEME / "fonts").glob("*.ttf"))


def test_book_yaml_and_diagrams_are_checked_too(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    manuscript = project / "manuscript"
    yaml = manuscript / "book.yaml"
    yaml.write_text(yaml.read_text().replace("title: Mini Book", "title: Mini Book 🐈"))
    dot = manuscript / "diagrams" / "flow.dot"
    dot.write_text(dot.read_text(encoding="utf-8").replace("}", '  C [label="😀"];\n}'))
    shown = sorted(f.format() for f in load_project(project).findings if f.code == "FNT001")
    assert len(shown) == 2, shown
    assert shown[0].startswith("manuscript/book.yaml:1:18: WARNING FNT001 ")
    assert shown[1].startswith("manuscript/diagrams/flow.dot:")


@pytest.mark.slow
def test_a_diagram_label_with_symbols_draws_them_from_the_symbols_face(tmp_path):
    """An SVG in the EPUB cannot see the book's fonts: its labels are outlines, and the
    symbols the label's font lacks are drawn from the theme's symbols face, as in the PDF."""
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.pens.svgPathPen import SVGPathPen

    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    dot = project / "manuscript" / "diagrams" / "flow.dot"
    dot.write_text('digraph { A -> B; B [label="done ✓ ♠ →"] }\n', encoding="utf-8")
    build(project, formats=("epub",))
    svg = epub_files(project / "build/full/mini-book.epub")["EPUB/images/diagrams-flow.svg"]
    drawn = {p.get("d") for p in etree.fromstring(svg).find("{http://www.w3.org/2000/svg}defs")}
    symbols = TTFont(DEFAULT_THEME / "fonts/DejaVuSans-Symbols.ttf")
    glyphs = symbols.getGlyphSet()
    for char in "✓♠→":
        outline = DecomposingRecordingPen(glyphs)
        glyphs[symbols.getBestCmap()[ord(char)]].draw(outline)
        pen = SVGPathPen(None, ntos=lambda value: str(round(value)))
        outline.replay(pen)
        assert pen.getCommands() in drawn, char
