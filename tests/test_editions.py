"""The free sample: an opening run of the full edition, and nothing of the rest."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import NS, REPO, epub_files, opf, pdf_text, spine_pages
from publish.editions.choose import choose_editions, rounded_minutes, words_per_minute
from publish.editions.compose import edition_markdown, number_book
from publish.editions.kinds import SAMPLE
from publish.project.loader import load_project
from publish.render.html import render_edition

SLUG = "ml-product-lifecycle"
FULL_EPUB = f"full/{SLUG}.epub"
SAMPLE_EPUB = f"sample/{SLUG}-sample.epub"
GENERATED = {"answer-link", "back-link"}
RUN = 10


def normalise(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.lower().replace("’", "'")).split()


def body_paragraphs(epub: Path, skip_files=("what-comes-next.xhtml",)) -> list[str]:
    """Paragraph and list-item texts of the chapters, in reading order."""
    paragraphs = []
    for href, root in spine_pages(epub):
        if (not href.startswith("chapter-") and href != "answers.xhtml") or href in skip_files:
            continue
        for element in root.iter("{*}p", "{*}li"):
            if GENERATED & set((element.get("class") or "").split()):
                continue
            if element.tag.endswith("li") and element.find("{*}p") is not None:
                continue
            text = " ".join(" ".join(element.itertext()).split())
            if text:
                paragraphs.append(text)
    return paragraphs


def runs(words: list[str], size: int = RUN) -> set[str]:
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def sample_corpus(build: Path) -> str:
    """Everything a sample reader could get at: every file in the EPUB, and the PDF's text."""
    parts = []
    with zipfile.ZipFile(build / SAMPLE_EPUB) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8", "ignore")
            parts.append(re.sub(r"<[^>]+>", " ", text))
    parts.append(pdf_text(build / f"sample/{SLUG}-sample.pdf"))
    return " ".join(normalise(" ".join(parts)))


def assert_no_leak(paid: list[str], corpus: str) -> None:
    for paragraph in paid:
        for run in runs(normalise(paragraph)):
            assert run not in corpus, f"paid text leaked into the sample: {run!r}"


def test_sample_holds_nothing_of_the_paid_text(bundled_build):
    full = body_paragraphs(bundled_build / FULL_EPUB)
    sample = set(body_paragraphs(bundled_build / SAMPLE_EPUB))
    paid = [p for p in full if p not in sample]
    assert len(paid) > 20
    assert_no_leak(paid, sample_corpus(bundled_build))


def test_sample_is_an_opening_run_of_the_full_edition(bundled_build):
    full = body_paragraphs(bundled_build / FULL_EPUB)
    sample = body_paragraphs(bundled_build / SAMPLE_EPUB)
    assert sample == full[: len(sample)]
    share = len(" ".join(sample).split()) / len(" ".join(full).split())
    assert 0.15 <= share <= 0.45, share


def test_teaser_states_the_remaining_minutes(bundled_build):
    project = load_project(REPO)
    sample = project.editions[SAMPLE.name]
    numbering = project.numbering
    remaining = sum(u.words for u in sample.left_out) + numbering.answer_words
    expected = rounded_minutes(remaining, words_per_minute(project.manuscript))
    teaser = epub_files(bundled_build / SAMPLE_EPUB)["EPUB/what-comes-next.xhtml"].decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", teaser).split())
    assert f"about {expected} more minutes" in text
    assert 5 <= expected <= 9
    for unit in sample.left_out:
        assert unit.heading.text.replace("'", "’") in text.replace("'", "’")
    assert "https://example.com/ml-product-lifecycle" in teaser


def test_sample_links_only_to_its_own_files(bundled_build):
    files = epub_files(bundled_build / SAMPLE_EPUB)
    for name, data in files.items():
        if not name.endswith(".xhtml"):
            continue
        for href in re.findall(rb'href="([^"#:]+)[#"]', data):
            assert f"EPUB/{href.decode()}" in files or href.endswith(b".css"), (name, href)


def test_sample_packages_only_images_its_text_uses(bundled_build):
    full = {n for n in epub_files(bundled_build / FULL_EPUB) if n.endswith(".svg")}
    sample = {n for n in epub_files(bundled_build / SAMPLE_EPUB) if n.endswith(".svg")}
    assert sample == {"EPUB/images/diagrams-lifecycle.svg"}
    assert len(full) == 3


