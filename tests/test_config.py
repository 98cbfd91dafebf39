"""book.yaml errors: every problem reported at once, each with its file and line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from helpers import FIXTURES, copy_project
from publish.commands.cli import main
from test_check import parsed

BOOK = "manuscript/book.yaml"


def check(tmp_path, book_yaml: str):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    (project / BOOK).write_text(book_yaml, encoding="utf-8")
    return CliRunner().invoke(main, ["check", str(project)])


def test_bad_yaml_points_at_the_line(tmp_path):
    result = check(tmp_path, "title: Book\nauthors:\n  - A\n - B\n")
    assert result.exit_code == 1
    assert [(f["code"], f["path"], f["line"]) for f in parsed(result.output)] == [
        ("CFG004", BOOK, "4")
    ]
    assert "Traceback" not in result.output


def test_unknown_key_wrong_type_and_missing_field_are_reported_together(tmp_path):
    text = (FIXTURES / "mini" / BOOK).read_text()
    text = text.replace("language: en\n", "")  # missing required field
    text = text.replace("authors: [A. Author]", "authors: {name: A. Author}")  # wrong type
    text += "colour: red\n"  # unknown key
    result = check(tmp_path, text)
    lines = text.splitlines()
    found = {f["code"]: f for f in parsed(result.output)}
    assert set(found) == {"CFG001", "CFG002", "CFG003"}, result.output
    assert all(f["path"] == BOOK for f in found.values())
    assert lines[int(found["CFG001"]["line"]) - 1].startswith("colour")
    assert lines[int(found["CFG002"]["line"]) - 1].startswith("authors")
    assert "language" in found["CFG003"]["message"]
    assert result.exit_code == 1


def test_unknown_key_lists_the_known_ones(tmp_path):
    text = (FIXTURES / "mini" / BOOK).read_text() + "titel: Typo\n"
    result = check(tmp_path, text)
    (finding,) = parsed(result.output)
    assert finding["code"] == "CFG001" and finding["line"] == str(len(text.splitlines()))
    assert "title" in finding["hint"]


def test_empty_book_yaml(tmp_path):
    result = check(tmp_path, "")
    assert result.exit_code == 1
    assert [f["code"] for f in parsed(result.output)] == ["CFG002"]


def test_readme_documents_every_book_yaml_key():
    from publish.project.config import describe_schema

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for key, doc in describe_schema():
        assert doc, key
        assert f"`{key.split('.')[-1]}`" in readme, key
