"""Safe inline HTML: the allowlisted elements reach the EPUB and the PDF as markup,
everything else is refused at its line with the Markdown to write instead."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from helpers import FIXTURES, NS, ace_command, copy_project, epub_files, pdf_text
from publish.checks.rules import auto_identifier
from publish.commands.cli import main
from publish.engine.build import build
from publish.project.scan import scan
from publish.render.sanitize import sanitize

FIXTURE = FIXTURES / "inline-html"
BOOK = (FIXTURE / "manuscript" / "book.yaml").read_text().split("cheatsheets:")[0]
ALLOWED = ["kbd", "sup", "sub", "br", "mark", "abbr", "small", "s", "u", "details", "summary"]


def project_with(tmp_path: Path, body: str) -> Path:
    """A one-chapter project (the fixture's book.yaml) whose chapter holds `body`."""
    manuscript = tmp_path / "book" / "manuscript"
    manuscript.mkdir(parents=True)
    (manuscript / "book.yaml").write_text(BOOK.replace("  - chemistry.md\n", ""))
    (manuscript / "shortcuts.md").write_text("# A chapter\n\n" + body)
    (manuscript / "img").mkdir()
    png = (FIXTURE / "manuscript" / "img" / "keys.png").read_bytes()
    (manuscript / "img" / "keys.png").write_bytes(png)
    return tmp_path / "book"


def check(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(project)])
    return result.exit_code, result.output + (result.stderr or "")


def test_the_fixture_checks_clean():
    code, output = check(FIXTURE)
    assert code == 0, output
    assert "WARNING" not in output and "ERROR" not in output


@pytest.mark.parametrize(
    ("body", "where", "code", "hint"),
    [
        ("Run <script>alert(1)</script> now.\n", ":3:5:", "SEC001", "delete it"),
        ('<iframe src="https://example.com/v"></iframe>\n', ":3:1:", "SEC001", "[Watch it]"),
        ('Press <kbd onclick="x()">Ctrl</kbd>.\n', ":3:12:", "SEC003", "books run no scripts"),
        ('Press <kbd style="color: red">Ctrl</kbd>.\n', ":3:12:", "SEC011", "styles/custom.css"),
        ('Press <kbd class="key">Ctrl</kbd>.\n', ":3:12:", "SEC011", "[text]{.name}"),
        ('See <a href="javascript:alert(1)">this</a>.\n', ":3:8:", "SEC004", "https:"),
        ("A <div>block</div>.\n", ":3:3:", "SEC002", "::: {.name}"),
        ("Text.\n\n<center>\nMiddle\n</center>\n", ":5:1:", "SEC002", "::: {.center}"),
        ("Bold <b>word</b>.\n", ":3:6:", "SEC002", "**bold**"),
        ("If x <y and y> z.\n", ":3:6:", "SEC002", "for a literal < write \\<"),
        ("A path \\\\<b>x</b>.\n", ":3:10:", "SEC002", "**bold**"),
        (
            '<img src="img/keys.png">\n',
            ":3:1:",
            "IMG003",
            'alt="what the image shows" to the <img>',
        ),
        ('<img src="img/nokeys.png" alt="Keys">\n', ":3:1:", "IMG001", "img/keys.png"),
        ('<img src="img/keys.gif" alt="Keys">\n', ":3:1:", "IMG002", "SVG, PNG, JPEG"),
    ],
    ids=[
        "script",
        "iframe",
        "onclick",
        "style",
        "class",
        "javascript",
        "div",
        "center",
        "b",
        "unknown-tag",
        "escaped-backslash",
        "img-alt",
        "img-missing",
        "img-type",
    ],
)
def test_raw_html_outside_the_rules_is_refused_with_line_and_hint(
    tmp_path, body, where, code, hint
):
    exit_code, output = check(project_with(tmp_path, body))
    assert exit_code == 1, output
    line = next(line for line in output.splitlines() if f" {code} " in line)
    assert f"manuscript/shortcuts.md{where}" in line
    assert hint in line


def test_a_comment_is_left_out_and_tags_inside_code_are_text(tmp_path):
    body = (
        "Text <!-- a note to self -->.\n\nWrite `<div>` or \\<div> or:\n\n```html\n<script>\n```\n"
    )
    exit_code, output = check(project_with(tmp_path, body))
    assert exit_code == 0, output


def test_the_scanner_yields_raw_images_figures_and_links():
    lines = (FIXTURE / "manuscript" / "shortcuts.md").read_text().splitlines(keepends=True)
    found = scan(lines)
    images = [(i.src, i.line, i.col, i.is_figure, i.ident, i.html) for i in found.images]
    assert images == [
        ("img/keys.png", 21, 3, True, "", True),
        ("img/keys.png", 26, 1, True, "fig:paste", True),
    ]
    assert found.images[0].attrs == {"alt": "A keyboard with the Ctrl and C keys highlighted"}
    assert ("https://example.com/shortcuts", 9) in [(r.target, r.line) for r in found.links]


def test_sanitize_keeps_the_allowlist_and_drops_the_rest():
    dirty = (
        '<p><kbd onclick="x()">C</kbd><abbr title="t" style="x">A</abbr>'
        '<a href="javascript:alert(1)">j</a><iframe src="https://x"></iframe>'
        "<script>alert(1)</script></p><details open><summary>S</summary>D</details>"
    )
    clean = sanitize(dirty)
    assert clean == (
        '<p><kbd>C</kbd><abbr title="t" style="x">A</abbr><a>j</a></p>'
        '<details open=""><summary>S</summary>D</details>'
    )


