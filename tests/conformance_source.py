"""The words an author wrote, as the conformance tests count them: pandoc reads each
chapter, and long descriptions, alt text and (for the sample) answers are set aside."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conformance_words import words

# --------------------------------------------------------------------------- source text

CUT = "QQCUTQQ"  # a block boundary: generated text may stand here in a book


def source_blocks(path: Path, drop_answers: bool = False) -> list[list[str]]:
    """The words of a chapter, block by block, as pandoc's plain writer gives them.

    Footnotes and code included; figure alt text and `::: longdesc` divs left out
    (and `::: answer` divs when `drop_answers`, for a sample). Figures keep their
    captions. Lists, table cells and notes are blocks of their own, and a footnote
    call, a cross-reference, an inline image or a formula ends a run: a book may put
    generated text there.
    """
    return [block for section in source_sections(path, drop_answers) for block in section.blocks]


@dataclass
class Section:
    """A heading's words (empty before the first heading) and the blocks under it."""

    heading: list[str]
    blocks: list[list[str]] = field(default_factory=list)


def source_sections(path: Path, drop_answers: bool = False) -> list[Section]:
    """A chapter's blocks (see `source_blocks`) grouped under their headings.

    A section's footnotes are blocks of that section, whatever heading follows.
    """
    import pypandoc

    text = path.read_text(encoding="utf-8")
    ast = json.loads(pypandoc.convert_text(text, "json", format="markdown"))
    notes: list[list] = []
    leaves: list = []

    def flush_notes() -> None:
        nonlocal notes
        while notes:
            pending, notes = notes, []
            for blocks in pending:
                _flatten(blocks, leaves, notes, drop_answers)

    for block in ast["blocks"]:
        if block["t"] == "Header":
            flush_notes()
            leaves.append(_para(HEAD))
        _flatten([block], leaves, notes, drop_answers)
    flush_notes()
    separated: list = []
    for block in leaves:
        separated.extend([block, _para(CUT)])
    ast["blocks"] = separated
    plain = pypandoc.convert_text(
        json.dumps(ast), "plain", format="json", extra_args=["--wrap=none"]
    )
    sections = [Section([])]
    heading_next = False
    for piece in plain.split(CUT):
        if HEAD in piece:
            heading_next = True
            continue
        lines = [line for line in piece.splitlines() if not _TABLE_RULE.fullmatch(line)]
        tokens = words("\n".join(lines))
        if not tokens:
            continue
        if heading_next:
            sections.append(Section(tokens))
            heading_next = False
        sections[-1].blocks.append(tokens)
    return [section for section in sections if section.blocks]


HEAD = "QQHEADQQ"  # the next block is a heading


_TABLE_RULE = re.compile(r"\s*[-=+:| ]*[-=][-=+:| ]*\s*")


def _para(text: str) -> dict:
    return {"t": "Para", "c": [{"t": "Str", "c": text}]}


def _flatten(blocks: Iterable, out: list, notes: list, drop_answers: bool) -> None:
    """Leaf blocks in reading order, containers opened, left-out divs dropped."""
    for block in blocks:
        kind, content = block["t"], block.get("c")
        if kind == "Div":
            classes = content[0][1]
            if "longdesc" in classes or (drop_answers and "answer" in classes):
                continue
            _flatten(content[1], out, notes, drop_answers)
        elif kind == "BlockQuote":
            _flatten(_without_alert_marker(content), out, notes, drop_answers)
        elif kind == "BulletList":
            for item in content:
                _flatten(item, out, notes, drop_answers)
        elif kind == "OrderedList":
            for item in content[1]:
                _flatten(item, out, notes, drop_answers)
        elif kind == "DefinitionList":
            for term, definitions in content:
                out.append({"t": "Plain", "c": _inlines(term, notes)})
                for definition in definitions:
                    _flatten(definition, out, notes, drop_answers)
        elif kind == "Figure":
            _flatten(content[1][1], out, notes, drop_answers)  # the caption, not the image
        elif kind == "Table":
            _flatten(content[1][1], out, notes, drop_answers)  # caption
            for cell in _table_cells(content):
                _flatten(cell, out, notes, drop_answers)
        elif kind in ("Para", "Plain", "Header"):
            inlines = content[2] if kind == "Header" else content
            fixed = _inlines(inlines, notes)
            out.append({"t": kind, "c": [*content[:2], fixed] if kind == "Header" else fixed})
        elif kind == "LineBlock":
            for line in content:
                out.append({"t": "Plain", "c": _inlines(line, notes)})
        elif kind == "CodeBlock" and "numberLines" in content[0][1]:
            # each line its own block: the book prints a line number before it
            for line in content[1].splitlines():
                out.append({"t": "CodeBlock", "c": [content[0], line]})
        elif kind == "CodeBlock":
            out.append(block)
        # RawBlock, HorizontalRule: nothing an EPUB reader sees as text


def _without_alert_marker(blocks: list) -> list:
    """A GitHub alert's `[!TIP]` is markup: the book prints its label (which book.yaml
    may rename) instead."""
    first = blocks[0] if blocks else None
    if not first or first["t"] != "Para" or not first["c"] or first["c"][0]["t"] != "Str":
        return blocks
    if not re.fullmatch(r"\[![A-Za-z]+\]", first["c"][0]["c"]):
        return blocks
    rest = first["c"][1:]
    while rest and rest[0]["t"] in ("SoftBreak", "Space", "LineBreak"):
        rest = rest[1:]
    return ([{"t": "Para", "c": rest}] if rest else []) + blocks[1:]


def _table_cells(table: list) -> Iterable[list]:
    _attr, _caption, _specs, head, bodies, foot = table
    rows = list(head[1])
    for body in bodies:
        rows.extend(body[2])
        rows.extend(body[3])
    rows.extend(foot[1])
    for _row_attr, cells in rows:
        for cell in cells:
            yield cell[4]


_STYLED = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}


def _inlines(inlines: list, notes: list) -> list:
    """Inlines with notes taken out (kept for later) and generated spots made cuts."""
    out = []
    for inline in inlines:
        kind, content = inline["t"], inline.get("c")
        if kind == "Note":
            notes.append(content)
            out.append({"t": "Str", "c": f" {CUT} "})
        elif kind in ("Cite", "Image", "Math"):  # a formula is MathML or a drawing, not words
            out.append({"t": "Str", "c": f" {CUT} "})
        elif kind in _STYLED:
            out.extend(_inlines(content, notes))
        elif kind == "Span":
            out.extend(_inlines(content[1], notes))
        elif kind == "Quoted":
            out.append(inline | {"c": [content[0], _inlines(content[1], notes)]})
        elif kind == "Link":
            out.extend(_inlines(content[1], notes))
        elif kind == "RawInline" and re.match(r"<br\b", content[1], re.I):
            out.append({"t": "LineBreak"})  # raw <br> is rendered (checks/inline_html.py)
        else:
            out.append(inline)
    return out
