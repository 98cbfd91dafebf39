"""Hostile manuscripts: every door refused with file and line, nothing read, nothing fetched.

Each case is a small project in tmp_path with one poisoned file. A canary secret
lies beside the project and a canary HTTP server listens on 127.0.0.1: after
each build, the secret appears in no file under build/ (EPUBs unzipped) and
the server has received no request.
"""

from __future__ import annotations

import http.server
import os
import secrets
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from hostile_cases import BOOK, CASES, CHAPTER, SVG, chapter_files
from publish.commands.cli import main
from publish.render.pdf_engine import (
    ResourceRefused,
    confined_fetcher,
    load_weasyprint,
    refusals_as_errors,
)


class CanaryServer(http.server.ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), CanaryHandler)
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class CanaryHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(b"\x89PNG\r\n\x1a\n")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def canary_server():
    server = CanaryServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def canary(tmp_path) -> tuple[Path, str]:
    token = secrets.token_hex(16)
    secret = tmp_path / "secret.txt"
    secret.write_text(f"canary {token}\n")
    (tmp_path / "secret.png").write_text(f"canary {token}\n")
    return secret, token


def make_project(root: Path, files: dict[str, str], links: dict[str, str], substitute) -> Path:
    base = {"manuscript/book.yaml": BOOK, "manuscript/ch.md": CHAPTER}
    for name, text in {**base, **files}.items():
        if name in links:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(substitute(text))
    for name, target in links.items():
        link = root / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.exists() and not link.is_symlink() and link.is_dir():
            continue
        link.unlink(missing_ok=True)
        link.symlink_to(substitute(target))
    return root


def artifact_bytes(build: Path) -> list[bytes]:
    """Every file under build/, and every member of every EPUB in it."""
    blobs = []
    for path in build.rglob("*") if build.is_dir() else []:
        if path.is_file():
            blobs.append(path.read_bytes())
            if path.suffix == ".epub":
                with zipfile.ZipFile(path) as archive:
                    blobs.extend(archive.read(name) for name in archive.namelist())
    return blobs


