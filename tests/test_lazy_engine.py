"""WeasyPrint's import (most of a second) is paid only by builds that lay out PDFs; the
refusal handling every task runs under still turns a fetcher's refusal into an error."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from helpers import FIXTURES, REPO, copy_project


def run_python(code: str) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter, so what it imports is its own."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "SOURCE_DATE_EPOCH": "1767225600"}
    command = [sys.executable, "-c", textwrap.dedent(code)]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def test_the_refusal_guard_imports_nothing_and_passes_other_errors_through():
    result = run_python(
        """
        import sys
        from pathlib import Path
        from publish.render.pdf_engine import refusals_as_errors
        try:
            with refusals_as_errors(Path(".")):
                raise KeyboardInterrupt("not a refusal")
        except KeyboardInterrupt as exc:
            print("passed through:", exc)
        print("weasyprint imported:", "weasyprint" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "passed through: not a refusal",
        "weasyprint imported: False",
    ]


def test_a_refusal_still_becomes_an_error_once_weasyprint_is_loaded(tmp_path):
    result = run_python(
        f"""
        from pathlib import Path
        from publish.render.pdf_engine import (
            ResourceRefused, confined_fetcher, load_weasyprint, refusals_as_errors
        )
        page = '<html><body><img src="file:///etc/hostname"></body></html>'
        fetcher = confined_fetcher([Path({str(tmp_path)!r})])
        try:
            with refusals_as_errors(Path({str(tmp_path)!r})):
                load_weasyprint().HTML(string=page, url_fetcher=fetcher).render()
        except ResourceRefused as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "SEC006" in result.stdout and "/etc/hostname" in result.stdout


@pytest.mark.slow
def test_an_epub_only_build_never_imports_weasyprint(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "mini")
    result = run_python(
        f"""
        import sys
        from pathlib import Path
        from publish.engine.build import build
        result = build(Path({str(project)!r}), formats=("epub",), jobs=1)
        print(sorted(a.path for a in result.artifacts))
        print("weasyprint imported:", "weasyprint" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    built, imported = result.stdout.splitlines()
    assert built.count(".epub") == 2
    assert imported == "weasyprint imported: False"
