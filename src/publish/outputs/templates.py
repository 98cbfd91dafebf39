"""Fillable templates as PDF forms (WeasyPrint) and DOCX (pandoc).

The blanks, boxes and checkboxes of a template (see template_source.py) become
HTML form controls, each with a unique name derived from its label, so a PDF
reader lists "launch-owner" rather than "unknown-12-3".
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html

from ..errors import PublishError
from ..project.config import PAPERS, Book
from ..project.manuscript import Manuscript
from ..project.scan import MARKUP
from ..project.theme import Theme
from ..render.html import html_element, run_pandoc
from ..render.math import SourceText, drawn_or_refused
from ..render.pdf_engine import lay_out, metadata_tags
from .base import KeyInput, OutputJob
from .manifest import Artifact
from .printables import anchor_links, file_urls_for_fonts
from .template_docx import build_docx
from .template_source import (
    BLANK,
    Template,
    field_lines,
    has_blank,
    outside_code,
    read_templates,
)

if TYPE_CHECKING:
    from ..project.loader import Project

STYLESHEET = "template.css"
MAX_PAGES = 2
NAME_WORDS = 6
# Room for handwriting on a printed form: 7 mm a line.
LINE_MM = 7


@dataclass
class RenderedTemplate:
    template: Template
    pdf: bytes
    pages: int
    paper: str
    docx: bytes
    fields: list[str] = field(default_factory=list)


def mark_blanks(line: str) -> str:
    """`Owner: ___` becomes an empty span pandoc keeps, carrying its label."""
    if not has_blank(line):
        return line
    pieces = BLANK.split(line)
    out = [pieces[0]]
    for before, after in itertools.pairwise(pieces):
        label = MARKUP.sub("", before).strip().rstrip(":").strip().replace('"', "'")
        out.append(f'[]{{.blank label="{label}"}}{after}')
    return "".join(out)


def slug(text: str) -> str:
    """A readable field name: the label's first words, ASCII, joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    return "-".join(words[:NAME_WORDS]) or "field"


class FieldNamer:
    """Unique names across one template: a repeated label gets -2, -3..."""

    def __init__(self):
        self.names: list[str] = []

    def __call__(self, label: str) -> str:
        base = slug(label)
        name, count = base, 1
        while name in self.names:
            count += 1
            name = f"{base}-{count}"
        self.names.append(name)
        return name


def _replace_blank(span, name: FieldNamer) -> None:
    label = span.get("data-label") or "Text"
    control = html_element("input", type="text", name=name(label), title=label, class_="line-field")
    control.tail = span.tail
    paragraph = span.getparent()
    paragraph.replace(span, control)
    paragraph.set("class", (paragraph.get("class", "") + " blank-line").strip())


def _replace_box(div, name: FieldNamer) -> None:
    lines = field_lines(div.get("data-lines"))
    previous = div.getprevious()
    label = previous.text_content().strip() if previous is not None else "Notes"
    hint = div.text_content().strip()
    box = html_element("div", class_="field")
    if hint:
        box.append(html_element("p", hint, class_="hint"))
    height = f"height: {lines * LINE_MM + 2}mm"
    box.append(html_element("textarea", name=name(label), title=label, rows=lines, style=height))
    box.tail = div.tail
    div.getparent().replace(div, box)


def _name_checkbox(checkbox, name: FieldNamer) -> None:
    label = checkbox.getparent().text_content().strip() or "Done"
    checkbox.set("name", name(label))
    checkbox.set("title", label)


def make_form(body: lxml.html.HtmlElement) -> list[str]:
    """Turn the marked-up HTML into form controls in place; the field names, in order."""
    name = FieldNamer()
    for element in list(body.iter("span", "div", "input")):
        classes = set((element.get("class") or "").split())
        if element.tag == "span" and "blank" in classes:
            _replace_blank(element, name)
        elif element.tag == "div" and "field" in classes:
            _replace_box(element, name)
        elif element.tag == "input" and element.get("type") == "checkbox":
            _name_checkbox(element, name)
    return name.names


def render_bodies(templates: list[Template]) -> list[lxml.html.HtmlElement]:
    """Every template's HTML from one pandoc run, each in its own div."""
    markdown = "\n\n".join(
        f"::::::::::: {{#template-{n} .template-body}}\n"
        f"{outside_code(t.body, mark_blanks)}\n:::::::::::"
        for n, t in enumerate(templates)
    )
    html_text, _warnings = run_pandoc(markdown)
    root = lxml.html.fragment_fromstring(html_text, create_parent="div")
    return [root.get_element_by_id(f"template-{n}") for n in range(len(templates))]


