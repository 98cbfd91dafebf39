"""The preview renders what the build renders, pandoc running only on changed chapters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO
from publish.engine.build import Build
from publish.engine.staging import OutputTree
from publish.outputs.registry import WEB
from publish.outputs.web import SiteOptions, site_files
from publish.preview.render import EditionRenderer
from publish.project.loader import load_project
from publish.render import pandoc_parts


def _site(root: Path, edition: str, pandoc, tmp_path: Path) -> dict[str, bytes]:
    project = load_project(root)
    run = Build(project, OutputTree(tmp_path / "out"), (edition,), (WEB,), lambda _: None)
    run.pandoc = pandoc
    run.prepare()
    run.render({edition}, needs_pdf_engine=False)
    return site_files(run.contexts[edition], SiteOptions(subset_fonts=False))


@pytest.mark.parametrize(
    "fixture",
    ["mini", *(pytest.param(name, marks=pytest.mark.slow) for name in ("fidelity", "bundled"))],
)
def test_part_by_part_pandoc_gives_the_builds_pages(fixture, tmp_path):
    """Footnotes and code blocks numbered across chapters, and headings repeated across
    chapters given ids, as one pandoc run numbers them (fidelity's notes are in several
    chapters; the bundled book's chapters share "What happens in this stage")."""
    root = REPO if fixture == "bundled" else FIXTURES / fixture
    whole = _site(root, "sample", None, tmp_path)
    parts = _site(root, "sample", pandoc_parts.PandocParts(), tmp_path)
    assert whole.keys() == parts.keys()
    assert [name for name in whole if whole[name] != parts[name]] == []
    proof = {"fidelity": b'id="fn2"', "bundled": b'id="what-happens-in-this-stage-1"'}
    assert fixture == "mini" or any(proof[fixture] in data for data in whole.values())


def test_a_second_render_runs_pandoc_only_on_the_changed_chapter(tmp_path, monkeypatch):
    project = tmp_path / "book"
    shutil.copytree(FIXTURES / "web-site", project)
    renderer = EditionRenderer(project, "full")
    first = renderer.render()
    assert first.files is not None and not first.errors
    runs = []
    real = pandoc_parts.run_pandoc_batch
    monkeypatch.setattr(
        pandoc_parts,
        "run_pandoc_batch",
        lambda texts, **kw: runs.append(texts) or real(texts, **kw),
    )
    chapter = project / "manuscript" / "chapters" / "02-measures.md"
    chapter.write_text(chapter.read_text() + "\nA new closing line about the chain.\n")
    second = renderer.render()
    assert len(runs) == 1 and len(runs[0]) == 1 and "A new closing line" in runs[0][0]
    assert b"A new closing line about the chain." in second.files["chapter-02.html"]
    assert second.files["chapter-03.html"] == first.files["chapter-03.html"]


def test_a_broken_chapter_is_findings_with_its_line_not_an_exception(tmp_path):
    project = tmp_path / "book"
    shutil.copytree(FIXTURES / "web-site", project)
    chapter = project / "manuscript" / "chapters" / "03-harbour.md"
    lines = chapter.read_text().splitlines()
    chapter.write_text("\n".join([*lines[:2], "![Map.](no/such-map.png)", *lines[2:]]) + "\n")
    attempt = EditionRenderer(project, "full").render()
    assert attempt.files is None
    assert [(f.path, f.line, f.code) for f in attempt.errors] == [
        ("manuscript/chapters/03-harbour.md", 3, "IMG001")
    ]


def test_a_pandoc_limit_hit_is_a_finding_at_the_chapter_pandoc_ran_on(tmp_path):
    """Part by part, the preview knows which chapter pandoc was on when it hit a limit
    (a build, with one run per edition, can only name the largest), and says so rather
    than stopping: the edited chapter is the one pandoc runs on."""
    project = tmp_path / "book"
    shutil.copytree(FIXTURES / "web-site", project)
    renderer = EditionRenderer(project, "full")
    assert renderer.render().files is not None  # diagrams drawn and cached, parts kept
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text() + "limits: {child_memory_mb: 32}\n")
    chapter = project / "manuscript" / "chapters" / "02-measures.md"
    chapter.write_text(chapter.read_text() + "\nOne more line.\n")
    attempt = renderer.render()
    assert attempt.files is None
    assert [(f.path, f.line, f.code) for f in attempt.errors] == [
        ("manuscript/chapters/02-measures.md", 1, "LIM011")
    ]
