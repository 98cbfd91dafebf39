"""The content cache: unchanged artifacts are reused untouched, changed ones rebuilt."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, copy_project
from publish.engine.build import build

# Every test here builds whole books or starts processes.
pytestmark = pytest.mark.slow

EDITION_TASKS = ["full-epub", "full-pdf", "sample-epub", "sample-pdf"]


def snapshot(out: Path) -> dict[str, tuple[int, str]]:
    """Every file outside the cache, with its mtime and its hash."""
    return {
        path.relative_to(out).as_posix(): (
            path.stat().st_mtime_ns,
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
        for path in sorted(out.rglob("*"))
        if path.is_file() and ".cache" not in path.parts
    }


def last_build(out: Path) -> dict:
    return json.loads((out / ".cache" / "last-build.json").read_text())


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    project = copy_project(FIXTURES / "mini", tmp_path / "mini")
    build(project)
    return project


def test_a_second_build_rewrites_nothing(project):
    out = project / "build"
    before = snapshot(out)
    result = build(project)
    assert snapshot(out) == before
    assert last_build(out) == {"reused": EDITION_TASKS, "built": []}
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {entry["path"] for entry in manifest["artifacts"]}
    artifacts = {name for name in before if name not in ("manifest.json", ".lock")}
    assert listed == {artifact.path for artifact in result.artifacts} == artifacts


def test_an_edit_past_the_sample_cut_leaves_the_sample_untouched(project):
    out = project / "build"
    before = snapshot(out)
    chapter = project / "manuscript" / "two.md"
    # The same number of words, so the sample's "minutes left" stays the same.
    chapter.write_text(chapter.read_text().replace("several words", "many words"))
    build(project)
    after = snapshot(out)
    sample = [name for name in before if name.startswith("sample/")]
    full = [name for name in before if name.startswith("full/")]
    assert sample and full
    assert all(after[name] == before[name] for name in sample)
    assert all(after[name][1] != before[name][1] for name in full)
    assert last_build(out) == {
        "reused": ["sample-epub", "sample-pdf"],
        "built": ["full-epub", "full-pdf"],
    }


def test_a_torn_record_or_a_changed_file_means_a_rebuild(project):
    out = project / "build"
    (out / ".cache" / "artifacts" / "full-epub.json").write_text('{"key": ')
    (out / "sample" / "mini-book-sample.pdf").write_bytes(b"not what was built")
    build(project)
    assert last_build(out)["built"] == ["full-epub", "sample-pdf"]
    assert (out / "sample" / "mini-book-sample.pdf").read_bytes().startswith(b"%PDF")


def test_a_deleted_cache_rebuilds_the_same_bytes(project):
    out = project / "build"
    before = snapshot(out)
    shutil.rmtree(out / ".cache")
    build(project)
    assert last_build(out) == {"reused": [], "built": EDITION_TASKS}
    assert {k: v[1] for k, v in snapshot(out).items()} == {k: v[1] for k, v in before.items()}
