"""`publish preview` as an author runs it: a real process, a real browser, real saves."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from browser import chromium
from helpers import FIXTURES, REPO, copy_project

pytestmark = pytest.mark.slow

CHAPTER = "manuscript/chapters/03-harbour.md"
URL_LINE = re.compile(r"at (http://127\.0\.0\.1:\d+/)")


class Preview:
    """`publish preview` running in a process of its own, as from a terminal."""

    def __init__(self, project: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from publish.commands.cli import main; main()",
                "preview",
                str(project),
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []

    def url(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            self.lines.append(line)
            found = URL_LINE.search(line)
            if found:
                return found.group(1)
        raise AssertionError("the preview did not start:\n" + "".join(self.lines))

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as a terminal sends it: the exit status and what it printed last."""
        self.process.send_signal(signal.SIGINT)
        _, err = self.process.communicate(timeout=20)
        return self.process.returncode, err


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(FIXTURES / "web-site", tmp_path / "book")


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize(
    ("source", "chapter_file", "page_name"),
    [
        (FIXTURES / "web-site", CHAPTER, "chapter-03.html"),
        (REPO, "manuscript/chapters/05-evaluation.md", "chapter-05.html"),
    ],
    ids=["fixture", "bundled"],
)
def test_a_save_shows_in_the_open_page_where_the_reader_was(
    source, chapter_file, page_name, tmp_path, browser
):
    project = copy_project(source, tmp_path / "book")
    preview = Preview(project, "--port", "0")
    try:
        url = preview.url()
        page = browser.new_page(viewport={"width": 375, "height": 300})
        page.goto(url + page_name)
        page.wait_for_function("document.documentElement.dataset.previewVersion === '1'")
        page.evaluate("window.scrollTo(0, 200)")
        chapter = project / chapter_file
        chapter.write_text(chapter.read_text() + "\nA lighthouse keeper waves from the quay.\n")
        page.wait_for_function(
            "document.body.textContent.includes('lighthouse keeper')", timeout=15000
        )
        page.wait_for_function("window.scrollY > 150", timeout=5000)
        assert page.evaluate("document.documentElement.dataset.previewVersion") == "2"
    finally:
        status, err = preview.stop()
    assert status == 0, err
    assert "preview stopped" in err


def test_a_broken_chapter_shows_its_path_and_line_until_it_is_fixed(project, browser):
    preview = Preview(project, "--port", "0")
    try:
        url = preview.url()
        page = browser.new_page()
        page.goto(url + "chapter-03.html")
        page.wait_for_function("document.documentElement.dataset.previewVersion === '1'")
        chapter = project / CHAPTER
        good = chapter.read_text()
        lines = good.splitlines()
        broken = [*lines[:4], "![A harbour map.](maps/harbour-missing.png)", *lines[4:]]
        chapter.write_text("\n".join(broken) + "\n")
        overlay = page.locator("#publish-preview-overlay")
        overlay.wait_for(state="visible", timeout=15000)
        text = overlay.text_content()
        assert f"{CHAPTER}:5:" in text and "IMG001" in text, text
        assert "zeppelin mooring mast" in page.text_content("main"), "the last good page stays"
        chapter.write_text(good.replace("rusted brown", "painted red"))
        page.wait_for_function("document.body.textContent.includes('painted red')", timeout=15000)
        overlay.wait_for(state="hidden", timeout=5000)
    finally:
        status, err = preview.stop()
    assert status == 0
    assert f"{CHAPTER}:5:" in err, "the terminal shows the finding too"


def test_a_port_in_use_is_one_line_and_two_projects_preview_at_once(project, tmp_path):
    first = Preview(project, "--port", "0")
    other = copy_project(FIXTURES / "mini", tmp_path / "other")
    second = None
    try:
        url = first.url()
        port = url.rsplit(":", 1)[1].strip("/")
        clash = subprocess.run(
            [
                sys.executable,
                "-c",
                "from publish.commands.cli import main; main()",
                "preview",
                str(other),
                "--port",
                port,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
            timeout=60,
        )
        assert clash.returncode == 1
        message = clash.stderr.strip()
        assert len(message.splitlines()) == 1, message
        assert f"port {port}" in message and "in use" in message and "--port" in message
        second = Preview(other, "--port", "0")
        other_url = second.url()
        assert other_url != url
        with urllib.request.urlopen(url + "index.html") as response:
            assert b"Field Notes for Web Readers" in response.read()
        with urllib.request.urlopen(url + "assets/search-index.js") as response:
            assert b"zeppelin mooring mast" in response.read(), "search works in a preview"
        with urllib.request.urlopen(other_url + "index.html") as response:
            assert b"Mini Book" in response.read()
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_the_pdf_link_builds_the_pdf_on_demand(project, browser):
    preview = Preview(project, "--port", "0", "--edition", "sample")
    try:
        url = preview.url()
        page = browser.new_page()
        page.goto(url)
        page.wait_for_function("document.documentElement.dataset.previewVersion === '1'")
        assert page.get_attribute("#publish-preview-bar a", "href") == "/__publish__/pdf"
        deadline = time.monotonic() + 120
        data = b""
        while time.monotonic() < deadline:
            with urllib.request.urlopen(url + "__publish__/pdf") as response:
                data = response.read()
            if data.startswith(b"%PDF"):
                break
            assert b"Building the PDF" in data, data[:300]
            time.sleep(1)
        assert data.startswith(b"%PDF")
    finally:
        preview.stop()
    assert not (project / "build").exists() or not any((project / "build").rglob("*.pdf"))


def test_a_book_broken_from_the_start_shows_its_errors_then_its_pages(project, browser):
    chapter = project / CHAPTER
    good = chapter.read_text()
    chapter.write_text(good.replace("## The tide tables", "::: exercise\n## The tide tables"))
    preview = Preview(project, "--port", "0")
    try:
        url = preview.url()
        page = browser.new_page()
        page.goto(url + "chapter-03.html")
        overlay = page.locator("#publish-preview-overlay")
        overlay.wait_for(state="visible", timeout=15000)
        assert "has not rendered yet" in page.text_content("main")
        shown = overlay.text_content()
        assert f"{CHAPTER}:6:1: ERROR MS007" in shown and "last good pages" not in shown
        chapter.write_text(good)
        page.wait_for_function(
            "document.body.textContent.includes('zeppelin mooring mast')", timeout=15000
        )
        overlay.wait_for(state="hidden", timeout=5000)
    finally:
        status, _ = preview.stop()
    assert status == 0


def test_serving_beyond_this_machine_is_asked_for_and_said(project):
    preview = Preview(project, "--port", "0", "--host", "0.0.0.0")
    try:
        said = ""
        deadline = time.monotonic() + 60
        while "previewing" not in said and time.monotonic() < deadline:
            said += preview.process.stderr.readline()
        assert "serving on 0.0.0.0, not only this machine" in said
        assert re.search(r"at http://0\.0\.0\.0:\d+/", said)
    finally:
        preview.stop()
