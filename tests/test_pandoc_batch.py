"""One `pandoc lua` process renders many parts exactly as the pandoc command renders each."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO
from publish.limited import LimitHit
from publish.project.config_limits import DEFAULT_LIMITS, Limits
from publish.render import pandoc_parts
from publish.render.pandoc import run_pandoc, run_pandoc_batch
from publish.render.pandoc_parts import PandocParts

CHAPTERS = sorted(
    [
        *(REPO / "manuscript" / "chapters").glob("*.md"),
        *FIXTURES.glob("*/manuscript/chapters/*.md"),
        *FIXTURES.glob("*/manuscript/*.md"),  # books that keep their chapters at the top
    ]
)
# What a file on disk may hold that the pandoc command and `pandoc.read` could take
# differently: tabs (the command expands them), CRLF, a byte-order mark, warnings.
AWKWARD = [
    "# Tabs\n\n\tcode\tafter a tab\n\n- item\n\n\tindented by a tab\n",
    "\ufeff# Windows\r\n\r\nA line.\r\n\r\n    code\r\n",
    "# Warned\n\n[x]: /a\n[x]: /b\n\nMath that fails: $\\frac{$ and [^gone].\n\n[^unused]: No.\n",
    "# Quiet\n",
    "",
]


def _pandoc_each(texts: list[str], raw_html: bool) -> list[tuple[str, list[str]]]:
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda text: run_pandoc(text, raw_html=raw_html), texts))


@pytest.mark.parametrize("raw_html", [True, False], ids=["chapter-format", "template-format"])
def test_the_batch_gives_what_pandoc_gives_each_chapter(raw_html):
    """Every chapter of the bundled book and of every fixture, and awkward texts."""
    texts = [path.read_text(encoding="utf-8") for path in CHAPTERS] + AWKWARD
    if not raw_html:
        texts = texts[-12:]  # the template format on fewer texts: its reader differs only
    assert len(CHAPTERS) > 40
    batch = run_pandoc_batch(texts, raw_html=raw_html)
    assert len(batch) == len(texts)
    for text, expected, got in zip(texts, _pandoc_each(texts, raw_html), batch, strict=True):
        assert got == expected, text[:60]
    warned = dict(zip(AWKWARD, batch[-len(AWKWARD) :], strict=True))
    assert any("Duplicate link reference" in w for w in warned[AWKWARD[2]][1])
    assert any("Could not convert TeX math" in w for w in warned[AWKWARD[2]][1])
    quiet = '<section id="quiet" class="level1">\n<h1>Quiet</h1>\n</section>\n'
    assert warned[AWKWARD[3]] == (quiet, [])


def test_the_batch_opens_no_file_a_chapter_names(tmp_path, monkeypatch):
    """`pandoc lua` takes no `--sandbox`: the batch reads Markdown and writes an HTML
    fragment, which names images and links and never opens them; and no Lua from the
    environment runs before it."""
    monkeypatch.setenv("LUA_INIT", "error('LUA_INIT ran')")
    secret = tmp_path / "secret.txt"
    secret.write_text(f"secret-{secrets.token_hex(8)}\n")
    text = (
        "# Outside\n\n![Host](/etc/hostname) [the host](/etc/hostname)\n\n"
        f"![Secret]({secret}) [secret](file://{secret})\n\n"
        f'<img src="{secret}" alt="raw">\n'
    )
    ((html, warnings),) = run_pandoc_batch([text], raw_html=True)
    assert 'src="/etc/hostname"' in html and 'href="/etc/hostname"' in html
    assert f'src="{secret}"' in html and f'href="file://{secret}"' in html
    assert secret.read_text().strip() not in html
    hostname = Path("/etc/hostname")
    if hostname.is_file() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in html.replace("/etc/hostname", "")
    assert "data:" not in html and warnings == []


def test_a_limit_hit_names_the_part_pandoc_was_on_by_its_index_in_the_edition():
    """The batch says which text it was on (its progress on stderr); parts rendered
    before are not sent again, so that index is mapped back to the edition's."""
    parts = PandocParts()
    fast = "# Fast\n\nWords.\n"
    parts.prepare([fast], DEFAULT_LIMITS)
    slow = "# Slow\n\n" + "[a" * 24 + "\n"  # pandoc's time doubles with each "[": minutes
    with pytest.raises(LimitHit) as hit:
        parts([fast, "# New\n", slow, "# Never reached\n"], Limits(child_seconds=2))
    assert (hit.value.code, hit.value.part) == ("LIM010", 2)


def test_a_batch_under_too_little_memory_names_its_only_part():
    with pytest.raises(LimitHit) as hit:
        run_pandoc_batch(["# One\n"], limits=Limits(child_memory_mb=32))
    assert (hit.value.code, hit.value.part) == ("LIM011", 0)
    with pytest.raises(LimitHit) as hit:  # stopped before any part: which is not known
        run_pandoc_batch(["# One\n", "# Two\n"], limits=Limits(child_memory_mb=32))
    assert hit.value.part is None


def test_many_parts_go_to_one_batch_per_core_with_the_same_result(monkeypatch):
    """Parts split over concurrent batches come back in order, as one batch gives them,
    and a limit hit in the second batch names its part by its index in the edition."""
    monkeypatch.setattr(pandoc_parts, "PARTS_PER_BATCH", 2)
    monkeypatch.setattr(pandoc_parts.os, "sched_getaffinity", lambda _pid: {0, 1})
    texts = [f"# Part {n}\n\nWords[^1] of part {n}.\n\n[^1]: Its note.\n" for n in range(6)]
    assert pandoc_parts._run_batches(texts, DEFAULT_LIMITS) == run_pandoc_batch(texts, True)
    slow = "# Slow\n\n" + "[a" * 24 + "\n"
    with pytest.raises(LimitHit) as hit:
        pandoc_parts._run_batches([*texts[:4], slow, texts[5]], Limits(child_seconds=2))
    assert (hit.value.code, hit.value.part) == ("LIM010", 4)
