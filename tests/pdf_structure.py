"""A tagged PDF read back as the tests see it: its structure tree (pikepdf) and the
text of each marked-content sequence (pypdf), walked independently of publish's own
post-processing so the tests do not grade it by its own rules.

Nothing here is a test.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdf

PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh"}
PAINTING |= {"BI", "INLINE IMAGE"}

Mark = tuple[int, int]  # (page index, MCID)


@dataclass
class Element:
    """One structure element reached from the StructTreeRoot."""

    role: str
    alt: str
    ancestors: tuple[str, ...]
    marks: list[Mark] = field(default_factory=list)
    """The marked content under it, itself and below."""
    objects: list[tuple[int, int]] = field(default_factory=list)
    """Object ids its OBJR kids point at (annotations: links, form widgets)."""


@dataclass
class Sequence:
    """One marked-content sequence on a page, outermost first."""

    page: int
    tag: str
    mcid: int | None
    properties: dict
    inside_artifact: bool
    inside_mcid: bool


@dataclass
class TaggedPdf:
    path: Path
    tagged: bool
    elements: list[Element]
    sequences: list[Sequence]
    untagged_drawing: dict[int, int]
    """Page index: drawing operations outside any marked content."""

    @property
    def reached(self) -> set[Mark]:
        return {mark for element in self.elements for mark in element.marks}

    def unclaimed(self) -> list[Sequence]:
        """Marked content neither reachable from the tree nor an artifact: a sequence
        with an MCID must be reached; one without must sit inside one that is."""
        reached = self.reached

        def claimed(sequence: Sequence) -> bool:
            if sequence.tag == "/Artifact" or sequence.inside_artifact:
                return True
            if sequence.mcid is not None:
                return (sequence.page, sequence.mcid) in reached
            return sequence.inside_mcid

        return [s for s in self.sequences if not claimed(s)]

    def roles(self, role: str) -> list[Element]:
        return [e for e in self.elements if e.role == role]


def read(path: Path) -> TaggedPdf:
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        tagged = "/StructTreeRoot" in pdf.Root
        elements = _elements(pdf.Root.StructTreeRoot, pages) if tagged else []
        sequences, untagged = [], {}
        for index, page in enumerate(pdf.pages):
            found, outside = _sequences(page, index)
            sequences += found
            if outside:
                untagged[index] = outside
    return TaggedPdf(path, tagged, elements, sequences, untagged)


def _elements(root, pages: dict) -> list[Element]:
    elements: list[Element] = []
    pending = deque((kid, (), None, []) for kid in _kids(root))
    while pending:
        kid, ancestors, page, owners = pending.popleft()
        if isinstance(kid, int):
            for owner in owners:
                owner.marks.append((page, int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            on = pages.get(kid.Pg.objgen) if "/Pg" in kid else page
            for owner in owners:
                owner.marks.append((on, int(kid.MCID)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            owners[-1].objects.append(kid.Obj.objgen)
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            element = Element(str(kid.S), str(kid.get("/Alt", "")), ancestors)
            elements.append(element)
            on = pages.get(kid.Pg.objgen) if "/Pg" in kid else page
            below = (*ancestors, element.role)
            pending += [(k, below, on, [*owners, element]) for k in _kids(kid)]
    return elements


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _sequences(page, index: int) -> tuple[list[Sequence], int]:
    found, stack, outside = [], [], 0
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            properties = operands[1] if op == "BDC" and len(operands) > 1 else {}
            mcid = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
            sequence = Sequence(
                index,
                str(operands[0]),
                None if mcid is None else int(mcid),
                dict(properties) if isinstance(properties, pikepdf.Dictionary) else {},
                any(s.tag == "/Artifact" for s in stack),
                any(s.mcid is not None for s in stack),
            )
            stack.append(sequence)
            found.append(sequence)
        elif op == "EMC":
            stack.pop()
        elif op in PAINTING and not stack:
            outside += 1
    return found, outside


PATH_PAINTING = {"f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh"}


def path_painting(path: Path) -> dict[str, int]:
    """Shapes drawn (fills, strokes, shadings: rules, borders, backgrounds), counted by
    where they are: inside an artifact, inside tagged content, or in neither."""
    counts = {"artifact": 0, "tagged": 0, "untagged": 0}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            stack: list[str] = []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BDC", "BMC"):
                    stack.append(str(operands[0]))
                elif op == "EMC":
                    stack.pop()
                elif op in PATH_PAINTING:
                    where = (
                        "artifact" if "/Artifact" in stack else "tagged" if stack else "untagged"
                    )
                    counts[where] += 1
    return counts


def marked_texts(path: Path) -> tuple[dict[Mark, str], dict[int, str]]:
    """The text of each MCID, and each page's text inside artifacts (pypdf's reading)."""
    texts: dict[Mark, list[str]] = {}
    artifacts: dict[int, list[str]] = {}
    for index, page in enumerate(pypdf.PdfReader(path).pages):
        stack: list = []

        def before(op, args, _cm, _tm, stack=stack):
            if op == b"BDC":
                properties = args[1] if len(args) > 1 else None
                has_mcid = isinstance(properties, dict) and "/MCID" in properties
                stack.append(properties["/MCID"] if has_mcid else str(args[0]))
            elif op == b"BMC":
                stack.append(str(args[0]))
            elif op == b"EMC" and stack:
                stack.pop()

        def text(chunk, _cm, _tm, _font, _size, stack=stack, index=index):
            if not chunk or not stack:
                return
            if "/Artifact" in stack:
                artifacts.setdefault(index, []).append(chunk)
            elif isinstance(stack[-1], int):
                texts.setdefault((index, stack[-1]), []).append(chunk)

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return (
        {mark: "".join(chunks) for mark, chunks in texts.items()},
        {page: "".join(chunks) for page, chunks in artifacts.items()},
    )


def element_text(element: Element, texts: dict[Mark, str]) -> str:
    """Its text in drawing order (MCIDs count up as a page is drawn)."""
    return " ".join(texts.get(mark, "") for mark in sorted(element.marks))


def text_under(document: TaggedPdf, texts: dict[Mark, str], role: str) -> list[str]:
    """The text of each outermost element of `role`, in tree order."""
    return [
        element_text(element, texts)
        for element in document.roles(role)
        if role not in element.ancestors
    ]


def form_fields(path: Path) -> list[dict]:
    """Each widget of the AcroForm: its name, label (/TU) and object id."""
    with pikepdf.open(path) as pdf:
        form = pdf.Root.get("/AcroForm")
        if form is None:
            return []
        widgets = []
        pending = list(form.get("/Fields", []))
        while pending:
            item = pending.pop(0)
            if "/Kids" in item:
                pending += list(item.Kids)
                continue
            parent = item.get("/Parent")
            label = item.get("/TU") or (parent.get("/TU") if parent is not None else None)
            widgets.append(
                {"name": str(item.get("/T", "")), "label": str(label or ""), "id": item.objgen}
            )
        return widgets


def claims_pdf_ua(path: Path) -> bool:
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        return str(meta.get("pdfuaid:part", "")) == "1"


def promise_problems(path: Path) -> list[str]:
    """What keeps a PDF from being the tagged PDF/UA-1 file it says it is."""
    document = read(path)
    if not document.tagged:
        return ["not tagged"]
    problems = [
        f"page {s.page + 1}: {s.tag} MCID {s.mcid} is neither in the tree nor an artifact"
        for s in document.unclaimed()
    ]
    problems += [
        f"page {page + 1}: {count} drawing operation(s) outside marked content"
        for page, count in document.untagged_drawing.items()
    ]
    problems += ["a figure has no /Alt" for e in document.roles("/Figure") if not e.alt.strip()]
    in_tree = {obj for e in document.roles("/Form") for obj in e.objects}
    for widget in form_fields(path):
        if not widget["label"].strip():
            problems.append(f"field {widget['name']} has no label (/TU)")
        if widget["id"] not in in_tree:
            problems.append(f"field {widget['name']} is no Form element in the tree")
    if not claims_pdf_ua(path):
        problems.append("the XMP does not claim PDF/UA-1")
    return problems


FENCE = re.compile(r"^(```+|~~~+)\s*(.*)$")


def fenced_code_lines(chapter: Path) -> list[str]:
    """The first line of each fenced code block in a chapter (raw blocks and includes
    aside: they are not shown as written)."""
    found, fence, shown, body = [], None, False, []
    for line in chapter.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if fence is None:
            opening = FENCE.match(stripped)
            if opening:
                fence, body = opening.group(1), []
                shown = "{=" not in opening.group(2) and "include" not in opening.group(2)
        elif stripped.startswith(fence) and not stripped[len(fence) :].strip():
            written = [b.strip() for b in body if b.strip()]
            if shown and written:
                found.append(written[0])
            fence = None
        else:
            body.append(line)
    return found


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)
