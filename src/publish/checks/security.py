"""The raw HTML and link policy of a manuscript, checked line by line.

pandoc passes a chapter's raw HTML through only because this module has refused,
with the line, every element and attribute outside the short allowlist of
`inline_html.py` (`<kbd>`, `<sup>`, `<details>`, `<figure><img>` ...), and above
all what could run code, pull content in or reach a file: dangerous elements,
event handlers, `rel=attachment` and links whose scheme is not `https:`,
`http:`, `mailto:` or internal. HTML comments are left out of the book, as on
GitHub. `check_rendered` looks at pandoc's output once more, so a construct the
line scanner cannot see (a link split over two lines, say) still stops the
build, and `check_sanitized` stops it when nh3 had to remove anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import zip_longest

import tinycss2

from ..errors import ERROR, Finding, FindingsError
from ..project.scan import parse_attributes
from ..urls import is_remote, normalize_url, refused_link_scheme
from .codes import FIXES
from .inline_html import INSTEAD, refused_attribute, refused_element

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "link",
    "style",
    "meta",
    "base",
    "form",
    "portal",
    "noscript",
    "template",
    "svg",
    "math",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "cite",
    "longdesc",
    "usemap",
    "manifest",
    "ping",
    "lowsrc",
    "dynsrc",
    "codebase",
    "archive",
    "classid",
    "profile",
    "icon",
    "xlink:href",
}
CLOSING_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)([^<>]*)(>?)")
HTML_ATTRIBUTE = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
ATTRIBUTE_BLOCK = re.compile(r"\{([^{}]*=[^{}]*)\}")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[((?:[^\]\\]|\\.)+)\]:\s*(\S+)")
IMAGE_REFERENCE = re.compile(r"!\[((?:[^\]\\]|\\.)*)\](?:\[((?:[^\]\\]|\\.)*)\])?(?![(\[])")
RAW_HINT = "write it in Markdown; pandoc attributes {#id .class} cover most needs"
SCHEME_HINT = "links may use https:, http:, mailto: or point inside the book (#id)"

Report = Callable[[int, int, str, str, str, str], None]


@dataclass
class OpenTag:
    """A raw tag whose `>` is on a later line."""

    name: str
    line: int
    col: int


def attribute_problem(name: str, value: str) -> tuple[str, str, str] | None:
    """(code, message, hint) when an HTML or pandoc attribute is refused."""
    name, value = name.lower(), value.strip().strip("'\"")
    if name.startswith("on"):
        return "SEC003", f"event-handler attribute '{name}' is refused", "books run no scripts"
    if name == "rel" and "attachment" in value.lower().split():
        return "SEC005", "rel=attachment is refused", "link to the file on the web instead"
    if name in URL_ATTRIBUTES or name.endswith("href"):
        for candidate in value.split(",") if name == "srcset" else [value]:
            words = candidate.split()
            scheme = refused_link_scheme(words[0]) if words else None
            if scheme:
                return "SEC004", f"'{scheme}:' in {name}= is refused", SCHEME_HINT
    if name == "style" and css_has_url(value):
        return "SEC004", "url() in a style attribute is refused", "put styles in styles/custom.css"
    return None


def css_has_url(text: str) -> bool:
    """Whether CSS text names any URL (escapes in `u\\rl(` are undone by the tokenizer)."""
    return any(kind == "url" for kind, _value, _line in css_references(text))


def css_references(css: str) -> list[tuple[str, str, int]]:
    """(kind, value, line) for every @import, url() and local() in CSS text."""
    found: list[tuple[str, str, int]] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            target = next(
                (t for t in rule.prelude if t.type in ("url", "string", "function")), None
            )
            value = _token_url(target) if target is not None else ""
            found.append(("import", value or "", rule.source_line))
            continue
        _walk_tokens(getattr(rule, "prelude", None) or [], found)
        _walk_tokens(getattr(rule, "content", None) or [], found)
    if not found and "url" in css.lower():
        _walk_tokens(tinycss2.parse_component_value_list(css, skip_comments=True), found)
    return found


def _token_url(token) -> str | None:
    if token.type in ("url", "string"):
        return token.value
    if token.type == "function" and token.lower_name == "url":
        return next((t.value for t in token.arguments if t.type == "string"), "")
    return None


def _walk_tokens(tokens, found: list[tuple[str, str, int]]) -> None:
    for token in tokens:
        if token.type == "url":
            found.append(("url", token.value, token.source_line))
        elif token.type == "function":
            name = token.lower_name
            if name == "url":
                found.append(("url", _token_url(token) or "", token.source_line))
            elif name == "local":
                found.append(("local", tinycss2.serialize(token.arguments), token.source_line))
            elif name in ("image", "image-set", "-webkit-image-set", "cross-fade"):
                found.extend(
                    ("url", t.value, t.source_line) for t in token.arguments if t.type == "string"
                )
            _walk_tokens(token.arguments, found)
        elif token.type in ("() block", "[] block", "{} block"):
            _walk_tokens(token.content, found)


def prose_lines(chapter) -> Iterator[tuple[int, str]]:
    """(line number, text) of a chapter's body outside code, code spans blanked out."""
    for number, raw in enumerate(chapter.lines[chapter.body_start - 1 :], chapter.body_start):
        if number in chapter.scan.code_lines:
            continue
        yield number, CODE_SPAN.sub(lambda m: " " * len(m.group(0)), raw.rstrip("\n"))


