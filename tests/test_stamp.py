"""`publish stamp` on built books: each buyer's copy is valid, marked, identifiable and
the same bytes every time; the sample and hostile buyer text are handled."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from lxml import etree

from helpers import NS, ace_command, epub_files, epubcheck, opf
from publish.commands.cli import main
from publish.errors import FindingsError
from publish.storefront.identify import identify
from publish.storefront.order import validated
from publish.storefront.stamp import Stamper, stamp
from publish.storefront.stamp_pdf import STAMP_NS
from test_accessibility import ace_report

BUYERS = [
    ("Ada Lovelace", "ada@example.com", "A-1001", "2026-11-28"),
    ("Grace Hopper", "grace.hopper@example.org", "B-2002", "2026-12-01"),
]
HOSTILE_NAME = '<script>alert("x")</script> & Bob </p><p>'


def book_files(build: Path, edition: str = "full") -> dict[str, dict]:
    manifest = json.loads((build / "manifest.json").read_text())
    return {
        a["format"]: a
        for a in manifest["artifacts"]
        if a["edition"] == edition and a.get("identifier") and a["format"] in ("epub", "pdf")
    }


# `copies` builds whole books (the fixtures it asks for by name), so its tests are marked
# slow here: conftest marks a test by the fixtures it names, and cannot see these.
@pytest.fixture(scope="module", params=["bundled_build", "mini_build"])
def copies(request, tmp_path_factory) -> tuple[Path, Path]:
    """Both buyers' copies of a built book: (build folder, output store)."""
    build = request.getfixturevalue(request.param)
    out = tmp_path_factory.mktemp("stamped")
    stamper = Stamper()
    for buyer in BUYERS:
        stamp(build, validated(*buyer), out, stamper)
    return build, out


def copy_of(out: Path, order: str, suffix: str) -> Path:
    (path,) = (out / order).glob(f"*{suffix}")
    return path


def pdf_page_texts(path: Path) -> list[str]:
    pages = len(pikepdf.open(path).pages)
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, pages + 1)
    ]


def body_start(pdf: pikepdf.Pdf) -> int:
    nums = list(pdf.Root.PageLabels.Nums)
    return next(
        int(i) for i, label in zip(nums[::2], nums[1::2], strict=True) if label.get("/S") == "/D"
    )


@pytest.mark.slow
@pytest.mark.parametrize("buyer", BUYERS, ids=[b[2] for b in BUYERS])
def test_each_stamped_epub_passes_epubcheck_and_names_its_buyer(copies, buyer):
    build, out = copies
    name, email, order, date = buyer
    path = copy_of(out, order, ".epub")
    report = epubcheck(path)
    assert (report["checker"]["nError"], report["checker"]["nWarning"]) == (0, 0), [
        m["message"] for m in report["messages"]
    ]
    files = epub_files(path)
    assert next(iter(files)) == "mimetype"
    colophon = next(
        etree.fromstring(data)
        for name_, data in files.items()
        if name_.endswith(".xhtml") and b'epub:type="colophon"' in data
    )
    licence = colophon.find(".//x:p[@class='licence']", NS)
    text = "".join(licence.itertext()).replace("\u200b", "").replace("\u2060", "")
    assert text == f"Licensed to {name} <{email}>, order {order}, {date}"
    metas = {m.get("property"): m.text for m in opf(path).iterfind(".//opf:meta", NS)}
    assert metas["stamp:licensee"] == f"{name} <{email}>"
    assert metas["stamp:order"] == order
    assert metas["stamp:master-sha256"] == book_files(build)["epub"]["sha256"]


