"""`--allow-remote`: download each remote image once into the build cache.

Books never hot-link: a remote image is fetched with urllib, checked to be the
image type its URL names, kept in `build/.cache/remote/` under the hash of its
URL, and packaged like any local image. Later builds reuse the cached copy.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from ..cache_entries import read_entry, write_entry
from ..errors import ERROR, Finding, FindingsError
from ..urls import REMOTE_SCHEMES, is_remote, remote_suffix
from .svg_sanitize import inspect_svg

REMOTE_DIR = "remote"
MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_SECONDS = 30
SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".svg": (b"<svg", b"<?xml", b"<!--"),
}


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects between http(s) URLs only (urllib would also follow ftp:)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in REMOTE_SCHEMES:
            raise urllib.error.URLError(f"redirect to {newurl} refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def cache_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def remote_resource_name(url: str) -> str:
    """The image's name inside the book: stable for a URL, free of the URL's characters."""
    return f"images/remote-{cache_key(url)[:16]}{remote_suffix(url)}"


def download(url: str) -> bytes:
    opener = urllib.request.build_opener(_WebOnlyRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": f"publish/{__version__}"})
    with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        data = response.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    return data


def fetch_remote_image(url: str, cache: Path) -> Path:
    """The cached copy of `url`, downloaded on first use; ValueError/OSError when it fails."""
    suffix = remote_suffix(url)
    target = cache / REMOTE_DIR / f"{cache_key(url)}{suffix}"
    if read_entry(target) is not None:
        return target
    data = download(url)
    if not data.lstrip()[:64].startswith(SIGNATURES.get(suffix, (b"\0invalid",))):
        raise ValueError(f"the file is not a {suffix.lstrip('.').upper()} image")
    if suffix == ".svg":
        clean = inspect_svg(data)
        if clean.refused:
            raise ValueError(f"the SVG is refused: {clean.refused[0].message}")
        data = clean.data
    write_entry(target, data, cache)
    return target


def fetch_remote_images(chapters, cache: Path) -> dict[str, Path]:
    """Cached files of every remote image the chapters use, by URL; findings when any fails."""
    found: dict[str, Path] = {}
    findings = []
    for chapter in chapters:
        for image in chapter.scan.images:
            if not is_remote(image.src) or image.src in found:
                continue
            try:
                found[image.src] = fetch_remote_image(image.src, cache)
            except (OSError, ValueError) as exc:
                path, line = chapter.where(image.line)
                findings.append(
                    Finding(
                        path,
                        line,
                        image.col,
                        ERROR,
                        "SEC009",
                        f"cannot download '{image.src}': {exc}",
                        "check the URL, or copy the image into manuscript/",
                    )
                )
    if findings:
        raise FindingsError(findings)
    return found