def check_chapter(chapter, add: Report, allow_remote: bool) -> None:
    """Every raw HTML, attribute and link problem of one chapter, with its line."""
    open_tag: OpenTag | None = None
    references: dict[str, tuple[str, int]] = {}
    for number, text in prose_lines(chapter):
        if open_tag is not None:
            open_tag = _check_tag_continuation(open_tag, text, number, add)
        else:
            open_tag = _check_raw_html(text, number, add)
        _check_attribute_blocks(text, number, add)
        definition = REFERENCE_DEFINITION.match(text)
        if definition:
            references[definition.group(1).lower()] = (definition.group(2), number)
            _check_link(definition.group(2), number, definition.start(2) + 1, add)
    for link in chapter.scan.links:
        if not link.html:  # raw <a href> is checked with its tag's other attributes
            _check_link(link.target, link.line, link.col, add)
    _check_image_references(chapter, references, add)
    if not allow_remote:
        for image in chapter.scan.images:
            if is_remote(image.src):
                add(
                    image.line,
                    image.col,
                    ERROR,
                    "SEC007",
                    f"remote image '{image.src}' is not downloaded",
                    "copy it into manuscript/, or build with --allow-remote to download it once",
                )


def _check_link(target: str, line: int, col: int, add: Report) -> None:
    scheme = refused_link_scheme(target)
    if scheme:
        add(line, col, ERROR, "SEC004", f"'{scheme}:' link is refused", SCHEME_HINT)


def _check_raw_html(text: str, number: int, add: Report) -> OpenTag | None:
    """Report raw HTML on a line outside the allowlist; the tag left open at its end."""
    open_tag = None
    opened = set()
    for match in TAG.finditer(text):
        name = match.group(1).lower()
        complete = bool(match.group(3))
        if _escaped(text, match.start()) and name not in DANGEROUS_TAGS:
            continue  # `\<b>` is the text "<b>"
        if name in DANGEROUS_TAGS:
            add(
                number,
                match.start() + 1,
                ERROR,
                "SEC001",
                f"raw <{name}> is refused",
                "books run no scripts and embed nothing from outside; "
                + INSTEAD.get(name, RAW_HINT),
            )
        elif complete:
            _refuse_element(name, number, match.start() + 1, add)
        _check_html_attributes(name, match.group(2), number, match.start(2) + 1, add)
        opened.add(name)
        open_tag = None if complete else OpenTag(name, number, match.start() + 1)
    for match in CLOSING_TAG.finditer(text):
        name = match.group(1).lower()
        if name not in opened | DANGEROUS_TAGS and not _escaped(text, match.start()):
            _refuse_element(name, number, match.start() + 1, add)
    return open_tag


def _escaped(text: str, index: int) -> bool:
    """Whether the character at `index` follows an odd run of backslashes."""
    run = len(text[:index]) - len(text[:index].rstrip("\\"))
    return run % 2 == 1


def _refuse_element(name: str, number: int, col: int, add: Report) -> None:
    refusal = refused_element(name)
    if refusal:
        add(number, col, ERROR, "SEC002", *refusal)


def _check_tag_continuation(tag: OpenTag, text: str, number: int, add: Report) -> OpenTag | None:
    """Attributes of a raw tag that goes on over several lines (a blank line ends it:
    pandoc then reads no tag at all)."""
    if not text.strip():
        return None
    end = text.find(">")
    _check_html_attributes(tag.name, text if end < 0 else text[:end], number, 1, add)
    if end < 0:
        return tag
    if tag.name not in DANGEROUS_TAGS:
        _refuse_element(tag.name, tag.line, tag.col, add)
    return _check_raw_html(text[end + 1 :], number, add)


def _check_html_attributes(tag: str, text: str, number: int, col: int, add: Report) -> None:
    for match in HTML_ATTRIBUTE.finditer(text):
        problem = attribute_problem(match.group(1), match.group(2) or "")
        if problem:
            add(number, col + match.start(), ERROR, *problem)
            continue
        refusal = refused_attribute(tag, match.group(1))
        if refusal:
            add(number, col + match.start(), ERROR, "SEC011", *refusal)


