"""Make a tagged PDF from WeasyPrint what its XMP says it is (PDF/UA-1).

WeasyPrint 70 tags the page content it draws, but two things fall short and cannot
be configured per document (the tagging is one module-level function):

- the text of margin boxes (running heads, page numbers) is marked content whose
  structure element hangs from nothing, neither in the tree nor an artifact: here
  each such sequence becomes a `/Artifact` of type `/Pagination` and leaves the
  ParentTree (backgrounds and borders are already artifacts);
- `pre` and `code` become `NonStruct`: here text set wholly in a fixed-pitch font
  becomes `Code`, a block of it a `P` holding one `Code` element.

Then the promise is checked: nothing drawn outside marked content (marked content
outside the tree is an artifact by then), every figure with `/Alt`, every form
field labelled and in the tree. If any fails, the PDF/UA identifier leaves the XMP and
the caller is told why (the PDF stays tagged, it just claims no conformance).
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, NumberTree, Operator

# Operators that put marks on the page (pikepdf reports an inline image as one).
PAINTING = frozenset(
    {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh"}
    | {"INLINE IMAGE"}
)
TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
FIXED_PITCH = 1  # bit 1 of a font descriptor's /Flags
# Code under these roles is inline; elsewhere it is inline when it sits among other
# text, and a code block when it stands alone.
INLINE_PARENTS = frozenset({"/P", "/Span", "/Link", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"})
UA_PART = "pdfuaid:part"


@dataclass
class Node:
    """One structure element reached from the root, with what the checks ask of it."""

    element: pikepdf.Dictionary
    parent: Node | None
    children: list[Node] = field(default_factory=list)
    marks: list[tuple[tuple[int, int], int]] = field(default_factory=list)
    """((page object id), MCID) of the marked content directly under it."""

    @property
    def role(self) -> str:
        return str(self.element.get("/S"))

    def leaves(self) -> Iterator[tuple[tuple[int, int], int]]:
        yield from self.marks
        for child in self.children:
            yield from child.leaves()


def finish_tagging(data: bytes) -> tuple[bytes, list[str]]:
    """The PDF with margin content as artifacts and code as `Code`, and the reasons
    (none when all holds) its PDF/UA identifier was dropped. An untagged PDF is
    returned as it came."""
    pdf = pikepdf.open(io.BytesIO(data))
    if "/StructTreeRoot" not in pdf.Root:
        return data, []
    root = _walk(pdf)
    reached = {mark for node in _nodes(root) for mark in node.marks}
    parent_tree = NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    scans = [_artifact_orphans(pdf, page, reached, parent_tree) for page in pdf.pages]
    _tag_code(pdf, root, {key: fixed for scan in scans for key, fixed in scan.fixed.items()})
    problems = _promise_problems(pdf, root, scans)
    if problems:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            if UA_PART in meta:
                del meta[UA_PART]
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue(), problems


@dataclass
class PageScan:
    """What one pass over a page's content found."""

    fixed: dict[tuple[tuple[int, int], int], bool] = field(default_factory=dict)
    """Per (page, MCID) with text: whether all of it is set in a fixed-pitch font."""
    untagged: int = 0
    """Drawing operations outside any marked content (neither tagged nor artifacts)."""


