"""`publish init`: a new project that builds both editions at once."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from publish.commands.cli import main


@pytest.mark.slow
def test_init_then_build_gives_both_editions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    created = runner.invoke(main, ["init", "new-book"])
    assert created.exit_code == 0, created.output
    assert "publish build new-book" in created.output
    built = runner.invoke(main, ["build", "new-book"])
    assert built.exit_code == 0, built.output
    out = tmp_path / "new-book" / "build"
    for path in (
        "full/new-book.epub",
        "full/new-book.pdf",
        "sample/new-book-sample.epub",
        "sample/new-book-sample.pdf",
    ):
        assert (out / path).stat().st_size > 0, path
    manifest = json.loads((out / "manifest.json").read_text())
    assert {a["edition"] for a in manifest["artifacts"]} >= {"full", "sample"}


def test_init_writes_fresh_identifiers_and_marked_placeholders(tmp_path):
    runner = CliRunner()
    for name in ("one", "two"):
        assert runner.invoke(main, ["init", str(tmp_path / name)]).exit_code == 0
    books = [
        yaml.safe_load((tmp_path / n / "manuscript/book.yaml").read_text()) for n in ("one", "two")
    ]
    ids = [v for book in books for v in book["identifiers"].values()]
    assert len(set(ids)) == 4 and all(i.startswith("urn:uuid:") for i in ids)
    assert books[0]["title"].startswith("CHANGE ME") and books[0]["slug"] == "one"
    assert (tmp_path / "one/styles/custom.css").is_file()
    checked = runner.invoke(main, ["check", str(tmp_path / "one")])
    assert checked.exit_code == 0 and "CFG007" in checked.output
    assert "OK: 2 chapters, 1 figure" in checked.output


def test_init_refuses_a_non_empty_folder(tmp_path):
    target = tmp_path / "existing"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 1
    assert "not empty" in result.output and "Traceback" not in result.output
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
