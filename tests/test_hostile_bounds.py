"""Hostile inputs, round two: bounds on work, every failure mapped, build/ untrusted.

Each case of `hostile_cases_bounds.CASES` is a project in tmp_path beside a canary
folder (a secret file, and the target of the cases' outward symlinks). A case
either stops with exit 1 and a located finding, or builds with exit 0 and nothing
hostile in any output; either way nothing outside the project changes, no
"internal error" is printed, and it ends within its time limit.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from hostile_cases import CHAPTER, SVG, chapter_files
from hostile_cases_bounds import BUILDS, CASES, DOT_IMAGE, EDGES_100K, LAUGHS, diagram, front
from publish.commands.cli import main

PUBLISH = Path(sys.executable).parent / "publish"
CASE_SECONDS = 60
PEAK_BYTES = 2 * 1024**3


@pytest.fixture
def canary(tmp_path) -> tuple[Path, str]:
    token = secrets.token_hex(16)
    folder = tmp_path / "canary"
    folder.mkdir()
    (folder / "secret.txt").write_text(f"canary {token}\n")
    (folder / ".publish-tmp-mine").write_text("a file of the user's own\n")
    return folder, token


def make_project(root: Path, files: dict, links: dict, canary: Path) -> Path:
    from hostile_cases import BOOK

    def fill(text: str) -> str:
        return text.replace("SECRET", str(canary / "secret.txt")).replace("CANARY", str(canary))

    for name, data in {"manuscript/book.yaml": BOOK, "manuscript/ch.md": CHAPTER, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(fill(data))
    for name, target in links.items():
        link = root / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(fill(target))
    return root


def outside(tmp_path: Path, project: Path) -> dict[str, bytes]:
    """Every file and link in tmp_path outside the project: what no build may change."""
    found = {}
    for path in sorted(tmp_path.rglob("*")):
        if path.is_relative_to(project):
            continue
        if path.is_symlink():
            found[path.as_posix()] = os.readlink(path).encode()
        elif path.is_file():
            found[path.as_posix()] = path.read_bytes()
    return found


def output_blobs(project: Path) -> list[bytes]:
    """Every file the project's build and staging folders hold, and every EPUB member."""
    blobs = []
    for folder in (project / "build", project / ".build.publish-tmp"):
        if folder.is_symlink() or not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                blobs.append(path.read_bytes())
                if path.suffix == ".epub":
                    with zipfile.ZipFile(path) as archive:
                        blobs.extend(archive.read(name) for name in archive.namelist())
    return blobs


@contextmanager
def time_limit(seconds: int):
    def expire(_signum, _frame):
        raise TimeoutError(f"the case ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _param(case):
    name, files, links, where, code = case
    slow = (where, code) == BUILDS or any(n.endswith((".dot", "diagrams.yaml")) for n in files)
    return pytest.param(files, links, where, code, id=name, marks=[pytest.mark.slow] * slow)


@pytest.mark.parametrize(("files", "links", "where", "code"), [_param(c) for c in CASES])
def test_hostile_case(tmp_path, canary, files, links, where, code):
    folder, token = canary
    project = make_project(tmp_path / "book", files, links, folder)
    before = outside(tmp_path, project)
    started = time.monotonic()
    with time_limit(CASE_SECONDS):
        result = CliRunner().invoke(main, ["build", str(project), "-j", "1", "--format", "epub"])
    assert time.monotonic() - started < CASE_SECONDS
    assert "internal error" not in result.output and "Traceback" not in result.output
    if (where, code) == BUILDS:
        assert result.exit_code == 0, result.output
        blobs = output_blobs(project)
        assert any(b"<html" in blob for blob in blobs)  # it did build a book
        for blob in blobs:
            assert token.encode() not in blob
            assert b"<script" not in blob.lower()
            assert str(folder).encode() not in blob
    else:
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), result.exception
        assert f"{where}:" in result.stderr, result.stderr
        assert code in result.stderr, result.stderr
        assert len(result.stderr.splitlines()[0]) < 400  # one readable line, not a dump
        assert not any(token.encode() in blob for blob in output_blobs(project))
    assert outside(tmp_path, project) == before
    for name, data in files.items():  # the author's own files are all still there
        if not name.endswith(".lock"):
            path = project / name
            assert path.read_bytes() == (data if isinstance(data, bytes) else path.read_bytes())


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30
    assert len({case[0] for case in CASES}) == len(CASES)


