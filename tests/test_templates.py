"""Fillable templates: PDF forms pypdf can fill, DOCX Word can open, both reproducible."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader, PdfWriter

from helpers import FIXTURES, copy_project
from publish.commands.cli import main
from publish.outputs.template_docx import build_docx
from publish.outputs.template_source import read_templates
from publish.outputs.templates import make_form, mark_blanks, render_bodies
from publish.project.config import load_book
from publish.project.manuscript import read_manuscript

TEMPLATES = ("problem-definition-canvas", "launch-checklist")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _fields(path) -> dict:
    return PdfReader(path).get_fields() or {}


def test_bundled_templates_have_enough_fields(bundled_build):
    folder = bundled_build / "full" / "templates"
    fields = {name: _fields(folder / f"{name}.pdf") for name in TEMPLATES}
    assert sum(len(found) for found in fields.values()) >= 5
    kinds = {field.get("/FT") for found in fields.values() for field in found.values()}
    assert kinds == {"/Tx", "/Btn"}
    canvas = fields["problem-definition-canvas"]
    assert {"product-or-feature", "guardrail-metrics", "proceed-with-ml"} <= set(canvas)
    assert canvas["guardrail-metrics"]["/Ff"] & (1 << 12), "a box is a multi-line field"


def test_bundled_template_fields_can_be_filled(bundled_build):
    writer = PdfWriter(clone_from=bundled_build / "full" / "templates" / "launch-checklist.pdf")
    values = {
        "feature": "Smart replies",
        "launch-owner": "Dana",
        "non-ml-baseline-defined-and-measured": "/on",
    }
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    buffer = io.BytesIO()
    writer.write(buffer)
    filled = PdfReader(buffer).get_fields()
    assert filled["feature"]["/V"] == "Smart replies"
    assert filled["launch-owner"]["/V"] == "Dana"
    assert filled["non-ml-baseline-defined-and-measured"]["/V"] == "/on"


def test_bundled_templates_fit_two_pages(bundled_build):
    manifest = json.loads((bundled_build / "manifest.json").read_text())
    forms = [
        a
        for a in manifest["artifacts"]
        if a["path"].startswith("full/templates/") and a["format"] == "pdf"
    ]
    assert len(forms) == len(TEMPLATES)
    assert all(1 <= a["pages"] <= 2 and a["edition"] == "full" for a in forms)
    assert not (bundled_build / "sample" / "templates").exists()


def test_bundled_docx_opens_with_the_labels(bundled_build):
    path = bundled_build / "full" / "templates" / "problem-definition-canvas.docx"
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        document = etree.fromstring(archive.read("word/document.xml"))
    text = "".join(document.itertext())
    for label in (
        "ML Problem-Definition Canvas",
        "Product or feature:",
        "Guardrail metrics",
        "☐ Proceed with ML",
        "Metrics that must not get worse.",
    ):
        assert label in text
    underlined = document.findall(f".//{W}r/{W}rPr/{W}u")
    assert len(underlined) >= 5, "blanks are underlined space to type on"


def test_docx_is_byte_reproducible_and_dated_by_the_build(tmp_path):
    project = copy_project(FIXTURES.parents[1], tmp_path / "book")
    book = load_book(project)
    manuscript, _ = read_manuscript(project, book)
    template = read_templates(manuscript)[0]
    built_at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    first, second = (build_docx(book, template, built_at) for _ in range(2))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.infolist()[0].date_time == (2026, 3, 1, 12, 0, 0)
        assert b"2026-03-01T12:00:00Z" in archive.read("docProps/core.xml")


def test_blanks_take_their_label_from_the_line():
    marked = mark_blanks("Owner: ___ and **date**: _____\n")
    assert marked == ('Owner: []{.blank label="Owner"} and **date**: []{.blank label="and date"}\n')
    assert mark_blanks("___\n") == "___\n", "underscores alone are a horizontal rule"


def test_every_field_gets_a_unique_readable_name(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    source = project / "manuscript" / "form.md"
    source.write_text(
        "---\ntitle: Form\n---\n\nName: ___\n\nName: ___\n\n"
        "Code `a ___ b` stays.\n\n**Notes**\n\n::: {.field lines=2}\n:::\n\n"
        "- [ ] Ready to ship\n"
    )
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text() + "templates: [form.md]\n")
    book = load_book(project)
    manuscript, _ = read_manuscript(project, book)
    body = render_bodies(read_templates(manuscript))[0]
    assert make_form(body) == ["name", "name-2", "notes", "ready-to-ship"]
    assert "a ___ b" in body.text_content()


@pytest.mark.slow
def test_template_longer_than_two_pages_fails(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    boxes = "".join(f"**Box {n}**\n\n::: {{.field lines=12}}\n:::\n\n" for n in range(12))
    (project / "manuscript" / "long.md").write_text(f"---\ntitle: Long\n---\n\n{boxes}")
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text() + "templates: [long.md]\n")
    result = CliRunner().invoke(main, ["build", str(project), "-q"])
    assert result.exit_code == 1
    assert "template 'long.md' takes" in result.output
    assert "must fit 2" in result.output
