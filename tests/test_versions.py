"""Issue 19, versions: `version:` and CHANGELOG.md, checked with located findings, and
the version on every copyright page, in the OPF, the PDF's XMP and the manifest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from helpers import FIXTURES, NS, copy_project, opf, spine_pages
from publish.commands.cli import main
from publish.engine.build import build
from publish.project.config import load_book
from publish.project.config_release import load_release, version_key

VERSIONED = FIXTURES / "versioned"
FINDING = re.compile(r"^(\S+):(\d+):(\d+): (ERROR|WARNING) (VER\d{3}) (.+)$")


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(VERSIONED, tmp_path / "book")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _check(project: Path) -> tuple[int, list[tuple[str, int, str, str]]]:
    result = CliRunner().invoke(main, ["check", str(project)])
    assert "Traceback" not in result.output
    found = [FINDING.match(line) for line in result.output.splitlines()]
    return result.exit_code, [(m[1], int(m[2]), m[4], m[5]) for m in found if m]


def _line(path: Path, marker: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if marker in text)


def test_the_versioned_fixture_reads_its_changelog(project):
    release, findings = load_release(project, load_book(project))
    assert findings == []
    assert release.version == "2.1.0-rc.1"
    # Unreleased is left out; bracketed versions and wrapped items are read.
    assert [e.version for e in release.changelog] == ["2.1.0-rc.1", "2.0.0", "1.0.0"]
    current = release.current
    assert current.date == "2026-11-02"
    assert [(c.group, c.text) for c in current.changes] == [
        ("Changed", "The section on audiences now names who reads release notes."),
        ("Fixed", "A typo in the habits chapter."),
    ]


@pytest.mark.parametrize("bad", ["1.2", "v1.2.0", "01.2.0", "1.2.0-", "one"])
def test_a_version_that_is_not_semantic_is_an_error_at_its_line(project, bad):
    book = project / "manuscript" / "book.yaml"
    _edit(book, "version: 2.1.0-rc.1", f"version: {bad}")
    code, findings = _check(project)
    assert code == 1
    assert ("manuscript/book.yaml", _line(book, "version:"), "ERROR", "VER001") in findings
    assert not (project / "build").exists()


def test_a_malformed_release_heading_is_an_error_at_its_line(project):
    changelog = project / "manuscript" / "CHANGELOG.md"
    _edit(changelog, "## 2.0.0 - 2026-09-15", "## 2.0.0 (September)")
    code, findings = _check(project)
    assert code == 1
    assert findings == [
        ("manuscript/CHANGELOG.md", _line(changelog, "(September)"), "ERROR", "VER002")
    ]


def test_releases_out_of_order_or_twice_are_errors(project):
    changelog = project / "manuscript" / "CHANGELOG.md"
    _edit(changelog, "## 1.0.0 - 2026-01-10", "## 2.0.0 - 2026-01-10")
    code, findings = _check(project)
    assert code == 1
    assert findings == [
        ("manuscript/CHANGELOG.md", _line(changelog, "2026-01-10"), "ERROR", "VER004")
    ]


def test_no_entry_for_the_version_and_no_version_are_warnings(project):
    book = project / "manuscript" / "book.yaml"
    _edit(book, "version: 2.1.0-rc.1", "version: 2.1.0")
    code, findings = _check(project)
    assert code == 0
    assert findings == [("manuscript/CHANGELOG.md", 1, "WARNING", "VER003")]
    _edit(book, "version: 2.1.0\n", "")
    code, findings = _check(project)
    assert code == 0
    assert findings == [("manuscript/book.yaml", 1, "WARNING", "VER005")]


def test_a_changelog_linked_from_outside_or_not_utf8_is_refused(project, tmp_path):
    changelog = project / "manuscript" / "CHANGELOG.md"
    secret = tmp_path / "secret.md"
    secret.write_text("## 9.9.9 - 2026-01-01\n- outside\n")
    changelog.unlink()
    changelog.symlink_to(secret)
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 1 and "manuscript/CHANGELOG.md:1:1: ERROR SEC006" in result.output
    assert "9.9.9" not in result.output
    changelog.unlink()
    changelog.write_bytes("## 2.1.0-rc.1 - 2026-11-02\n- Caf\xe9\n".encode("latin-1"))
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 1 and "manuscript/CHANGELOG.md:1:1: ERROR MS002" in result.output
    assert "Traceback" not in result.output


def test_semantic_version_precedence():
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0", "1.0.1"]
    assert sorted(reversed(ordered), key=version_key) == ordered


# The version in every file ---------------------------------------------------------------


def _colophon_version(epub: Path) -> str:
    for _href, page in spine_pages(epub):
        for term in page.iterfind(".//x:dt", NS):
            if term.text == "Version":
                return term.getnext().text
    raise AssertionError(f"no Version on the copyright page of {epub.name}")


def assert_version_everywhere(out: Path, version: str) -> None:
    from pypdf import PdfReader

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["book"]["version"] == version
    books = [a for a in manifest["artifacts"] if a["path"].endswith((".epub", ".pdf"))]
    books = [a for a in books if "/" not in a["path"].split("/", 1)[1]]  # not cheatsheets
    assert {(a["edition"], a["format"]) for a in books} == {
        (e, f) for e in ("full", "sample") for f in ("epub", "pdf")
    }
    for artifact in books:
        path = out / artifact["path"]
        assert artifact["version"] == version
        if artifact["format"] == "epub":
            assert _colophon_version(path) == version
            metas = opf(path).iterfind(".//opf:meta[@property='schema:version']", NS)
            assert [m.text for m in metas] == [version]
        else:
            with pikepdf.open(path) as pdf:
                xmp = pdf.open_metadata()
                assert xmp.get("xmpMM:VersionID") == version
                assert xmp.get("pdfuaid:part") == "1"  # WeasyPrint's own record is kept
            # The copyright page (the page after the title page) prints it.
            pages = [p.extract_text() for p in PdfReader(path).pages[:4]]
            colophon = next(p for p in pages if "Identifier" in p)
            assert re.search(rf"Version\s+{re.escape(version)}\b", colophon), colophon


@pytest.mark.slow
def test_the_version_is_in_every_file_of_the_versioned_fixture(tmp_path, project):
    build(project)
    assert_version_everywhere(project / "build", "2.1.0-rc.1")
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert [e["version"] for e in manifest["book"]["changelog"]] == ["2.1.0-rc.1", "2.0.0", "1.0.0"]


def test_the_version_is_in_every_file_of_the_bundled_book(bundled_build):
    assert_version_everywhere(bundled_build, "1.0.0")
