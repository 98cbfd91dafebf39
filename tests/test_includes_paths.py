"""Includes and chapter-relative paths (issue 15), on the real EPUB and PDF and via `check`.

tests/fixtures/includes-paths is a small SQL course as an author keeps it on GitHub:
chapters in manuscript/chapters/ with their images next to them in chapters/img/,
tested code in manuscript/snippets/ (a .sql file, a .py file with ANCHOR regions),
and a Markdown part in manuscript/parts/ that has its own image and include.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from helpers import FIXTURES, NS, copy_project, epub_files, pdf_text
from publish.commands.cli import main
from publish.engine.build import build
from publish.project.loader import load_project

SLUG = "running-totals"
SNIPPETS = FIXTURES / "includes-paths" / "manuscript" / "snippets"
FINDING = re.compile(r"^(\S+):(\d+):\d+: (ERROR|WARNING) ([A-Z]+\d+) (.+)$", re.M)
LEFT_AS_TEXT = ("include=", "{{", "ANCHOR", ":::")


def snippet_lines(name: str, first: int = 1, last: int | None = None) -> str:
    lines = (SNIPPETS / name).read_text(encoding="utf-8").splitlines(keepends=True)
    return textwrap.dedent("".join(lines[first - 1 : last])).rstrip("\n")


def region(name: str, marker: str) -> str:
    text = (SNIPPETS / name).read_text(encoding="utf-8")
    body = text.split(f"# ANCHOR: {marker}\n", 1)[1].split(f"# ANCHOR_END: {marker}", 1)[0]
    return textwrap.dedent(body.rsplit("\n", 1)[0]).rstrip("\n")


EXPECTED_CODE = {
    "whole file": snippet_lines("ytd.sql"),
    "lines 7-10": snippet_lines("ytd.sql", 7, 10),
    "region fit": region("train.py", "fit"),
    "region score": region("train.py", "score"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = copy_project(FIXTURES / "includes-paths", tmp_path_factory.mktemp("inc"))
    result = build(project)
    assert not [f for f in result.findings if f.level == "error"]
    return project


def epub(project: Path, edition: str = "full") -> Path:
    name = f"{SLUG}.epub" if edition == "full" else f"{SLUG}-sample.epub"
    return project / "build" / edition / name


def xhtml(path: Path) -> dict[str, etree._Element]:
    return {
        name: etree.fromstring(data)
        for name, data in epub_files(path).items()
        if name.endswith(".xhtml")
    }


def code_blocks(path: Path) -> list[str]:
    return [
        "".join(code.itertext()).rstrip("\n")
        for tree in xhtml(path).values()
        for code in tree.iterfind(".//x:pre/x:code", NS)
    ]


# --- the built book ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("what", EXPECTED_CODE)
def test_included_code_is_in_the_epub_and_the_pdf_exactly(built, what):
    expected = EXPECTED_CODE[what]
    assert expected in code_blocks(epub(built))
    pdf = pdf_text(epub(built).with_suffix(".pdf"))
    pdf_lines = [line.strip() for line in pdf.splitlines()]
    for line in expected.splitlines():
        assert line.strip() in pdf_lines, line


@pytest.mark.slow
def test_no_directive_marker_or_placeholder_is_left_as_text(built):
    for edition in ("full", "sample"):
        text = " ".join(" ".join(t.itertext()) for t in xhtml(epub(built, edition)).values())
        pdf = pdf_text(epub(built, edition).with_suffix(".pdf"))
        for leftover in LEFT_AS_TEXT:
            assert leftover not in text, (edition, leftover)
            assert leftover not in pdf, (edition, leftover)


@pytest.mark.slow
def test_the_included_part_reads_in_place(built):
    """The part's heading and words sit between the chapter's sections, in both formats."""
    headings = [
        " ".join("".join(h.itertext()).split())
        for tree in xhtml(epub(built)).values()
        for h in tree.iterfind(".//x:h2", NS)
    ]
    part = "Why a window, not a self-join"
    assert headings.index("The whole query") < headings.index(part)
    assert headings.index(part) < headings.index("Reading the plan")
    link = next(
        a
        for tree in xhtml(epub(built)).values()
        for a in tree.iterfind(".//x:a", NS)
        if "".join(a.itertext()) == "the next chapter"
    )
    assert link.get("href") == "chapter-02.xhtml#fitting"  # relative to the part, as written
    assert "keeps a running sum as it goes" in " ".join(
        pdf_text(epub(built).with_suffix(".pdf")).split()
    )


@pytest.mark.slow
def test_chapter_relative_images_are_packaged_and_shown(built):
    files = epub_files(epub(built))
    shown = {
        img.get("src")
        for tree in xhtml(epub(built)).values()
        for img in tree.iterfind(".//x:img", NS)
    }
    for name in (
        "chapters-img-running-total.png",
        "parts-img-frame.png",
        "chapters-img-pipeline.svg",
    ):
        assert f"EPUB/images/{name}" in files
        assert any(src.endswith(f"images/{name}") for src in shown), name
    from pypdf import PdfReader

    reader = PdfReader(epub(built).with_suffix(".pdf"))
    rasters = sum(len(page.images) for page in reader.pages)
    assert rasters >= 2  # the chapter's and the part's PNGs (the cover aside)


@pytest.mark.slow
def test_editing_an_included_file_rebuilds_the_book(built, tmp_path):
    project = copy_project(built, tmp_path / "again")
    build(project)
    snippet = project / "manuscript" / "snippets" / "ytd.sql"
    snippet.write_text(snippet.read_text().replace("FROM orders", "FROM orders_2026"))
    build(project)
    assert any("FROM orders_2026" in block for block in code_blocks(epub(project)))


# --- check: each failure is a finding with its line ----------------------------------------

BROKEN = """
## Broken includes

