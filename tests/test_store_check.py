"""`publish check --store`: built EPUBs against each store's published rules."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image

from helpers import FIXTURES, NS, REPO, copy_project, epub_files, epubcheck, opf
from publish.checks.codes import CODES
from publish.checks.preflight import MEASURES, preflight
from publish.checks.store_rules import EVERY_STORE, RULES, STORES
from publish.commands.cli import main

ALL_STORES = tuple(STORES)
THEME_FONT = sorted((REPO / "src" / "publish" / "theme" / "fonts").glob("*.ttf"))[0]
FINDING = re.compile(
    r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+): "
    r"(?P<level>ERROR|WARNING) (?P<code>\w+) (?P<message>.*)$"
)
# "...; Kobo: at most 10 MB (recommended)": the store a rule finding names.
RULE_STORE = re.compile(r"; (?P<store>[^;]+?): [^;]*\((?:required|recommended)\)")
CLI_RUNNER = CliRunner()


def _png(size: tuple[int, int], noise: bool = False) -> bytes:
    if noise:  # incompressible: the file is as large as its pixels
        image = Image.frombytes("L", size, os.urandom(size[0] * size[1]))
    else:
        image = Image.new("L", size, 200)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _font(fs_type: int) -> bytes:
    font = TTFont(THEME_FONT)
    font["OS/2"].fsType = fs_type
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _xhtml(title: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en">\n'
        f"<head><title>{title}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


OPF = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:12345678-1234-4234-8234-123456789abc</dc:identifier>
    <dc:title>Field Notes: Free Edition</dc:title>
    <dc:language>en</dc:language>
    <meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="cover" href="images/cover.png" media-type="image/png" properties="cover-image"/>
    <item id="big" href="images/big.png" media-type="image/png"/>
    <item id="noise" href="images/noise.png" media-type="image/png"/>
    <item id="c1" href="chapter-01.xhtml" media-type="application/xhtml+xml"/>
    <item id="f1" href="fonts/Restricted.ttf" media-type="font/ttf"/>
    <item id="f2" href="fonts/Editable.ttf" media-type="font/ttf"/>
  </manifest>
  <spine><itemref idref="c1"/></spine>
</package>
"""


