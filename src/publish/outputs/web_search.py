"""The web edition's search index, built at build time with lunr.py.

One search document per section a reader can land on: a chapter's opening (up to its
first `##`) and each `##` section, with the text of everything under it. lunr.py builds
the index in lunr.js's own format (tokens, stemming, stop words and the scores lunr.js
ranks by), and the site's `search.js` queries it with the vendored lunr.js. The index
and the sections' text go into one script, `search-index.js`, which a page loads with
`<script src>`: browsers refuse `fetch()` of a JSON file from `file://`.

The documents hold only the edition's own text, so the sample's index holds nothing of
the paid text (the leak test reads it as it reads every other file of the site).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from lunr import lunr
from lunr.builder import Builder
from lunr.stemmer import porter_stemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.trimmer import trimmer

from .web_pages import Page

INDEX_SCRIPT = "assets/search-index.js"
TITLE_BOOST = 5
SKIPPED = {"footnote-ref", "footnote-back", "answer-link", "back-link"}
BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "dt", "dd", "td", "th", "pre", "figcaption", "summary")


@dataclass(frozen=True)
class SearchDocument:
    ref: str
    url: str
    title: str
    chapter: str
    text: str


def search_documents(pages: list[Page]) -> list[SearchDocument]:
    """The sections of every chapter page, in reading order."""
    documents = []
    for number, page in enumerate(pages, 1):
        chapter = page.chapter
        if chapter is None:
            continue
        opening = [child for child in chapter.element if "level2" not in child.classes]
        parts = [(page.file_name, page.title, opening)]
        for section in chapter.element.find_class("level2"):
            heading = section.find("h2")
            title = " ".join(heading.text_content().split()) if heading is not None else ""
            parts.append((f"{page.file_name}#{section.get('id')}", title or page.title, [section]))
        for index, (url, title, elements) in enumerate(parts):
            text = " ".join(_text(element) for element in elements).strip()
            if text:
                documents.append(SearchDocument(f"{number}-{index}", url, title, page.title, text))
    return documents


def _text(element) -> str:
    """What a reader reads in `element`: its words, without note numbers or generated
    back links, a space between blocks."""
    element = copy.deepcopy(element)
    for node in list(element.iter()):
        if isinstance(node.tag, str) and SKIPPED & set(node.classes):
            node.drop_tree()
    for node in element.iter(*BLOCKS):
        node.text = " " + (node.text or "")
        node.tail = " " + (node.tail or "")
    return " ".join(element.text_content().split())


def search_script(pages: list[Page]) -> bytes:
    """`search-index.js`: the lunr index and, per section, what a result shows."""
    documents = search_documents(pages)
    stemmer = _RememberingStemmer()
    builder = Builder()  # lunr's default pipeline, with the stemmer that remembers
    builder.pipeline.add(trimmer, stop_word_filter, stemmer)
    builder.search_pipeline.add(stemmer)
    index = lunr(
        ref="ref",
        fields=[{"field_name": "title", "boost": TITLE_BOOST}, "text"],
        documents=[{"ref": d.ref, "title": d.title, "text": d.text} for d in documents],
        builder=builder,
    )
    data = {
        "index": index.serialize(),
        "docs": {
            d.ref: {"url": d.url, "title": d.title, "chapter": d.chapter, "text": d.text}
            for d in documents
        },
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"window.PUBLISH_SEARCH = {text};\n".encode()


class _RememberingStemmer:
    """lunr's Porter stemmer, remembering each word's stem for one index: a book repeats
    its words thousands of times, and stemming in pure Python was most of the index's
    time (7 s of 8 on a 150,000-word book). Serialised under lunr's own label, so lunr.js
    stems queries with its own, identical, stemmer."""

    label = "stemmer"

    def __init__(self) -> None:
        self.stems: dict[str, str] = {}

    def __call__(self, token, i=None, tokens=None):
        return token.update(self._stem)

    def _stem(self, word: str, metadata=None) -> str:
        stem = self.stems.get(word)
        if stem is None:
            stem = self.stems[word] = porter_stemmer.stem(word)
        return stem
