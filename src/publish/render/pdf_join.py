"""Join PDFs laid out part by part (front matter, then each chapter) into one book.

Each part is a tagged PDF of its own. The join keeps the first part's catalog (its XMP,
language, viewer preferences) and appends the other parts' pages, then makes of them one
book: one structure tree (every part's elements under the first part's `Document`, the
`StructParents` keys renumbered into one ParentTree, role maps merged), one outline and
one table of named destinations, links between parts pointed at those names, blank
versos where a part must open on a recto, folios stamped from an overlay document as
`/Artifact` content, and page labels.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, NumberTree, OutlineItem, String

from .pdf_fonts import merge_font_subsets
from .pdf_tags import UA_PART

# A part links to an anchor in another part by this URL (it has no such anchor itself,
# and WeasyPrint would drop the link); the join turns it into a named destination.
CROSS_PART = "https://parts.publish.invalid/#"


@dataclass
class Joining:
    """How to join: which parts get a blank verso after them, which pages get which
    overlay page, the page label ranges (`[start, dict, ...]`), and an even count."""

    blank_after: list[bool]
    overlays: list[bytes] = field(default_factory=list)
    """PDFs of folios, their pages taken one after another as one overlay."""
    stamps: dict[int, int] = field(default_factory=dict)
    """Joined page index -> overlay page index."""
    labels: list[tuple[int, str, str]] = field(default_factory=list)
    even: bool = False
    claims_ua: bool = True
    metadata_from: int = 0
    """The part whose XMP and document information the book keeps."""
    dated: tuple[str, str] | None = None
    """(PDF date, XMP date) the book is created and modified at, when that part's are
    stand-ins (so the part's layout, cached, does not follow the clock)."""
    version: str = ""
    """The release (`xmpMM:VersionID`), as the whole-document path writes it."""
    """False when a part's PDF/UA promise failed (pdf_tags): then the book claims none."""


def join(parts: list[bytes], how: Joining) -> bytes:
    """One PDF of `parts`, in order (see the module's docstring)."""
    sources = [pikepdf.open(io.BytesIO(data)) for data in parts]
    book = sources[0]
    tree = book.Root.StructTreeRoot
    document = _document(tree)
    parents = NumberTree(tree.ParentTree)
    next_key = _next_key(parents)
    starts = [0]
    _blank_after(book, how.blank_after[0])
    for source, blank in zip(sources[1:], how.blank_after[1:], strict=True):
        starts.append(len(book.pages))
        next_key = _append_part(book, source, document, parents, next_key)
        _blank_after(book, blank)
    tree.ParentTreeNextKey = next_key
    if how.even and len(book.pages) % 2:
        _blank_after(book, True)
    _merge_destinations(book, sources, starts)
    _merge_outline(book, sources, starts)
    _point_cross_links(book)
    if how.overlays:
        overlays = [pikepdf.open(io.BytesIO(data)) for data in how.overlays]
        _stamp(book, [page for overlay in overlays for page in overlay.pages], how.stamps)
    if how.labels:
        book.Root.PageLabels = _page_labels(how.labels)
    if how.metadata_from:
        _take_metadata(book, sources[how.metadata_from])
    if how.dated is not None:
        _date(book, *how.dated)
    if how.version:
        with book.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["xmpMM:VersionID"] = how.version
    if not how.claims_ua:
        with book.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            if UA_PART in meta:
                del meta[UA_PART]
    merge_font_subsets(book)
    out = io.BytesIO()
    # Object streams: the parts' dictionaries (structure tree, annotations) compressed
    # together, as WeasyPrint writes a whole document's.
    book.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _take_metadata(book, source) -> None:
    """The XMP and the document information of `source` instead of the first part's."""
    book.Root.Metadata = book.copy_foreign(source.Root.Metadata)
    book.trailer.Info = book.copy_foreign(source.trailer.Info)


def _date(book, pdf_date: str, xmp_date: str) -> None:
    with book.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["xmp:CreateDate"] = meta["xmp:ModifyDate"] = xmp_date
    book.docinfo["/CreationDate"] = book.docinfo["/ModDate"] = String(pdf_date)


def _next_key(parents: NumberTree) -> int:
    return max((int(key) for key, _ in parents.items()), default=-1) + 1


def _append_part(book, source, document, parents: NumberTree, offset: int) -> int:
    """The part's pages and structure appended; the next free ParentTree key."""
    first = len(book.pages)
    with warnings.catch_warnings():  # of named destinations: `_merge_destinations` moves them
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        book.pages.extend(source.pages)
    for page in book.pages[first:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    root = source.Root.StructTreeRoot
    for key, value in NumberTree(root.ParentTree).items():
        parents[int(key) + offset] = book.copy_foreign(source.make_indirect(value))
    kids = _as_array(_document(root).K)
    own = _as_array(document.K)
    for kid in kids:
        copied = book.copy_foreign(kid)
        copied.P = document
        own.append(copied)
    document.K = own
    _merge_role_map(book.Root.StructTreeRoot, root)
    return offset + _next_key(NumberTree(root.ParentTree))


def _document(tree):
    """The `Document` element at the top of a part's tree (alone, or in a one-item array)."""
    return tree.K[0] if isinstance(tree.K, Array) else tree.K


def _as_array(kids) -> Array:
    return kids if isinstance(kids, Array) else Array([kids])


def _merge_role_map(tree, root) -> None:
    if "/RoleMap" not in root:
        return
    roles = tree.get("/RoleMap", Dictionary())
    for key, value in root.RoleMap.items():
        roles[key] = value
    tree.RoleMap = roles


def _blank_after(book, wanted: bool) -> None:
    """An empty page (nothing drawn) with the boxes of the last page on its side."""
    if not wanted:
        return
    same_side = book.pages[-2].obj if len(book.pages) >= 2 else book.pages[-1].obj
    page = Dictionary(Type=Name.Page, Resources=Dictionary())
    for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
        if box in same_side:
            page[box] = same_side[box]
    book.pages.append(pikepdf.Page(book.make_indirect(page)))


def _page_index(source) -> dict:
    return {page.obj.objgen: index for index, page in enumerate(source.pages)}


def _moved(book, destination, where: dict, start: int) -> Array:
    """A destination array of a part, pointing at its page in the book."""
    target = book.pages[start + where[destination[0].objgen]].obj
    return Array([target, *list(destination)[1:]])


def _merge_destinations(book, sources, starts) -> None:
    """Every part's named destinations (WeasyPrint names one per anchor) in one tree."""
    merged = NameTree.new(book)
    for source, start in zip(sources, starts, strict=True):
        names = source.Root.get("/Names")
        if names is None or "/Dests" not in names:
            continue
        where = _page_index(source)
        for name, destination in NameTree(names.Dests).items():
            merged[name] = _moved(book, destination, where, start)
    book.Root.Names = Dictionary(Dests=merged.obj)


def _merge_outline(book, sources, starts) -> None:
    """The parts' outlines, one after another, as the whole book's."""
    items = []
    for source, start in zip(sources, starts, strict=True):
        where = _page_index(source)
        with source.open_outline() as outline:
            items += [_copied_item(book, item, where, start) for item in outline.root]
    with book.open_outline() as outline:
        outline.root[:] = items


def _copied_item(book, item, where: dict, start: int) -> OutlineItem:
    copied = OutlineItem(item.title)
    copied.destination = _moved(book, item.destination, where, start)
    copied.is_closed = item.is_closed
    copied.children.extend(_copied_item(book, child, where, start) for child in item.children)
    return copied


def _point_cross_links(book) -> None:
    """Links a part made to another part's anchor become links to its named destination."""
    for page in book.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(CROSS_PART):
                name = uri.removeprefix(CROSS_PART)
                del annotation["/A"]
                annotation.Dest = String(name)
                annotation.Contents = String(name)


def _stamp(book, overlay: list, stamps: dict[int, int]) -> None:
    """Draw overlay pages (folios) over the book's, marked as pagination artifacts."""
    for index, overlay_index in sorted(stamps.items()):
        page = book.pages[index]
        form = book.copy_foreign(overlay[overlay_index].as_form_xobject())
        if "/Resources" not in page.obj:
            page.obj.Resources = Dictionary()
        if "/XObject" not in page.obj.Resources:
            page.obj.Resources.XObject = Dictionary()
        # Pages of a part share one resource dictionary: a name per page.
        name = f"/PublishFolio{index}"
        page.obj.Resources.XObject[name] = form
        page.contents_add(book.make_stream(b"q\n"), prepend=True)
        draw = f"Q\n/Artifact <</Type /Pagination>> BDC q {name} Do Q EMC\n"
        page.contents_add(book.make_stream(draw.encode()))


def label_ranges(body_start: int, cover: bool) -> list[tuple[int, str, str]]:
    """Page labels matching the printed folios, as (first page, numbering style, prefix):
    the cover (when there is one), roman front matter, an arabic body (as
    `pdf_engine.page_labels` writes them). Plain values, so a `Joining` can be pickled."""
    front = 1 if cover else 0
    ranges = [(0, "", "Cover")] if cover else []
    if body_start > front:
        ranges.append((front, "r", ""))
    return [*ranges, (body_start, "D", "")]


def _page_labels(ranges: list[tuple[int, str, str]]) -> Dictionary:
    numbers: list = []
    for start, style, prefix in ranges:
        label = Dictionary(S=Name("/" + style), St=1) if style else Dictionary()
        if prefix:
            label.P = String(prefix)
        numbers += [start, label]
    return Dictionary(Nums=Array(numbers))
