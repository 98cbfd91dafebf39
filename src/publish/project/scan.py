"""Line-level scanning of pandoc Markdown: the structure we need, with line numbers.

pandoc renders the text; this module only finds what the build must reason about
before rendering (headings, fenced divs, figures, links, cross-references), so
every finding can point at the line an author wrote.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field

ATTR_TOKEN = re.compile(r'#([\w:.-]+)|\.([\w-]+)|([\w-]+)=("(?:[^"\\]|\\.)*"|[^\s"}]+)')
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{([^{}]*)\})?\s*$")
FENCE = re.compile(r"^(`{3,}|~{3,})")
DIV_OPEN = re.compile(r"^(:{3,})\s*(?:\{([^{}]*)\}|([\w-]+))\s*:*\s*$")
DIV_CLOSE = re.compile(r"^:{3,}\s*$")
IMAGE = re.compile(
    r"!\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)(\{[^{}]*\})?"
)
LINK = re.compile(r"(?<!!)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
AUTOLINK = re.compile(r"<((?:[a-zA-Z][\w+.-]*):[^>\s]+)>")
# Raw HTML images, figures and links (the allowlisted kind, see checks/inline_html.py):
# matched over the whole chapter, since a tag may run over several lines.
HTML_IMG = re.compile(r"(?<!\\)<img\b([^<>]*)>", re.I)
HTML_FIGURE = re.compile(r"<figure\b([^<>]*)>(.*?)</figure\s*>", re.I | re.S)
HTML_LINK = re.compile(r"(?<!\\)<a\b([^<>]*)>", re.I)
HTML_ATTRIBUTE = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
XREF = re.compile(r"(?<![\w@\\])@(fig:[\w-]+)")
WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")
MARKUP = re.compile(r"\{[^{}]*\}|\]\([^)]*\)|<[^>]+>|[*_`|#>\[\]!^]")


def parse_attributes(text: str) -> tuple[str, list[str], dict[str, str]]:
    """Split `{#id .class key=value}` into its id, classes and key-value pairs."""
    ident, classes, pairs = "", [], {}
    for match in ATTR_TOKEN.finditer(text or ""):
        if match.group(1):
            ident = match.group(1)
        elif match.group(2):
            classes.append(match.group(2))
        else:
            value = match.group(4)
            if value.startswith('"'):
                value = value[1:-1].replace('\\"', '"')
            pairs[match.group(3)] = value
    return ident, classes, pairs


def count_words(text: str) -> int:
    """Words a reader reads in a line of Markdown, markup and URLs removed."""
    return len(WORD.findall(MARKUP.sub(" ", text)))


@dataclass
class Heading:
    level: int
    text: str
    ident: str
    classes: list[str]
    attrs: dict[str, str]
    line: int


@dataclass
class Div:
    classes: list[str]
    attrs: dict[str, str]
    ident: str
    start: int
    end: int = 0
    headings_inside: list[int] = field(default_factory=list)


@dataclass
class Image:
    alt: str
    src: str
    ident: str
    attrs: dict[str, str]
    line: int
    col: int
    is_figure: bool
    html: bool = False  # written as <img src alt>, not ![alt](src)


@dataclass
class Reference:
    target: str
    line: int
    col: int
    html: bool = False  # an <a href>: security.py checks its attributes as HTML


@dataclass
class Scan:
    """What a Markdown file holds, every item with its 1-based line."""

    headings: list[Heading] = field(default_factory=list)
    divs: list[Div] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    links: list[Reference] = field(default_factory=list)
    xrefs: list[Reference] = field(default_factory=list)
    unclosed_divs: list[Div] = field(default_factory=list)
    stray_div_closes: list[int] = field(default_factory=list)
    words_by_line: dict[int, int] = field(default_factory=dict)
    code_lines: set[int] = field(default_factory=set)


def scan(lines: list[str], first_line: int = 1) -> Scan:
    """Scan Markdown lines; `first_line` is the file line of `lines[0]`."""
    result = Scan()
    open_divs: list[Div] = []
    fence: str | None = None
    for offset, raw in enumerate(lines):
        number = first_line + offset
        text = raw.rstrip("\n")
        if fence:
            result.code_lines.add(number)
            result.words_by_line[number] = count_words(text)
            if text.strip().startswith(fence):
                fence = None
            continue
        opening = FENCE.match(text.strip())
        if opening:
            fence = opening.group(1)
            result.code_lines.add(number)
            continue
        if _scan_structure(text, number, result, open_divs):
            continue
        _scan_inline(text, number, result)
    result.unclosed_divs = open_divs
    _scan_html(lines, first_line, result)
    return result


def html_attributes(text: str) -> dict[str, str]:
    """The attributes of a raw HTML tag's inside, names lower-case, entities undone."""
    found = {}
    for match in HTML_ATTRIBUTE.finditer(text):
        value = (match.group(2) or "").strip("'\"")
        found[match.group(1).lower()] = html.unescape(value)
    return found


