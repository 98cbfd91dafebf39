"""The bundled lesson is complete, proofread and the right length."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from helpers import REPO
from publish.editions.choose import words_per_minute
from publish.editions.kinds import FULL, SAMPLE
from publish.project.loader import load_project

STAGES = [
    "Problem definition",
    "Data collection and preparation",
    "Model development",
    "Evaluation",
    "Deployment",
    "Monitoring and iteration",
]


@pytest.fixture(scope="module")
def project():
    return load_project(REPO)


def stage_chapters(project):
    return [c for c in project.manuscript.chapters if c.title.startswith("Stage")]


def test_headings_name_all_six_stages_in_order(project):
    titles = [c.title for c in stage_chapters(project)]
    assert [t.split(": ", 1)[1] for t in titles] == STAGES


def test_every_stage_has_example_callout_exercise_answer_and_cheatsheet(project):
    for chapter in stage_chapters(project):
        classes = [cls for div in chapter.scan.divs for cls in div.classes]
        headings = [h.text for h in chapter.scan.headings]
        assert any(h.startswith("Example") for h in headings), chapter.name
        for required in ("why-it-matters", "exercise", "answer", "cheatsheet"):
            assert required in classes, (chapter.name, required)
        assert classes.count("exercise") == classes.count("answer"), chapter.name


def test_every_figure_has_caption_alt_and_description(project):
    figures = [(c, i) for c in project.manuscript.chapters for i in c.scan.images]
    assert len(figures) >= 3
    described = {
        div.attrs.get("for")
        for c in project.manuscript.chapters
        for div in c.scan.divs
        if "longdesc" in div.classes
    }
    for _chapter, image in figures:
        assert image.src.startswith("diagrams/") and image.src.endswith(".dot")
        assert len(image.alt.split()) >= 4, "caption"
        assert len(image.attrs["alt"].split()) >= 8, "alt text says what the diagram shows"
        assert image.ident in described


def test_reading_time_and_sample_share(project):
    wpm = words_per_minute(project.manuscript)
    full = project.editions[FULL.name].words + project.numbering.answer_words
    sample = project.editions[SAMPLE.name].words
    assert 8 <= full / wpm <= 16
    assert 2 <= sample / wpm <= 3.5
    assert {u.chapter.name for u in project.editions[SAMPLE.name].units} == {
        "chapters/01-introduction.md",
        "chapters/02-problem-definition.md",
        "chapters/03-data.md",
    }


def manuscript_text() -> str:
    files = sorted((REPO / "manuscript").rglob("*.md"))
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def test_no_placeholder_text():
    text = manuscript_text() + (REPO / "manuscript/book.yaml").read_text()
    for placeholder in ("lorem", "ipsum", "TODO", "TBD", "FIXME", "XXX", "CHANGE ME"):
        assert placeholder.lower() not in text.lower(), placeholder


def prose_only(text: str) -> str:
    """Drop attributes, link targets, front matter and TeX math: spell-check what readers
    read."""
    text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S | re.M)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", " ", text, flags=re.S)
    text = re.sub(r"\{[^}]*\}", " ", text)
    return re.sub(r"\]\([^)]*\)", "]", text)


def test_spelling():
    assert shutil.which("hunspell"), "make test installs hunspell and hunspell-en-us"
    result = subprocess.run(
        ["hunspell", "-d", "en_US", "-p", str(REPO / "manuscript/wordlist.txt"), "-l"],
        input=prose_only(manuscript_text()),
        capture_output=True,
        text=True,
        check=True,
    )
    assert sorted(set(result.stdout.split())) == []
