"""A real browser for the tests: Debian's chromium driven by Playwright, started and
stopped by the tests themselves (Playwright's own browser download is not reachable)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers import REPO

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (375, 1280)


@contextmanager
def chromium() -> Iterator:
    """A headless chromium, or a skip saying what is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def horizontal_overflow(page) -> int:
    """How many pixels wider than the window the page is (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as `rule: target` lines (all rules axe runs by
    default, best practices included)."""
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci installs it into node_modules/)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document).then(r => r.violations)")
    return [
        f"{v['id']}: {node['target']} {node.get('failureSummary', '')}"
        for v in result
        for node in v["nodes"]
    ]


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
