"""Reading a built web edition as a visitor's browser would: its pages, links and index."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

INDEX_PREFIX = "window.PUBLISH_SEARCH = "


def page(site: Path, name: str):
    return lxml.html.document_fromstring((site / name).read_bytes())


def pages(site: Path) -> list[str]:
    return sorted(p.name for p in site.glob("*.html"))


def reading_path(site: Path) -> list[str]:
    """The pages met by following "next" from the title page, and checked back by "prev"."""
    path = ["index.html"]
    while True:
        links = page(site, path[-1]).xpath("//nav[@class='pager']/a[@rel='next']/@href")
        if not links:
            return path
        following = links[0]
        back = page(site, following).xpath("//nav[@class='pager']/a[@rel='prev']/@href")
        assert back == [path[-1]], (following, back)
        assert following not in path, f"the path loops at {following}"
        path.append(following)


def search_data(site: Path) -> dict:
    text = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith(INDEX_PREFIX) and text.endswith(";\n")
    return json.loads(text[len(INDEX_PREFIX) : -2])


def local_link_problems(site: Path) -> list[str]:
    """Every href and src of every page that names a file or id the site lacks."""
    problems = []
    for name in pages(site):
        root = page(site, name)
        for element, attribute in (
            *((e, "href") for e in root.xpath("//*[@href]")),
            *((e, "src") for e in root.xpath("//*[@src]")),
        ):
            target = element.get(attribute)
            parts = urlsplit(target)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme and not target.startswith("/"), (name, target)
            file_name = parts.path or name
            if not (site / file_name).is_file():
                problems.append(f"{name}: {target} (no file)")
            elif parts.fragment and file_name.endswith(".html"):
                ids = page(site, file_name).xpath("//@id")
                if parts.fragment not in ids:
                    problems.append(f"{name}: {target} (no such id)")
    return problems


def site_text(site: Path) -> str:
    """Every text file of the site, its markup and JSON punctuation dropped."""
    parts = []
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".js", ".css", ".txt", ".svg", ".json"):
            parts.append(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8", errors="ignore")))
    return " ".join(parts)


def main_paragraphs(site: Path, name: str) -> list[str]:
    root = page(site, name)
    return [
        " ".join(p.text_content().split())
        for p in root.xpath("//main//p | //main//li[not(p)] | //main//td")
        if p.text_content().strip()
    ]


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.lower().replace("’", "'")).split()


def leaked_runs(full: Path, sample: Path, size: int = 10) -> tuple[int, list[str]]:
    """How many paid paragraphs there are (the full site's chapter text the sample's
    chapters do not show), and every run of `size` of their words found anywhere in
    the sample site: pages, search index, scripts, styles, SVGs."""
    shown = {p for name in pages(sample) for p in main_paragraphs(sample, name)}
    paid = [
        text
        for name in pages(full)
        if name.startswith("chapter-") or name == "answers.html"
        for text in main_paragraphs(full, name)
        if text not in shown
    ]
    corpus = " ".join(words(site_text(sample)))
    leaks = []
    for paragraph in paid:
        paid_words = words(paragraph)
        for start in range(len(paid_words) - size + 1):
            run = " ".join(paid_words[start : start + size])
            if run in corpus:
                leaks.append(run)
    return len(paid), leaks
