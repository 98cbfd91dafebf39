"""Atomic outputs: a build killed at any moment leaves only complete artifacts.

The manuscript changes between the first build and the killed rebuild, so every
artifact left behind must be, byte for byte, either the previous version or the
new one (builds are reproducible with SOURCE_DATE_EPOCH, so the new one is known
from a build elsewhere); a torn write would match neither.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from helpers import FIXTURES, copy_project
from publish.engine.staging import TEMP_PREFIX, staging_dir

# Every test here builds whole books or starts processes.
pytestmark = pytest.mark.slow

PUBLISH = Path(sys.executable).parent / "publish"
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}


def run_build(project: Path) -> subprocess.Popen:
    # A session of its own, so the kill reaches the worker processes too (as Ctrl-C would).
    return subprocess.Popen(
        [str(PUBLISH), "build", str(project), "-q"],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def snapshot(build: Path) -> dict[str, bytes]:
    return {
        p.relative_to(build).as_posix(): p.read_bytes()
        for p in build.rglob("*")
        if p.is_file() and ".cache" not in p.parts and p.name != ".lock"
    }


def edit_manuscript(project: Path) -> None:
    chapter = project / "manuscript" / "one.md"
    chapter.write_text(chapter.read_text().replace("Some opening text", "Some changed text"))


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A built project, its artifacts, and the artifacts of the edited manuscript."""
    base = tmp_path_factory.mktemp("atomic")
    previous = copy_project(FIXTURES / "mini", base / "previous")
    assert run_build(previous).wait() == 0
    edited = copy_project(FIXTURES / "mini", base / "edited")
    edit_manuscript(edited)
    assert run_build(edited).wait() == 0
    old, new = snapshot(previous / "build"), snapshot(edited / "build")
    assert all(old[name] != new[name] for name in old if name.endswith((".epub", ".pdf")))
    return previous, old, new


@pytest.mark.parametrize("delay", [0.5, 1.5, 2.5])
def test_killed_rebuild_leaves_complete_artifacts(versions, tmp_path, delay):
    previous, old, new = versions
    project = tmp_path / "book"
    shutil.copytree(previous, project, symlinks=True)
    edit_manuscript(project)
    process = run_build(project)
    time.sleep(delay)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    left = snapshot(project / "build")
    assert not [name for name in left if TEMP_PREFIX in name], "temporaries are staged outside"
    complete = left
    assert set(complete) == set(old)
    torn = [name for name, data in complete.items() if data not in (old[name], new[name])]
    assert torn == []
    for name in complete:
        if name.endswith(".epub"):
            with zipfile.ZipFile(project / "build" / name) as archive:
                assert archive.testzip() is None
    # A temporary file can outlive a kill only in the staging folder; the next build sweeps it.
    assert run_build(project).wait() == 0
    assert snapshot(project / "build") == new
    assert not [p for p in (project / "build").rglob(f"{TEMP_PREFIX}*")]
    assert not staging_dir(project / "build").exists()


def test_second_build_waits_for_the_lock(tmp_path):
    """While one build holds build/.lock, another says it is waiting, then builds."""
    import fcntl

    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    (project / "build").mkdir()
    with open(project / "build" / ".lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        waiting = run_build(project)
        line = waiting.stderr.readline().decode()
        assert f"waiting for another publish build on {project / 'build'}" in line
        assert waiting.poll() is None
    assert waiting.wait() == 0
    assert (project / "build" / "manifest.json").is_file()


def test_a_failing_task_leaves_the_last_good_build_intact(tmp_path):
    """Editions render fine but the cheatsheet overflows: nothing of the new build lands."""
    project = copy_project(FIXTURES / "cheatsheet-tight", tmp_path / "book")
    assert run_build(project).wait() == 0
    before = snapshot(project / "build")
    notes = project / "manuscript" / "notes.md"
    overflow = (FIXTURES / "cheatsheet-overflow" / "manuscript" / "notes.md").read_text()
    notes.write_text(overflow)
    failed = run_build(project)
    assert failed.wait() == 1
    assert b"does not fit one page" in failed.stderr.read()
    assert snapshot(project / "build") == before
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    for entry in manifest["artifacts"]:
        data = (project / "build" / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert not staging_dir(project / "build").exists()
