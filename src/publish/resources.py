"""The one door through which WeasyPrint reads files: confined to allowed roots."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .confine import locate_reference
from .errors import ERROR, Finding, PublishError
from .fsutil import is_inside
from .theme import DEFAULT_THEME

# Lists the theme's font folder and nothing of the machine's (see the file).
FONTCONFIG_FILE = DEFAULT_THEME / "fonts" / "fonts.conf"
_ENVIRONMENT = threading.Lock()


@contextmanager
def _theme_fontconfig() -> Iterator[None]:
    """Fontconfig reads FONTCONFIG_FILE each time a configuration is made: point it at the
    theme's file meanwhile, so a glyph the book's fonts lack can never come from the build
    machine's fonts (PDFs stay the same on every machine). Restored at once, so other
    programs the process starts (Chromium, Java) keep the machine's fonts."""
    with _ENVIRONMENT:
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(FONTCONFIG_FILE)
        try:
            yield
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before


@functools.cache
def load_weasyprint():
    """Import WeasyPrint once per process (the import alone costs most of a second)."""
    with _theme_fontconfig():  # its import checks the font configuration
        import weasyprint

    return weasyprint


def font_configuration():
    """A WeasyPrint font configuration that knows the theme's fonts and no machine font;
    give it to every CSS and render call of a document."""
    weasyprint = load_weasyprint()
    with _theme_fontconfig():
        return weasyprint.text.fonts.FontConfiguration()


class ResourceRefused(PublishError):
    """A document asked for something outside the project, or on the network."""


def confined_fetcher(roots: list[Path]):
    """A WeasyPrint URL fetcher that serves `data:` and files under `roots`, nothing else.

    Anything else stops the rendering (a plain exception would only make WeasyPrint
    warn and drop the resource); `refusals_as_errors` turns that into an error.
    """
    weasyprint = load_weasyprint()
    urls = weasyprint.urls

    class ConfinedFetcher(urls.URLFetcher):
        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise _refusal(urls, url, "SEC007", "is remote: the build fetches nothing")
            path = Path(unquote(urlsplit(url).path))
            if not is_inside(path, roots):
                raise _refusal(urls, url, "SEC006", "is outside the project")
            if not path.is_file():
                raise _refusal(urls, url, "MS001", "does not exist")
            return urls.URLFetcherResponse(url, body=path.read_bytes())

    return ConfinedFetcher()


def _refusal(urls, url: str, code: str, reason: str):
    error = urls.FatalURLFetchingError(f"{url} {reason}")
    error.url, error.code, error.reason = url, code, reason
    return error


@contextmanager
def refusals_as_errors(project: Path) -> Iterator[None]:
    """Turn the fetcher's refusals into an error naming the file and line that asked."""
    urls = load_weasyprint().urls
    try:
        yield
    except urls.FatalURLFetchingError as exc:
        url = getattr(exc, "url", "")
        shown, line = locate_reference(url, project)
        where = unquote(urlsplit(url).path) if url.startswith("file:") else url
        finding = Finding(
            shown,
            line,
            1,
            ERROR,
            getattr(exc, "code", "SEC006"),
            f"'{where}' {getattr(exc, 'reason', exc)}",
            "keep every file the book uses inside the project",
        )
        raise ResourceRefused(finding.format()) from None
