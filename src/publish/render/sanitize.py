"""nh3 (Rust's ammonia) over pandoc's HTML: the second wall behind the source check.

pandoc passes a chapter's raw HTML through only after `checks/security.py` has
refused everything outside the inline allowlist. Should a construct slip past
that line scanner, this pass still keeps only the elements and attributes
pandoc itself writes plus the allowlisted raw ones, with link schemes limited
to the URL policy's. `check_rendered` then refuses, with the line, anything
dangerous that is left; nothing dangerous is in nh3's allowlist to begin with.
"""

from __future__ import annotations

import nh3

from ..checks.inline_html import ALLOWED_HTML
from ..urls import LINK_SCHEMES

# What pandoc's HTML5 writer makes of Markdown (figures, tables, footnotes,
# highlighted code, task lists, definition lists) ...
PANDOC_TAGS = {
    *("section", "div", "span", "p", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br"),
    *("a", "img", "figure", "figcaption", "em", "strong", "del", "ins", "u", "s", "mark"),
    *("sup", "sub", "code", "kbd", "samp", "var", "pre", "blockquote", "q", "cite", "small"),
    *("ul", "ol", "li", "dl", "dt", "dd", "label", "input", "abbr", "details", "summary"),
    *("table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"),
}
# ... and MathML, for `--mathml` (pure markup: no scripts, no URLs).
MATHML_TAGS = {
    *("math", "semantics", "annotation", "annotation-xml", "mrow", "mi", "mn", "mo", "ms"),
    *("mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover"),
    *("munder", "munderover", "mtable", "mtr", "mtd", "mlabeledtr", "mstyle", "mpadded"),
    *("mphantom", "menclose", "merror", "mfenced", "mmultiscripts", "mprescripts", "none"),
}
MATHML_ATTRIBUTES = {
    *("display", "xmlns", "mathvariant", "stretchy", "fence", "form", "accent", "accentunder"),
    *("columnalign", "rowalign", "rowspacing", "columnspacing", "linethickness", "displaystyle"),
    *("scriptlevel", "lspace", "rspace", "minsize", "maxsize", "movablelimits", "separator"),
    *("encoding", "width", "height", "depth", "notation", "open", "close", "separators"),
    *("largeop", "symmetric", "voffset", "columnlines", "rowlines", "frame", "equalrows"),
}
# Attributes pandoc writes from `{#id .class key=value}`: it keeps HTML5 attribute
# names and makes every other key data-*. These are the harmless HTML5 ones (no
# event handlers, nothing that loads a URL; security.py refuses those at the line).
GENERIC_ATTRIBUTES = {
    *("id", "class", "lang", "dir", "title", "style", "role", "hidden", "for", "name"),
    *("width", "height", "align", "label", "value", "type", "span", "colspan", "rowspan"),
    *("scope", "headers", "start", "reversed", "open", "datetime", "tabindex", "target"),
    *("rel", "abbr", "accesskey", "translate", "spellcheck", "itemprop", "itemscope"),
    *("itemtype", "itemid", "checked", "disabled", "selected", "readonly", "size", "cols"),
    *("rows", "max", "min", "low", "high", "optimum", "color", "cite"),
}
TAG_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"type", "start", "reversed"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span", "width"},
    "input": {"type", "checked", "disabled"},
    "details": {"open"},
    "abbr": {"title"},
}


def _attributes() -> dict[str, set[str]]:
    allowed = {"*": set(GENERIC_ATTRIBUTES)}
    for tag, names in TAG_ATTRIBUTES.items():
        allowed.setdefault(tag, set()).update(names)
    for tag, names in ALLOWED_HTML.items():
        allowed.setdefault(tag, set()).update(names)
    for tag in MATHML_TAGS:
        allowed.setdefault(tag, set()).update(MATHML_ATTRIBUTES)
    return allowed


ALLOWED_TAGS = PANDOC_TAGS | set(ALLOWED_HTML) | MATHML_TAGS
ALLOWED_ATTRIBUTES = _attributes()


def sanitize(html: str, local_files: bool = False) -> str:
    """pandoc's HTML with every element and attribute outside the allowlist removed.

    `local_files` keeps `file:` URLs, for a cheatsheet whose images the build pointed
    at checked files before pandoc ran. `link_rel=None`: nh3 would otherwise add
    rel="noopener noreferrer" to every link, which means nothing in a book. Comments
    go, as authors expect of Markdown.
    """
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        generic_attribute_prefixes={"data-", "aria-"},
        url_schemes=set(LINK_SCHEMES) | ({"file"} if local_files else set()),
        link_rel=None,
        strip_comments=True,
    )