def form_html(book: Book, template: Template, body, built_at: dt.datetime) -> str:
    esc = html.escape
    inner = (body.text or "") + "".join(lxml.html.tostring(c, encoding="unicode") for c in body)
    description = template.description and f'<p class="description">{esc(template.description)}</p>'
    footer = f"{book.title} · {template.title}"
    return (
        f'<!DOCTYPE html><html lang="{esc(book.language)}"><head><meta charset="utf-8">'
        f"<title>{esc(template.title)}</title>{metadata_tags(book, built_at, summary=False)}</head>"
        f'<body class="template"><footer class="template-footer">{esc(footer)}</footer>'
        f"<header><h1>{esc(template.title)}</h1>{description}</header>"
        f"<form>{inner}</form></body></html>"
    )


def render_form(page_html: str, css: str, roots: list[Path], template: Template):
    """The PDF form's bytes and page count; an error past the two-page limit."""
    layout = lay_out(page_html, css, roots, pdf_forms=True, pdf_variant="pdf/ua-1")
    pages = layout.pages
    if pages > MAX_PAGES:
        raise PublishError(
            f"template '{template.name}' takes {pages} pages; a template must fit "
            f"{MAX_PAGES}: give it fewer or smaller boxes, or split it in two"
        )
    return layout.write(pdf_forms=True, pdf_variant="pdf/ua-1"), pages


def render_templates(
    manuscript: Manuscript, theme: Theme, roots: list[Path], built_at: dt.datetime
) -> list[RenderedTemplate]:
    """Every template as a PDF form and a DOCX, in memory: nothing is written on failure."""
    templates = read_templates(manuscript)
    if not templates:
        return []
    book = manuscript.book
    css = file_urls_for_fonts(theme.stylesheet(STYLESHEET).text, theme)
    css += f"\n@page {{ size: {PAPERS[book.paper].css_size}; }}\n"
    rendered = []
    for template, body in zip(templates, render_bodies(templates), strict=True):
        text = (manuscript.root / template.name).read_text(encoding="utf-8")
        drawn_or_refused(body, [SourceText(template.name, text.splitlines())])
        names = make_form(body)
        pdf, pages = render_form(form_html(book, template, body, built_at), css, roots, template)
        docx = build_docx(book, template, built_at)
        rendered.append(RenderedTemplate(template, pdf, pages, book.paper, docx, names))
    return rendered


def write(job: OutputJob) -> list[Artifact]:
    """Each template's PDF form and DOCX under full/templates/, described for the manifest."""
    project = job.project
    job.report("rendering the fillable templates")
    with job.renderer_warnings(project.theme.stylesheet(STYLESHEET)):
        rendered = render_templates(
            project.manuscript, project.theme, job.fetch_roots, job.built_at
        )
    folder = job.folder / "templates"
    artifacts = []
    for item in rendered:
        title = item.template.title
        pdf_path = folder / f"{item.template.stem}.pdf"
        job.tree.write(pdf_path, item.pdf)
        fields = {"fields": len(item.fields)}
        artifacts.append(
            job.describe(
                pdf_path, "pdf", title=title, pages=item.pages, paper=item.paper, extra=fields
            )
        )
        docx_path = folder / f"{item.template.stem}.docx"
        job.tree.write(docx_path, item.docx)
        artifacts.append(job.describe(docx_path, "docx", title=title))
    job.tree.remove_stale(folder, [job.tree.out / a.path for a in artifacts], (".pdf", ".docx"))
    return artifacts


def key_inputs(project: Project, resources: dict) -> list[KeyInput]:
    """What the templates are made of, for their cache key: their files, and the chapter
    links a warning about a missing anchor could point at. No chapter's text."""
    manuscript = project.manuscript
    inputs: list[KeyInput] = []
    texts = []
    for name in manuscript.book.templates:
        path = manuscript.root / name
        data = path.read_bytes() if path.is_file() else b""
        inputs.append((f"template {name}", data if path.is_file() else "absent"))
        texts.append(data.decode("utf-8", "replace"))
    return inputs + anchor_links(manuscript, texts)
