"""Hostile manuscripts, round two: nothing script-capable, remote or outside reaches a book.

Each case of hostile_cases_output.py is a small project beside a canary secret,
built while a canary HTTP server listens (the harness of test_hostile.py). A
refused case must exit 1 with a finding at the file and line that caused it,
without a traceback; an accepted case must build, and no file it writes (EPUB
members included) may hold a script, an event handler, a remote or outside
reference, or the canary's text. Every case runs under a time limit.
"""

from __future__ import annotations

import re
import signal
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import test_hostile as harness
from hostile_cases import BOOK, CHAPTER
from hostile_cases_output import ACCEPTED, REFUSED
from publish.commands.cli import main
from publish.render.svg_sanitize import inspect_svg, sanitize_svg
from test_hostile import artifact_bytes

# The canary secret and the canary server of test_hostile.py, as fixtures of this module.
canary = harness.canary
canary_server = harness.canary_server
CASE_SECONDS = 60
HOSTILE = re.compile(
    rb"<script|javascript:|vbscript:|xml-stylesheet|@import|<foreignObject|\son[a-z]+\s*=|"
    rb"sodipodi|CANARY|file:/",
    re.I,
)


@pytest.fixture
def time_limit():
    """Fail a case that runs past CASE_SECONDS instead of hanging the suite."""

    def expire(_signum, _frame):
        raise TimeoutError(f"the case ran past {CASE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def write_project(root: Path, files: dict, links: dict, substitute) -> Path:
    base = {"manuscript/book.yaml": BOOK, "manuscript/ch.md": CHAPTER}
    for name, content in {**base, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(substitute(content), encoding="utf-8")
    for name, target in links.items():
        (root / name).unlink(missing_ok=True)
        (root / name).symlink_to(substitute(target))
    return root


@pytest.mark.parametrize(
    ("files", "links", "where", "code"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_hostile_output_is_refused(
    tmp_path,
    canary,
    canary_server,
    time_limit,
    files,
    links,
    where,
    code,
):
    secret, token = canary

    def substitute(text: str) -> str:
        return text.replace("SECRET", str(secret)).replace("SERVER", canary_server.url)

    project = write_project(tmp_path / "book", files, links, substitute)
    result = CliRunner().invoke(main, ["build", str(project), "-j", "1"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "internal error" not in result.stderr
    found = [line for line in result.stderr.splitlines() if line.startswith(f"{where}:")]
    assert any(f" ERROR {code} " in line for line in found), result.stderr
    assert not any(token.encode() in blob for blob in artifact_bytes(project / "build"))
    assert canary_server.requests == []


@pytest.mark.slow
@pytest.mark.parametrize("files", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_accepted_output_holds_nothing_hostile(
    tmp_path,
    canary,
    canary_server,
    time_limit,
    files,
):
    secret, token = canary

    def substitute(text: str) -> str:
        return text.replace("SECRET", str(secret)).replace("SERVER", canary_server.url)

    project = write_project(tmp_path / "book", files, {}, substitute)
    result = CliRunner().invoke(
        main, ["build", str(project), "-j", "1", "--format", "epub", "--format", "pdf"]
    )
    assert result.exit_code == 0, result.output
    blobs = artifact_bytes(project / "build")
    epub = project / "build" / "full" / "hostile.epub"
    members = zipfile.ZipFile(epub).namelist()
    assert any(n.endswith("chapter-01.xhtml") for n in members)
    for blob in blobs:
        assert not HOSTILE.search(blob), HOSTILE.search(blob)
        assert token.encode() not in blob
        assert canary_server.url.encode() not in blob
        assert str(secret).encode() not in blob
    assert canary_server.requests == []


def test_the_output_scan_sees_what_it_looks_for():
    for hostile in (b"<svg onload='x'>", b'<a href="JavaScript:x">', b"<?xml-stylesheet ?>"):
        assert HOSTILE.search(hostile)
    assert not HOSTILE.search(b'<a href="https://example.com" class="online">')


def test_the_corpus_holds_at_least_thirty_five_cases():
    assert len(REFUSED) + len(ACCEPTED) >= 35


def test_packaged_svg_is_rebuilt_not_copied():
    """The sanitizer's output, not the file, is what a book holds: editor data, comments
    and the DOCTYPE line are gone; a gradient, an inline PNG and a web link stay."""
    from hostile_cases_output import INKSCAPE

    clean = inspect_svg(INKSCAPE.replace("SERVER", "https://example.com").encode())
    assert clean.refused == []
    assert b"DOCTYPE" not in clean.data and b"<!--" not in clean.data
    assert b"inkscape" not in clean.data and b"metadata" not in clean.data
    assert b'fill="url(#g)"' in clean.data
    assert b"data:image/png;base64," in clean.data
    assert b'href="https://example.com/about"' in clean.data
    assert sanitize_svg(clean.data) == clean.data  # a fixed point: nothing more to remove


def test_sanitize_svg_refuses_with_the_line():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg">\n\n<rect onclick="x()"/></svg>'
    with pytest.raises(Exception) as refused:
        sanitize_svg(svg, "images/x.svg")
    assert "images/x.svg:3:1: ERROR SEC003" in str(refused.value)


def test_graphviz_drawing_is_sanitized_and_refusals_point_at_the_dot_line(tmp_path):
    """Even a DOT file no check has read (render_diagrams called directly) cannot put a
    link outside the policy into a book: the sanitizer refuses Graphviz's drawing and
    the finding names the DOT line."""
    from publish.errors import FindingsError
    from publish.render.diagrams import DiagramTheme, render_diagrams

    source = tmp_path / "d.dot"
    source.write_text('digraph {\n  a\n  b [URL="javascript:alert(1)"]\n}\n')
    theme = DiagramTheme({}, {}, {}, None)
    with pytest.raises(FindingsError) as refused:
        render_diagrams({"d": source}, theme, tmp_path / "cache", {"d": "manuscript/d.dot"})
    assert "manuscript/d.dot:3:1: ERROR SEC004" in str(refused.value)
    assert not list((tmp_path / "cache").glob("*.svg"))


@pytest.mark.slow
def test_a_poisoned_diagram_cache_never_reaches_the_book(tmp_path, time_limit):
    """A cached drawing swapped for one with a script (a shipped or tampered build/):
    the packaging sanitizer refuses it, or the build draws it afresh; the book never
    holds the script."""
    from hostile_cases_output import dot_diagram

    project = write_project(tmp_path / "book", dot_diagram("digraph {\n  a -> b\n}\n"), {}, str)
    args = ["build", str(project), "-j", "1", "--format", "epub"]
    assert CliRunner().invoke(main, args).exit_code == 0
    cached = list((project / "build" / ".cache" / "diagrams").glob("*.svg"))
    assert cached
    for path in cached:
        path.write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9">'
            "<script>alert('poisoned')</script><rect width='9' height='9'/></svg>"
        )
    (project / "build" / "full" / "hostile.epub").unlink()
    result = CliRunner().invoke(main, [*args, "--format", "pdf"])
    assert "internal error" not in result.output
    if result.exit_code == 1:
        assert ".cache/diagrams/" in result.stderr and "SEC001" in result.stderr
    else:
        assert result.exit_code == 0, result.output
        blobs = artifact_bytes(project / "build" / "full")
        assert blobs and not any(b"poisoned" in blob for blob in blobs)


def test_docx_hyperlinks_are_held_to_the_link_policy():
    """The DOCX's own last look: a template whose source check was skipped still gets
    no javascript: hyperlink into Word, and the refusal names the template's line."""
    import datetime as dt
    from types import SimpleNamespace

    from publish.errors import PublishError
    from publish.outputs.template_docx import build_docx
    from publish.outputs.template_source import Template
    from publish.project.config_limits import DEFAULT_LIMITS

    body = "\nOwner: ___\n\n[Help](javascript:alert(1))\n"
    template = Template("t.md", "t", "A form", "", body, body_line=4)
    built = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    book = SimpleNamespace(language="en", limits=DEFAULT_LIMITS)
    with pytest.raises(PublishError) as refused:
        build_docx(book, template, built)
    assert "manuscript/t.md:7:1: ERROR SEC004 'javascript:'" in str(refused.value)
    safe = Template("t.md", "t", "A form", "", "[Help](https://example.com)\n")
    assert build_docx(book, safe, built).startswith(b"PK")


@pytest.mark.parametrize(
    ("served", "refused"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', True),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><!-- x --><rect width="1"/></svg>', False),
    ],
    ids=["script", "plain"],
)
def test_a_downloaded_svg_is_sanitized_before_it_is_cached(tmp_path, served, refused):
    """--allow-remote: a downloaded SVG is refused when it scripts, and otherwise cached
    as the sanitizer rebuilt it (so a later build packages clean bytes)."""
    import http.server
    import threading

    from publish.render.remote import fetch_remote_image

    class Svg(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.end_headers()
            self.wfile.write(served)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Svg)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/drawing.svg"
    try:
        if refused:
            with pytest.raises(ValueError, match="script"):
                fetch_remote_image(url, tmp_path)
            assert not list(tmp_path.rglob("*.svg"))
        else:
            cached = fetch_remote_image(url, tmp_path).read_bytes()
            assert cached == inspect_svg(served).data and b"<!--" not in cached
    finally:
        server.shutdown()
        server.server_close()


def test_an_illustrator_export_passes_unchanged_in_what_it_draws():
    """Illustrator writes a DOCTYPE, a generator comment, `<style>` classes and x="0px":
    all of what it draws is kept, and nothing is refused or warned about."""
    svg = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<!-- Generator: Adobe Illustrator -->\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg version="1.1" id="Layer_1" xmlns="http://www.w3.org/2000/svg" x="0px" y="0px" '
        b'viewBox="0 0 20 20" xml:space="preserve"><style type="text/css">.st0{fill:#F00;}'
        b'</style><rect class="st0" width="20" height="20"/></svg>'
    )
    clean = inspect_svg(svg)
    assert clean.issues == ()
    assert b'<style type="text/css">.st0{fill:#F00;}</style>' in clean.data
    assert b'<rect class="st0" width="20" height="20"/>' in clean.data


def test_the_package_audit_refuses_ill_formed_or_unlisted_markup_at_the_source_line(tmp_path):
    """The last wall before an EPUB is written: an XHTML file that is not XML, or that
    holds an attribute outside the allowlist, stops the build at the text that made it."""
    from types import SimpleNamespace

    from publish.errors import FindingsError
    from publish.render.markup_audit import audit_package

    lines = ["# A chapter\n", "\n", "Broken &#xFFFE; here, and a picture.\n"]
    chapter = SimpleNamespace(name="ch.md", lines=lines, where=lambda n: ("manuscript/ch.md", n))
    page = '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>{}</p></body></html>'
    cases = {
        page.format("Broken \ufffe here").encode(): "manuscript/ch.md:3:1: ERROR SEC015",
        page.format(
            '<img src="p.png" srcset="x.png 2x" alt="picture"/>'
        ).encode(): "manuscript/ch.md:1:1: ERROR SEC015 attribute 'srcset'",
        page.format(
            '<a href="javascript:alert(1)">a</a>'
        ).encode(): "manuscript/ch.md:1:1: ERROR SEC004",
    }
    for data, expected in cases.items():
        with pytest.raises(FindingsError) as refused:
            audit_package({"EPUB/chapter-01.xhtml": data}, {"chapter-01.xhtml": chapter}, tmp_path)
        assert expected in str(refused.value)
    fine = page.format('<a href="https://example.com">a</a>').encode()
    audit_package({"EPUB/chapter-01.xhtml": fine}, {"chapter-01.xhtml": chapter}, tmp_path)
