"""tests/fixtures/course: one outside author's course using every Markdown habit at once
(foreign front matter, highlighted and numbered code, includes by region, alerts, task
lists, a chapter-relative image with bracket alt text, inline HTML, an HTML figure in an
included part, inline and display math, details). It must build with no error, leave no
construct as literal text in either format, and pass DAISY Ace; EPUBCheck, completeness
and links are proven for it by test_conformance.py, which picks up every fixture."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from helpers import FIXTURES, ace_command, copy_project, pdf_text
from publish.engine.build import build
from test_accessibility import ace_report

pytestmark = pytest.mark.slow

LEFT_AS_TEXT = ["$$", "\\frac", "[!NOTE]", "[!WARNING]", "[!TIP]", "<kbd>", "<br>", "{{"]
LEFT_AS_TEXT += ["include=", "ANCHOR", "<details>", "<figure", "- [ ]", "- [x]"]
EPUBS = ["full/churn-signals.epub", "sample/churn-signals-sample.epub"]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> tuple[Path, list]:
    project = copy_project(FIXTURES / "course", tmp_path_factory.mktemp("course"))
    result = build(project)
    return project / "build", result.findings


def test_builds_with_warnings_only_for_the_foreign_front_matter(course):
    _out, findings = course
    assert {(f.level, f.code) for f in findings} == {("warning", "MS004")}


def epub_reading_text(path: Path) -> str:
    """What a reader sees in the EPUB's chapters: text, not MathML annotations."""
    texts = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml") and "nav" not in name:
                root = etree.fromstring(archive.read(name))
                for note in root.iter("{http://www.w3.org/1998/Math/MathML}annotation"):
                    note.getparent().remove(note)
                texts.append("".join(root.itertext()))
    return "\n".join(texts)


@pytest.mark.parametrize("name", EPUBS)
def test_nothing_is_left_as_text_in_the_epub(course, name):
    text = epub_reading_text(course[0] / name)
    assert [s for s in LEFT_AS_TEXT if s in text] == []


def test_nothing_is_left_as_text_in_the_pdf(course):
    text = pdf_text(course[0] / "full" / "churn-signals.pdf")
    assert [s for s in LEFT_AS_TEXT if s in text] == []
    assert "WHERE sessions_this_week <= sessions_last_week / 2" in text  # the region
    assert re.search(r"Shift\s*\+\s*Enter", text)


def test_each_construct_reaches_the_epub_as_markup(course):
    with zipfile.ZipFile(course[0] / EPUBS[0]) as archive:
        xhtml = "".join(
            archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml")
        )
        css = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".css"))
    for markup in ("<kbd>", "<sup>", "<sub>", "<details", "<math", 'class="kw"', "task-list"):
        assert markup in xhtml, markup
    assert 'alt="A step chart where weekly sessions drop from eight to three."' in xhtml
    assert "code span.kw" in css


@pytest.mark.parametrize("name", EPUBS)
def test_ace_reports_no_violations(course, tmp_path, ace_env, name):
    command = ace_command()
    if command is None:
        pytest.skip("DAISY Ace cannot run here (Chromium or node_modules/.bin/ace-cli missing)")
    report = ace_report(command, course[0] / name, tmp_path / "ace", ace_env)
    violations = [
        (a["earl:testSubject"]["url"], t["earl:test"]["dct:title"])
        for a in report["assertions"]
        for t in a["assertions"]
    ]
    assert violations == []