@pytest.mark.parametrize(
    ("files", "links", "where", "code"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_hostile_input_is_refused(tmp_path, canary, canary_server, files, links, where, code):
    secret, token = canary

    def substitute(text: str) -> str:
        return text.replace("SECRET", str(secret)).replace("SERVER", canary_server.url)

    project = make_project(tmp_path / "book", files, links, substitute)
    result = CliRunner().invoke(main, ["build", str(project), "-j", "1"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert f"{where}:" in result.stderr, result.stderr
    assert code in result.stderr
    assert not any(token.encode() in blob for blob in artifact_bytes(project / "build"))
    assert canary_server.requests == []


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30


def test_fetcher_refuses_attachment_with_the_file_named(tmp_path, canary):
    """The WeasyPrint door itself: `rel=attachment` to a file outside stops the PDF."""
    secret, _token = canary
    project = tmp_path / "book"
    (project / "manuscript").mkdir(parents=True)
    (project / "manuscript" / "ch.md").write_text(f"Attach {secret}\n")
    weasyprint = load_weasyprint()
    page = f'<html><body><a rel="attachment" href="{secret.as_uri()}">x</a></body></html>'
    with pytest.raises(ResourceRefused) as refused, refusals_as_errors(project):
        weasyprint.HTML(string=page, url_fetcher=confined_fetcher([project])).write_pdf()
    assert "manuscript/ch.md:1:" in str(refused.value)
    assert "outside the project" in str(refused.value)


def test_fetcher_refuses_the_network(canary_server, tmp_path):
    weasyprint = load_weasyprint()
    page = f'<html><body><img src="{canary_server.url}/x.png"></body></html>'
    with pytest.raises(ResourceRefused, match="SEC007"), refusals_as_errors(tmp_path):
        weasyprint.HTML(string=page, url_fetcher=confined_fetcher([tmp_path])).write_pdf()
    assert canary_server.requests == []


def test_raw_html_outside_the_allowlist_is_refused(tmp_path):
    """Only the allowlisted elements render (test_inline_html.py); any other tag, even a
    harmless one, stops the build at its line with the Markdown to write instead."""
    project = make_project(
        tmp_path / "book",
        chapter_files('Press <kbd>Enter</kbd> <span class="x">now</span>.\n'),
        {},
        lambda text: text,
    )
    result = CliRunner().invoke(main, ["build", str(project), "-j", "1", "--format", "epub"])
    assert result.exit_code == 1, result.output
    assert "manuscript/ch.md:5:24: ERROR SEC002 raw <span>" in result.stderr
    assert "write [text]{.name}" in result.stderr
    assert "<kbd>" not in result.stderr


@pytest.mark.slow
def test_allow_remote_downloads_once_and_embeds(tmp_path):
    """--allow-remote: one request per URL, the image packaged, never hot-linked."""
    png = (Path(__file__).parents[1] / "src/publish/theme/fonts/LICENSES.md").read_bytes()
    png = b"\x89PNG\r\n\x1a\n" + png  # a PNG signature is all the check needs
    server = CanaryServer()
    server.RequestHandlerClass = type(
        "Png",
        (CanaryHandler,),
        {
            "do_GET": lambda self: (
                self.server.requests.append(self.path),
                self.send_response(200),
                self.end_headers(),
                self.wfile.write(png),
            )
        },
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"{server.url}/pictures/chart.png"
        project = make_project(
            tmp_path / "book",
            chapter_files(f'![A chart]({url}){{alt="A chart"}}\n'),
            {},
            lambda text: text,
        )
        for _ in range(2):
            result = CliRunner().invoke(
                main, ["build", str(project), "-j", "1", "--format", "epub", "--allow-remote"]
            )
            assert result.exit_code == 0, result.output
        refused = CliRunner().invoke(main, ["build", str(project), "-j", "1"])
    finally:
        server.shutdown()
        server.server_close()
    assert server.requests == ["/pictures/chart.png"]
    assert refused.exit_code == 1 and "SEC007" in refused.stderr
    remote = project / "build" / ".cache" / "remote"
    cached = [p for p in remote.iterdir() if not p.name.endswith(".entry.json")]  # the records
    assert [p.read_bytes() for p in cached] == [png]
    with zipfile.ZipFile(project / "build" / "full" / "hostile.epub") as archive:
        names = archive.namelist()
        packaged = [n for n in names if n.startswith("EPUB/images/remote-")]
        assert [archive.read(n) for n in packaged] == [png]
        text = b"".join(archive.read(n) for n in names if n.endswith((".xhtml", ".opf")))
    assert b"127.0.0.1" not in text


def test_symlink_inside_the_project_is_fine(tmp_path):
    """Confinement follows symlinks: one that stays inside the project is allowed."""
    project = make_project(
        tmp_path / "book", chapter_files('![x](alias.svg){alt="A square"}\n'), {}, lambda text: text
    )
    (project / "manuscript" / "real.svg").write_text(SVG.format('<rect width="5" height="5"/>'))
    os.symlink("real.svg", project / "manuscript" / "alias.svg")
    result = CliRunner().invoke(main, ["build", str(project), "-j", "1", "--format", "epub"])
    assert result.exit_code == 0, result.output


def test_check_accepts_remote_images_when_asked_without_fetching(tmp_path, canary_server):
    url = f"{canary_server.url}/chart.png"
    project = make_project(
        tmp_path / "book",
        chapter_files(f'![A chart]({url}){{alt="A chart"}}\n'),
        {},
        lambda text: text,
    )
    refused = CliRunner().invoke(main, ["check", str(project)])
    assert refused.exit_code == 1 and "SEC007" in refused.output
    accepted = CliRunner().invoke(main, ["check", str(project), "--allow-remote"])
    assert accepted.exit_code == 0, accepted.output
    assert canary_server.requests == []
