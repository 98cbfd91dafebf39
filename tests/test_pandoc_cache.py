"""A build keeps each part's HTML under build/.cache/pandoc/: an edit renders one chapter."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from helpers import FIXTURES, copy_project
from publish.commands.cli import main
from publish.engine.build import Build
from publish.engine.staging import OutputTree
from publish.errors import FindingsError
from publish.outputs.registry import OUTPUTS
from publish.project.loader import load_project
from publish.render import pandoc_parts
from publish.render.html import pandoc_input

EDITIONS = ("full", "sample")


def _rendered(project: Path, out: Path, editions=EDITIONS) -> Build:
    """A fresh build's rendering, as a new `publish build` process makes it."""
    run = Build(load_project(project), OutputTree(out), editions, OUTPUTS, lambda _: None)
    run.prepare()
    run.render(set(editions), needs_pdf_engine=False)
    return run


def _pages(run: Build, edition: str) -> dict[str, str]:
    chapters = run.contexts[edition].rendered.chapters
    return {c.file_name: lxml.html.tostring(c.element, encoding="unicode") for c in chapters}


def _batches(monkeypatch) -> list[list[str]]:
    """The texts of every pandoc batch run from now on."""
    batches: list[list[str]] = []
    real = pandoc_parts.run_pandoc_batch

    def recorded(texts, **options):
        batches.append(list(texts))
        return real(texts, **options)

    monkeypatch.setattr(pandoc_parts, "run_pandoc_batch", recorded)
    return batches


def _stored(out: Path) -> dict:
    """The parts build/.cache/pandoc/parts.json holds, by name."""
    return json.loads((out / ".cache" / "pandoc" / "parts.json").read_text())


def test_cold_build_one_batch_rebuild_none_edit_one_part(tmp_path, monkeypatch):
    project = copy_project(FIXTURES / "web-site", tmp_path / "book")
    out = tmp_path / "out"
    batches = _batches(monkeypatch)
    cold = _rendered(project, out)
    parts = {name: pandoc_input(cold.sources[name]) for name in EDITIONS}
    every = {text for texts in parts.values() for text in texts}
    # Both editions in one batch, each shared part once.
    assert len(every) < len(parts["full"]) + len(parts["sample"])
    assert len(batches) == 1 and sorted(batches[0]) == sorted(every)
    assert len(_stored(out)) == len(every)

    again = _rendered(project, out)
    assert len(batches) == 1, "nothing changed: every part came from build/.cache/pandoc"
    assert all(_pages(again, name) == _pages(cold, name) for name in EDITIONS)

    chapter = project / "manuscript" / "chapters" / "03-harbour.md"
    chapter.write_text(chapter.read_text() + "\nThe evening boat left without them.\n")
    edited = _rendered(project, out)
    assert len(batches) == 2 and len(batches[1]) == 1
    assert "The evening boat left without them." in batches[1][0]
    pages = _pages(edited, "full")
    assert "The evening boat left without them." in pages["chapter-03.xhtml"]
    unchanged = _pages(cold, "full")
    assert [name for name in pages if pages[name] != unchanged[name]] == ["chapter-03.xhtml"]
    assert len(_stored(out)) == len(every), "the chapter's earlier draft is dropped"


def test_a_store_this_machine_did_not_write_is_rendered_again(tmp_path, monkeypatch):
    """A cache shipped with the project, or edited, is not trusted (cache_entries)."""
    project = copy_project(FIXTURES / "web-site", tmp_path / "book")
    out = tmp_path / "out"
    batches = _batches(monkeypatch)
    cold = _rendered(project, out, ("full",))
    store = out / ".cache" / "pandoc" / "parts.json"
    store.write_bytes(store.read_bytes().replace(b"Harbour", b"Planted"))
    again = _rendered(project, out, ("full",))
    assert len(batches) == 2 and sorted(batches[1]) == sorted(batches[0])
    assert _pages(again, "full") == _pages(cold, "full")
    assert "Planted" not in "".join(_pages(again, "full").values())
    assert b"Planted" not in store.read_bytes()


