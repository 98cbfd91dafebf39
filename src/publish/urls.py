"""Which URLs a book may contain, decided the way a browser would read them.

A link may point at the web (`https:`, `http:`), at an e-mail address
(`mailto:`) or inside the book (`#id`, a relative path). Everything else —
`javascript:`, `vbscript:`, `data:`, `file:` and any unknown scheme — is
refused, after undoing the disguises a browser would undo too (HTML entities,
Markdown backslash escapes, embedded whitespace and control characters).
"""

from __future__ import annotations

import html
import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

LINK_SCHEMES = {"http", "https", "mailto"}
REMOTE_SCHEMES = {"http", "https"}
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def normalize_url(raw: str) -> str:
    """The URL a reader's browser would end up following, for deciding on its scheme."""
    text = MARKDOWN_ESCAPE.sub(r"\1", html.unescape(raw.strip().strip("<>")))
    return INVISIBLE.sub("", text)


def url_scheme(raw: str) -> str | None:
    """The lower-case scheme, 'http' for protocol-relative `//host`, None for relative URLs."""
    url = normalize_url(raw)
    if url.startswith("//"):
        return "http"
    match = SCHEME.match(url)
    return match.group(1).lower() if match else None


def is_remote(raw: str) -> bool:
    return url_scheme(raw) in REMOTE_SCHEMES


def refused_link_scheme(raw: str) -> str | None:
    """The scheme that makes this link refused, or None when the link is allowed."""
    scheme = url_scheme(raw)
    if scheme is None or scheme in LINK_SCHEMES:
        return None
    return scheme


def remote_suffix(url: str) -> str:
    """The file type a remote URL's path names (`.png`), lower-case."""
    return PurePosixPath(urlsplit(url).path).suffix.lower()