def write_store_fixture(root: Path) -> Path:
    """A built book whose EPUB breaks the stores' rules: a 600x900 cover, a 5000x4000
    image, a 5 MB image, a 12 MB chapter, a pricing word, an Amazon link, fonts."""
    build = root / "build"
    (build / "full").mkdir(parents=True)
    paragraph = "<p>" + "The model ships when the metric moves. " * 25 + "</p>\n"
    chapter = _xhtml(
        "One",
        '<h1>One</h1>\n<p>Buy it <a href="https://www.amazon.co.uk/dp/0000">there</a>.</p>\n'
        '<p><img src="images/big.png" alt="A big figure"/></p>\n'
        + paragraph
        * (12_500_000 // len(paragraph)),
    )
    nav = _xhtml(
        "Contents",
        '<nav xmlns:epub="http://www.idpf.org/2007/ops" epub:type="toc"><ol>'
        '<li><a href="chapter-01.xhtml">One</a></li></ol></nav>',
    )
    container = (
        '<?xml version="1.0"?><container version="1.0" '
        'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
        '<rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/>'
        "</rootfiles></container>"
    )
    epub = build / "full" / "notes.epub"
    with zipfile.ZipFile(epub, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", container)
        archive.writestr("EPUB/content.opf", OPF)
        archive.writestr("EPUB/nav.xhtml", nav)
        archive.writestr("EPUB/chapter-01.xhtml", chapter)
        archive.writestr("EPUB/images/cover.png", _png((600, 900)))
        archive.writestr("EPUB/images/big.png", _png((5000, 4000)))
        archive.writestr("EPUB/images/noise.png", _png((2300, 2300), noise=True))
        archive.writestr("EPUB/fonts/Restricted.ttf", _font(0x0002))
        archive.writestr("EPUB/fonts/Editable.ttf", _font(0x0008))
    artifact = {"path": "full/notes.epub", "edition": "full", "format": "epub"}
    (build / "manifest.json").write_text(json.dumps({"artifacts": [artifact]}))
    return epub


def parse(lines: list[str]) -> list[dict]:
    return [m.groupdict() for line in lines if (m := FINDING.match(line))]


def test_each_broken_rule_is_reported_with_its_store_figure_and_limit(tmp_path):
    root = tmp_path / "book"
    write_store_fixture(root)
    result = preflight(root, ALL_STORES, epubcheck=False)
    found = parse([f.format() for f in result.findings])
    epub = "build/full/notes.epub"
    expected = [
        # where, code, store, the figure measured, the limit
        ("!EPUB/images/cover.png", "STO003", "Apple Books", "600x900 px", "at least 1400 px"),
        ("!EPUB/images/cover.png", "STO003", "Google Play Books", "600 px on", "640 px"),
        ("!EPUB/images/cover.png", "STO003", "Kindle (KDP)", "600x900 px", "625x1000 px"),
        ("!EPUB/images/cover.png", "STO003", "IngramSpark", "600 px on", "1600 px"),
        ("!EPUB/images/cover.png", "STO004", "Kobo", "600x900 px", "1600x2400 px"),
        ("!EPUB/images/big.png", "STO005", "Apple Books", "20.0 megapixels", "4 megapixels"),
        ("!EPUB/images/big.png", "STO005", "IngramSpark", "20.0 megapixels", "3.2 megapixels"),
        ("!EPUB/images/noise.png", "STO005", "IngramSpark", "5.3 megapixels", "3.2 megapixels"),
        ("!EPUB/images/noise.png", "STO005", "Apple Books", "5.3 megapixels", "4 megapixels"),
        ("!EPUB/images/noise.png", "STO006", "Kobo", "5.3 MB", "at most 5 MB"),
        ("!EPUB/chapter-01.xhtml", "STO007", "Kobo", "12.5 MB", "at most 10 MB"),
        ("!EPUB/content.opf", "STO009", "Apple Books", '"Free"', "no pricing words"),
        ("!EPUB/chapter-01.xhtml", "STO010", "Apple Books", "amazon.co.uk", "other stores"),
        ("", "STO011", "Apple Books", "2 embedded fonts", "display-options"),
        ("!EPUB/fonts/Restricted.ttf", "STO012", "every store", "0x0002", "allows embedding"),
    ]
    assert sorted((f["path"], f["code"]) for f in found) == sorted(
        (epub + where, code) for where, code, *_ in expected
    )
    for where, code, store, figure, limit in expected:
        [line] = [
            f
            for f in found
            if f["path"] == epub + where and f["code"] == code and f"; {store}: " in f["message"]
        ]
        assert figure in line["message"] and limit in line["message"], line
    link = next(f for f in found if f["code"] == "STO010")
    assert link["line"] == "6", "the link's line in the chapter"


def test_a_store_checks_only_the_editions_it_takes(tmp_path):
    root = tmp_path / "book"
    write_store_fixture(root)
    manifest = root / "build" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"full"', '"sample"'))
    result = preflight(root, ("google", "kindle"), epubcheck=False)
    assert result.findings == [] and result.epubs == 0
    assert any("Google Play Books: sample edition not checked" in n for n in result.notes)


def test_without_a_build_it_says_to_build_first(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    result = CLI_RUNNER.invoke(main, ["check", str(project), "--store", "apple"])
    assert result.exit_code == 1
    assert "run `publish build" in result.output and "Traceback" not in result.output


def test_a_damaged_epub_is_a_finding_not_a_traceback(tmp_path):
    root = tmp_path / "book"
    epub = write_store_fixture(root)
    epub.write_bytes(b"not a zip")
    [finding] = preflight(root, ("apple",), epubcheck=False).findings
    assert (finding.code, finding.path) == ("STO001", "build/full/notes.epub")


def test_every_rule_is_measured_coded_and_sourced():
    for rule in RULES:
        assert rule.store in STORES or rule.store == EVERY_STORE
        assert rule.measure in MEASURES and rule.code in CODES
        assert rule.source.startswith("https://")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for store in STORES:
        assert f"`{store}`" in readme, f"README's store table lists --store {store}"


# ---- the bundled book, built: exactly the findings it truly has -------------------------

OTHER_STORE_LINK = re.compile(
    r"(^|\.)(amazon|amzn|kobo|barnesandnoble|smashwords|scribd|audible)\.|(^|\.)(play|books)\.google\."
)


def expected_findings(build: Path) -> set[tuple[str, str, str]]:
    """(path, code, store) each store's published rule gives the built EPUBs, measured here
    apart from the preflight: Pillow, fontTools, lxml and EPUBCheck on the files."""
    manifest = json.loads((build / "manifest.json").read_text())
    expected = set()
    # The sample is given away directly: no store checks it. IngramSpark is not in `all`.
    for entry in (a for a in manifest["artifacts"] if a["format"] == "epub"):
        full = entry["edition"] == "full"
        if not full:
            continue
        epub = build / entry["path"]
        where = f"build/{entry['path']}"
        files, package = epub_files(epub), opf(epub)
        base = "EPUB/"
        items = package.findall(".//opf:manifest/opf:item", NS)

        def add(path, code, store, when=True):
            if when:
                expected.add((path, code, store))

        for message in epubcheck(epub)["messages"]:
            loc = message["locations"][0]["path"] if message["locations"] else ""
            # Kobo refuses warnings too.
            refused = message["severity"] in ("WARNING", "ERROR", "FATAL")
            add(f"{where}!{loc}" if loc else where, "STO001", "", refused)
        fonts = [i for i in items if i.get("href").endswith((".ttf", ".otf", ".woff", ".woff2"))]
        add(
            where,
            "STO011",
            "Apple Books",
            fonts and "META-INF/com.apple.ibooks.display-options.xml" not in files,
        )
        for item in fonts:
            flags = TTFont(io.BytesIO(files[base + item.get("href")]))["OS/2"].fsType
            bad = (flags & 2 and not flags & 12) or flags & 0x200
            add(f"{where}!{base}{item.get('href')}", "STO012", "every store", bad)
        title = package.findtext(".//dc:title", namespaces=NS)
        add(
            f"{where}!EPUB/content.opf",
            "STO009",
            "Apple Books",
            re.search(r"\bfree\b", title, re.I),
        )
        for item in items:
            name, data = base + item.get("href"), files[base + item.get("href")]
            inside = f"{where}!{name}"
            if item.get("media-type") == "application/xhtml+xml":
                add(inside, "STO007", "Kobo", len(data) > 10_000_000)
                for href in etree.fromstring(data).xpath("//x:a/@href", namespaces=NS):
                    host = re.sub(r"^[a-z]+://([^/]+).*", r"\1", href)
                    add(
                        inside,
                        "STO010",
                        "Apple Books",
                        "://" in href and OTHER_STORE_LINK.search(host),
                    )
            if item.get("media-type") not in ("image/png", "image/jpeg", "image/gif"):
                continue
            w, h = Image.open(io.BytesIO(data)).size
            add(inside, "STO005", "Apple Books", w * h > 4_000_000)
            add(inside, "STO006", "Kobo", len(data) > 5_000_000)
            if "cover-image" not in (item.get("properties") or ""):
                continue
            short, long = min(w, h), max(w, h)
            add(inside, "STO003", "Apple Books", short < 1400)
            add(inside, "STO003", "Google Play Books", full and (short < 640 or long > 7200))
            kindle_min = w < 625 or h < 1000
            add(inside, "STO003", "Kindle (KDP)", full and kindle_min)
            add(inside, "STO004", "Kobo", w < 1600 or h < 2400)
        for store, cap in (("Apple Books", 2e9), ("Kobo", 1e9), ("Kindle (KDP)", 650e6)):
            add(
                where,
                "STO008",
                store,
                epub.stat().st_size > cap and (full or store != "Kindle (KDP)"),
            )
    return expected


def test_the_bundled_book_has_exactly_the_findings_its_files_give(bundled_build):
    result = CLI_RUNNER.invoke(main, ["check", str(bundled_build.parent), "--store", "all"])
    assert "Traceback" not in result.output
    found = parse(result.output.splitlines())
    reported = {
        (
            f["path"],
            f["code"],
            "" if f["code"] == "STO001" else RULE_STORE.search(f["message"])["store"],
        )
        for f in found
    }
    assert len(found) == len(reported), "one finding per file, rule and store"
    assert reported == expected_findings(bundled_build)
    assert reported == set(), "the bundled book passes every store's rules"
    # Kindle's ideal cover (over Apple's 4 megapixels) is a note, not a finding.
    assert "Kindle (KDP): ideally 1600x2560 px" in result.output
    has_errors = any(f["level"] == "ERROR" for f in found)
    assert result.exit_code == (1 if has_errors else 0)
    assert "EPUBCheck 5" in result.output, "the EPUBCheck run is reported"


@pytest.mark.slow
def test_build_with_store_runs_the_preflight_after_building(tmp_path):
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    args = ["build", str(project), "--edition", "full", "--format", "epub", "--store", "kobo"]
    result = CLI_RUNNER.invoke(main, args)
    assert (project / "build" / "manifest.json").is_file()
    assert "publish check --store kobo: 1 EPUB checked" in result.output


def test_without_java_epubcheck_is_reported_skipped(tmp_path, monkeypatch):
    root = tmp_path / "book"
    write_store_fixture(root)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no java on it
    result = preflight(root, ("apple", "kobo"), epubcheck=True)
    [skipped] = [f for f in result.findings if f.code == "STO002"]
    assert skipped.path == "build/full/notes.epub" and skipped.level == "warning"
    assert "no Java" in skipped.message and "Apple Books and Kobo run it" in skipped.message


def test_check_without_store_loads_no_preflight(tmp_path):
    """`publish check` stays light: the preflight, Pillow and fontTools load only with --store."""
    code = (
        "import sys; from publish.commands.cli import main\n"
        "try: main(['check', sys.argv[1]])\n"
        "except SystemExit: pass\n"
        "print('publish.checks.preflight' in sys.modules)"
    )
    project = copy_project(FIXTURES / "mini", tmp_path / "book")
    result = subprocess.run(
        [sys.executable, "-c", code, str(project)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_the_command_prints_each_finding_and_fails_on_refusals(tmp_path, monkeypatch):
    root = tmp_path / "book"
    write_store_fixture(root)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # EPUBCheck skipped: a fast run
    result = CLI_RUNNER.invoke(main, ["check", str(root), "--store", "apple"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.splitlines()
    assert (
        "build/full/notes.epub!EPUB/images/cover.png:1:1: ERROR STO003 cover is 600x900 px "
        "(1.50:1), 600 px on its short side; Apple Books: at least 1400 px (required)"
    ) in "\n".join(lines)
    assert {f["code"] for f in parse(lines)} == {
        "STO002",
        "STO003",
        "STO005",
        "STO009",
        "STO010",
        "STO011",
        "STO012",
    }
    assert lines[-1] == "publish check --store apple: 1 EPUB checked, 6 errors, 2 warnings"
