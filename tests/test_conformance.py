"""Issue 14, acceptance points 1-3, on the bundled book and every fixture project.

1. Nothing an author wrote is lost: each chapter's words, in runs of six, are in
   the full EPUB's text (99%) and the full PDF's text (97%); the sections a sample
   shows are whole in the sample's EPUB and PDF (same thresholds, answers aside).
2. No link goes nowhere, in any EPUB or PDF of either edition.
3. EPUBCheck: 0 errors, 0 warnings on every EPUB.

A new folder in tests/fixtures/ with a manuscript/book.yaml is picked up on its own;
one built to fail goes in `conformance.BUILD_FAILS` or carries a `BUILD-FAILS` file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

import conformance as c
import conformance_links as links
import pdf_structure
from helpers import FIXTURES, REPO, copy_project, epubcheck
from publish.engine.build import build

PROJECTS = [c.BUNDLED, *c.fixture_projects()]


@dataclass
class Built:
    name: str
    root: Path  # where the chapter sources are
    out: Path  # the build folder


@pytest.fixture(scope="session")
def _builds() -> dict[str, Built]:
    return {}


@pytest.fixture(params=PROJECTS)
def built(request, _builds, tmp_path_factory) -> Built:
    """A project built once per session, whichever test asks first."""
    name = request.param
    if name not in _builds:
        if name == c.BUNDLED:
            _builds[name] = Built(name, REPO, request.getfixturevalue("bundled_build"))
        else:
            root = copy_project(FIXTURES / name, tmp_path_factory.mktemp(name))
            build(root)
            _builds[name] = Built(name, root, root / "build")
    return _builds[name]


def _assert_complete(built: Built, fmt: str, text: str, threshold: float) -> None:
    results = c.project_coverage(built.root, text, f"{built.name} full {fmt}")
    failing = [r for r in results if r.ratio < threshold]
    report = "\n".join(r.summary() for r in failing)
    assert not failing, f"chapter words found under {threshold:.0%}:\n{report}"


@pytest.mark.slow
def test_full_epub_holds_every_chapter_word(built):
    epub = c.edition_artifact(built.out, "full", "epub")
    _assert_complete(built, "EPUB", c.epub_text(epub), c.EPUB_THRESHOLD)


@pytest.mark.slow
def test_full_pdf_holds_every_chapter_word(built):
    pdf = c.edition_artifact(built.out, "full", "pdf")
    _assert_complete(built, "PDF", c.pdf_text(pdf), c.PDF_THRESHOLD)


def _sample(built: Built) -> Path:
    if not any(edition == "sample" for edition, _ in c.artifacts(built.out, "epub")):
        pytest.skip(f"{built.name} has no sample edition (no sample: in book.yaml)")
    return c.edition_artifact(built.out, "sample", "epub")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["epub", "pdf"])
def test_sample_holds_every_word_of_its_sections(built, fmt):
    """What the sample shows of a chapter (its sections, answers aside) is all there."""
    sample_epub = _sample(built)
    chosen = c.sample_sections(built.root, sample_epub)
    assert chosen, f"the {built.name} sample shows no heading of any chapter"
    path = c.edition_artifact(built.out, "sample", fmt)
    text = c.epub_text(path) if fmt == "epub" else c.pdf_text(path)
    threshold = c.EPUB_THRESHOLD if fmt == "epub" else c.PDF_THRESHOLD
    results = c.sample_coverage(built.root, sample_epub, text, f"{built.name} sample {fmt}")
    failing = [r for r in results if r.ratio < threshold]
    report = "\n".join(r.summary() for r in failing)
    assert not failing, f"sample words found under {threshold:.0%}:\n{report}"


NETFLIX_NOTE = (
    "The Netflix Prize taught a related lesson: Netflix wrote in 2012 that the winning "
    "blend's extra accuracy did not seem worth the engineering needed to run it in production."
)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["epub", "pdf"])
def test_bundled_footnote_is_in_the_book(bundled_build, fmt):
    chapter = REPO / "manuscript" / "chapters" / "04-model-development.md"
    assert c.words(NETFLIX_NOTE) in c.source_blocks(chapter), "the note changed: update the test"
    path = c.edition_artifact(bundled_build, "full", fmt)
    text = c.epub_text(path) if fmt == "epub" else c.pdf_text(path)
    result = c.coverage(f"chapter 4 footnote in the {fmt}", [c.words(NETFLIX_NOTE)], text)
    assert result.ratio == 1.0, result.summary()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["epub", "pdf"])
def test_no_link_goes_nowhere(built, fmt):
    books = c.artifacts(built.out, fmt)
    assert books, f"{built.name} built no {fmt.upper()}"
    problems_of = links.epub_link_problems if fmt == "epub" else links.pdf_link_problems
    problems = [f"{path.name}: {p}" for _, path in books for p in problems_of(path)]
    assert not problems, f"{len(problems)} dead links:\n" + "\n".join(problems)


@pytest.mark.slow
def test_epubcheck_is_clean(built):
    failures = []
    for edition, path in c.artifacts(built.out, "epub"):
        counts, lines = links.epubcheck_findings(epubcheck(path))
        bad = sum(counts.get(s, 0) for s in ("FATAL", "ERROR", "WARNING"))
        if bad:
            failures.append(f"{edition} {path.name}: {counts}\n  " + "\n  ".join(lines))
    assert not failures, "EPUBCheck is not clean:\n" + "\n".join(failures)


@pytest.mark.slow
def test_every_pdf_keeps_its_pdf_ua_promise(built):
    """Issue 17: each PDF built (book, sample, cheatsheets, templates) has no marked
    content outside the tree but artifacts, nothing drawn untagged, figures with /Alt,
    form fields labelled and in the tree, and so may claim PDF/UA-1."""
    pdfs = c.artifacts(built.out, "pdf")
    assert pdfs, f"{built.name} built no PDF"
    problems = [
        f"{path.relative_to(built.out)}: {problem}"
        for _, path in pdfs
        for problem in pdf_structure.promise_problems(path)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_code_in_the_pdf_is_tagged_code(built):
    """Issue 17: each fenced code block the full PDF shows is inside a `Code` element."""
    path = c.edition_artifact(built.out, "full", "pdf")
    texts, _ = pdf_structure.marked_texts(path)
    document = pdf_structure.read(path)
    code = pdf_structure.squashed(" ".join(pdf_structure.text_under(document, texts, "/Code")))
    shown = pdf_structure.squashed(" ".join(texts.values()))
    lines = [
        pdf_structure.squashed(line)
        for chapter in c.chapter_sources(built.root)
        for line in pdf_structure.fenced_code_lines(chapter)
    ]
    lines = [line for line in lines if line in shown]
    if not lines:
        pytest.skip(f"{built.name} shows no fenced code in its PDF")
    missing = [line for line in lines if line not in code]
    assert not missing, f"code lines not tagged Code: {missing}"


# --------------------------------------------------------------- the helpers themselves

CHAPTER = """\
# A chapter

