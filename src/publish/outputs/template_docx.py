"""Templates as DOCX for Word: blanks as underlined space, checkboxes as ☐ lines.

Word has no form controls pandoc can write, so the DOCX is a document to type
into. pandoc's sandbox makes its output byte-reproducible but dates it 1970;
the package is restamped with the build's date.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from pathlib import Path

import pypandoc
from lxml import etree

from ..checks.dot_attributes import find_text
from ..errors import ERROR, Finding, FindingsError, PublishError
from ..limited import LimitHit, run_limited
from ..project.config import Book
from ..project.scan import scan
from ..render.pandoc import PANDOC_FORMAT
from ..urls import refused_link_scheme
from .template_source import (
    BLANK,
    TASK_ITEM,
    Template,
    field_lines,
    has_blank,
    outside_code,
)

# Non-breaking spaces, so Word keeps the underline's length instead of collapsing it.
DOCX_BLANK = "[" + "\u00a0" * 36 + "]{.underline}"
DOCX_LINE = "[" + "\u00a0" * 110 + "]{.underline}"
CORE_DATES = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _docx_line(line: str) -> str:
    task = TASK_ITEM.match(line.rstrip("\n"))
    if task:
        # A line block keeps a checklist compact: one paragraph, one line per item.
        box = "☐" if task.group(2) == " " else "☒"
        return f"| {task.group(1)}{box} {task.group(3)}\n"
    return BLANK.sub(lambda _m: DOCX_BLANK, line) if has_blank(line) else line


def docx_markdown(template: Template) -> str:
    """The template for Word: boxes as writing lines under their hint, ☐ for checkboxes."""
    lines = template.body.splitlines(keepends=True)
    for div in reversed(scan(lines).divs):
        if "field" in div.classes and div.end:
            hint = "".join(lines[div.start : div.end - 1]).strip()
            count = field_lines(div.attrs.get("lines"))
            writing = [f"*{hint}*\n\n"] if hint else []
            writing += [f"{DOCX_LINE}\n\n"] * count
            lines[div.start - 1 : div.end] = writing
    intro = f"*{template.description}*\n\n" if template.description else ""
    return intro + outside_code("".join(lines), _docx_line)


def build_docx(book: Book, template: Template, built_at: dt.datetime) -> bytes:
    """The DOCX bytes, dated `built_at` inside and out, so a rebuild gives the same file."""
    args = ["--metadata", f"title={template.title}", "--metadata", f"lang={book.language}"]
    with tempfile.TemporaryDirectory(prefix="publish-docx-") as temp:
        target = Path(temp) / "template.docx"
        command = [pypandoc.get_pandoc_path(), f"--from={PANDOC_FORMAT}", "--to=docx"]
        command += [f"--output={target}", "--sandbox", *args]
        source = docx_markdown(template).encode("utf-8")
        try:
            result = run_limited(command, source, book.limits, "pandoc")
        except LimitHit as hit:
            shown = f"manuscript/{template.name}"
            raise FindingsError([Finding(shown, 1, 1, ERROR, hit.code, hit.message)]) from None
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise PublishError(f"pandoc failed on {template.name}: {message}")
        data = target.read_bytes()
    refuse_external_links(data, template)
    return restamp_docx(data, built_at)


def refuse_external_links(docx: bytes, template: Template) -> None:
    """The last look at the DOCX: every hyperlink Word would open goes by the link policy
    (checks/template_links.py refused them in the source already; this holds if not)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        for name in (n for n in archive.namelist() if n.endswith(".rels")):
            for relation in etree.fromstring(archive.read(name)):
                target = relation.get("Target", "")
                scheme = refused_link_scheme(target)
                if relation.get("TargetMode") == "External" and scheme:
                    line = template.body_line - 1 + find_text(template.body.splitlines(), target)
                    finding = Finding(
                        f"manuscript/{template.name}",
                        line,
                        1,
                        ERROR,
                        "SEC004",
                        f"'{scheme}:' link is refused (it would reach the DOCX)",
                    )
                    raise PublishError(finding.format())


def restamp_docx(data: bytes, built_at: dt.datetime) -> bytes:
    """Date the package and its core properties `built_at`, not pandoc's 1970."""
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
