"""The images a book packages: by the name chapters use for them, DOT diagrams as SVG."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..project.manuscript import MANUSCRIPT_DIR
from ..urls import is_remote
from .diagrams import load_diagram_theme, render_diagrams
from .remote import fetch_remote_images, remote_resource_name

MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


@dataclass
class Resource:
    """A file the book packages, by the name chapters use for it."""

    name: str
    path: Path
    media_type: str


def resource_name(src: str) -> str:
    """Where an image lives in the book: DOT sources become SVG."""
    if is_remote(src):
        return remote_resource_name(src)
    stem = src.rsplit(".", 1)[0] if src.endswith(".dot") else src
    flat = re.sub(r"[^\w.-]+", "-", stem).strip("-")
    return f"images/{flat}.svg" if src.endswith(".dot") else f"images/{flat}"


def collect_resources(project, cache: Path) -> tuple[dict[str, Resource], int]:
    """Every image the manuscript uses, with DOT diagrams rendered to SVG; and how many
    times Graphviz ran (0 when every diagram came from the cache)."""
    root = project.root / MANUSCRIPT_DIR
    dot_sources, shown, plain = {}, {}, {}
    for chapter in project.manuscript.chapters:
        for image in chapter.scan.images:
            name = resource_name(image.src)
            if is_remote(image.src):  # only there with --allow-remote: checks refuse it
                continue
            if image.src.endswith(".dot"):
                dot_sources[name] = root / image.src
                shown[name] = f"{MANUSCRIPT_DIR}/{image.src}"
            else:
                plain[name] = root / image.src
    remote = fetch_remote_images(project.manuscript.chapters, cache)
    plain.update({resource_name(url): path for url, path in remote.items()})
    runs = 0
    resources = {n: Resource(n, p, MEDIA_TYPES[p.suffix.lower()]) for n, p in plain.items()}
    if dot_sources:
        theme = load_diagram_theme(project.theme.file("diagrams.yaml"), project.theme.fonts_dir())
        limits = project.book.limits
        rendered, runs = render_diagrams(dot_sources, theme, cache / "diagrams", shown, limits)
        resources.update({n: Resource(n, p, "image/svg+xml") for n, p in rendered.items()})
    return resources, runs
