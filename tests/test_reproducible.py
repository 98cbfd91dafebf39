"""Byte-identical builds: same manuscript, SOURCE_DATE_EPOCH set, other folder, other TZ."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, copy_project

# Every test here builds whole books or starts processes.
pytestmark = pytest.mark.slow

PUBLISH = Path(sys.executable).parent / "publish"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


def build_in(project: Path, tz: str) -> Path:
    env = {**os.environ, "TZ": tz, "SOURCE_DATE_EPOCH": EPOCH}
    subprocess.run(
        [str(PUBLISH), "build", str(project), "-q"], env=env, check=True, capture_output=True
    )
    return project / "build"


def artifacts(build: Path) -> dict[str, bytes]:
    """Every file a storefront would take: all but the cache and the lock."""
    return {
        p.relative_to(build).as_posix(): p.read_bytes()
        for p in sorted(build.rglob("*"))
        if p.is_file() and ".cache" not in p.parts and p.name != ".lock"
    }


def test_two_builds_are_byte_identical(tmp_path):
    first = copy_project(REPO, tmp_path / "a")
    second = copy_project(REPO, tmp_path / "somewhere" / "else" / "entirely")
    one = artifacts(build_in(first, "UTC"))
    two = artifacts(build_in(second, "Pacific/Chatham"))
    assert {Path(name).suffix for name in one} >= {".epub", ".pdf", ".json", ".docx", ".png"}
    assert sorted(one) == sorted(two)
    differing = [name for name in one if one[name] != two[name]]
    assert differing == []