@pytest.mark.slow
@pytest.mark.parametrize("buyer", BUYERS, ids=[b[2] for b in BUYERS])
def test_each_stamped_pdf_has_its_line_on_every_body_page_and_stays_tagged(copies, buyer):
    build, out = copies
    name, email, order, date = buyer
    path = copy_of(out, order, ".pdf")
    line = f"Licensed to {name} <{email}>, order {order}, {date}"
    master = pikepdf.open(build / book_files(build)["pdf"]["path"])
    stamped = pikepdf.open(path)
    texts = pdf_page_texts(path)
    start = body_start(stamped)
    assert start > 0 and len(texts) == len(master.pages)
    assert all(line in text for text in texts[start:]), "every body page carries the line"
    assert not any(line in text for text in texts[:2]), "not on the cover or title page"
    colophon = [t for t in texts[:start] if "Identifier" in t]
    assert colophon and all(line in t for t in colophon)
    # Tagged as before: the same structure tree root, outline, labels, links.
    assert stamped.Root.MarkInfo.Marked
    assert "/StructTreeRoot" in stamped.Root
    assert stamped.Root.Outlines.Count == master.Root.Outlines.Count
    assert repr(stamped.Root.PageLabels) == repr(master.Root.PageLabels)

    def links(pdf):
        return sum(
            1 for p in pdf.pages for a in p.get("/Annots", []) if a.get("/Subtype") == "/Link"
        )

    assert links(stamped) == links(master) > 0
    # The line is drawn as an artifact, outside the tagged content.
    for page in stamped.pages[start:]:
        ops = pikepdf.parse_content_stream(page)
        stamp_ops = [i for i, (_, op) in enumerate(ops) if op == pikepdf.Operator("Do")]
        last = stamp_ops[-1]
        assert ops[last][0][0] == "/PublishStamp"
        assert ops[last - 1][1] == pikepdf.Operator("BDC")
        assert ops[last - 1][0][0] == "/Artifact"
    form = stamped.pages[start].Resources.XObject.PublishStamp
    assert b"BDC" not in form.read_bytes() and b"MCID" not in form.read_bytes()
    faces = {str(f.BaseFont).split("+")[-1] for f in form.Resources.Font.values()}
    assert faces == {"Open-Sans"}, "set in the theme's face, not a fallback"
    book_fonts = {str(f.BaseFont) for p in master.pages for f in p.Resources.Font.values()}
    line_fonts = {str(f.BaseFont) for f in form.Resources.Font.values()}
    assert not book_fonts & line_fonts, "a subset of other glyphs needs a name of its own"
    meta = stamped.open_metadata()
    assert meta[f"{{{STAMP_NS}}}order"] == order
    assert meta[f"{{{STAMP_NS}}}licensee"] == f"{name} <{email}>"
    assert meta[f"{{{STAMP_NS}}}masterSha256"] == book_files(build)["pdf"]["sha256"]
    # Nothing of the book was rendered again: the master's bytes, then the stamp.
    master_bytes = (build / book_files(build)["pdf"]["path"]).read_bytes()
    assert path.read_bytes().startswith(master_bytes.rstrip(b"\n"))
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert qpdf.returncode == 0, qpdf.stdout


def rezip(source: Path, target: Path) -> Path:
    """Unzip and zip again as a sharer would: other order, other compression, no times."""
    with zipfile.ZipFile(source) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("mimetype", members.pop("mimetype"), zipfile.ZIP_STORED)
        for name in sorted(members, reverse=True):
            archive.writestr(name, members[name])
    return target


