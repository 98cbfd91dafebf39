"""The EPUB's SVGs are drawn once (labels as outlines, a panel behind) and kept in the
build cache: read back only when intact and exactly as the sanitizer leaves them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from publish.cache_entries import write_entry
from publish.outputs import epub_images
from publish.outputs.epub_images import CACHE_FOLDER, packaged
from publish.project.theme import load_theme
from publish.render.resources import Resource

DIAGRAM = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    b'<rect x="1" y="1" width="118" height="38" fill="none" stroke="black"/>'
    b'<text x="60" y="25" text-anchor="middle" font-family="Open Sans" font-size="12">'
    b"Label</text></svg>"
)
KEY = "theme-and-tools"


@pytest.fixture
def book(tmp_path):
    project = tmp_path / "book"
    (project / "manuscript").mkdir(parents=True)
    image = project / "manuscript" / "flow.svg"
    image.write_bytes(DIAGRAM)
    context = SimpleNamespace(project=project, theme=load_theme(project))
    resource = Resource("images/flow.svg", image, "image/svg+xml")
    return SimpleNamespace(context=context, resource=resource, cache=project / "build" / ".cache")


def entries(cache):
    return sorted((cache / CACHE_FOLDER).glob("*.svg-drawn"))


def test_a_cached_drawing_is_the_drawing(book, monkeypatch):
    drawn = packaged(book.resource, book.context)
    assert b"<text" not in drawn and drawn != DIAGRAM  # the label became outlines
    assert packaged(book.resource, book.context, book.cache, KEY) == drawn
    assert len(entries(book.cache)) == 1

    def not_again(*_args):
        raise AssertionError("drawn again")

    monkeypatch.setattr(epub_images, "outline_labels", not_again)
    assert packaged(book.resource, book.context, book.cache, KEY) == drawn


def test_another_theme_or_tool_draws_again(book):
    packaged(book.resource, book.context, book.cache, KEY)
    packaged(book.resource, book.context, book.cache, "another")
    assert len(entries(book.cache)) == 2


def test_an_entry_the_sanitizer_would_change_is_not_used(book):
    drawn = packaged(book.resource, book.context, book.cache, KEY)
    (entry,) = entries(book.cache)
    hostile = DIAGRAM.replace(b"</svg>", b'<script>alert("x")</script></svg>')
    write_entry(entry, hostile, book.cache)  # recorded as this machine's own entry
    assert packaged(book.resource, book.context, book.cache, KEY) == drawn
    entry.write_bytes(b"<svg/>")  # changed behind the record's back
    assert packaged(book.resource, book.context, book.cache, KEY) == drawn
