"""Render an edition's Markdown to HTML with pandoc (part by part: pandoc_parts), then
shape the book.

The result is a list of chapter trees (lxml) that both the EPUB and the PDF
writers serialise: one rendering per edition feeds every format.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.html
from lxml.html import HtmlElement

from ..checks.links import resolve_links, unique_ids
from ..checks.security import check_rendered, check_sanitized
from ..editions.compose import ANSWERS_ID, TEASER_ID, Numbering
from ..editions.kinds import EditionKind
from ..errors import ERROR, Finding, FindingsError, PublishError
from ..limited import LimitHit
from ..project.config_limits import DEFAULT_LIMITS, Limits
from ..project.manuscript import Chapter
from ..project.scan import IMAGE
from ..urls import is_remote, url_scheme
from .habits import open_alerts, shape_habits
from .math import label_math, reader_text, refuse_unconverted
from .pandoc import run_pandoc
from .resources import Resource, resource_name
from .sanitize import sanitize


@dataclass
class RenderedChapter:
    ident: str
    title: str
    file_name: str
    kind: str
    source: Chapter | None
    element: HtmlElement
    headings: list[tuple[int, str, str]] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)


@dataclass
class RenderedEdition:
    kind: EditionKind
    chapters: list[RenderedChapter]
    footnotes: dict[str, HtmlElement]
    resources: dict[str, Resource]
    warnings: list[str] = field(default_factory=list)
    _files_by_id: dict[str, str] | None = field(default=None, repr=False)

    def file_of(self, ident: str) -> str | None:
        """The file (chapter) holding an id, for links across files in the EPUB."""
        if self._files_by_id is None:
            self._files_by_id = {}
            for chapter in reversed(self.chapters):  # the first holder of an id wins
                for element in chapter.element.iter():
                    if element.get("id"):
                        self._files_by_id[element.get("id")] = chapter.file_name
        return self._files_by_id.get(ident)


def pandoc_input(parts: list[tuple[Chapter | None, str]]) -> list[str]:
    """The parts' Markdown as pandoc is given it: images pointed at their packaged names,
    GitHub's alerts opened as divs."""
    return [open_alerts(_point_images(text)) for _, text in parts]


def _pandoc_on_edition(parts: list[tuple[Chapter | None, str]], limits: Limits):
    """One pandoc run over the edition; a limit hit is a finding at its largest chapter."""
    try:
        return run_pandoc("\n\n".join(pandoc_input(parts)), raw_html=True, limits=limits)
    except LimitHit as hit:
        raise limit_finding(parts, hit) from None


def limit_finding(parts: list[tuple[Chapter | None, str]], hit: LimitHit) -> FindingsError:
    """Where a pandoc limit hit is reported: the part it ran on when pandoc ran part by
    part (`hit.part`), else the edition's largest chapter, as no line can be known."""
    chapters = [source for source, _ in parts if source is not None]
    if hit.part is not None and parts[hit.part][0] is not None:
        where, message = parts[hit.part][0], hit.message
    else:
        where = max(chapters, key=lambda chapter: len(chapter.lines))
        message = f"{hit.message} on this edition; this is its largest chapter"
    path, _line = where.where(where.body_start)
    return FindingsError([Finding(path, 1, 1, ERROR, hit.code, message)])