```{.sql include="snippets/nowhere.sql"}
```

```{.sql include="../../../etc/hostname"}
```

```{.sql include="snippets/ytd.sql" lines="9-40"}
```

```{.python include="snippets/train.py" region="predict"}
```

::: {include="../parts/loop.md"}
:::

![Chart.](img/runing-total.png){alt="A chart."}
"""


def run_check(project: Path) -> list[tuple[str, int, str, str, str]]:
    result = CliRunner().invoke(main, ["check", str(project)])
    return [
        (path, int(line), level, code, message)
        for path, line, level, code, message in FINDING.findall(result.output)
    ]


def broken_project(tmp_path: Path) -> Path:
    project = copy_project(FIXTURES / "includes-paths", tmp_path / "book")
    chapter = project / "manuscript" / "chapters" / "02-models.md"
    chapter.write_text(chapter.read_text() + BROKEN)
    (project / "manuscript" / "parts" / "loop.md").write_text(
        'Some words.\n\n::: {include="loop.md"}\n:::\n'
    )
    return project


def test_each_broken_include_is_a_finding_with_its_line(tmp_path):
    findings = run_check(broken_project(tmp_path))
    chapter = "manuscript/chapters/02-models.md"
    first = len(
        (FIXTURES / "includes-paths/manuscript/chapters/02-models.md").read_text().splitlines()
    )
    at = {code: (path, line) for path, line, _level, code, _message in findings}
    assert at["INC002"] == (chapter, first + 4)
    assert at["INC003"] == (chapter, first + 7)
    assert at["INC004"] == (chapter, first + 10)
    assert at["INC005"] == (chapter, first + 13)
    assert at["INC001"] == ("manuscript/parts/loop.md", 3)
    assert at["IMG001"] == (chapter, first + 19)
    messages = {code: message for _p, _l, _v, code, message in findings}
    assert "which has 12 lines" in messages["INC004"]
    assert "regions: fit, score" in messages["INC005"]
    assert "did you mean img/running-total.png?" in messages["IMG001"]


def test_absolute_paths_and_symlinks_out_of_the_project_are_refused(tmp_path):
    project = copy_project(FIXTURES / "includes-paths", tmp_path / "book")
    outside = tmp_path / "secret.txt"
    outside.write_text("a secret\n")
    os.symlink(outside, project / "manuscript" / "snippets" / "link.sql")
    chapter = project / "manuscript" / "chapters" / "01-windows.md"
    chapter.write_text(
        chapter.read_text()
        + '\n```{include="/etc/hostname"}\n```\n\n```{include="snippets/link.sql"}\n```\n'
    )
    codes = [code for _p, _l, _v, code, _m in run_check(project)]
    assert codes.count("INC003") == 2


def test_findings_inside_an_included_part_point_at_the_part(tmp_path):
    project = copy_project(FIXTURES / "includes-paths", tmp_path / "book")
    part = project / "manuscript" / "parts" / "why-windows.md"
    part.write_text(part.read_text().replace("](img/frame.png)", "](img/gone.png)"))
    findings = run_check(project)
    assert ("manuscript/parts/why-windows.md", 8, "ERROR", "IMG001") in [f[:4] for f in findings]


def test_mdbook_include_is_read_with_a_warning_naming_the_syntax(tmp_path):
    project = copy_project(FIXTURES / "includes-paths", tmp_path / "book")
    chapter = project / "manuscript" / "chapters" / "01-windows.md"
    chapter.write_text(
        chapter.read_text() + "\n```sql\n{{#include ../snippets/ytd.sql:3:5}}\n```\n"
    )
    loaded = load_project(project)
    warnings = [f for f in loaded.findings if f.code == "INC007"]
    line = len(chapter.read_text().splitlines())  # the directive is the last line but one
    assert [(w.path, w.line) for w in warnings] == [("manuscript/chapters/01-windows.md", line - 1)]
    assert 'include="../snippets/ytd.sql"' in warnings[0].hint
    text = "".join(loaded.manuscript.chapters[0].lines)
    assert "{{" not in text and snippet_lines("ytd.sql", 3, 5) in text


def test_included_words_count_and_existing_manuscript_relative_paths_still_work(tmp_path):
    project = copy_project(FIXTURES / "includes-paths", tmp_path / "book")
    root = project / "manuscript"
    chapter = load_project(project).manuscript.chapters[0]
    assert sum(u.words for u in chapter.units) > 150  # the part's 60-odd words count too
    assert "Why a window, not a self-join" in [h.text for h in chapter.scan.headings]
    # The manuscript-relative form (how books were written before) still builds.
    shutil.move(root / "chapters" / "img", root / "img")
    loaded = load_project(project)
    assert {i.src for c in loaded.manuscript.chapters for i in c.scan.images} >= {
        "img/running-total.png",
        "img/pipeline.dot",
    }


@pytest.mark.slow
def test_the_cheatsheet_shows_included_code_and_a_chapter_relative_image(built):
    from pypdf import PdfReader

    sheet = built / "build" / "full" / "cheatsheets" / "window-functions-a4.pdf"
    reader = PdfReader(sheet)
    assert len(reader.pages) == 1 and len(reader.pages[0].images) == 1
    text = pdf_text(sheet)
    assert "SUM(amount) OVER (" in text and "AS revenue_ytd" in text


def test_numbered_lines_start_at_the_files_own_line(tmp_path):
    """`.numberLines` on a region numbers it as the file does (score starts at line 17)."""
    project = copy_project(FIXTURES / "includes-paths", tmp_path / "book")
    chapter = project / "manuscript" / "chapters" / "02-models.md"
    chapter.write_text(
        chapter.read_text().replace(
            '```{.python include="snippets', '```{.python .numberLines include="snippets'
        )
    )
    text = "".join(load_project(project).manuscript.chapters[1].lines)
    assert '```{.python .numberLines startFrom="17"}\nprobabilities =' in text


def test_an_include_inside_a_list_item_stays_in_the_item(tmp_path):
    project = copy_project(FIXTURES / "includes-paths", tmp_path / "book")
    chapter = project / "manuscript" / "chapters" / "02-models.md"
    chapter.write_text(
        chapter.read_text()
        + '\n1. Fit the model:\n\n   ```{.python include="../snippets/train.py" region="fit"}\n'
        + "   ```\n\n2. Score it.\n"
    )
    text = "".join(load_project(project).manuscript.chapters[1].lines)
    block = "\n".join("   " + line for line in region("train.py", "fit").splitlines())
    assert f"   ```{{.python}}\n{block}\n   ```\n" in text


def test_a_class_on_the_include_div_wraps_the_part_and_an_empty_include_is_a_finding(tmp_path):
    project = copy_project(FIXTURES / "includes-paths", tmp_path / "book")
    (project / "manuscript" / "parts" / "note.md").write_text("Sums restart each January.\n")
    chapter = project / "manuscript" / "chapters" / "02-models.md"
    chapter.write_text(
        chapter.read_text()
        + '\n::: {.callout title="Note" include="../parts/note.md"}\n:::\n'
        + '\n```{.sql include=""}\n```\n'
    )
    findings = run_check(project)
    assert [(code, line) for _p, line, _v, code, _m in findings] == [
        ("INC006", len(chapter.read_text().splitlines()) - 1)
    ]
    chapter.write_text(chapter.read_text().replace('\n```{.sql include=""}\n```\n', ""))
    text = "".join(load_project(project).manuscript.chapters[1].lines)
    assert '::: {.callout title="Note"}\nSums restart each January.\n:::\n' in text