The first paragraph says what the chapter is about and why a reader should care.

The second paragraph holds the detail that an author would hate to lose in a build.

- a short item
- another item of a list

```
if a === b and c <= d: return x => y
```

The closing paragraph wraps things up with a sentence of its own.[^1]

[^1]: A footnote that must not vanish from the book.
"""


def _render(markdown: str) -> str:
    """What a faithful book would show: the plain text of the chapter."""
    import pypandoc

    return pypandoc.convert_text(markdown, "plain", format="markdown")


def test_completeness_catches_a_lost_paragraph(tmp_path):
    source = tmp_path / "chapter.md"
    source.write_text(CHAPTER, encoding="utf-8")
    blocks = c.source_blocks(source)

    whole = c.coverage("whole", blocks, _render(CHAPTER))
    assert whole.ratio == 1.0, whole.summary()

    second = "The second paragraph holds the detail that an author would hate to lose in a build."
    assert second in CHAPTER
    result = c.coverage("lost", blocks, _render(CHAPTER.replace(second, "")))
    assert result.ratio < c.EPUB_THRESHOLD
    assert result.missing == [" ".join(c.words(second))], result.summary()


def test_completeness_catches_a_lost_footnote_and_mangled_code(tmp_path):
    source = tmp_path / "chapter.md"
    source.write_text(CHAPTER, encoding="utf-8")
    blocks = c.source_blocks(source)

    without_note = _render(CHAPTER.split("[^1]:")[0].replace("[^1]", ""))
    result = c.coverage("no note", blocks, without_note)
    assert any("footnote that must not vanish" in run for run in result.missing)

    ligatures = _render(CHAPTER).replace("===", "..=").replace("=>", ".>")
    result = c.coverage("ligatures", blocks, ligatures)
    assert result.ratio < 1.0
    assert any("===" in run for run in result.missing)


def test_pdf_style_text_compares_equal():
    """Ligatures, curly quotes, dashes and line-end hyphens are not losses."""
    blocks = [
        c.words("The “final” profile—five fields—won't fit in a one-page sheet."),
        c.words("the calendar day"),  # a note call follows: "day4" in a PDF's text
    ]
    printed = (
        'The "final" pro\ufb01le - five \ufb01elds - won\u2019t \ufb01t in a one-\npage sheet.\n'
        "day the calendar day4\n"
    )
    assert c.coverage("pdf", blocks, c.printed_text(printed)).ratio == 1.0


def _epub(path: Path, chapter_body: str) -> Path:
    """A tiny EPUB: one chapter, one nav, whatever links the chapter holds."""
    import zipfile

    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        "<head><title>t</title></head><body>{}</body></html>"
    )
    package = (
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><manifest>'
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        '<item id="c1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>'
        '</manifest><spine><itemref idref="c1"/></spine></package>'
    )
    container = (
        '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
        '<rootfile full-path="OEBPS/content.opf"/></rootfiles></container>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", container)
        archive.writestr("OEBPS/content.opf", package)
        archive.writestr("OEBPS/nav.xhtml", page.format('<a href="text/ch1.xhtml#top">1</a>'))
        archive.writestr("OEBPS/text/ch1.xhtml", page.format(chapter_body))
    return path


def test_epub_link_check_finds_dead_links(tmp_path):
    good = '<h1 id="top">One</h1><a href="#top">up</a><a href="https://example.com">web</a>'
    assert links.epub_link_problems(_epub(tmp_path / "good.epub", good)) == []

    dead = good + (
        '<a href="03-frames.md">a chapter file</a><a href="ch1.xhtml#nowhere">no id</a>'
        '<a href="">empty</a><a href="javascript:alert(1)">script</a>'
    )
    problems = links.epub_link_problems(_epub(tmp_path / "dead.epub", dead))
    assert len(problems) == 4, problems
    assert "no file OEBPS/text/03-frames.md" in problems[0]
    assert "no id 'nowhere'" in problems[1]
    # the text is the spine's (not the nav's), headings kept apart from what follows
    assert c.epub_text(tmp_path / "good.epub").split() == ["One", "upweb"]


def test_pdf_link_check_finds_dead_links(tmp_path):
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_named_destination("here", 0)

    def link(**entries) -> None:
        annot = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (0, 0, 10, 10)]),
            }
        )
        for key, value in entries.items():
            annot[NameObject(f"/{key}")] = value
        writer.add_annotation(0, annot)

    def action(kind: str, key: str, value) -> DictionaryObject:
        return DictionaryObject({NameObject("/S"): NameObject(kind), NameObject(key): value})

    link(Dest=TextStringObject("here"))
    link(A=action("/URI", "/URI", TextStringObject("https://example.com")))
    link(Dest=TextStringObject("gone"))
    link(A=action("/GoTo", "/D", TextStringObject("also-gone")))
    link(A=action("/URI", "/URI", TextStringObject("file:///tmp/03-frames.md")))
    link()
    path = tmp_path / "links.pdf"
    writer.write(path)

    problems = links.pdf_link_problems(path)
    assert len(problems) == 4, problems
    assert "'gone' is not a named destination" in problems[0]
    assert "'also-gone' is not a named destination" in problems[1]
    assert "file:///tmp/03-frames.md" in problems[2]
    assert "no destination" in problems[3]


def test_epubcheck_findings_count_every_severity():
    report = {
        "messages": [
            {"severity": "ERROR", "ID": "RSC-005", "message": "bad id", "locations": []},
            {"severity": "WARNING", "ID": "OPF-085", "message": "w", "locations": []},
            {"severity": "USAGE", "ID": "ACC-1", "message": "u", "locations": []},
        ]
    }
    counts, lines = links.epubcheck_findings(report)
    assert counts == {"ERROR": 1, "WARNING": 1, "USAGE": 1}
    assert [line.split()[0] for line in lines] == ["ERROR", "WARNING"]
