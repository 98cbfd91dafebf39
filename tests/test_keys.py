"""Cache keys cover exactly what an output reads: an edit to a chapter's prose leaves the
cheatsheets' and templates' keys alone, an edit to what they gather or where it stands
changes theirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import FIXTURES, copy_project
from publish.editions.compose import edition_markdown
from publish.engine.build import build
from publish.engine.keys import TaskKeys
from publish.outputs.registry import CHEATSHEETS, EPUB, TEMPLATES
from publish.project.loader import load_project
from publish.render.resources import collect_resources

OUTPUTS = {"epub": EPUB, "cheatsheets": CHEATSHEETS, "templates": TEMPLATES}


def keys(root: Path) -> dict[str, str]:
    """The full edition's key for the EPUB, the cheatsheets and the templates."""
    project = load_project(root)
    resources, _runs = collect_resources(project, root / "build" / ".cache")
    extras = {"cheatsheets": len(project.book.cheatsheets)}
    extras["templates"] = len(project.book.templates)
    edition = project.editions["full"]
    parts = edition_markdown(project.manuscript, edition, project.numbering, extras)
    task_keys = TaskKeys(project, resources)
    return {name: task_keys.key(output, edition, parts) for name, output in OUTPUTS.items()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


@pytest.fixture
def book(tmp_path) -> Path:
    """A book with a cheatsheet block in each chapter and a template."""
    return copy_project(FIXTURES / "code-symbols", tmp_path / "book")


def test_prose_outside_the_blocks_leaves_the_printables_keys_alone(book):
    before = keys(book)
    edit(book / "manuscript" / "operators.md", "Comparisons in JavaScript", "Comparisons in JS")
    assert changed(before, keys(book)) == {"epub"}


def test_a_cheatsheet_block_edit_changes_the_cheatsheets_key_only(book):
    before = keys(book)
    edit(book / "manuscript" / "symbols.md", "- ♠ ♥ ♦ ★", "- ♠ ♥ ♦ ♣ ★")
    assert changed(before, keys(book)) == {"epub", "cheatsheets"}


def test_a_line_inserted_above_a_block_changes_the_cheatsheets_key(book):
    """Its text is the same, but a warning replayed from the cache would name a stale line."""
    before = keys(book)
    edit(
        book / "manuscript" / "symbols.md", "## *Bold italic*", "One more line.\n\n## *Bold italic*"
    )
    assert changed(before, keys(book)) == {"epub", "cheatsheets"}


def test_lines_added_below_every_block_leave_the_printables_keys_alone(book):
    before = keys(book)
    chapter = book / "manuscript" / "symbols.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA closing paragraph.\n")
    assert changed(before, keys(book)) == {"epub"}


def test_a_template_edit_changes_the_templates_key_only(book):
    before = keys(book)
    edit(book / "manuscript" / "templates" / "review.md", "Reviewer: ___", "Reviewed by: ___")
    assert changed(before, keys(book)) == {"templates"}


def test_a_moved_link_a_block_names_changes_the_cheatsheets_key(book):
    """A sheet's warning about a missing anchor points at the first chapter link to it."""
    chapter = book / "manuscript" / "symbols.md"
    edit(chapter, "- ♠ ♥ ♦ ★", "- ♠ ♥ ♦ ★ [operators](#operators-exactly)")
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + "\nSee [the operators](#operators-exactly) again.\n")
    before = keys(book)
    edit(chapter, "\nSee [the operators]", "\nA line above the link.\n\nSee [the operators]")
    assert changed(before, keys(book)) == {"epub", "cheatsheets"}


def test_an_included_snippet_in_a_block_changes_the_cheatsheets_key(tmp_path):
    book = copy_project(FIXTURES / "includes-paths", tmp_path / "book")
    before = keys(book)
    snippet = book / "manuscript" / "snippets" / "ytd.sql"
    lines = snippet.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[7] = lines[7].rstrip("\n") + " -- year to date\n"  # line 8: in the block's 7-10
    snippet.write_text("".join(lines), encoding="utf-8")
    assert "cheatsheets" in changed(before, keys(book))


def files(out: Path, folder: str) -> dict[str, tuple[int, bytes]]:
    """Each file under `folder` of the build, with its mtime and bytes."""
    return {
        path.relative_to(out).as_posix(): (path.stat().st_mtime_ns, path.read_bytes())
        for path in sorted((out / folder).rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_a_chapter_edit_rebuilds_the_editions_and_not_the_printables(book, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    chapter = book / "manuscript" / "symbols.md"
    edit(chapter, "- ♠ ♥ ♦ ★", "- ♠ ♥ ♦ ★ [operators](#operators-exactly)")
    first = build(book)
    out = book / "build"
    printables = {**files(out, "full/cheatsheets"), **files(out, "full/templates")}
    editions = files(out, "full")
    assert len(printables) == 6  # two sheets' PDF and PNG, the template's PDF and DOCX
    edit(chapter, "a check mark ✓", "a tick ✓")
    build(book)
    assert {**files(out, "full/cheatsheets"), **files(out, "full/templates")} == printables
    for name in ("full/code-symbols.epub", "full/code-symbols.pdf"):
        assert files(out, "full")[name][1] != editions[name][1], name
    assert json.loads((out / ".cache" / "last-build.json").read_text())["built"] == [
        "full-epub",
        "full-pdf",
    ]
    # The sheet warns of its link to an anchor it lacks, at the chapter link's line: a
    # line inserted above that link must move the warning, not replay the old line.
    assert warned_at(first.findings) == [("manuscript/symbols.md", link_line(chapter))]
    line = link_line(chapter)
    edit(chapter, "::: {.cheatsheet", "A new line.\n\n::: {.cheatsheet")
    assert link_line(chapter) == line + 2
    assert warned_at(build(book).findings) == [("manuscript/symbols.md", line + 2)]


def warned_at(findings) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in findings if "#operators-exactly" in f.message]


def link_line(chapter: Path) -> int:
    lines = chapter.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if "(#operators-exactly)" in line)
