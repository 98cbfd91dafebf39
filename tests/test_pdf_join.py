"""render/pdf_join on two tiny parts laid out by the engine (fast): one book of them."""

from __future__ import annotations

import io
import subprocess
import sys

import pikepdf
import pytest
from pikepdf import NameTree, NumberTree

from helpers import FIXTURES, copy_project
from publish.outputs.pdf_parts import PartDocument, render_parts
from publish.render.join_process import JoinProcess
from publish.render.pdf_join import CROSS_PART, Joining, join, label_ranges


def _part(title: str, ident: str, target: str) -> bytes:
    document = (
        f'<html lang="en"><head><title>{title}</title></head><body>'
        f'<h1 id="{ident}">{title}</h1><p>See <a href="{CROSS_PART}{target}">the other</a>.</p>'
        "</body></html>"
    )
    (layout,) = render_parts([PartDocument(document, "")], [], None)
    return layout.data


def _joined(claims_ua: bool) -> pikepdf.Pdf:
    parts = [_part("First", "first", "second"), _part("Second", "second", "first")]
    how = Joining([True, False], labels=label_ranges(2, cover=False), claims_ua=claims_ua)
    return pikepdf.open(io.BytesIO(join(parts, how)))


def test_two_parts_make_one_book():
    pdf = _joined(claims_ua=True)
    assert len(pdf.pages) == 3  # the blank verso after the first part
    assert "/Contents" not in pdf.pages[1].obj and "/Annots" not in pdf.pages[1].obj
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    names = {n: index[d[0].objgen] for n, d in NameTree(pdf.Root.Names.Dests).items()}
    links = [str(a.Dest) for p in (0, 2) for a in pdf.pages[p].obj.Annots]
    assert links == ["second", "first"] and names == {"first": 0, "second": 2}
    with pdf.open_outline() as outline:
        assert [(item.title, index[item.destination[0].objgen]) for item in outline.root] == [
            ("First", 0),
            ("Second", 2),
        ]
    root = pdf.Root.StructTreeRoot
    document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
    headings = [kid for kid in document.K if str(kid.get("/S")) == "/H1"]
    assert len(headings) == 2 and all(h.P.objgen == document.objgen for h in headings)
    keys = [int(pdf.pages[p].obj.StructParents) for p in (0, 2)]
    parents = NumberTree(root.ParentTree)
    assert keys[0] != keys[1] and all(k in parents for k in keys)
    assert int(root.ParentTreeNextKey) > max(int(k) for k, _ in parents.items())
    assert [int(x) for x in pdf.Root.PageLabels.Nums[::2]] == [0, 2]  # roman, then arabic
    assert "pdfuaid:part" in pdf.open_metadata()


def test_a_failed_promise_in_any_part_drops_the_claim():
    assert "pdfuaid:part" not in _joined(claims_ua=False).open_metadata()


def test_the_join_runs_apart_and_its_errors_reach_the_caller():
    """The join runs in a spawned process (render/join_process.py): its result is the
    in-process join's bytes, and what it raises is raised in the caller."""
    parts = [_part("First", "first", "second"), _part("Second", "second", "first")]
    how = Joining([True, False], labels=label_ranges(2, cover=False))
    with JoinProcess() as joiner:
        assert joiner.join(parts, how) == join(parts, how)
    with JoinProcess() as joiner, pytest.raises(pikepdf.PdfError):
        joiner.join([b"%PDF-1.7 not a PDF at all"], Joining([False]))


@pytest.mark.slow
def test_a_script_without_a_main_guard_builds_the_joined_pdf(tmp_path):
    """The join's process is a fresh interpreter running this package's module, never
    the caller's script again (as multiprocessing's spawn would, which breaks a script
    that calls `build()` at its top level)."""
    project = copy_project(FIXTURES / "pdf-parts", tmp_path / "book")
    script = tmp_path / "make_book.py"
    script.write_text(
        "from pathlib import Path\nfrom publish.engine.build import build\n"
        f"build(Path({str(project)!r}), formats=('pdf',))\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert list((project / "build" / "full").glob("*.pdf"))
