"""Issue 19, `publish diff`: two builds compared by their text, section by section."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import FIXTURES, REPO, copy_project
from publish.commands.cli import main
from publish.engine.build import build

pytestmark = pytest.mark.slow  # every test here builds books


def _diff(old: Path, new: Path, *options: str) -> str:
    result = CliRunner().invoke(main, ["diff", str(old), str(new), *options])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def _built_copy(project: Path, where: Path) -> Path:
    """A copy of the project's last build, kept as the "old" build."""
    shutil.copytree(project / "build", where, ignore=shutil.ignore_patterns(".cache", ".lock"))
    return where


@pytest.fixture
def versioned(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """The versioned fixture built once, and a copy of that build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    project = copy_project(FIXTURES / "versioned", tmp_path / "book")
    build(project, jobs=1)
    return project, _built_copy(project, tmp_path / "old")


def test_a_rebuild_with_no_text_change_reports_no_changes(versioned, monkeypatch):
    project, old = versioned
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # another date: other bytes
    shutil.rmtree(project / "build")
    build(project, jobs=1)
    new = project / "build"
    assert (old / "full/release-notes-guide.epub").read_bytes() != (
        new / "full/release-notes-guide.epub"
    ).read_bytes()
    assert _diff(old, new).strip() == "publish diff: no changes (2.1.0-rc.1 -> 2.1.0-rc.1)"
    report = json.loads(_diff(old / "manifest.json", new / "manifest.json", "--json"))
    assert report["changed"] is False
    assert all(
        not e["changed"] and not e["added"] and not e["removed"]
        for e in report["editions"].values()
    )


def test_one_edited_section_is_the_only_change_in_each_edition_holding_it(versioned):
    project, old = versioned
    _edit(
        project / "manuscript/notes.md",
        "Sales reads the first paragraph only.",
        "Sales reads the first paragraph and the headline only.",
    )
    build(project, jobs=1)
    text = _diff(old, project / "build")
    lines = text.splitlines()
    # notes.md is in both editions: each reports the one section, three words longer.
    for edition in ("full", "sample"):
        block = lines.index(next(line for line in lines if line.startswith(f"{edition} edition:")))
        assert lines[block].startswith(f"{edition} edition: 1 changed, 0 added, 0 removed")
        assert lines[block + 1].split() == [
            "changed",
            "Why",
            "release",
            "notes",
            "matter",
            "/",
            "Audiences",
            "[audiences]",
            "29",
            "->",
            "32",
            "words",
        ]
    assert sum(line.lstrip().startswith(("changed", "added", "removed")) for line in lines) == 2
    report = json.loads(_diff(old, project / "build", "--json"))
    assert report["changed"] is True
    for edition in ("full", "sample"):
        changes = report["editions"][edition]
        assert [(c["id"], c["old_words"], c["words"]) for c in changes["changed"]] == [
            ("audiences", 29, 32)
        ]
        assert changes["added"] == changes["removed"] == []
        assert changes["words"]["new"] - changes["words"]["old"] == 3


def test_added_and_removed_sections_and_the_release_notes_between(versioned):
    project, old = versioned
    habits = project / "manuscript/habits.md"
    _edit(
        habits,
        "## Write as you merge",
        "## Keep a draft open\n\nA draft grows all month.\n\n## Write as you merge",
    )
    _edit(
        habits,
        "\n## Lead with what to do\n\nEvery note starts with what the reader should do: upgrade, "
        "change a setting, or nothing\nat all. The explanation follows for those who want it.\n",
        "",
    )
    _edit(project / "manuscript/book.yaml", "version: 2.1.0-rc.1", "version: 2.1.0")
    changelog = project / "manuscript/CHANGELOG.md"
    _edit(
        changelog,
        "## [2.1.0-rc.1]",
        "## 2.1.0 - 2026-11-20\n- Drafts kept open.\n\n## [2.1.0-rc.1]",
    )
    build(project, jobs=1)
    report = json.loads(_diff(old, project / "build", "--json"))
    full, sample = report["editions"]["full"], report["editions"]["sample"]
    assert [s["id"] for s in full["added"]] == ["keep-a-draft-open"]
    assert [s["id"] for s in full["removed"]] == ["lead-with-what-to-do"]
    assert full["changed"] == []
    assert full["added"][0]["words"] == 9  # its heading and its sentence
    # habits.md is paid text: of the sample, only the teaser that lists the full
    # edition's sections changed.
    assert [c["id"] for c in sample["changed"]] == ["what-comes-next"]
    assert sample["added"] == sample["removed"] == []
    assert (report["old"]["version"], report["new"]["version"]) == ("2.1.0-rc.1", "2.1.0")
    assert report["release_notes"] == [
        {
            "version": "2.1.0",
            "date": "2026-11-20",
            "changes": [{"group": "", "text": "Drafts kept open."}],
        }
    ]
    text = _diff(old, project / "build")
    assert "  added    Habits that help / Keep a draft open [keep-a-draft-open]  9 words" in text
    assert "sample edition: 1 changed, 0 added, 0 removed" in text
    assert "  2.1.0 - 2026-11-20" in text


def test_a_folder_without_a_manifest_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "empty"), str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert "not a build's manifest.json" in result.output and "Traceback" not in result.output


def test_a_malformed_or_old_manifest_is_a_clear_error(tmp_path):
    old = tmp_path / "old.json"
    for manifest, words in (
        ({"artifacts": [{"path": "a.epub", "edition": "full", "format": "epub"}]}, "older"),
        ({"artifacts": [{"edition": "full", "format": "epub", "contents": [{}]}]}, "malformed"),
        ({"artifacts": 3}, "not a build's manifest"),
    ):
        old.write_text(json.dumps(manifest))
        result = CliRunner().invoke(main, ["diff", str(old), str(old)])
        assert result.exit_code == 1 and words in result.output, result.output
        assert "Traceback" not in result.output


def test_the_bundled_book_with_one_edited_section(bundled_build, tmp_path):
    """The bundled build against a build of a copy with one word changed past the sample's
    cut: the full edition reports that one section, the sample nothing."""
    project = copy_project(REPO, tmp_path / "book")
    _edit(
        project / "manuscript/chapters/05-evaluation.md",
        "Keep the test tied to what users feel.",
        "Keep the test tied to what customers feel.",
    )
    build(project, formats=("epub",))
    new = project / "build"
    report = json.loads(_diff(bundled_build, new, "--json"))
    full = report["editions"]["full"]
    assert [(c["chapter_title"], c["title"]) for c in full["changed"]] == [
        ("Stage 4: Evaluation", "The PM’s job")
    ]
    assert full["added"] == full["removed"] == []
    assert full["changed"][0]["words"] == full["changed"][0]["old_words"]
    sample = report["editions"]["sample"]
    assert sample["changed"] == sample["added"] == sample["removed"] == []
    text = _diff(bundled_build / "manifest.json", new)
    assert "full edition: 1 changed, 0 added, 0 removed" in text
    assert "  changed  Stage 4: Evaluation / The PM’s job [" in text
    assert "sample edition: no changes" in text
    assert sum(line.lstrip().startswith("changed ") for line in text.splitlines()) == 1