@pytest.mark.slow
@pytest.mark.parametrize("buyer", BUYERS, ids=[b[2] for b in BUYERS])
def test_identify_finds_the_order_in_copies_resaved_and_copied_text(copies, buyer, tmp_path):
    build, out = copies
    order = buyer[2]
    epub, pdf = copy_of(out, order, ".epub"), copy_of(out, order, ".pdf")
    assert identify(epub).order == order
    assert identify(pdf).order == order
    rezipped = rezip(epub, tmp_path / "shared.epub")
    assert rezipped.read_bytes() != epub.read_bytes()
    assert identify(rezipped).fingerprints.most_common(1)[0][0] == order
    # The metadata stripped, the fingerprint alone still names the order.
    resaved = tmp_path / "resaved.pdf"
    with pikepdf.open(pdf) as document:
        del document.Root.Metadata
        document.save(resaved, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    found = identify(resaved)
    assert (found.order, found.metadata_order) == (order, None)
    # Text copied out of a chapter, and out of the PDF.
    chapter = next(
        etree.fromstring(d)
        for n, d in epub_files(epub).items()
        if "chapter" in n and n.endswith("xhtml")
    )
    (tmp_path / "chapter.txt").write_text("".join(chapter.itertext()), encoding="utf-8")
    assert identify(tmp_path / "chapter.txt").order == order
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    (tmp_path / "pdf.txt").write_text(text, encoding="utf-8")
    assert identify(tmp_path / "pdf.txt").order == order
    # The master carries no stamp.
    assert identify(build / book_files(build)["epub"]["path"]).order is None


@pytest.mark.slow
def test_the_same_order_gives_the_same_bytes(copies, tmp_path):
    build, out = copies
    again = tmp_path / "again"
    stamp(build, validated(*BUYERS[0]), again)  # a fresh Stamper: nothing kept warm
    for suffix in (".epub", ".pdf"):
        first = copy_of(out, BUYERS[0][2], suffix).read_bytes()
        assert copy_of(again, BUYERS[0][2], suffix).read_bytes() == first
        assert copy_of(out, BUYERS[1][2], suffix).read_bytes() != first


def test_the_sample_is_refused(bundled_build, tmp_path):
    with pytest.raises(FindingsError, match="STM007"):
        stamp_cli(bundled_build, tmp_path, "--edition", "sample")
    # A build of the sample alone (as `publish build --edition sample` leaves it).
    sample_only = tmp_path / "build"
    manifest = json.loads((bundled_build / "manifest.json").read_text())
    manifest["artifacts"] = [a for a in manifest["artifacts"] if a["edition"] == "sample"]
    for artifact in manifest["artifacts"]:
        (sample_only / artifact["path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(bundled_build / artifact["path"], sample_only / artifact["path"])
    (sample_only / "manifest.json").write_text(json.dumps(manifest))
    result = CliRunner().invoke(main, stamp_args(sample_only, tmp_path / "out"))
    assert result.exit_code == 1
    assert "STM007" in result.output and "sample" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def stamp_args(build: Path, out: Path, *extra: str, buyer: str = "Ada Lovelace") -> list[str]:
    return [
        "stamp", str(build), "--buyer", buyer, "--email", "ada@example.com",
        "--order", "A-1", "--date", "2026-11-28", "--out", str(out), *extra,
    ]  # fmt: skip


def stamp_cli(build: Path, out: Path, *extra: str) -> None:
    """Run the command in-process, re-raising the error it would print."""
    result = CliRunner().invoke(main, stamp_args(build, out, *extra), standalone_mode=False)
    if result.exception:
        raise result.exception


@pytest.mark.parametrize(
    ("buyer", "code"),
    [
        ("Bob\x00Smith", "STM003"),
        ("Bob\x1b[31mRed", "STM003"),
        ("Eve \u202egnp.exe", "STM003"),
        ("Zero\u200bWidth", "STM003"),
        ("x" * 10_000, "STM002"),
        ("דוד לוי", "STM012"),
    ],
    ids=["nul", "escape", "rlo", "zero-width", "10kb", "no-glyph"],
)
def test_hostile_buyers_get_a_clear_error_and_nothing_written(bundled_build, tmp_path, buyer, code):
    result = CliRunner().invoke(main, stamp_args(bundled_build, tmp_path, buyer=buyer))
    assert result.exit_code == 1
    assert f"ERROR {code}" in result.output and "--buyer:1:" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not (tmp_path / "A-1").exists()


def test_markup_in_a_name_is_printed_as_text(bundled_build, tmp_path):
    result = CliRunner().invoke(main, stamp_args(bundled_build, tmp_path, buyer=HOSTILE_NAME))
    assert result.exit_code == 0, result.output
    epub, pdf = copy_of(tmp_path, "A-1", ".epub"), copy_of(tmp_path, "A-1", ".pdf")
    report = epubcheck(epub)
    assert (report["checker"]["nError"], report["checker"]["nWarning"]) == (0, 0)
    package = opf(epub)
    licensee = package.find(".//opf:meta[@property='stamp:licensee']", NS).text
    assert licensee == f"{HOSTILE_NAME} <ada@example.com>"
    files = epub_files(epub)
    scripts = [n for n, d in files.items() if n.endswith(".xhtml") and b"<script" in d]
    assert scripts == []
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert f"Licensed to {HOSTILE_NAME} <ada@example.com>" in text


def test_a_stamped_epub_passes_ace(copies, tmp_path, ace_env):
    command = ace_command()
    if command is None:
        pytest.skip("DAISY Ace cannot run here -- ACCESSIBILITY IS NOT VALIDATED")
    _build, out = copies
    report = ace_report(command, copy_of(out, BUYERS[0][2], ".epub"), tmp_path / "ace", ace_env)
    violations = [
        t["earl:test"]["dct:title"] for a in report["assertions"] for t in a["assertions"]
    ]
    assert violations == []
    assert report["earl:result"]["earl:outcome"] == "pass"
