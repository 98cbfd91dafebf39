"""The raw HTML a chapter may hold: a short allowlist of harmless elements.

Authors bring `<kbd>`, `<br>`, `<sup>`, `<details>` and `<figure><img>` from
GitHub, mdBook and blogs. These, with only the attributes listed here, reach
the book; any other element or attribute is refused at its line with the
Markdown to write instead. `render/sanitize.py` applies the same allowlist
again (through nh3) to what pandoc makes of it, so the check is not the only
wall.
"""

from __future__ import annotations

# element -> the attributes it may carry (URLs still go through the URL policy).
ALLOWED_HTML: dict[str, frozenset[str]] = {
    "kbd": frozenset(),
    "sup": frozenset(),
    "sub": frozenset(),
    "br": frozenset(),
    "mark": frozenset(),
    "abbr": frozenset({"title"}),
    "small": frozenset(),
    "s": frozenset(),
    "u": frozenset(),
    "details": frozenset({"open"}),
    "summary": frozenset(),
    "figure": frozenset({"id"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "figcaption": frozenset(),
    "a": frozenset({"href", "title"}),
}

# What to write in Markdown instead of an element the book does not render.
INSTEAD: dict[str, str] = {
    "kbd": "write [Ctrl]{.kbd}",
    "br": "end the line with a backslash \\ for a line break",
    "sup": "write x^2^ for a superscript",
    "sub": "write H~2~O for a subscript",
    "mark": "write [text]{.mark}",
    "small": "write <small>text</small> with no attributes",
    "s": "write ~~text~~ for struck-out text",
    "del": "write ~~text~~ for struck-out text",
    "strike": "write ~~text~~ for struck-out text",
    "u": "write [text]{.underline}",
    "ins": "write [text]{.underline}",
    "abbr": 'write <abbr title="Full name">ABBR</abbr> with no other attribute',
    "details": 'write a fenced div: ::: {.callout title="Summary"} ... :::',
    "summary": 'write a fenced div: ::: {.callout title="Summary"} ... :::',
    "figure": 'write ![Caption](img/x.png){#fig:name alt="what it shows"} on its own line',
    "figcaption": 'write ![Caption](img/x.png){alt="what it shows"} on its own line',
    "img": 'write ![Caption](img/x.png){alt="what it shows"}',
    "a": "write [text](https://...) for a link, []{#name} for an anchor",
    "b": "write **bold**",
    "strong": "write **bold**",
    "i": "write *italic*",
    "em": "write *italic*",
    "cite": "write *italic*",
    "code": "write `code`",
    "tt": "write `code`",
    "var": "write *x*",
    "pre": "write a fenced code block between ``` lines",
    "p": "leave a blank line between paragraphs",
    "div": "write a fenced div: ::: {.name} ... :::",
    "span": "write [text]{.name}",
    "font": "write [text]{.name} and style .name in styles/custom.css",
    "center": "write ::: {.center} ... ::: and style .center in styles/custom.css",
    "blockquote": "start each line with >",
    "q": "write the quotation marks themselves",
    "hr": "write --- on its own line between blank lines",
    "ul": "write - item lines",
    "ol": "write 1. item lines",
    "li": "write - item or 1. item lines",
    "dl": "write a definition list: Term, then : definition",
    "dt": "write a definition list: Term, then : definition",
    "dd": "write a definition list: Term, then : definition",
    "table": "write a pipe table: | a | b |",
    "tr": "write a pipe table: | a | b |",
    "td": "write a pipe table: | a | b |",
    "th": "write a pipe table: | a | b |",
    "video": "link to the video: [Watch it](https://...)",
    "audio": "link to the recording: [Listen](https://...)",
    "script": "delete it",
    "iframe": "link to the page instead: [Watch it](https://...)",
    "object": "link to the file instead: [Open it](https://...)",
    "embed": "link to the file instead: [Open it](https://...)",
    "style": "put styles in styles/custom.css",
    "link": "put styles in styles/custom.css; link with [text](https://...)",
    "svg": 'save the drawing as an .svg file and write ![Caption](img/x.svg){alt="..."}',
    "math": "write TeX math between $ signs",
}
INSTEAD.update({f"h{level}": f"write {'#' * level} Heading" for level in range(1, 7)})

ALLOWED_LIST = ", ".join(f"<{name}>" for name in ALLOWED_HTML)
GENERAL_HINT = (
    f"write it in Markdown (the HTML a book renders is {ALLOWED_LIST}); for a literal < write \\<"
)
ATTRIBUTE_INSTEAD = {
    "style": "put styles in styles/custom.css and write [text]{.name}",
    "class": "write pandoc attributes instead: [text]{.name}",
    "id": "write pandoc attributes instead: [text]{#name}",
    "target": "delete it: the reading system decides where a link opens",
    "rel": "delete it: the reading system decides where a link opens",
    "loading": "delete it: a book's images are packaged inside it",
}


def refused_element(name: str) -> tuple[str, str] | None:
    """(message, hint) when a raw element is not rendered, None when it is allowed."""
    if name in ALLOWED_HTML:
        return None
    hint = INSTEAD.get(name, GENERAL_HINT)
    return f"raw <{name}> is not among the HTML a book renders", hint


def refused_attribute(element: str, attribute: str) -> tuple[str, str] | None:
    """(message, hint) when an allowed element carries an attribute outside the allowlist."""
    attribute = attribute.lower()
    allowed = ALLOWED_HTML.get(element)
    if allowed is None or attribute in allowed:
        return None
    kept = ", ".join(sorted(allowed)) or "no attributes"
    hint = ATTRIBUTE_INSTEAD.get(attribute) or INSTEAD.get(element, GENERAL_HINT)
    return f"'{attribute}' on raw <{element}> is refused (it may carry {kept})", hint