def _walk(pdf: pikepdf.Pdf) -> Node:
    """The structure tree from its root, as nodes that know their parents."""
    tree_root = pdf.Root.StructTreeRoot
    root = Node(tree_root, None)
    pending = deque((root, kid, None) for kid in _kids(tree_root))
    while pending:
        parent, kid, page = pending.popleft()
        if isinstance(kid, int):
            parent.marks.append((page, int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == Name.MCR:
            parent.marks.append((kid.Pg.objgen if "/Pg" in kid else page, int(kid.MCID)))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            node = Node(kid, parent)
            parent.children.append(node)
            on = kid.Pg.objgen if "/Pg" in kid else page
            pending += [(node, grandchild, on) for grandchild in _kids(kid)]
    return root


def _kids(element: pikepdf.Dictionary) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _nodes(child)


def _artifact_orphans(pdf, page, reached, parent_tree) -> PageScan:
    """Turn the page's unreachable marked content into pagination artifacts, noting
    on the way which text is fixed-pitch and what is drawn outside marked content
    (one pass: a page's content is most of the cost)."""
    instructions = pikepdf.parse_content_stream(page)
    fonts = page.get("/Resources", Dictionary()).get("/Font", Dictionary())
    scan, orphans, open_mcids, fixed_font = PageScan(), [], [], False
    for index, (operands, operator) in enumerate(instructions):
        op = str(operator)
        if op in ("BDC", "BMC"):
            mcid = _mcid(operands) if op == "BDC" else None
            if mcid is not None and (page.objgen, mcid) not in reached:
                orphans.append((index, mcid))
                mcid = None
            open_mcids.append(mcid)
        elif op == "EMC" and open_mcids:
            open_mcids.pop()
        elif op == "Tf":
            fixed_font = _is_fixed_pitch(fonts.get(str(operands[0])))
        elif op in PAINTING and not open_mcids:
            scan.untagged += 1
        elif op in TEXT_SHOWING and open_mcids[-1] is not None:
            key = (page.objgen, open_mcids[-1])
            scan.fixed[key] = scan.fixed.get(key, True) and fixed_font
    if orphans:
        for index, _ in orphans:
            pagination = [Name.Artifact, Dictionary(Type=Name.Pagination)]
            instructions[index] = pikepdf.ContentStreamInstruction(pagination, Operator("BDC"))
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        _unlink_from_parent_tree(page, [mcid for _, mcid in orphans], parent_tree)
    return scan


def _mcid(operands) -> int | None:
    properties = operands[1] if len(operands) > 1 else None
    if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
        return int(properties.MCID)
    return None


def _is_fixed_pitch(font) -> bool:
    if font is None:
        return False
    described = font.DescendantFonts[0] if "/DescendantFonts" in font else font
    descriptor = described.get("/FontDescriptor")
    return descriptor is not None and bool(int(descriptor.get("/Flags", 0)) & FIXED_PITCH)


def _unlink_from_parent_tree(page, mcids: list[int], parent_tree: NumberTree) -> None:
    """An artifact has no structure parent: its ParentTree slot becomes null."""
    if "/StructParents" not in page or int(page.StructParents) not in parent_tree:
        return
    parents = parent_tree[int(page.StructParents)]
    for mcid in mcids:
        if mcid < len(parents):
            parents[mcid] = pikepdf.Object.parse(b"null")


def _tag_code(pdf: pikepdf.Pdf, root: Node, fixed_pitch: dict) -> None:
    """Retag the outermost elements whose text is all fixed-pitch as code."""
    code = {id(node) for node in _nodes(root) if _all_code(node, fixed_pitch)}
    for node in _nodes(root):
        if id(node) not in code or node.parent is None or id(node.parent) in code:
            continue
        if _inline(node, fixed_pitch):
            node.element.S = Name.Code
        else:
            _make_code_block(pdf, node)


def _all_code(node: Node, fixed_pitch: dict) -> bool:
    if node.role == "/Figure" or node.parent is None:
        return False
    leaves = list(node.leaves())
    return bool(leaves) and all(fixed_pitch.get(leaf, False) for leaf in leaves)


def _inline(node: Node, fixed_pitch: dict) -> bool:
    """Inline code sits in a paragraph-like parent, or among other text."""
    parent = node.parent
    if parent.role in INLINE_PARENTS:
        return True
    return any(
        other.role == "/Span" and not _all_code(other, fixed_pitch)
        for other in parent.children
        if other is not node
    )


def _make_code_block(pdf: pikepdf.Pdf, node: Node) -> None:
    """A code block: its element a `P` holding one `Code` element with its content."""
    element = node.element
    if node.marks:  # text straight under it: the element itself is the code
        element.S = Name.Code
        return
    element.S = Name.P
    if len(node.children) == 1 and node.children[0].role in ("/NonStruct", "/Span", "/Div"):
        node.children[0].element.S = Name.Code
        return
    code = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Code, P=element, K=element.K))
    if "/Pg" in element:
        code.Pg = element.Pg
    for child in node.children:
        child.element.P = code
    element.K = Array([code])


def _promise_problems(pdf: pikepdf.Pdf, root: Node, scans: list[PageScan]) -> list[str]:
    """Why the PDF is not what PDF/UA-1 asks, as far as a structure walk can tell
    (marked content outside the tree is never left: it became artifacts)."""
    problems = [
        f"page {number}: {scan.untagged} drawing operation(s) neither tagged nor artifacts"
        for number, scan in enumerate(scans, 1)
        if scan.untagged
    ]
    for node in _nodes(root):
        if node.role == "/Figure" and not str(node.element.get("/Alt", "")).strip():
            problems.append("a figure has no alternative text (/Alt)")
    problems += _field_problems(pdf, root)
    return problems


def _field_problems(pdf: pikepdf.Pdf, root: Node) -> list[str]:
    form = pdf.Root.get("/AcroForm")
    if form is None:
        return []
    in_tree = {
        kid.Obj.objgen
        for node in _nodes(root)
        if node.role == "/Form"
        for kid in _kids(node.element)
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == Name.OBJR
    }
    problems = []
    for widget in _widgets(form.get("/Fields", Array())):
        name = str(widget.get("/T", ""))
        if not str(widget.get("/TU", "")).strip() and not _inherited_label(widget):
            problems.append(f"form field '{name}' has no label (/TU)")
        if widget.objgen not in in_tree:
            problems.append(f"form field '{name}' is not a Form element in the structure tree")
    return problems


def _widgets(fields) -> Iterator[pikepdf.Dictionary]:
    for item in fields:
        if "/Kids" in item:
            yield from _widgets(item.Kids)
        else:
            yield item


def _inherited_label(widget) -> bool:
    parent = widget.get("/Parent")
    return parent is not None and bool(str(parent.get("/TU", "")).strip())