def render_edition(
    kind: EditionKind,
    parts: list[tuple[Chapter | None, str]],
    numbering: Numbering,
    labels: dict[str, str],
    resources: dict[str, Resource],
    pandoc: Callable[[list[str], Limits], tuple[str, list[str]]] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RenderedEdition:
    """The edition's HTML from pandoc, then the book's own structure on top. `pandoc`
    runs it part by part (builds and previews: `pandoc_parts.PandocParts`); without it,
    one pandoc run renders the whole edition."""
    if pandoc is None:
        html, warnings = _pandoc_on_edition(parts, limits)
    else:
        try:
            html, warnings = pandoc(pandoc_input(parts), limits)
        except LimitHit as hit:
            raise limit_finding(parts, hit) from None
    sources = [source for source, _ in parts]
    # pandoc's own output is checked first, so whatever is unsafe stops the build with
    # its line; then nh3's copy is used, and must have lost nothing on the way.
    sections, footnotes = _parse_edition(html, len(parts), resources)
    check_rendered(_with_sources(sections, footnotes, sources), set(resources))
    clean_sections, clean_notes = _parse_edition(sanitize(html), len(parts), resources)
    check_sanitized(
        _with_sources(sections, footnotes, sources), [*clean_sections, *clean_notes.values()]
    )
    sections, footnotes = clean_sections, clean_notes
    located = _with_sources(sections, footnotes, sources)
    refuse_unconverted(located)
    for element, _source in located:
        label_math(element)
    chapters = []
    for index, ((source, _text), section) in enumerate(zip(parts, sections, strict=True), 1):
        part = _kind(section)
        file_name = {"answers": "answers.xhtml", "teaser": "what-comes-next.xhtml"}.get(
            part, f"chapter-{index:02d}.xhtml"
        )
        heading = section.find("h1")
        chapters.append(
            RenderedChapter(
                section.get("id"), reader_text(heading), file_name, part, source, section
            )
        )
    edition = RenderedEdition(kind, chapters, footnotes, {}, warnings)
    shape = _Shaper(edition, numbering, labels, resources)
    for chapter in chapters:
        shape.chapter(chapter)
    unique_ids(chapters, set(footnotes))
    resolve_links(edition)
    for chapter in chapters:
        chapter.headings = [
            (int(h.tag[1]), h.getparent().get("id") or h.get("id"), reader_text(h))
            for h in chapter.element.iter("h1", "h2", "h3")
        ]
    return edition


def _parse_edition(
    html: str, count: int, resources: dict[str, Resource]
) -> tuple[list[HtmlElement], dict[str, HtmlElement]]:
    """The edition's chapter sections and footnotes, raw images pointed at their files."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    point_html_images(root, resources)
    footnotes = _take_footnotes(root)
    sections = [child for child in root if child.tag == "section" and "level1" in child.classes]
    if len(sections) != count:
        raise PublishError(
            f"expected {count} chapters from pandoc, got {len(sections)}: "
            "every chapter must start with one level-1 heading"
        )
    return sections, footnotes


def _with_sources(sections, footnotes, sources) -> list[tuple[HtmlElement, Chapter | None]]:
    return [*zip(sections, sources, strict=True), *((note, None) for note in footnotes.values())]


def _kind(section: HtmlElement) -> str:
    return {ANSWERS_ID: "answers", TEASER_ID: "teaser"}.get(section.get("id"), "chapter")


def _point_images(markdown: str) -> str:
    """Point image references at their packaged names before pandoc sees them."""
    return IMAGE.sub(
        lambda m: (
            m.group(0).replace(f"]({m.group(2)}", f"]({resource_name(m.group(2))}", 1)
            if is_remote(m.group(2)) or url_scheme(m.group(2)) is None
            else m.group(0)
        ),
        markdown,
    )


def point_html_images(root: HtmlElement, resources: dict[str, Resource]) -> None:
    """Raw `<img src>` (the Markdown ones are pointed before pandoc) at its packaged name;
    one the build did not check keeps its src, and check_rendered refuses it."""
    for image in root.iter("img"):
        src = image.get("src", "")
        if src in resources or not (is_remote(src) or url_scheme(src) is None):
            continue
        if resource_name(src) in resources:
            image.set("src", resource_name(src))


def _take_footnotes(root: HtmlElement) -> dict[str, HtmlElement]:
    notes = {}
    for section in root.find_class("footnotes"):
        for item in section.iter("li"):
            notes[item.get("id")] = item
        section.tail = None  # its newline would land on the chapter before (one per part)
        section.drop_tree()
    return notes


def html_element(tag: str, text: str = "", **attrs) -> HtmlElement:
    """An element from keyword attributes: `class_` is `class`, `aria_label` is `aria-label`."""
    names = {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()}
    element = lxml.html.Element(tag, names)
    element.text = text or None
    return element


class _Shaper:
    """Turns pandoc's generic HTML into the book's figures, callouts and exercises."""

    def __init__(
        self,
        edition: RenderedEdition,
        numbering: Numbering,
        labels: dict[str, str],
        resources: dict[str, Resource],
    ):
        self.edition = edition
        self.numbering = numbering
        self.labels = labels
        self.available = resources
        self.figure_ids = {
            figure.get("id")
            for chapter in edition.chapters
            for figure in chapter.element.iter("figure")
        }

    def label(self, key: str, default: str) -> str:
        return self.labels.get(key, default)

    def chapter(self, chapter: RenderedChapter) -> None:
        element = chapter.element
        shape_habits(element, self.label)
        for figure in list(element.iter("figure")):
            self.figure(figure, element)
        for span in list(element.find_class("citation")):
            self.cross_reference(span)
        for div in list(element.iter("div")):
            for cls in ("why-it-matters", "exercise", "cheatsheet", "callout"):
                if cls in div.classes:
                    getattr(self, cls.replace("-", "_"))(div)
        for image in element.iter("img"):
            self.image(image)
        if chapter.kind == "answers":
            self.answers(element)

    def figure(self, figure: HtmlElement, chapter: HtmlElement) -> None:
        source_id = figure.get("id") or ""
        number = self.numbering.figures.get(source_id)
        ident = source_id.replace(":", "-")
        if ident:  # a figure without {#id} gets none: an empty id is invalid
            figure.set("id", ident)
        caption = figure.find("figcaption")
        if number and caption is not None:
            prefix = html_element(
                "span", f"{self.label('figure', 'Figure')} {number}. ", class_="figure-number"
            )
            prefix.tail = (caption.text or "").lstrip()
            caption.text = None
            caption.insert(0, prefix)
        for div in list(chapter.find_class("longdesc")):
            if (div.get("data-for") or div.get("for")) == source_id:
                self.long_description(figure, div, ident, number)

    def long_description(
        self, figure: HtmlElement, div: HtmlElement, ident: str, number: int | None
    ) -> None:
        details = html_element("details", class_="longdesc", id=f"{ident}-desc")
        summary = html_element(
            "summary", f"Description of {self.label('figure', 'Figure')} {number}"
        )
        details.append(summary)
        for child in list(div):
            details.append(child)
        div.drop_tree()
        details.tail = figure.tail
        figure.tail = None
        figure.addnext(details)
        image = figure.find(".//img")
        if image is not None:
            image.set("aria-describedby", f"{ident}-desc")

    def cross_reference(self, span: HtmlElement) -> None:
        target = span.get("data-cites", "")
        number = self.numbering.figures.get(target)
        if number is None:
            return
        text = f"{self.label('figure', 'Figure')} {number}"
        ident = target.replace(":", "-")
        if target in self.figure_ids:
            replacement = html_element("a", text, href=f"#{ident}", class_="xref")
        else:
            replacement = html_element("span", text, class_="xref")
        replacement.tail = span.tail
        span.getparent().replace(span, replacement)

    def _labelled(self, div: HtmlElement, css_class: str, label_text: str) -> None:
        div.set("class", css_class)
        div.set("role", "note")
        div.set("aria-label", label_text)
        heading = html_element("p", label_text, class_="box-label")
        div.insert(0, heading)

    def why_it_matters(self, div: HtmlElement) -> None:
        self._labelled(div, "why-it-matters", self.label("why-it-matters", "Why this matters"))

    def callout(self, div: HtmlElement) -> None:
        self._labelled(div, "callout", _title(div) or self.label("callout", "Note"))

    def cheatsheet(self, div: HtmlElement) -> None:
        title = _title(div)
        text = self.label("key-points", "Key points") + (f": {title}" if title else "")
        self._labelled(div, "key-points", text)

    def exercise(self, div: HtmlElement) -> None:
        number = div.get("data-number")
        name = f"{self.label('exercise', 'Exercise')} {number}"
        div.set("id", f"exercise-{number}")
        self._labelled(div, "exercise", name)
        if self.edition.kind.answers and int(number) in self.numbering.answers:
            link = html_element("p", class_="answer-link")
            link.append(
                html_element(
                    "a", self.label("see-answer", "See the model answer"), href=f"#answer-{number}"
                )
            )
            div.append(link)

    def answers(self, element: HtmlElement) -> None:
        for section in element.iter("section"):
            ident = section.get("id") or ""
            if ident.startswith("answer-"):
                back = html_element("p", class_="back-link")
                back.append(
                    html_element(
                        "a",
                        self.label("back", "Back to the exercise"),
                        href=f"#exercise-{ident.removeprefix('answer-')}",
                    )
                )
                section.append(back)

    def image(self, image: HtmlElement) -> None:
        name = image.get("src", "")
        if name in self.available:
            self.edition.resources[name] = self.available[name]


def _title(div: HtmlElement) -> str:
    """A div's `title=`: pandoc writes it as the HTML `title` attribute, which becomes
    the box's label instead (a tooltip would repeat it)."""
    title = div.get("data-title") or div.get("title") or ""
    div.attrib.pop("title", None)
    return title


def footnote_inline(note: HtmlElement) -> HtmlElement:
    """A footnote as one span for the PDF's `float: footnote`: its paragraphs run
    together, without pandoc's back-link."""
    span = lxml.html.Element("span", {"class": "footnote"})
    for paragraph in copy.deepcopy(note).iter("p"):
        for back in paragraph.find_class("footnote-back"):
            back.drop_tree()
        _append_text(span, (" " if len(span) or span.text else "") + (paragraph.text or ""))
        for child in list(paragraph):
            span.append(child)
    return span


def _append_text(parent: HtmlElement, text: str) -> None:
    """Text after whatever `parent` already holds."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text
