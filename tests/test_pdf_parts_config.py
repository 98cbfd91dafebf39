"""`pdf.engine` in book.yaml (fast): which engine lays out the PDFs, and bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish.errors import FindingsError
from publish.project.config import load_book
from publish.project.config_pdf import profiles


def _project(tmp_path: Path, extra: str) -> Path:
    project = tmp_path / "book"
    (project / "manuscript").mkdir(parents=True)
    (project / "manuscript" / "book.yaml").write_text(
        "title: T\nslug: t\nauthors: [A]\nlanguage: en\nchapters: [one.md]\n"
        "identifiers: {full: 'urn:uuid:1'}\n" + extra
    )
    return project


def test_parts_is_the_default_and_naming_an_engine_keeps_the_screen_pdf(tmp_path):
    assert profiles(load_book(_project(tmp_path / "1", ""))).engine == "parts"
    chosen = profiles(load_book(_project(tmp_path / "2", "pdf:\n  engine: whole\n")))
    assert (chosen.engine, chosen.screen_paper, chosen.trim) == ("whole", "a4", None)
    chosen = profiles(load_book(_project(tmp_path / "3", "pdf: {engine: parts, print: }\n")))
    assert (chosen.engine, chosen.screen_paper, chosen.trim.name) == ("parts", None, "6x9")


def test_an_unknown_engine_is_cfg005_at_its_line(tmp_path):
    with pytest.raises(FindingsError) as caught:
        load_book(_project(tmp_path, "pdf:\n  screen:\n  engine: chapters\n"))
    found = [(f.line, f.code, f.message) for f in caught.value.findings]
    assert found == [(9, "CFG005", "unknown PDF engine 'chapters'")]
