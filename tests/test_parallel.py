"""Serial and parallel builds write the same bytes."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from helpers import FIXTURES, copy_project
from publish.commands.cli import main

# Every test here builds whole books or starts processes.
pytestmark = pytest.mark.slow


def built_files(project) -> dict[str, str]:
    out = project / "build"
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file() and ".cache" not in path.parts
    }


def test_jobs_1_and_jobs_2_write_identical_artifacts(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    files = {}
    for jobs in ("1", "2"):
        project = copy_project(FIXTURES / "mini", tmp_path / f"jobs-{jobs}")
        result = CliRunner().invoke(main, ["build", str(project), "-q", "--jobs", jobs])
        assert result.exit_code == 0, result.output
        files[jobs] = built_files(project)
    assert len(files["1"]) >= 4
    assert files["1"] == files["2"]