# -- measured: the pathological inputs end fast, small, and with their line -------------------
PATHOLOGICAL = {
    "alias-bomb": (front(LAUGHS), "manuscript/ch.md:3:", "LIM001"),
    "brackets-50000": (chapter_files("[" * 50_000 + "\n"), "manuscript/ch.md:5:", "LIM008"),
    "headings-10000": (
        chapter_files("".join(f"## Part {i}\n\nText.\n\n" for i in range(10_000))),
        "manuscript/ch.md:8001:",
        "LIM007",
    ),
    "lists-1000-deep": (
        chapter_files("".join("  " * d + "- item\n" for d in range(1000))),
        "manuscript/ch.md:105:",
        "LIM006",
    ),
    "dot-100k-edges": (diagram(EDGES_100K), "manuscript/d.dot:5002:", "LIM009"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_input_ends_in_seconds_and_small(tmp_path, canary, name):
    """A whole `publish build` process on each: wall time and peak memory (the process
    and every child it waited for, from wait4) are measured, and printed for the record."""
    files, where, code = PATHOLOGICAL[name]
    project = make_project(tmp_path / "book", files, {}, canary[0])
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", MEASURE, str(PUBLISH), "build", str(project), "-j", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so a kill reaches publish and its children too
    )
    try:
        _out, stderr = process.communicate(timeout=CASE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{name} ran past {CASE_SECONDS} s")
    seconds = time.monotonic() - started
    peak = int(stderr.rsplit("PEAK_KB=", 1)[1]) * 1024
    print(f"{name}: {seconds:.2f} s, peak {peak / 1024**2:.0f} MB")
    assert process.returncode == 1
    assert where in stderr and code in stderr, stderr
    assert seconds < CASE_SECONDS
    assert peak < PEAK_BYTES


# Runs the command and reports the peak resident size of it and its children. A small
# process in between, because a child forked from pytest starts with pytest's peak.
MEASURE = """\
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(f"PEAK_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
sys.exit(code)
"""


# -- the build folder: a poisoned cache, an output folder elsewhere, OS errors ---------------
def _built(tmp_path: Path, canary: Path) -> Path:
    files = {**chapter_files(DOT_IMAGE), "manuscript/d.dot": "digraph { a -> b }\n"}
    project = make_project(tmp_path / "book", files, {}, canary)
    result = CliRunner().invoke(main, ["build", str(project), "-j", "1", "--format", "epub"])
    assert result.exit_code == 0, result.output
    return project


def _epub_members(project: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(project / "build" / "full" / "hostile.epub") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _forge_record(entry: Path) -> None:
    """Rewrite the cache record so that it matches the entry's bytes and identity exactly,
    as an attacker who could read this machine's inodes might: only re-sanitizing stops it."""
    info = entry.lstat()
    record = {
        "sha256": hashlib.sha256(entry.read_bytes()).hexdigest(),
        "inode": info.st_ino,
        "size": info.st_size,
        "ctime_ns": info.st_ctime_ns,
    }
    Path(f"{entry}.entry.json").write_text(json.dumps(record))
    assert Path(f"{entry}.entry.json").stat().st_ino != info.st_ino


@pytest.mark.slow
def test_a_poisoned_cache_is_never_packaged(tmp_path, canary):
    folder, token = canary
    project = _built(tmp_path, folder)
    good = _epub_members(project)
    cached = next((project / "build" / ".cache" / "diagrams").glob("*.svg"))
    # 1. a cached diagram with a script, its record forged to match it
    cached.write_text(SVG.format("<script>alert(1)</script>"))
    _forge_record(cached)
    # 2. every font subset replaced by a symlink to the secret
    for font in (project / "build" / ".cache" / "fonts").glob("*.font"):
        font.unlink()
        font.symlink_to(folder / "secret.txt")
    # 3. the EPUB replaced by another whose record claims it
    epub = project / "build" / "full" / "hostile.epub"
    epub.write_bytes(b"PK fake " + token.encode())
    record_path = project / "build" / ".cache" / "artifacts" / "full-epub.json"
    record = json.loads(record_path.read_text())
    for artifact in record["artifacts"]:
        if artifact["path"] == "full/hostile.epub":
            artifact["sha256"] = hashlib.sha256(epub.read_bytes()).hexdigest()
    record_path.write_text(json.dumps(record))
    (project / "manuscript" / "ch.md").write_text(CHAPTER + DOT_IMAGE + "More words.\n")
    before = outside(tmp_path, project)
    result = CliRunner().invoke(main, ["build", str(project), "-j", "1", "--format", "epub"])
    assert result.exit_code == 0, result.output
    members = _epub_members(project)
    assert not any(b"<script" in data for data in members.values())
    assert not any(token.encode() in data for data in members.values())
    svg = next(name for name in members if name.endswith("d.svg"))
    assert members[svg] == good[svg]
    assert outside(tmp_path, project) == before


@pytest.mark.slow
def test_a_shipped_build_folder_is_rebuilt_not_reused(tmp_path, canary):
    """A build/ copied in with the project (say, from an archive) is never reused."""
    import shutil

    project = _built(tmp_path, canary[0])
    shipped = tmp_path / "shipped"
    shutil.copytree(project, shipped, symlinks=True)
    result = CliRunner().invoke(main, ["build", str(shipped), "-j", "1", "--format", "epub"])
    assert result.exit_code == 0, result.output
    report = json.loads((shipped / "build" / ".cache" / "last-build.json").read_text())
    assert report["reused"] == [] and "full-epub" in report["built"]
    again = CliRunner().invoke(main, ["build", str(shipped), "-j", "1", "--format", "epub"])
    assert again.exit_code == 0
    report = json.loads((shipped / "build" / ".cache" / "last-build.json").read_text())
    assert "full-epub" in report["reused"]


def test_out_may_be_an_empty_folder_anywhere_but_not_a_foreign_one(tmp_path, canary):
    folder, _token = canary
    project = make_project(tmp_path / "book", {}, {}, folder)
    refused = CliRunner().invoke(main, ["build", str(project), "--out", str(folder)])
    assert refused.exit_code == 1
    assert f"{folder}: ERROR BLD002" in refused.stderr
    assert sorted(p.name for p in folder.iterdir()) == [".publish-tmp-mine", "secret.txt"]
    assert not (tmp_path / ".canary.publish-tmp").exists()


@pytest.mark.slow
def test_out_through_a_symlink_to_an_empty_folder_is_allowed(tmp_path, canary):
    project = make_project(tmp_path / "book", {}, {}, canary[0])
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    args = ["build", str(project), "--out", str(tmp_path / "link"), "-j", "1", "--format", "epub"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "elsewhere" / "full" / "hostile.epub").is_file()
    assert (tmp_path / "elsewhere" / ".lock").is_file()


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_the_last_build_stays(tmp_path, canary):
    """RLIMIT_FSIZE makes every write past 8 KB fail as a full disk would (EFBIG)."""
    project = _built(tmp_path, canary[0])
    epub = project / "build" / "full" / "hostile.epub"
    previous = epub.read_bytes()
    (project / "manuscript" / "ch.md").write_text(CHAPTER + "Changed words.\n")

    def small_files() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (8 * 1024, 8 * 1024))

    result = subprocess.run(
        [str(PUBLISH), "build", str(project), "-j", "1", "--format", "epub"],
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        timeout=CASE_SECONDS,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "ERROR BLD003 cannot write the build: File too large" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert epub.read_bytes() == previous
