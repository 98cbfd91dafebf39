"""`publish check`: every finding code, triggered by a small broken copy of the mini book."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import FIXTURES, copy_project
from publish.checks.codes import CODES, FIXES
from publish.commands.check import codes_table
from publish.commands.cli import main

BOOK = "manuscript/book.yaml"
ONE = "manuscript/one.md"
TWO = "manuscript/two.md"
FINDING = re.compile(
    r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+): (?P<level>ERROR|WARNING) "
    r"(?P<code>[A-Z]+\d+) (?P<message>.+?) \((?P<hint>.+)\)$"
)


def _append(name: str, text: str):
    def change(project: Path) -> None:
        path = project / "manuscript" / name
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return change


def _replace(name: str, old: str, new: str):
    def change(project: Path) -> None:
        path = project / "manuscript" / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def _delete_book(project: Path) -> None:
    (project / BOOK).unlink()


def _latin1(project: Path) -> None:
    (project / TWO).write_bytes("# Chapter two\n\nCaf\xe9 au lait.\n".encode("latin-1"))


# code: (how to break the mini book, path of the finding, text on the line it must point at
# (None: line 1), words in the message).
BROKEN = {
    "CFG000": (_delete_book, BOOK, None, "book.yaml not found"),
    "CFG001": (_append("book.yaml", "colour: red\n"), BOOK, "colour", "unknown key 'colour'"),
    "CFG002": (
        _replace("book.yaml", "authors: [A. Author]", "authors: A. Author"),
        BOOK,
        "authors:",
        "'authors' must be a list",
    ),
    "CFG003": (
        _replace("book.yaml", "language: en\n", ""),
        BOOK,
        None,
        "missing required key 'language'",
    ),
    "CFG004": (_replace("book.yaml", "  - two.md", " - two.md"), BOOK, " - two.md", "indented"),
    "CFG005": (_append("book.yaml", "paper: a5\n"), BOOK, "paper: a5", "paper must be one of"),
    "CFG006": (
        _append(
            "book.yaml",
            "cheatsheets:\n  - name: sheet\n    title: Sheet\n    chapters:\n      - three.md\n",
        ),
        BOOK,
        "three.md",
        "'three.md'",
    ),
    "CFG007": (
        _replace("book.yaml", "title: Mini Book", "title: 'CHANGE ME: title'"),
        BOOK,
        "CHANGE ME",
        "placeholder",
    ),
    "MS001": (
        _replace("book.yaml", "- two.md", "- tow.md"),
        BOOK,
        "tow.md",
        "file not found: tow.md",
    ),
    "MS002": (_latin1, TWO, "au lait", "not UTF-8"),
    "MS003": (
        _replace("two.md", "# Chapter two", "---\ntitle: [unclosed\n---\n# Chapter two"),
        TWO,
        "[unclosed",
        "invalid front matter",
    ),
    "MS004": (
        _replace("two.md", "# Chapter two", "---\ncolour: red\n---\n# Chapter two"),
        TWO,
        "colour",
        "unknown front matter key 'colour'",
    ),
    "MS005": (
        _append("two.md", "\n# A second title\n"),
        TWO,
        "# A second",
        "exactly one level-1 heading",
    ),
    "MS006": (
        _append("one.md", "\n#### Too deep\n"),
        ONE,
        "#### Too deep",
        "level 4 follows level 2",
    ),
    "MS007": (
        _append("two.md", "\n::: exercise\nNever closed.\n"),
        TWO,
        "::: exercise",
        "never closed",
    ),
    "MS008": (
        _append("two.md", "\n::: sidebar\nText.\n:::\n"),
        TWO,
        "sidebar",
        "unknown div class",
    ),
    "MS009": (
        _append("two.md", "\n::: callout\n## Inside\n:::\n"),
        TWO,
        "## Inside",
        "heading inside",
    ),
    "MS010": (_append("two.md", "\n> [!DANGER]\n> Hot.\n"), TWO, "[!DANGER]", "unknown alert type"),
    "IMG001": (
        _replace("one.md", "diagrams/flow.dot", "diagrams/flw.dot"),
        ONE,
        "flw.dot",
        "image not found: diagrams/flw.dot",
    ),
    "IMG002": (
        _append("two.md", '\n![A chart.](chart.gif){alt="A chart"}\n'),
        TWO,
        "chart.gif",
        "not supported",
    ),
    "IMG003": (
        _replace(
            "one.md",
            '[How it flows.](diagrams/flow.dot){#fig:flow alt="A to B"}',
            "[](diagrams/flow.dot){#fig:flow}",
        ),
        ONE,
        "flow.dot",
        "no text alternative",
    ),
    "IMG004": (
        _append("two.md", '\n![A chart.](/etc/chart.png){alt="A chart"}\n'),
        TWO,
        "/etc/chart.png",
        "outside the project",
    ),
    "REF001": (_append("two.md", "\nAs @fig:nope shows.\n"), TWO, "@fig:nope", "unknown figure"),
    "REF002": (_append("two.md", "\nSee [there](#nowhere).\n"), TWO, "#nowhere", "'#nowhere'"),
    "REF003": (
        _replace("two.md", "Paid text", "::: answer\nOrphan.\n:::\n\nPaid text"),
        TWO,
        "::: answer",
        "no exercise before it",
    ),
}
# Found while rendering, not by `check`: tested through `publish build` below.
RENDER_CODES = {"DIA001", "REN001", "REN002"}


def broken_project(tmp_path: Path, code: str) -> Path:
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    BROKEN[code][0](project)
    return project


def line_of(path: Path, marker: str | None) -> int:
    if marker is None:
        return 1
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return next(n for n, text in enumerate(lines, 1) if marker in text)


def parsed(output: str) -> list[dict]:
    return [m.groupdict() for line in output.splitlines() if (m := FINDING.match(line))]


def test_every_code_is_tested_and_has_a_fix():
    # Codes added by other checks (SEC..., IMG005) are tested with those checks.
    assert set(BROKEN) | RENDER_CODES <= set(CODES)
    assert set(FIXES) == set(CODES) and all(FIXES.values())


def test_the_mini_book_is_clean():
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "mini")])
    assert result.exit_code == 0, result.output
    assert parsed(result.output) == []
    assert "publish check: OK: 2 chapters" in result.output


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_each_code_points_at_its_line(tmp_path, code):
    _change, path, marker, words = BROKEN[code]
    project = broken_project(tmp_path, code)
    line = line_of(project / path, marker)
    result = CliRunner().invoke(main, ["check", str(project)])
    findings = [f for f in parsed(result.output) if f["code"] == code]
    assert findings, result.output
    found = findings[0]
    assert (found["path"], int(found["line"])) == (path, line), result.output
    assert words in found["message"] and found["hint"].strip()
    assert "Traceback" not in result.output
    expected_exit = 1 if found["level"] == "ERROR" else 0
    assert result.exit_code == expected_exit
    assert not (project / "build").exists()


@pytest.mark.parametrize("code", ["MS001", "IMG001", "IMG003", "CFG004"])
def test_common_mistakes_give_one_clear_message(tmp_path, code):
    """A chapter path typo, a missing image, no alt text, a bad indent: one finding each."""
    result = CliRunner().invoke(main, ["check", str(broken_project(tmp_path, code))])
    assert [f["code"] for f in parsed(result.output)] == [code]
    assert result.exit_code == 1


def test_missing_image_suggests_the_file_meant(tmp_path):
    result = CliRunner().invoke(main, ["check", str(broken_project(tmp_path, "IMG001"))])
    assert "did you mean diagrams/flow.dot?" in result.output


def test_strict_turns_a_warning_into_exit_1(tmp_path):
    project = broken_project(tmp_path, "MS008")
    relaxed = CliRunner().invoke(main, ["check", str(project)])
    strict = CliRunner().invoke(main, ["check", str(project), "--strict"])
    assert relaxed.exit_code == 0 and "1 warning" in relaxed.output
    assert strict.exit_code == 1
    assert [f["level"] for f in parsed(strict.output)] == ["ERROR"]


def test_links_to_pandoc_derived_heading_ids_resolve(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    _append("two.md", "\nSee [that](#second-section) and [this](#chapter-two).\n")(project)
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 0 and parsed(result.output) == [], result.output


def test_missing_template_is_reported_at_its_book_yaml_line(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    _append("book.yaml", "templates:\n  - templates/nope.md\n")(project)
    result = CliRunner().invoke(main, ["check", str(project)])
    assert [(f["code"], f["path"], f["line"]) for f in parsed(result.output)] == [
        ("MS001", BOOK, "17")
    ]


def _build(project: Path, *options: str):
    return CliRunner().invoke(main, ["build", str(project), "--edition", "full", *options])


def test_graphviz_error_is_found_at_render_time(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    (project / "manuscript/diagrams/flow.dot").write_text("digraph {\n  A -> \n}\n")
    assert CliRunner().invoke(main, ["check", str(project)]).exit_code == 0
    result = _build(project, "--format", "epub")
    assert result.exit_code == 1
    assert [f["path"] for f in parsed(result.output) if f["code"] == "DIA001"] == [
        "manuscript/diagrams/flow.dot"
    ]


def test_pandoc_warning_points_at_the_chapter_line(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    _append("two.md", "\n[^unused]: A note nobody calls.\n")(project)
    result = _build(project, "--format", "epub")
    assert result.exit_code == 0, result.output
    found = [f for f in parsed(result.output) if f["code"] == "REN001"]
    line = str(line_of(project / TWO, "[^unused]"))
    assert [(f["path"], f["line"], f["level"]) for f in found] == [(TWO, line, "WARNING")]
    assert "unused" in found[0]["message"]


def test_weasyprint_css_warning_points_at_custom_css(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    (project / "styles").mkdir()
    (project / "styles/custom.css").write_text("p { color: red; }\n\nh1 { colr: blue; }\n")
    result = _build(project, "--format", "pdf")
    assert result.exit_code == 0, result.output
    found = [f for f in parsed(result.output) if f["path"] == "styles/custom.css"]
    assert [(f["code"], f["line"], f["col"]) for f in found] == [("REN002", "3", "6")]
    assert "colr" in found[0]["message"]


def test_docs_codes_table_matches_the_code():
    docs = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert codes_table() in docs


def test_every_command_has_help_with_examples():
    runner = CliRunner()
    for command in ("build", "check", "stats", "init"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, command


def test_internal_errors_are_one_line_unless_debug(tmp_path, monkeypatch):
    def broken(_root):
        raise RuntimeError("boom")

    monkeypatch.setattr("publish.commands.stats.book_stats", broken)
    plain = CliRunner().invoke(main, ["stats", str(FIXTURES / "mini")])
    assert plain.exit_code == 1
    assert "internal error: RuntimeError: boom (run with --debug for details)" in plain.output
    assert "Traceback" not in plain.output
    debug = CliRunner().invoke(main, ["--debug", "stats", str(FIXTURES / "mini")])
    assert isinstance(debug.exception, RuntimeError)


def test_user_errors_never_show_a_traceback(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "no such project directory" in result.output


def test_oversized_and_unreadable_raster_images(tmp_path):
    from PIL import Image

    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    Image.new("RGB", (2500, 2000), "white").save(project / "manuscript" / "big.png")
    (project / "manuscript" / "broken.png").write_bytes(b"not a picture")
    chapter = project / "manuscript" / "two.md"
    chapter.write_text(
        chapter.read_text()
        + '\n![Big.](big.png){alt="A big picture"}\n\n![Broken.](broken.png){alt="Nothing"}\n'
    )
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 1
    assert re.search(
        r"manuscript/two\.md:\d+:1: WARNING IMG007 'big\.png' is 2500x2000", result.output
    )
    assert re.search(
        r"manuscript/two\.md:\d+:1: ERROR IMG002 'broken\.png' is not a readable", result.output
    )
