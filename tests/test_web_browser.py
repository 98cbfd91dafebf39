"""The web edition in a real browser: search, phone and desktop widths, axe-core.

On the bundled book and on the purpose-made fixture, each site opened from `file://`
(the hardest place for a static site: no server, no fetch()).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import web_site as w
from browser import WIDTHS, axe_violations, chromium, file_url, horizontal_overflow
from helpers import FIXTURES, REPO, copy_project
from publish.engine.build import build

pytestmark = pytest.mark.slow

PROJECTS = {"bundled": REPO, "web-site": FIXTURES / "web-site"}


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """Each project's full and sample sites, built once for this module."""
    found = {}
    for name, source in PROJECTS.items():
        project = copy_project(source, tmp_path_factory.mktemp(name))
        build(project, formats=("web",))
        for edition in ("full", "sample"):
            found[f"{name}-{edition}"] = project / "build" / edition / "web"
    return found


def test_search_finds_a_word_of_chapter_5_and_the_result_leads_there(browser, sites):
    site = sites["bundled-full"]
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(file_url(site / "chapter-01.html"))
    page.fill("#site-search", "verdict")
    page.press("#site-search", "Enter")
    page.wait_for_selector("#search-results li a")
    assert "search.html?q=verdict" in page.url
    assert "match" in page.text_content("#search-status")
    first = page.locator("#search-results li a").first
    assert "verdict" in page.locator("#search-results li p").first.text_content().lower()
    first.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0].endswith("/chapter-05.html")
    assert "verdict" in page.text_content("main").lower()
    page.close()


def test_search_says_when_nothing_matches_and_finds_words_as_typed(browser, sites):
    page = browser.new_page()
    page.goto(file_url(sites["web-site-full"] / "search.html") + "?q=xylophone")
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    assert page.locator("#search-results li").count() == 0
    assert "No section matches" in page.text_content("#search-status")
    page.fill("#search-page-query", "zepp")  # a word begun, as while typing
    page.press("#search-page-query", "Enter")
    page.wait_for_selector("#search-results li a")
    assert page.get_attribute("#search-results li a", "href") == "chapter-03.html"
    page.close()


def test_the_sample_search_finds_nothing_of_the_paid_text(browser, sites):
    page = browser.new_page()
    page.goto(file_url(sites["web-site-sample"] / "search.html") + "?q=zeppelin")
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    assert page.locator("#search-results li").count() == 0
    page.close()


@pytest.mark.parametrize(
    "site_name", ["bundled-full", "bundled-sample", "web-site-full", "web-site-sample"]
)
def test_no_page_scrolls_sideways_at_phone_or_desktop_width(browser, sites, site_name):
    site = sites[site_name]
    wide = []
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 800})
        for name in w.pages(site):
            page.goto(file_url(site / name))
            overflow = horizontal_overflow(page)
            if overflow > 0:
                wide.append(f"{name} at {width}px: {overflow}px too wide")
        page.close()
    assert wide == []


def test_wide_code_and_tables_scroll_inside_their_box(browser, sites):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(file_url(sites["web-site-full"] / "chapter-02.html"))
    for selector in ("pre", ".scroll-box:has(table)", "span.scroll-box"):
        box = page.locator(selector).first
        sizes = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert sizes[0] > sizes[1], f"{selector} holds something wider than a phone"
    assert horizontal_overflow(page) == 0
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "site_name", ["bundled-full", "bundled-sample", "web-site-full", "web-site-sample"]
)
def test_axe_finds_no_violation_on_any_page(browser, sites, site_name, scheme):
    site = sites[site_name]
    page = browser.new_page(color_scheme=scheme)
    found = []
    for name in w.pages(site):
        page.goto(file_url(site / name) + ("?q=stage" if name == "search.html" else ""))
        found += [f"{name}: {v}" for v in axe_violations(page)]
    page.close()
    assert found == []


def test_fonts_load_and_the_dark_scheme_follows_the_system(browser, sites):
    site = sites["bundled-full"]
    for scheme, background in (("light", "rgb(255, 255, 255)"), ("dark", "rgb(18, 18, 18)")):
        page = browser.new_page(color_scheme=scheme)
        page.goto(file_url(site / "chapter-02.html"))
        page.evaluate("document.fonts.ready")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
        loaded = page.evaluate(
            "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
        )
        assert any("Open Sans" in family for family in loaded), loaded
        page.close()


def test_the_bundled_sample_site_holds_nothing_of_the_paid_text(sites):
    paid, leaks = w.leaked_runs(sites["bundled-full"], sites["bundled-sample"])
    assert paid > 20
    assert leaks == []
    reading_path = w.reading_path(sites["bundled-sample"])
    assert reading_path[-1] == "what-comes-next.html"
    teaser = w.page(sites["bundled-sample"], "what-comes-next.html")
    offer = teaser.xpath("//main//*[contains(@class, 'call-to-action')]//a/@href")
    assert offer == ["https://example.com/ml-product-lifecycle"]