def test_a_heading_with_inline_html_gets_pandocs_id():
    assert auto_identifier("Press <kbd>Ctrl</kbd>+<kbd>C</kbd> on H<sub>2</sub>O") == (
        "press-ctrlc-on-h2o"
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = copy_project(FIXTURE, tmp_path_factory.mktemp("inline-html"))
    build(project)
    return project / "build"


def chapter_trees(epub: Path) -> dict[str, etree._Element]:
    files = epub_files(epub)
    return {
        name: etree.fromstring(data)
        for name, data in files.items()
        if re.fullmatch(r"EPUB/chapter-\d+\.xhtml", name)
    }


@pytest.mark.slow
def test_epub_holds_the_elements_not_their_text(built):
    epub = built / "full" / "keys-and-figures.epub"
    trees = chapter_trees(epub)
    tags = {etree.QName(e).localname for t in trees.values() for e in t.iter() if e.tag is not None}
    assert set(ALLOWED) | {"figure", "figcaption", "img", "a"} <= tags
    text = " ".join("".join(t.itertext()) for t in trees.values())
    assert not re.search(r"</?(kbd|br|sub|sup|details|figure|img)\b", text)
    first = trees["EPUB/chapter-01.xhtml"]
    kbds = [k.text for k in first.iterfind(".//x:kbd", NS)]
    assert kbds == ["Ctrl", "C", "Ctrl", "V"] * 2  # the text, then its Key points box
    assert first.find(".//x:abbr", NS).get("title") == "Machine learning"
    link = first.xpath(".//x:a[text()='the shortcuts page']", namespaces=NS)[0]
    assert link.get("href") == "https://example.com/shortcuts"
    chapter_link = first.xpath(".//x:a[text()='the water chapter']", namespaces=NS)[0]
    assert chapter_link.get("href") == "chapter-02.xhtml#water"
    files = epub_files(epub)
    for image in first.iterfind(".//x:figure/x:img", NS):
        assert f"EPUB/{image.get('src')}" in files
        assert image.get("alt")


@pytest.mark.slow
def test_an_html_figure_is_numbered_only_with_an_id(built):
    first = chapter_trees(built / "full" / "keys-and-figures.epub")["EPUB/chapter-01.xhtml"]
    figures = first.findall(".//x:figure", NS)
    captions = [" ".join("".join(f.find("x:figcaption", NS).itertext()).split()) for f in figures]
    assert captions == [
        "The two keys you press to copy.",
        "Figure 1. The two keys you press to paste.",
    ]
    assert figures[1].get("id") == "fig-paste"
    xref = first.xpath(".//x:a[@class='xref']", namespaces=NS)[0]
    assert (xref.get("href"), xref.text) == ("#fig-paste", "Figure 1")


@pytest.mark.slow
def test_pdf_text_has_no_tags_and_details_print_open(built):
    text = pdf_text(built / "full" / "keys-and-figures.pdf")
    assert not re.search(r"</?(kbd|br|sub|sup|mark|details|summary|figure|img)\b", text)
    assert "Ctrl+C" in re.sub(r"\s+", "", text) and "H2O" in text
    assert "Why not use the menu?" in text
    assert "The menu takes three clicks" in text  # a closed <details> prints open
    assert "D2O holds deuterium" in text


@pytest.mark.slow
def test_cheatsheet_renders_inline_html(built):
    text = pdf_text(built / "full" / "cheatsheets" / "shortcuts-a4.pdf")
    assert "<kbd>" not in text and "<sub>" not in text
    assert "Ctrl+C" in re.sub(r"\s+", "", text) and "H2O" in text


@pytest.mark.slow
def test_ace_finds_no_violations(built, tmp_path, ace_env):
    command = ace_command()
    if command is None:
        pytest.skip("DAISY Ace cannot run here (Chromium or node_modules missing)")
    out = tmp_path / "ace"
    subprocess.run(
        [
            *command,
            "--silent",
            "--force",
            "--outdir",
            str(out),
            str(built / "full" / "keys-and-figures.epub"),
        ],
        env=ace_env,
        check=True,
        capture_output=True,
        timeout=300,
    )

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    violations = [
        t["earl:test"]["dct:title"] for a in report["assertions"] for t in a["assertions"]
    ]
    assert violations == []


def test_what_nh3_would_remove_stops_the_build_at_its_line(tmp_path):
    """A pandoc attribute pandoc keeps (srcdoc) but nh3 drops: refused, never lost quietly."""
    body = "Words here.\n\nA note.[^n]\n\n[^n]: Press <kbd>Esc</kbd> and [x]{srcdoc=hi}.\n"
    project = project_with(tmp_path, body)
    result = CliRunner().invoke(main, ["build", str(project), "-j", "1", "--format", "epub"])
    assert result.exit_code == 1, result.output
    assert "manuscript/shortcuts.md:7:1: ERROR SEC011 attribute 'srcdoc' on <span>" in (
        result.stderr
    )


def test_a_raw_link_to_a_chapter_is_checked_like_a_markdown_one(tmp_path):
    body = 'See <a href="nope.md">the missing part</a>.\n'
    exit_code, output = check(project_with(tmp_path, body))
    assert exit_code == 0, output
    assert "manuscript/shortcuts.md:3:5: WARNING REF002 'nope.md' is not a chapter" in output