def test_editions_have_distinct_identifiers_and_titles(bundled_build):
    def meta(path, tag):
        return opf(bundled_build / path).find(f"opf:metadata/dc:{tag}", NS).text

    assert meta(FULL_EPUB, "identifier") != meta(SAMPLE_EPUB, "identifier")
    assert "Free sample" in meta(SAMPLE_EPUB, "title")
    assert "Free sample" not in meta(FULL_EPUB, "title")
    manifest = json.loads((bundled_build / "manifest.json").read_text())
    editions = {(a["edition"], a["format"]) for a in manifest["artifacts"]}
    assert {("full", "epub"), ("full", "pdf"), ("sample", "epub"), ("sample", "pdf")} <= editions


# Property tests over generated manuscripts -------------------------------------------------

BOOK_YAML = """title: Generated
slug: generated
authors: [Tester]
language: en
identifiers: {{full: "urn:uuid:1", sample: "urn:uuid:2"}}
chapters: [{chapters}]
sample:
  reading_minutes: {minutes}
  words_per_minute: 20
"""

section = st.tuples(st.sampled_from([2, 3]), st.integers(0, 3), st.integers(4, 30))
chapter = st.tuples(st.integers(0, 2), st.integers(4, 30), st.lists(section, max_size=4))


def write_book(root: Path, chapters, minutes: float) -> None:
    """Every paragraph gets its own vocabulary, so any leaked run is unambiguous."""
    (root / "manuscript").mkdir(parents=True)
    names = []
    for c, (intro_paragraphs, length, sections) in enumerate(chapters):
        lines = [f"# Chapter c{c}\n\n"]
        lines += [_paragraph(f"c{c}i{p}", length) for p in range(intro_paragraphs)]
        level = 1
        for s, (depth, paragraphs, size) in enumerate(sections):
            depth = min(depth, level + 1)
            level = depth
            lines.append(f"{'#' * depth} Section c{c}s{s}\n\n")
            lines += [_paragraph(f"c{c}s{s}p{p}", size) for p in range(paragraphs)]
        names.append(f"c{c}.md")
        (root / "manuscript" / names[-1]).write_text("".join(lines))
    (root / "manuscript" / "book.yaml").write_text(
        BOOK_YAML.format(chapters=", ".join(names), minutes=minutes)
    )


def _paragraph(tag: str, size: int) -> str:
    return " ".join(f"{tag}w{i}" for i in range(size)) + ".\n\n"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chapters=st.lists(chapter, min_size=1, max_size=4),
    minutes=st.floats(0.1, 6).map(lambda m: round(m, 2)),
)
def test_any_budget_cuts_on_a_heading_and_leaks_nothing(tmp_path_factory, chapters, minutes):
    root = tmp_path_factory.mktemp("generated")
    write_book(root, chapters, minutes)
    project = load_project(root)
    units = project.manuscript.units
    sample = project.editions[SAMPLE.name]
    count = len(sample.units)
    assert sample.units == units[:count], "the sample is an opening run of units"
    if count > 1:
        assert sample.words <= minutes * 20
    for unit in sample.units:
        assert unit.chapter.lines[unit.start - 1].lstrip().startswith("#") or unit.start == 1
    parts = edition_markdown(project.manuscript, sample, number_book(project.manuscript), {})
    rendered = render_edition(SAMPLE, parts, number_book(project.manuscript), {}, {})
    html = " ".join(" ".join(c.element.itertext()) for c in rendered.chapters)
    corpus = " ".join(normalise(html))
    left_out_text = [
        line
        for unit in sample.left_out
        for line in unit.chapter.text(unit.start, unit.end).splitlines()
        if line and not line.startswith("#")
    ]
    assert_no_leak(left_out_text, corpus)


@pytest.mark.parametrize("marks", [("out", None), (None, "in")])
def test_front_matter_marks_force_chapters_out_or_in(tmp_path, marks):
    write_book(tmp_path, [(1, 10, []), (1, 10, []), (1, 10, [])], 1)
    for index, mark in enumerate(marks):
        if mark:
            path = tmp_path / "manuscript" / f"c{index}.md"
            path.write_text(f"---\nsample: {mark}\n---\n" + path.read_text())
    sample = load_project(tmp_path).editions[SAMPLE.name]
    names = {unit.chapter.name for unit in sample.units}
    if marks[0] == "out":
        assert "c0.md" not in names
    else:
        assert {"c0.md", "c1.md"} <= names


def test_explicit_section_list(tmp_path):
    write_book(tmp_path, [(1, 10, [(2, 1, 5)]), (1, 10, [])], 1)
    book = tmp_path / "manuscript" / "book.yaml"
    book.write_text(book.read_text().replace("reading_minutes: 1", "sections: [c1.md]"))
    project = load_project(tmp_path)
    assert {u.chapter.name for u in project.editions[SAMPLE.name].units} == {"c1.md"}
    assert choose_editions(project.manuscript)[SAMPLE.name].left_out[0].chapter.name == "c0.md"