def _scan_html(lines: list[str], first_line: int, result: Scan) -> None:
    """Raw `<img>` (alone or in a `<figure>`) and `<a href>`, with the line each starts on.

    Code blocks and code spans are blanked out first: HTML shown as code is not HTML.
    """
    prose = [
        "" if first_line + offset in result.code_lines else CODE_SPAN.sub(_blank, raw)
        for offset, raw in enumerate(lines)
    ]
    text = "".join(line if line.endswith("\n") else line + "\n" for line in prose)
    if "<" not in text:
        return
    starts = [0]
    for line in prose:
        starts.append(starts[-1] + len(line) + (0 if line.endswith("\n") else 1))

    def where(offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(starts, offset) - 1
        return first_line + index, offset - starts[index] + 1

    figures = [
        (m.start(2), m.end(2), html_attributes(m.group(1)).get("id", ""))
        for m in HTML_FIGURE.finditer(text)
    ]
    for match in HTML_IMG.finditer(text):
        attrs = html_attributes(match.group(1))
        if "src" not in attrs:
            continue
        figure = next((f for f in figures if f[0] <= match.start() < f[1]), None)
        alt = {"alt": attrs["alt"]} if "alt" in attrs else {}
        line, col = where(match.start())
        ident = figure[2] if figure else ""
        result.images.append(
            Image("", attrs["src"], ident, alt, line, col, figure is not None, html=True)
        )
    for match in HTML_LINK.finditer(text):
        href = html_attributes(match.group(1)).get("href")
        if href is not None:
            result.links.append(Reference(href, *where(match.start()), html=True))
    result.images.sort(key=lambda image: (image.line, image.col))
    result.links.sort(key=lambda link: (link.line, link.col))


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


def _scan_structure(text: str, number: int, result: Scan, open_divs: list[Div]) -> bool:
    """Headings and fenced-div markers; True when the line is one of them."""
    heading = HEADING.match(text)
    if heading:
        ident, classes, attrs = parse_attributes(heading.group(3) or "")
        title = heading.group(2).rstrip("#").strip()
        result.headings.append(Heading(len(heading.group(1)), title, ident, classes, attrs, number))
        result.words_by_line[number] = count_words(title)
        for div in open_divs:
            div.headings_inside.append(number)
        _scan_inline(title, number, result, count=False)
        return True
    if DIV_CLOSE.match(text):
        if open_divs:
            div = open_divs.pop()
            div.end = number
        else:
            result.stray_div_closes.append(number)
        return True
    opening = DIV_OPEN.match(text)
    if opening:
        if opening.group(3):
            ident, classes, attrs = "", [opening.group(3)], {}
        else:
            ident, classes, attrs = parse_attributes(opening.group(2))
        div = Div(classes, attrs, ident, number)
        result.divs.append(div)
        open_divs.append(div)
        return True
    return False


def _scan_inline(text: str, number: int, result: Scan, count: bool = True) -> None:
    stripped = text.strip()
    extra_words = 0
    for match in IMAGE.finditer(text):
        ident, _classes, attrs = parse_attributes(match.group(3) or "")
        alone = stripped == match.group(0)
        result.images.append(
            Image(match.group(1), match.group(2), ident, attrs, number, match.start() + 1, alone)
        )
        extra_words += count_words(attrs.get("alt", ""))
    for match in LINK.finditer(text):
        result.links.append(Reference(match.group(1), number, match.start() + 1))
    for match in AUTOLINK.finditer(text):
        result.links.append(Reference(match.group(1), number, match.start() + 1))
    for match in XREF.finditer(text):
        result.xrefs.append(Reference(match.group(1), number, match.start() + 1))
    if count:
        result.words_by_line[number] = count_words(text) + extra_words