def test_a_chapter_keeps_its_own_link_definitions_and_footnote_labels(tmp_path):
    """Two chapters both define `[the docs]` and `[^n]`: each reaches its own, as an
    author of chapters means (one pandoc run over the book took the last of each)."""
    project = copy_project(FIXTURES / "web-site", tmp_path / "book")
    chapters = project / "manuscript" / "chapters"
    for name, site, note in (("01-arrival.md", "a", "first"), ("02-measures.md", "b", "second")):
        text = (chapters / name).read_text()
        (chapters / name).write_text(
            text + f"\nSee [the docs] for more.[^n]\n\n[the docs]: https://{site}.example/\n\n"
            f"[^n]: The note of the {note} chapter.\n"
        )
    run = _rendered(project, tmp_path / "out", ("full",))
    rendered = run.contexts["full"].rendered
    links = {}
    for chapter in rendered.chapters[:2]:
        docs = [a for a in chapter.element.iter("a") if a.text == "the docs"]
        note = next(a for a in chapter.element.iter("a") if "footnote-ref" in a.classes)
        text = rendered.footnotes[note.get("href").lstrip("#")].text_content()
        links[chapter.file_name] = (docs[0].get("href"), text.strip(" ↩︎"))
    assert links == {
        "chapter-01.xhtml": ("https://a.example/", "The note of the first chapter."),
        "chapter-02.xhtml": ("https://b.example/", "The note of the second chapter."),
    }
    assert not [w for w in rendered.warnings if "Duplicate" in w]


def test_a_heading_of_another_chapter_named_as_a_link_is_pan901_and_stays_text(tmp_path):
    """pandoc links `[Measures]` to a heading only in its own document: each chapter is
    one now, so `check` says where, with the link to write, and the text still shows."""
    project = copy_project(FIXTURES / "web-site", tmp_path / "book")
    chapter = project / "manuscript" / "chapters" / "01-arrival.md"
    lines = chapter.read_text().splitlines()
    added = [
        "Back at the [Arrival] camp, see [Measures] and the [tables][The tide tables].",
        "The [docs] and `[Measures]` in code are not headings of other chapters.",
        "",
        "[docs]: https://example.com/docs",
    ]
    chapter.write_text("\n".join([*lines[:2], *added, "", *lines[2:]]) + "\n")
    result = CliRunner().invoke(main, ["check", str(project)])
    found = [line for line in result.output.splitlines() if " PAN901 " in line]
    assert [line.split(" ")[0] for line in found] == [
        "manuscript/chapters/01-arrival.md:3:33:",
        "manuscript/chapters/01-arrival.md:3:52:",
    ]
    assert "(write [Measures](02-measures.md#measures))" in found[0]
    assert "(write [The tide tables](03-harbour.md#the-tide-tables))" in found[1]
    page = _pages(_rendered(project, tmp_path / "out", ("full",)), "full")["chapter-01.xhtml"]
    assert "see [Measures] and the [tables][The tide tables]." in page


@pytest.mark.slow  # waits for pandoc's time limit
def test_a_limit_hit_in_one_batch_for_both_editions_names_the_chapter(tmp_path):
    """The author raised max_bracket_depth, and pandoc then runs past its time on one
    chapter: the finding names that chapter, though one batch held both editions."""
    project = copy_project(FIXTURES / "web-site", tmp_path / "book")
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text() + "limits: {child_seconds: 2, max_bracket_depth: 30}\n")
    chapter = project / "manuscript" / "chapters" / "03-harbour.md"
    chapter.write_text(chapter.read_text() + "\n" + "[a" * 24 + "\n")
    with pytest.raises(FindingsError) as error:
        _rendered(project, tmp_path / "out")
    found = [(f.path, f.line, f.code, f.message) for f in error.value.findings]
    assert found == [
        ("manuscript/chapters/03-harbour.md", 1, "LIM010", "pandoc ran past its 2 s limit")
    ], "the chapter pandoc was on, not the edition's largest"


def test_headings_repeated_across_chapters_get_the_ids_one_run_gave(tmp_path):
    """Every chapter ends with "## Notes": the ids are `notes`, `notes-1`, `notes-2`, as
    pandoc's one run over the edition numbered them, so links to them keep landing."""
    project = copy_project(FIXTURES / "web-site", tmp_path / "book")
    for chapter in sorted((project / "manuscript" / "chapters").glob("*.md")):
        chapter.write_text(chapter.read_text() + "\n## Notes\n\nA closing note.\n")
    parts = _rendered(project, tmp_path / "parts", ("full",))
    whole = Build(
        load_project(project), OutputTree(tmp_path / "whole"), ("full",), OUTPUTS, lambda _: None
    )
    whole.pandoc = None  # one pandoc run over the edition, as builds rendered before
    whole.prepare()
    whole.render({"full"}, needs_pdf_engine=False)
    assert _pages(parts, "full") == _pages(whole, "full")
    ids = [
        section.get("id")
        for chapter in parts.contexts["full"].rendered.chapters
        for section in chapter.element.iter("section")
        if section.findtext("h2") == "Notes"
    ]
    assert ids == ["notes", "notes-1", "notes-2"]