def _check_attribute_blocks(text: str, number: int, add: Report) -> None:
    """pandoc's `{key=value}` attributes reach the HTML as they are: check them too."""
    for block in ATTRIBUTE_BLOCK.finditer(text):
        _ident, _classes, pairs = parse_attributes(block.group(1))
        for name, value in pairs.items():
            problem = attribute_problem(name, value)
            if problem:
                add(number, block.start() + 1, ERROR, *problem)


def _check_image_references(chapter, references: dict[str, tuple[str, int]], add: Report) -> None:
    for number, text in prose_lines(chapter):
        for match in IMAGE_REFERENCE.finditer(text):
            label = (match.group(2) or match.group(1)).lower()
            if label in references:
                add(
                    number,
                    match.start() + 1,
                    ERROR,
                    "IMG005",
                    "images must be written inline, not as references",
                    f"write ![alt]({references[label][0]}) so the build can check the file",
                )


def check_rendered(parts, packaged: set[str]) -> None:
    """Refuse anything unsafe left in pandoc's HTML, pointing at the line that made it.

    `parts` pairs each rendered element (a chapter's section, a footnote) with the
    chapter it came from, or None when unknown: then every chapter is searched.
    """
    chapters = [chapter for _element, chapter in parts if chapter is not None]
    findings = []
    for root, source in parts:
        for element in root.iter():
            for problem in _element_problems(element, packaged):
                findings.append(_locate([source] if source else chapters, problem))
    if findings:
        raise FindingsError(sorted(set(findings)))


def _element_problems(element, packaged: set[str]) -> Iterator[tuple[str, str, str]]:
    """(code, message, the text to look for in the source) for one rendered element."""
    if not isinstance(element.tag, str):
        return
    tag = element.tag.lower()
    # pandoc's own MathML for TeX math (render/math.py); raw HTML never reaches its output
    if tag in DANGEROUS_TAGS and tag != "math":
        yield "SEC001", f"<{tag}> is refused", f"<{tag}"
    for name, value in element.attrib.items():
        problem = attribute_problem(name, value)
        if problem:
            yield problem[0], problem[1], normalize_url(value)[:40] or name
    source = element.get("src")
    if tag == "img" and source is not None and source not in packaged:
        yield "SEC006", f"image '{source}' is not a file the build checked", source


def _locate(chapters, problem: tuple[str, str, str]) -> Finding:
    """The finding, at the first line of `chapters` that holds the offending text."""
    code, message, needle = problem
    key = normalize_url(needle)
    for chapter in chapters:
        # a line and the next: text pandoc joined (a link split over two lines) is found too
        pairs = zip(chapter.lines, [*chapter.lines[1:], ""], strict=True)
        for number, (text, following) in enumerate(pairs, 1):
            here, joined = normalize_url(text), normalize_url(text + following)
            split = key in joined and key not in normalize_url(following)
            if key and (key in here or split):
                path, line = chapter.where(number)  # included text: the part's own line
                return Finding(
                    path,
                    line,
                    1,
                    ERROR,
                    code,
                    message,
                    FIXES[code],
                )
    name = f"manuscript/{chapters[0].name}" if len(chapters) == 1 else "manuscript"
    return Finding(name, 1, 1, ERROR, code, message, FIXES[code])


def check_sanitized(parts, cleaned) -> None:
    """Refuse an edition the sanitizer had to change: what it removed would be lost
    without a word. `parts` pairs pandoc's elements with their chapters (as for
    check_rendered), `cleaned` holds nh3's copies of the same elements."""
    findings = []
    for (root, source), clean in zip(parts, cleaned, strict=True):
        for before, after in zip_longest(_signatures(root), _signatures(clean)):
            if before != after:
                chapters = [source] if source else [c for _e, c in parts if c is not None]
                findings.append(_locate(chapters, _sanitizer_change(before, after)))
                break
    if findings:
        raise FindingsError(sorted(set(findings)))


def _sanitizer_change(before, after) -> tuple[str, str, str]:
    """(code, message, text to look for) for the first element nh3 changed."""
    if before is None:
        return "SEC002", "the sanitizer changed the chapter's HTML", ""
    tag, attributes = before
    if after is not None and after[0] == tag:
        lost = sorted(dict(attributes).keys() - dict(after[1]).keys()) or ["?"]
        return "SEC011", f"attribute '{lost[0]}' on <{tag}> is outside what a book renders", lost[0]
    return "SEC002", f"<{tag}> is outside the HTML a book renders", f"<{tag}"


def _signatures(root) -> Iterator[tuple[str, tuple]]:
    """(tag, sorted attributes) of every element, comments and the like left out."""
    for element in root.iter():
        if isinstance(element.tag, str):
            yield element.tag, tuple(sorted(element.attrib.items()))
