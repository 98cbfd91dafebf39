"""Which face draws which character, worked out per page and cached: the union over the
pages is exactly what walking every element of every page gives, and after an edit only
the changed page is walked again."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from helpers import FIXTURES, copy_project
from publish.checks.glyphs import font_characters
from publish.engine.build import build
from publish.outputs.font_usage import (
    ALWAYS_DRAWN,
    Cascade,
    FaceChooser,
    StyleWalker,
    _drawn,
    _marker,
    _transformed,
    _without_unused,
    characters_by_face,
    font_faces,
)
from publish.project.theme import DEFAULT_THEME, FONT_URL, load_theme

PAGE = (
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title></head><body>'
    "<h1>{title}</h1><p>plain <em>slanted</em> <strong>heavy <em>both</em></strong>"
    " <code>x=1</code>"
    '</p><ol start="9"><li>nine</li><li>ten</li></ol><div class="why-it-matters">'
    '<p class="box-label">label</p></div><p>{text}</p></body></html>'
)


def element_by_element(documents, css, faces, covered):
    """The face of every character as found before the cache: each element of each
    document assigned on its own, through every cascade."""
    chooser = FaceChooser(faces, covered)
    cascades = [Cascade(css)]
    if "@media" in css or "@supports" in css:
        cascades.append(Cascade(css, with_media=True))
    used = {}
    for data in documents.values():
        root = etree.fromstring(data)
        for cascade in cascades:
            for element, (style, text) in cascade.styles(root).items():
                if _drawn(element):
                    text += (element.text or "") + "".join(c.tail or "" for c in element)
                    text += _marker(element)
                    for char in set(_transformed(text, style.transform) + ALWAYS_DRAWN):
                        face = chooser.draw(char, style)
                        if face is not None:
                            used.setdefault(face, set()).add(char)
    return _without_unused(used)


def theme_inputs(css: str, theme_file):
    """The faces and what each covers, picked as embed_used_fonts picks them."""
    faces = [f for f in font_faces(css) if FONT_URL.fullmatch(f"url({f.source})")]
    faces = [f for f in faces if ".." not in f.source.split("/")]
    return faces, {f.source: font_characters(theme_file(f.source)) for f in faces}


def default_css(extra: str = "") -> str:
    return (
        (DEFAULT_THEME / "fonts.css").read_text() + (DEFAULT_THEME / "epub.css").read_text() + extra
    )


def pages() -> dict[str, bytes]:
    return {
        "a.xhtml": PAGE.format(title="Héad", text="café → ✓ ≤ 42").encode(),
        "b.xhtml": PAGE.format(title="Other", text="Ünïcode ★ ♠").encode(),
    }


@pytest.mark.parametrize(
    "extra", ["", "@media (prefers-color-scheme: dark) { p { font-weight: bold; } }"]
)
def test_per_page_and_cached_usage_equals_the_element_by_element_walk(tmp_path, extra):
    css = default_css(extra)
    faces, covered = theme_inputs(css, lambda source: DEFAULT_THEME / source)
    expected = element_by_element(pages(), css, faces, covered)
    assert expected  # the pages draw in several faces
    cache = tmp_path / "build" / ".cache" / "fonts"
    assert characters_by_face(pages(), css, faces, covered) == expected
    assert characters_by_face(pages(), css, faces, covered, cache) == expected  # written
    assert len(list(cache.glob("*.styles.json"))) == 2
    assert characters_by_face(pages(), css, faces, covered, cache) == expected  # read back


def test_after_an_edit_only_the_changed_page_is_walked(tmp_path, monkeypatch):
    css = default_css()
    faces, covered = theme_inputs(css, lambda source: DEFAULT_THEME / source)
    cache = tmp_path / "build" / ".cache" / "fonts"
    characters_by_face(pages(), css, faces, covered, cache)
    walked = []
    walk = StyleWalker.walk
    monkeypatch.setattr(
        StyleWalker, "walk", lambda self, data: walked.append(data) or walk(self, data)
    )
    edited = {**pages(), "b.xhtml": PAGE.format(title="Other", text="Œuvre ∞").encode()}
    used = characters_by_face(edited, css, faces, covered, cache)
    assert walked == [edited["b.xhtml"]]
    assert used == element_by_element(edited, css, faces, covered)
    assert any("Œ" in chars for chars in used.values())


def test_a_tampered_entry_is_walked_again(tmp_path):
    css = default_css()
    faces, covered = theme_inputs(css, lambda source: DEFAULT_THEME / source)
    cache = tmp_path / "build" / ".cache" / "fonts"
    expected = characters_by_face(pages(), css, faces, covered, cache)
    for entry in cache.glob("*.styles.json"):
        entry.write_text("[]")
    assert characters_by_face(pages(), css, faces, covered, cache) == expected


def epub_usage(project: Path, epub: Path, cache: Path):
    """The reference and the cached answer for a built EPUB's pages and its theme's CSS."""
    theme = load_theme(project)
    css = (theme.stylesheet("epub.css") + theme.extra_stylesheet()).text
    with zipfile.ZipFile(epub) as archive:
        documents = {n: archive.read(n) for n in archive.namelist() if n.endswith(".xhtml")}
    faces, covered = theme_inputs(css, theme.file)
    expected = element_by_element(documents, css, faces, covered)
    first = characters_by_face(documents, css, faces, covered, cache)
    again = characters_by_face(documents, css, faces, covered, cache)
    return expected, first, again


@pytest.mark.slow
def test_the_bundled_books_usage_is_unchanged(bundled_build, tmp_path):
    epub = next((bundled_build / "full").glob("*.epub"))
    expected, first, again = epub_usage(bundled_build.parent, epub, tmp_path / ".cache" / "fonts")
    assert len(expected) >= 4
    assert first == again == expected


@pytest.mark.slow
def test_a_fixtures_usage_is_unchanged(tmp_path):
    project = copy_project(FIXTURES / "epub-fonts", tmp_path / "book")
    build(project, editions=("full",), formats=("epub",))
    epub = next((project / "build" / "full").glob("*.epub"))
    expected, first, again = epub_usage(project, epub, tmp_path / ".cache" / "fonts")
    assert len(expected) >= 4
    assert first == again == expected
