"""Fillable templates: Markdown with blanks and checkboxes, as a PDF form and a DOCX.

The Markdown conventions (documented in docs/cheatsheets-and-templates.md):

- `___` (three or more underscores) inside a line is a one-line text field,
  labelled by the text before it on that line;
- `::: {.field lines=4}` ... `:::` is a multi-line text box, labelled by the
  paragraph before it; a sentence inside is printed as a hint above the box;
- `- [ ] item` (a task-list item) is a checkbox labelled by its text.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import pypandoc

from .config import BOOK_FILE, Book
from .editions import FULL
from .errors import ERROR, Finding, PublishError
from .fsutil import write_atomic
from .manuscript import Manuscript, read_text, split_front_matter
from .markdown_scan import MARKUP, scan
from .printables import file_urls_for_fonts, pdf_metadata, remove_stale
from .render_html import PANDOC_FORMAT, run_pandoc
from .resources import confined_fetcher, load_weasyprint
from .theme import Theme
from .write_manifest import Artifact, describe

STYLESHEET = "template.css"
MAX_PAGES = 2
BLANK = re.compile(r"_{3,}")
INLINE_CODE = re.compile(r"(`+).*?\1")
TASK_ITEM = re.compile(r"^(\s*)[-*+]\s+\[( |x|X)\]\s+(.*)$")
FRONT_MATTER_KEYS = {"title", "description"}
NAME_WORDS = 6
PAPERS = {"a4": "A4", "letter": "letter"}
# Word has no form controls pandoc can write: blanks become underlined space.
DOCX_BLANK = "[" + "\u00a0" * 36 + "]{.underline}"
DOCX_LINE = "[" + "\u00a0" * 110 + "]{.underline}"
CORE_DATES = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


@dataclass
class Template:
    """One template file, its front matter read and its body still Markdown."""

    name: str
    stem: str
    title: str
    description: str
    body: str
    body_start: int


@dataclass
class RenderedTemplate:
    template: Template
    pdf: bytes
    pages: int
    paper: str
    docx: bytes
    fields: list[str] = field(default_factory=list)


def read_templates(manuscript: Manuscript) -> list[Template]:
    """Every template book.yaml lists; one error listing each file that cannot be used."""
    book = manuscript.book
    findings: list[Finding] = []
    templates = []
    for index, name in enumerate(book.templates):
        text = read_text(manuscript.root / name, name, book.line_of(f"templates[{index}]"),
                         findings, BOOK_FILE.as_posix())
        if text is None:
            continue
        shown = f"manuscript/{name}"
        front, body_start = split_front_matter(text, shown, findings)
        for key in sorted(set(front) - FRONT_MATTER_KEYS):
            findings.append(Finding(shown, 2, 1, ERROR, "TPL001",
                                    f"unknown front matter key '{key}'",
                                    "known keys: " + ", ".join(sorted(FRONT_MATTER_KEYS))))
        body = "".join(text.splitlines(keepends=True)[body_start - 1:])
        stem = Path(name).stem
        title = str(front.get("title") or stem.replace("-", " ").capitalize())
        templates.append(Template(name, stem, title, str(front.get("description") or ""),
                                  body, body_start))
    if findings:
        raise PublishError("\n".join(f.format() for f in sorted(findings)))
    return templates


def _outside_code(body: str, change) -> str:
    """Apply `change(line)` to every line that is not in a code block, sparing inline code."""
    code_lines = scan(body.splitlines(keepends=True)).code_lines
    out = []
    for number, line in enumerate(body.splitlines(keepends=True), 1):
        if number in code_lines:
            out.append(line)
            continue
        last = 0
        for code in INLINE_CODE.finditer(line):
            out += [change(line[last:code.start()]), code.group(0)]
            last = code.end()
        out.append(change(line[last:]))
    return "".join(out)


def _has_blank(line: str) -> bool:
    """Underscores sharing a line with text; a line of underscores alone is a rule."""
    return bool(BLANK.search(line)) and bool(BLANK.sub("", line).strip())


def _label_before(text: str) -> str:
    return MARKUP.sub("", text).strip().rstrip(":").strip()


def mark_blanks(line: str) -> str:
    """`Owner: ___` becomes an empty span pandoc keeps, carrying its label."""
    if not _has_blank(line):
        return line
    pieces = BLANK.split(line)
    out = [pieces[0]]
    for before, after in zip(pieces, pieces[1:], strict=False):
        label = _label_before(before).replace('"', "'")
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


def _element(tag: str, text: str = "", **attrs) -> lxml.html.HtmlElement:
    element = lxml.html.Element(tag, {k.rstrip("_"): str(v) for k, v in attrs.items()})
    element.text = text or None
    return element


def _replace_blank(span, name) -> None:
    label = span.get("data-label") or "Text"
    control = _element("input", type="text", name=name(label), title=label, class_="line-field")
    control.tail = span.tail
    span.getparent().replace(span, control)
    paragraph = control.getparent()
    paragraph.set("class", (paragraph.get("class", "") + " blank-line").strip())


def _replace_box(div, name) -> None:
    lines = int(div.get("data-lines", "3")) if div.get("data-lines", "").isdigit() else 3
    previous = div.getprevious()
    label = previous.text_content().strip() if previous is not None else "Notes"
    hint = div.text_content().strip()
    box = _element("div", class_="field")
    if hint:
        box.append(_element("p", hint, class_="hint"))
    box.append(_element("textarea", name=name(label), title=label, rows=lines,
                        style=f"height: {lines * 7 + 2}mm"))
    box.tail = div.tail
    div.getparent().replace(div, box)


def _name_checkbox(checkbox, name) -> None:
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
        f"::::::::::: {{#template-{n} .template-body}}\n{_outside_code(t.body, mark_blanks)}"
        "\n:::::::::::" for n, t in enumerate(templates))
    html_text, _warnings = run_pandoc(markdown)
    root = lxml.html.fragment_fromstring(html_text, create_parent="div")
    return [root.get_element_by_id(f"template-{n}") for n in range(len(templates))]


def form_html(book: Book, template: Template, body: lxml.html.HtmlElement,
              built_at: dt.datetime) -> str:
    esc = html.escape
    inner = (body.text or "") + "".join(lxml.html.tostring(c, encoding="unicode") for c in body)
    description = (f'<p class="description">{esc(template.description)}</p>'
                   if template.description else "")
    footer = f"{book.title} · {template.title}"
    return (f'<!DOCTYPE html><html lang="{esc(book.language)}"><head><meta charset="utf-8">'
            f"<title>{esc(template.title)}</title>{pdf_metadata(book, built_at)}</head>"
            f'<body class="template"><footer class="template-footer">{esc(footer)}</footer>'
            f"<header><h1>{esc(template.title)}</h1>{description}</header>"
            f"<form>{inner}</form></body></html>")


def render_form(page_html: str, css: str, roots: list[Path], template: Template) -> tuple[bytes, int]:
    weasyprint = load_weasyprint()
    fetcher = confined_fetcher(roots)
    document = weasyprint.HTML(string=page_html, url_fetcher=fetcher).render(
        stylesheets=[weasyprint.CSS(string=css, url_fetcher=fetcher)], pdf_forms=True)
    pages = len(document.pages)
    if pages > MAX_PAGES:
        raise PublishError(f"template '{template.name}' takes {pages} pages; a template must "
                           f"fit {MAX_PAGES}: fewer or shorter fields, or split it in two")
    return document.write_pdf(pdf_forms=True), pages


def render_templates(manuscript: Manuscript, theme: Theme, roots: list[Path],
                     built_at: dt.datetime) -> list[RenderedTemplate]:
    """Every template as a PDF form and a DOCX, in memory: nothing is written on failure."""
    templates = read_templates(manuscript)
    if not templates:
        return []
    book = manuscript.book
    css = file_urls_for_fonts(theme.file(STYLESHEET).read_text(encoding="utf-8"), theme)
    css += f"\n@page {{ size: {PAPERS[book.paper]}; }}\n"
    rendered = []
    for template, body in zip(templates, render_bodies(templates), strict=True):
        names = make_form(body)
        pdf, pages = render_form(form_html(book, template, body, built_at), css, roots, template)
        docx = build_docx(book, template, built_at)
        rendered.append(RenderedTemplate(template, pdf, pages, book.paper, docx, names))
    return rendered


def _docx_line(line: str) -> str:
    task = TASK_ITEM.match(line.rstrip("\n"))
    if task:
        box = "☐" if task.group(2) == " " else "☒"
        return f"| {task.group(1)}{box} {task.group(3)}\n"
    return BLANK.sub(lambda _m: DOCX_BLANK, line) if _has_blank(line) else line


def docx_markdown(template: Template) -> str:
    """The template for Word: boxes as writing lines, checkboxes as ☐ lines."""
    lines = template.body.splitlines(keepends=True)
    for div in reversed(scan(lines).divs):
        if "field" in div.classes and div.end:
            hint = "".join(lines[div.start:div.end - 1]).strip()
            count = int(div.attrs["lines"]) if div.attrs.get("lines", "").isdigit() else 3
            writing = [f"*{hint}*\n\n"] if hint else []
            writing += [f"{DOCX_LINE}\n\n"] * count
            lines[div.start - 1:div.end] = writing
    body = _outside_code("".join(lines), _docx_line)
    intro = f"*{template.description}*\n\n" if template.description else ""
    return intro + body


def build_docx(book: Book, template: Template, built_at: dt.datetime) -> bytes:
    """The DOCX bytes, dated `built_at` inside and out, so a rebuild gives the same file."""
    args = ["--metadata", f"title={template.title}", "--metadata", f"lang={book.language}"]
    with tempfile.TemporaryDirectory(prefix="publish-docx-") as temp:
        target = Path(temp) / "template.docx"
        try:
            pypandoc.convert_text(docx_markdown(template), "docx", format=PANDOC_FORMAT,
                                  outputfile=str(target), extra_args=args, sandbox=True)
        except RuntimeError as exc:
            raise PublishError(f"pandoc failed on {template.name}: {exc}") from None
        return restamp_docx(target.read_bytes(), built_at)


def restamp_docx(data: bytes, built_at: dt.datetime) -> bytes:
    """pandoc's sandbox dates everything 1970: use the build's date instead."""
    stamp = built_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    date = max(built_at.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                content = CORE_DATES.sub(rf"\g<1>{stamp}\g<2>", content.decode()).encode()
            info = zipfile.ZipInfo(name, date_time=date)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def write_templates(rendered: list[RenderedTemplate], out: Path) -> list[Artifact]:
    """Each template's PDF form and DOCX under full/templates/, described for the manifest."""
    folder = out / FULL / "templates"
    artifacts = []
    for item in rendered:
        pdf_path = folder / f"{item.template.stem}.pdf"
        write_atomic(pdf_path, item.pdf)
        artifacts.append(describe(pdf_path, out, FULL, "pdf", title=item.template.title,
                                  pages=item.pages, paper=item.paper,
                                  extra={"fields": len(item.fields)}))
        docx_path = folder / f"{item.template.stem}.docx"
        write_atomic(docx_path, item.docx)
        artifacts.append(describe(docx_path, out, FULL, "docx", title=item.template.title))
    remove_stale(folder, [out / a.path for a in artifacts], (".pdf", ".docx"))
    return artifacts
