"""book.yaml values that become links or Markdown in the book: the sample's call to action.

Its `text` and `url` are written into the teaser's Markdown as they are, so a
URL holding `)` or a space could end the link early and start an image or a raw
tag of its own, and the text could carry raw HTML or links. Both are held to the
chapters' rules and reported at their book.yaml line.
"""

from __future__ import annotations

import re

from ..errors import ERROR, Finding
from ..project.manuscript import MANUSCRIPT_DIR
from ..urls import normalize_url, url_scheme
from .security import SCHEME_HINT
from .template_links import markdown_findings

BOOK_FILE = f"{MANUSCRIPT_DIR}/book.yaml"
# Characters that end or escape a Markdown link target, or a quoted attribute.
BREAKS_LINK = re.compile(r"""[\s<>"'()\[\]{}\\`]""")


def check_book_values(book) -> list[Finding]:
    cta = book.sample.call_to_action if book.sample else None
    if cta is None:
        return []
    findings = []
    url_line = book.lines.get("sample.call_to_action.url", 1)
    if url_scheme(cta.url) not in ("https", "http") or not normalize_url(cta.url).startswith(
        ("https://", "http://")
    ):
        message = f"the call to action's url '{cta.url[:60]}' is not an http(s) address"
        findings.append(Finding(BOOK_FILE, url_line, 1, ERROR, "SEC004", message, SCHEME_HINT))
    elif BREAKS_LINK.search(cta.url):
        message = "the call to action's url holds a space, quote or bracket that ends the link"
        hint = "percent-encode it (%20, %28, %29 ...)"
        findings.append(Finding(BOOK_FILE, url_line, 1, ERROR, "SEC004", message, hint))
    text_line = book.lines.get("sample.call_to_action.text", 1)
    return findings + markdown_findings(cta.text, BOOK_FILE, text_line)
