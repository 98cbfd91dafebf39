"""The Markdown authors bring from GitHub and other tools: highlighted code, `> [!NOTE]`
alerts, task lists, bracket text as alt text, other tools' front matter, and a series line
above a chapter's title.

tests/fixtures/md-habits is a small course as such an author writes it: SQL, Python and
bash code with and without {.numberLines}, all five alerts (one label renamed in
book.yaml), images whose only alt text is their bracket text, Jekyll/Hugo front matter
keys, a task list, a cheatsheet block holding code and an alert, and styles/custom.css
giving keywords its own colours, light and dark.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

import lxml.html
import pytest
import tinycss2
from click.testing import CliRunner
from lxml import etree

from helpers import FIXTURES, copy_project, epub_files, epubcheck, pdf_text
from publish.commands.cli import main
from publish.project.theme import Theme
from publish.render.habits import open_alerts, shape_habits
from publish.render.html import run_pandoc

THEME = Path(__file__).resolve().parent.parent / "src" / "publish" / "theme"
SLUG = "running-totals"
X = "{http://www.w3.org/1999/xhtml}"
# Every token class pandoc's highlighter (skylighting) writes.
TOKENS = [
    *("kw", "dt", "dv", "bn", "fl", "ch", "st", "co", "ot", "al", "fu", "er", "wa", "cn"),
    *("sc", "vs", "ss", "im", "va", "cf", "op", "bu", "ex", "pp", "at", "do", "an", "cv", "in"),
]
LABELS = {"note": "Note", "tip": "Hint", "important": "Important", "warning": "Warning"}
LABELS["caution"] = "Caution"
AA = 4.5


# --- contrast, measured from the theme's CSS ----------------------------------------


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rgb or #rrggbb colour."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_rules(css: str, media: str | None = None) -> list[tuple[list[str], dict[str, str]]]:
    """(selectors, declarations) of the rules in force, in source order: the top-level
    ones, and with `media` also those of the @media blocks whose condition holds it (so a
    later rule, such as one from styles/custom.css, wins as in the cascade)."""
    found = []
    for rule in _flat_rules(tinycss2.parse_stylesheet(css, True, True), media):
        selectors = [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
        declarations = {
            d.lower_name: tinycss2.serialize(d.value).strip()
            for d in tinycss2.parse_declaration_list(rule.content, True, True)
            if d.type == "declaration"
        }
        found.append((selectors, declarations))
    return found


def _flat_rules(rules: list, media: str | None) -> list:
    flat = []
    for rule in rules:
        if rule.type == "qualified-rule":
            flat.append(rule)
        elif (
            rule.type == "at-rule"
            and rule.lower_at_keyword == "media"
            and media is not None
            and media in tinycss2.serialize(rule.prelude)
        ):
            flat += _flat_rules(tinycss2.parse_rule_list(rule.content, True, True), media)
    return flat


def code_palette(css: str, media: str | None = None) -> tuple[str, dict[str, str]]:
    """The code block's background, and the colour of each token class and of the line
    numbers, as the stylesheet (or its @media block) defines them."""
    background, colours = None, {}
    for selectors, declarations in css_rules(css, media):
        for selector in selectors:
            if selector == "pre" and "background" in declarations:
                background = declarations["background"]
                colours["text"] = declarations["color"]
            token = re.fullmatch(r"code span\.(\w+)", selector)
            if token and "color" in declarations:
                colours[token.group(1)] = declarations["color"]
            if selector.endswith("code > span::before") and "color" in declarations:
                colours["line numbers"] = declarations["color"]
    return background, colours


PALETTES = [("epub.css", None), ("epub.css", "prefers-color-scheme: dark")]
PALETTES += [("print.css", None), ("cheatsheet.css", None)]


@pytest.mark.parametrize(("sheet", "media"), PALETTES)
def test_every_token_colour_passes_aa_on_the_code_background(sheet, media):
    background, colours = code_palette(Theme(None).stylesheet(sheet).text, media)
    assert background, f"{sheet} gives code blocks no background"
    assert set(TOKENS) <= set(colours), f"{sheet}: no colour for {set(TOKENS) - set(colours)}"
    ratios = {name: round(contrast(colour, background), 2) for name, colour in colours.items()}
    failing = {name: ratio for name, ratio in ratios.items() if ratio < AA}
    assert not failing, f"{sheet} {media or 'light'} on {background}: {failing}"


def test_alert_labels_pass_aa_on_their_boxes():
    for sheet in ("epub.css", "print.css"):
        rules = css_rules(Theme(None).stylesheet(sheet).text)
        for kind in LABELS:
            box = next(d for s, d in rules if f".alert-{kind}" in s)
            label = next(d for s, d in rules if f".alert-{kind} .box-label" in s)
            assert contrast(label["color"], box["background"]) >= AA, (sheet, kind)


# --- shaping pandoc's HTML ----------------------------------------------------------


def shaped(markdown: str, labels: dict | None = None) -> lxml.html.HtmlElement:
    html, _warnings = run_pandoc(open_alerts(markdown))
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    shape_habits(root, (labels or {}).get)
    return root


def test_alerts_become_labelled_boxes_and_quotations_stay():
    root = shaped(
        "> [!WARNING]\n> Hot *plate*.\n\n> [!tip] Inline body.\n\n> [!NOTE]\n>\n> Two.\n>\n"
        "> Paras.\n\n> A quotation.\n",
        {"tip": "Hint"},
    )
    boxes = root.find_class("alert")
    kinds = ["warning", "tip", "note"]
    assert [b.get("class") for b in boxes] == [f"alert alert-{kind}" for kind in kinds]
    assert [b.find("p").text for b in boxes] == ["Warning", "Hint", "Note"]
    assert [b.get("aria-label") for b in boxes] == ["Warning", "Hint", "Note"]
    assert all(b.tag == "div" and b.get("role") == "note" for b in boxes)
    assert boxes[0][1].text_content() == "Hot plate."
    assert boxes[1][1].text_content() == "Inline body."
    assert [p.text_content() for p in boxes[2]] == ["Note", "Two.", "Paras."]
    assert "[!" not in root.text_content()
    assert [q.text_content().strip() for q in root.iter("blockquote")] == ["A quotation."]


def test_a_list_right_after_the_marker_stays_a_list_and_code_is_left_alone():
    root = shaped("> [!WARNING]\n> - one\n> - two\n\n```markdown\n> [!NOTE]\n> shown\n```\n")
    box = root.find_class("alert-warning")[0]
    assert [li.text for li in box.iter("li")] == ["one", "two"]
    assert root.find(".//pre").text_content() == "> [!NOTE]\n> shown"


def test_code_lines_lose_their_empty_self_links_and_keep_their_start():
    root = shaped('```{.sql .numberLines startFrom="10"}\nSELECT 1;\nSELECT 2;\n```\n')
    block = root.find_class("sourceCode")[0]
    assert not list(block.iter("a"))
    assert block.get("data-startfrom") == "10"  # lower case, as XHTML wants data-* names
    assert "counter-reset: source-line 9" in block.find(".//code").get("style")
    assert block.find(".//span[@class='kw']").text == "SELECT"


def test_task_list_boxes_keep_their_state():
    root = shaped("- [x] done\n- [ ] to do\n")
    boxes = list(root.iter("input"))
    assert [b.get("type") for b in boxes] == ["checkbox", "checkbox"]
    assert [b.get("checked") for b in boxes] == ["checked", None]


# --- what `publish check` says ------------------------------------------------------


def checked(tmp_path: Path, chapter: str, *options: str) -> tuple[int, str]:
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    (project / "manuscript" / "two.md").write_text(chapter)
    result = CliRunner().invoke(main, ["check", str(project), *options])
    return result.exit_code, result.output


def test_other_tools_front_matter_is_a_warning_at_its_line(tmp_path):
    chapter = (
        "---\nlayout: post\nauthor: A. Author\ndate: 2024-03-01\ndescription: Why.\n"
        "tags: [a, b]\n---\n\n# Two\n\nText.\n"
    )
    code, output = checked(tmp_path, chapter)
    assert code == 0, output
    warnings = re.findall(
        r"two\.md:(\d+):1: WARNING MS004 unknown front matter key '(\w+)'", output
    )
    assert warnings == [("2", "layout"), ("6", "tags")]
    strict_code, strict_output = checked(tmp_path / "strict", chapter, "--strict")
    assert strict_code == 1 and "ERROR MS004" in strict_output


def test_bracket_text_is_the_alternative_text(tmp_path):
    image = "diagrams/flow.dot"
    code, output = checked(tmp_path, f"# Two\n\n![A flow.]({image})\n\nSee ![an icon]({image}).\n")
    assert code == 0 and "IMG003" not in output, output
    code, output = checked(tmp_path / "empty", f"# Two\n\n![]({image})\n")
    assert code == 1 and "two.md:3:1: ERROR IMG003" in output


@pytest.mark.parametrize(
    ("top", "line", "hint"),
    [
        ("# Working With ML Teams\n", 2, "delete its '#' and move it under the title"),
        ("## Working With ML Teams\n", 1, "delete its '##' and move it under the title"),
        ("Working With ML Teams\n\n", 1, "move 'Working With ML Teams' under the title"),
    ],
)
def test_a_series_line_above_the_title_is_refused_with_how_to_demote_it(tmp_path, top, line, hint):
    code, output = checked(tmp_path, f"{top}# Chapter two\n\nText.\n")
    assert code == 1
    assert f"two.md:{line}:1: ERROR MS005" in output and hint in output, output


# --- the built fixture --------------------------------------------------------------


@pytest.fixture(scope="module")
def habits_build(tmp_path_factory) -> Path:
    from publish.engine.build import build

    project = copy_project(FIXTURES / "md-habits", tmp_path_factory.mktemp("md-habits"))
    build(project)
    return project / "build"


def epub_of(build: Path, edition: str) -> Path:
    return build / edition / (f"{SLUG}.epub" if edition == "full" else f"{SLUG}-sample.epub")


def chapters(epub: Path) -> list[etree._Element]:
    files = epub_files(epub)
    names = sorted(n for n in files if re.search(r"chapter-\d+\.xhtml$", n))
    return [etree.fromstring(files[name]) for name in names]


@pytest.mark.slow
def test_epub_alerts_are_boxed_with_their_labels(habits_build):
    pages = chapters(epub_of(habits_build, "full"))
    boxes = [
        div for page in pages for div in page.iter(f"{X}div") if "alert" in div.get("class", "")
    ]
    labels = [box.find(f"{X}p").text for box in boxes]
    assert labels == ["Note", "Hint", "Important", "Important", "Warning", "Caution"]
    assert all(box.get("role") == "note" and box.get("aria-label") for box in boxes)
    assert [li.xpath("string()") for li in boxes[4].iter(f"{X}li")] == [
        "RANGE frames treat rows with equal keys as one: the totals jump.",
        "ROWS frames count rows, whatever their keys.",
    ]
    text = "".join("".join(page.itertext()) for page in pages)
    assert "[!" not in text
    assert "Frames are where window functions earn their keep." in text


@pytest.mark.slow
def test_epub_code_is_highlighted_with_colours_its_css_defines(habits_build):
    epub = epub_of(habits_build, "full")
    css = next(data for name, data in epub_files(epub).items() if name.endswith(".css"))
    background, colours = code_palette(css.decode())
    pages = chapters(epub)
    used = {
        span.get("class")
        for page in pages
        for code in page.iter(f"{X}code")
        for span in code.iter(f"{X}span")
        if span.get("class") and not span.get("id")
    }
    assert {"kw", "st", "co", "fu", "dv", "op"} <= used
    assert colours["kw"] == "#7a1f1f"  # styles/custom.css wins over the theme
    assert used <= set(colours), used - set(colours)
    assert all(contrast(colours[token], background) >= AA for token in used)
    dark_background, dark = code_palette(css.decode(), "prefers-color-scheme: dark")
    assert all(contrast(dark[token], dark_background) >= AA for token in used)
    assert dark["kw"] == "#ffb3b3"
    numbered = [
        pre for page in pages for pre in page.iter(f"{X}pre") if "numberSource" in pre.get("class")
    ]
    assert len(numbered) == 2
    assert not [a for pre in numbered for a in pre.iter(f"{X}a")]


@pytest.mark.slow
def test_epub_images_carry_their_bracket_text_as_alt(habits_build):
    pages = chapters(epub_of(habits_build, "full"))
    alts = [img.get("alt") for page in pages for img in page.iter(f"{X}img")]
    assert alts == [
        "A line chart that climbs in steps, one step per day.",
        "a sigma sign",
        "Seven rows, the frame drawn as a box around them.",
    ]


@pytest.mark.slow
def test_epub_task_list_has_its_boxes_before_their_labels(habits_build):
    pages = chapters(epub_of(habits_build, "full"))
    items = [
        li
        for page in pages
        for ul in page.iter(f"{X}ul")
        if ul.get("class") == "task-list"
        for li in ul
    ]
    assert len(items) == 3
    for item in items:
        label = item.find(f"{X}label")
        assert label[0].tag == f"{X}input" and label[0].get("type") == "checkbox"
        assert label[0].tail.strip()
    assert [item.find(f".//{X}input").get("checked") for item in items] == ["checked", None, None]


@pytest.mark.slow
def test_pdf_shows_alerts_labels_line_numbers_and_no_markers(habits_build):
    pdf = habits_build / "full" / f"{SLUG}.pdf"
    text = pdf_text(pdf)
    assert "[!" not in text
    for label in ("NOTE", "HINT", "IMPORTANT", "WARNING", "CAUTION"):
        assert label in text, label
    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^\s*1\s+def running_total", layout, re.M)
    assert re.search(r"^\s*10\s+SELECT day,", layout, re.M)
    assert re.search(r"^\s*12\s+FROM sales;", layout, re.M)


@pytest.mark.slow
def test_pdf_task_list_labels_sit_beside_their_boxes(habits_build):
    """One line per item, the labels indented past the boxes: before, each box took a line
    of its own above its label."""
    pdf = habits_build / "full" / f"{SLUG}.pdf"
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(\w+)<', boxes
    )
    firsts = {word: (float(x), float(top), float(bottom)) for x, top, bottom, word in words}
    items = [firsts[word] for word in ("Install", "Load", "Read")]
    line = items[0][2] - items[0][1]
    gaps = [after[1] - before[1] for before, after in itertools.pairwise(items)]
    assert all(0 < gap < 1.4 * line for gap in gaps), (gaps, line)
    heading = firsts["Before"]
    assert all(x > heading[0] + 10 for x, _top, _bottom in items)  # the boxes' gutter


@pytest.mark.slow
def test_pdf_images_carry_their_bracket_text_as_alt(habits_build):
    from pypdf import PdfReader

    alts = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            kids = kids.get_object() if kids is not None else None
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                walk(kid)

    walk(PdfReader(habits_build / "full" / f"{SLUG}.pdf").trailer["/Root"]["/StructTreeRoot"])
    assert "A line chart that climbs in steps, one step per day." in alts
    assert "a sigma sign" in alts


@pytest.mark.slow
def test_cheatsheet_highlights_and_boxes_its_alert(habits_build):
    sheet = habits_build / "full" / "cheatsheets" / f"{SLUG}-cheatsheet-a4.pdf"
    text = pdf_text(sheet)
    assert "IMPORTANT" in text and "[!" not in text
    assert "SELECT SUM(amount) OVER" in text


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["full", "sample"])
def test_epubcheck_passes(habits_build, edition):
    report = epubcheck(epub_of(habits_build, edition))
    messages = [(m["severity"], m["message"]) for m in report["messages"]]
    assert not messages, messages


@pytest.mark.slow
def test_ace_passes(habits_build, tmp_path, ace_env):
    from helpers import ace_command
    from test_accessibility import ace_report

    command = ace_command()
    if command is None:
        pytest.skip("DAISY Ace or Chromium is missing -- ACCESSIBILITY IS NOT VALIDATED")
    report = ace_report(command, epub_of(habits_build, "full"), tmp_path / "ace", ace_env)
    assert [t for a in report["assertions"] for t in a["assertions"]] == []
    assert report["earl:result"]["earl:outcome"] == "pass"
