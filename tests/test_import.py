"""`publish init DIR --from SRC`: an mdBook, a Leanpub book and a folder of Markdown,
each imported in one command, building clean, with a report of what did not map."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from helpers import FIXTURES, NS, epub_files, epubcheck, spine_pages
from publish.commands.cli import main
from publish.project.loader import load_project

SOURCES = FIXTURES / "imports"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def book_yaml(project: Path) -> dict:
    return yaml.safe_load((project / "manuscript" / "book.yaml").read_text(encoding="utf-8"))


def leanpub_copy(tmp_path: Path) -> Path:
    """A writable copy of the Leanpub source: importing it in place writes book.yaml."""
    return shutil.copytree(SOURCES / "leanpub", tmp_path / "knots")


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_mdbook_maps_metadata_order_and_notes_what_it_skipped(tmp_path):
    before = files_under(SOURCES / "mdbook")
    result = run("init", tmp_path / "orchard", "--from", SOURCES / "mdbook", "--copy")
    assert result.exit_code == 0, result.output
    book = book_yaml(tmp_path / "orchard")
    assert book["title"] == "Tending a Small Orchard"
    assert book["authors"] == ["Rowan Vale", "Ines Marlow"]
    assert book["language"] == "en" and book["slug"] == "tending-a-small-orchard"
    assert book["description"].startswith("A short guide to planting")
    assert book["chapters"] == [
        "preface.md",
        "site.md",
        "site/soil.md",
        "planting.md",
        "harvest.md",
        "glossary.md",
    ]
    assert list(book["identifiers"]) == ["full"] and "sample" not in book
    assert book["identifiers"]["full"].startswith("urn:uuid:")
    copied = (tmp_path / "orchard/manuscript/site/soil.md").read_text(encoding="utf-8")
    assert copied.startswith('---\ntitle: "Reading the Soil"\n---\n')
    assert files_under(SOURCES / "mdbook") == before, "the source is left as it was"
    glossary = (tmp_path / "orchard/manuscript/glossary.md").read_text(encoding="utf-8")
    assert "[Choosing a Site](site.md)" in glossary and "[planting]: ./planting.md" in glossary
    planting = (tmp_path / "orchard/manuscript/planting.md").read_text(encoding="utf-8")
    assert "row 1: apple (M26 rootstock)" in planting and "Orchard plan" not in planting
    assert "March: a mulch of compost" in planting and "ANCHOR" not in planting
    assert "{{#include" not in planting
    out = result.output
    assert "src/SUMMARY.md:10: draft chapter 'Pruning Calendar' has no file: skipped" in out
    assert "src/SUMMARY.md:5: part title 'Getting Started'" in out
    assert "preprocessor 'katex' is not run" in out and "additional-css" in out
    assert "2 link(s) to mdBook's .html pages of chapters now name the .md files" in out
    assert "2 mdBook {{#include}} directive(s) expanded into the chapters" in out
    assert "publish check: OK: 6 chapters" in out


def test_leanpub_in_place_writes_only_book_yaml_with_the_sample_of_sample_txt(tmp_path):
    source = leanpub_copy(tmp_path)
    before = files_under(source)
    result = run("init", source, "--from", source)
    assert result.exit_code == 0, result.output
    after = files_under(source)
    assert set(after) - set(before) == {"manuscript/book.yaml"}
    assert all(after[name] == data for name, data in before.items())
    book = book_yaml(source)
    assert book["chapters"] == ["preface.md", "reef-knot.md", "bowline.md", "cleat-hitch.md"]
    assert book["sample"] == {"sections": ["preface.md", "bowline.md"]}
    assert len(set(book["identifiers"].values())) == 2
    out = result.output
    assert "manuscript/Book.txt:1: 'frontmatter:'" in out
    assert "'sample-extra.md' is in Sample.txt but not Book.txt" in out
    assert "manuscript/cleat-hitch.md:6: 1 Leanpub aside(s) (A>, W>, T>, X> ...): import" in out


def test_leanpub_copies_into_another_folder_only_with_copy(tmp_path):
    source = leanpub_copy(tmp_path)
    refused = run("init", tmp_path / "elsewhere", "--from", source)
    assert refused.exit_code == 1 and "--copy" in refused.output
    assert not (tmp_path / "elsewhere").exists() and not (source / "manuscript/book.yaml").exists()
    write(source / "manuscript/resources/images", {"knot.svg": "<svg/>"})
    copied = run("init", tmp_path / "elsewhere", "--from", source, "--copy")
    assert copied.exit_code == 0, copied.output
    manuscript = tmp_path / "elsewhere/manuscript"
    assert (manuscript / "bowline.md").is_file() and (manuscript / "Sample.txt").is_file()
    assert (manuscript / "images/knot.svg").is_file(), "Markua's resources/ lands in manuscript/"
    assert not (manuscript / "resources").exists()
    assert "manuscript/resources/ copied to manuscript/" in copied.output


def test_folder_orders_numbered_names_as_numbers(tmp_path):
    result = run("init", tmp_path / "bread", "--from", SOURCES / "folder", "--copy")
    assert result.exit_code == 0, result.output
    book = book_yaml(tmp_path / "bread")
    assert book["title"] == "Notes on Bread at Home"
    assert book["chapters"] == ["01-flour-and-water.md", "02-rising.md", "10-baking.md"]
    rising = (tmp_path / "bread/manuscript/02-rising.md").read_text(encoding="utf-8")
    assert rising.startswith('---\ntitle: "Rising"\n---\n')
    assert "notes-to-self.md: not in the order found: left out of the book" in result.output
    assert "README.md: the title's source (its first heading), not a chapter" in result.output


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_folder_index_links_give_the_order_and_foreign_keys_are_noted(tmp_path):
    source = write(
        tmp_path / "notes",
        {
            "README.md": "# Field Notes\n\n- [Later](b.md)\n- [First](sub/a.md#start)\n"
            "- [Away](../secret.md)\n- [Site](https://example.com/x.md)\n",
            "b.md": "---\nlayout: post\ntags: [x]\n---\n# B\n\nText.\n",
            "sub/a.md": "Text without a heading.\n\n{{< include _x.qmd >}}\n",
        },
    )
    (tmp_path / "secret.md").write_text("# Not yours\n", encoding="utf-8")
    (source / "leak.md").symlink_to(tmp_path / "secret.md")
    (source / "README.md").write_text(
        (source / "README.md").read_text(encoding="utf-8") + "- [Leak](leak.md)\n"
    )
    result = run("init", tmp_path / "project", "--from", source, "--copy")
    assert result.exit_code == 0, result.output
    book = book_yaml(tmp_path / "project")
    assert book["title"] == "Field Notes" and book["chapters"] == ["b.md", "sub/a.md"]
    first = (tmp_path / "project/manuscript/sub/a.md").read_text(encoding="utf-8")
    assert first.startswith('---\ntitle: "First"\n---\n'), "the link text names it"
    out = result.output
    assert "README.md:5: '../secret.md' lies outside" in out
    assert "b.md:2: front matter key(s) publish does not take: layout, tags" in out
    assert "README.md:7: 'leak.md' lies outside the source folder" in out
    assert not any("Not yours" in p.read_text() for p in (tmp_path / "project").rglob("*.md"))
    assert "sub/a.md:3: a Hugo or Quarto shortcode" in out


def test_mdbook_includes_it_cannot_expand_and_several_level_one_headings_are_noted(tmp_path):
    source = write(
        tmp_path / "guide",
        {
            "book.toml": '[book]\ntitle = "Guide"\n',
            "src/SUMMARY.md": "# Summary\n\n- [One](one.md)\n",
            "src/one.md": "# One\n\n```rust\n{{#include ../code/x.rs:2:4}}\n```\n\n# Two\n"
            "{{#include ../../outside.rs}}\n{{#include ../code/y.rs:nowhere}}\n",
            "code/y.rs": "fn main() {}\n",
        },
    )
    result = run("init", tmp_path / "project", "--from", source, "--copy")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "src/one.md:4: {{#include ../code/x.rs:2:4}} names a file that does not exist" in out
    assert "src/one.md:8: {{#include ../../outside.rs}} names a file outside the book" in out
    assert "src/one.md:9: {{#include ../code/y.rs:nowhere}} names no region 'nowhere'" in out
    assert "src/one.md:7: 2 level-1 headings (lines 1, 7)" in result.output
    # The heading (MS005) and each include publish cannot read either (INC002, INC003, INC005).
    assert "publish check: 4 errors" in result.output


def test_mdbook_whose_src_is_manuscript_imports_in_place(tmp_path):
    source = write(
        tmp_path / "guide",
        {
            "book.toml": '[book]\ntitle = "Small Guide"\nsrc = "manuscript"\n',
            "manuscript/SUMMARY.md": "# Parts First\n\n- [One](one.md)\n\n# Later\n",
            "manuscript/one.md": "# One\n\nText.\n",
        },
    )
    result = run("init", source, "--from", source)
    assert result.exit_code == 0, result.output
    assert book_yaml(source)["chapters"] == ["one.md"]
    assert "SUMMARY.md:5: part title 'Later'" in result.output
    assert "'Parts First'" not in result.output, "the first heading is SUMMARY.md's title"


def test_leanpub_sample_marks_become_sample_in_headings_in_copies(tmp_path):
    source = write(
        tmp_path / "marks",
        {
            "manuscript/Book.txt": "one.md\ntwo.md\nthree-more.md\n",
            "manuscript/three-more.md": "No heading here.\n",
            "manuscript/one.md": "# One\n\nOpening words.\n\n{sample: true}\n"
            "## Free Part {#free}\n\nShared words.\n\n## Paid Part\n\nPaid words.\n",
            "manuscript/two.md": "{sample: true}\n\n# Two\n\nAlso shared.\n\n{sample: true}\n",
        },
    )
    before = files_under(source)
    copied = run("init", tmp_path / "project", "--from", source, "--copy")
    assert copied.exit_code == 0, copied.output
    assert files_under(source) == before
    assert "2 {sample: true} mark(s) became {sample=in} on their headings" in copied.output
    assert "manuscript/two.md:7: {sample: true} marks no heading" in copied.output
    one = (tmp_path / "project/manuscript/one.md").read_text(encoding="utf-8")
    assert "## Free Part {#free sample=in}\n" in one and "{sample: true}" not in one
    assert book_yaml(tmp_path / "project")["sample"] == {"sections": []}
    sample = load_project(tmp_path / "project").editions["sample"]
    assert [u.heading.text for u in sample.units] == ["Free Part", "Two"]
    in_place = run("init", source, "--from", source)
    assert "manuscript/one.md:5: 1 {sample: true} mark(s): import with --copy" in in_place.output
    assert "manuscript/three-more.md:1: no '# Title' (publish check: MS005)" in in_place.output
    assert "three-more.md has no '# Title': its copy gets 'title: Three more'" in copied.output


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n'


def test_leanpub_asides_and_alt_lines_become_divs_and_alt_text_in_copies(tmp_path):
    chapter = (
        '# Knots\n\n{alt: "A bowline on a post"}\n![A bowline](images/bowline.svg)\n\n'
        "A> ## Keep It Dry\nA> A wet line swells and jams.\n\nW> Never stand in a bight.\n\n"
        'X> Tie a bowline with your eyes closed.\n\nC> The End\n\n{caption: "knots.txt"}\n'
        "```text\nA> stays code\n```\n"
        "\n{blurb, class: warning}\nMind the tide.\n{/blurb}\n\n"
        "{blurb, icon: star} Well tied.\n{/blurb}\n"
        "\n{blurb, class: tip}\nNever closed.\n"
    )
    source = write(
        tmp_path / "asides",
        {
            "manuscript/Book.txt": "knots.md\n",
            "manuscript/knots.md": chapter,
            "manuscript/resources/images/bowline.svg": SVG,
        },
    )
    result = run("init", tmp_path / "project", "--from", source, "--copy")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "project/manuscript/knots.md").read_text(encoding="utf-8")
    assert '![A bowline](images/bowline.svg){alt="A bowline on a post"}' in text
    assert '::: {.callout title="Keep It Dry"}\nA wet line swells and jams.\n:::' in text
    assert '::: {.callout title="Warning"}\nNever stand in a bight.\n:::' in text
    assert "::: exercise\nTie a bowline with your eyes closed.\n:::" in text
    assert "\nThe End\n" in text and "*knots.txt*\n\n```text\nA> stays code\n```" in text
    assert "{alt:" not in text
    assert '::: {.callout title="Warning"}\nMind the tide.\n:::' in text
    assert '::: {.callout title="Note"}\nWell tied.\n:::' in text
    assert "2 {blurb} ... {/blurb} block(s) became callout divs" in result.output
    assert "manuscript/knots.md:27: {blurb} without its {/blurb}" in result.output
    assert (
        "4 Leanpub aside(s) (A>, W>, T>, X> ...) became callout and exercise divs" in result.output
    )
    assert "1 {alt: ...} line(s) became their image's alt text" in result.output
    assert "publish check: OK: 1 chapter, 1 figure" in result.output


def test_refusals_write_nothing(tmp_path):
    mdbook = run("init", SOURCES / "mdbook", "--from", SOURCES / "mdbook")
    assert mdbook.exit_code == 1 and "add --copy" in mdbook.output
    assert not (SOURCES / "mdbook/manuscript").exists()
    busy = write(tmp_path / "busy", {"notes.txt": "mine"})
    refused = run("init", busy, "--from", SOURCES / "folder", "--copy")
    assert refused.exit_code == 1 and "not empty" in refused.output
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    source = leanpub_copy(tmp_path)
    assert run("init", source, "--from", source).exit_code == 0
    again = run("init", source, "--from", source)
    assert again.exit_code == 1 and "exists already" in again.output
    assert run("init", tmp_path / "x", "--copy").exit_code == 2


def chapter_titles(epub: Path) -> list[str]:
    """The level-1 headings of the chapter documents, in spine order."""
    return [
        "".join(page.find(".//x:h1", NS).itertext()).strip()
        for href, page in spine_pages(epub)
        if href.startswith("chapter-")
    ]


def import_and_build(tmp_path: Path, kind: str) -> tuple[Path, str]:
    if kind == "leanpub":
        project = leanpub_copy(tmp_path)
        imported = run("init", project, "--from", project)
    else:
        project = tmp_path / kind
        imported = run("init", project, "--from", SOURCES / kind, "--copy")
    assert imported.exit_code == 0, imported.output
    built = run("build", project)
    assert built.exit_code == 0, built.output
    assert "ERROR" not in built.output
    return project / "build", built.output


@pytest.mark.slow
def test_mdbook_builds_clean_with_every_chapter_in_order(tmp_path):
    out, _ = import_and_build(tmp_path, "mdbook")
    epub = out / "full/tending-a-small-orchard.epub"
    messages = epubcheck(epub)["messages"]
    assert not messages, messages
    planting = epub_files(epub)["EPUB/chapter-04.xhtml"].decode()
    assert "row 2: pear (Quince A)" in planting and "{{#include" not in planting
    assert chapter_titles(epub) == [
        "Before You Plant",
        "Choosing a Site",
        "Reading the Soil",
        "Planting",
        "Harvest",
        "Glossary",
    ]


@pytest.mark.slow
def test_leanpub_sample_holds_exactly_the_chapters_of_sample_txt(tmp_path):
    out, _ = import_and_build(tmp_path, "leanpub")
    full = chapter_titles(out / "full/knots.epub")
    assert full == ["Why Knots", "The Reef Knot", "The Bowline", "The Cleat Hitch"]
    sample = out / "sample/knots-sample.epub"
    assert chapter_titles(sample) == ["Why Knots", "The Bowline"]
    assert not epubcheck(sample)["messages"]


@pytest.mark.slow
def test_folder_builds_clean(tmp_path):
    out, _ = import_and_build(tmp_path, "folder")
    titles = chapter_titles(out / "full/notes-on-bread-at-home.epub")
    assert titles == ["Flour and Water", "Rising", "Baking"]
