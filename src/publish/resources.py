"""The one door through which WeasyPrint reads files: confined to allowed roots."""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import PublishError


@functools.cache
def load_weasyprint():
    """Import WeasyPrint once per process (the import alone costs most of a second)."""
    import weasyprint

    return weasyprint


class ResourceRefused(PublishError):
    """A document asked for something outside the project, or on the network."""


def confined_fetcher(roots: list[Path]):
    """A WeasyPrint URL fetcher that serves `data:` and files under `roots`, nothing else."""
    weasyprint = load_weasyprint()
    urls = weasyprint.urls

    class ConfinedFetcher(urls.URLFetcher):
        refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path))
                if any(path.resolve().is_relative_to(root.resolve()) for root in roots):
                    return urls.URLFetcherResponse(url, body=path.read_bytes())
                self.refused.append(f"{path}: outside the project")
            else:
                self.refused.append(f"{url}: remote resources are not fetched")
            raise urls.FatalURLFetchingError(f"refused {url}")

    return ConfinedFetcher()
