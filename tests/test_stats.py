"""`publish stats`: the sample it shows is the sample `publish build` makes."""

from __future__ import annotations

import json

from click.testing import CliRunner
from lxml import etree

from helpers import REPO, epub_files
from publish.commands.cli import main
from publish.editions.choose import rounded_minutes

NAV = "{http://www.w3.org/1999/xhtml}"


def _plain(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("*", "").replace("`", "").split())


def nav_entries(epub) -> list[str]:
    files = epub_files(epub)
    nav = next(data for name, data in files.items() if name.endswith("nav.xhtml"))
    toc = etree.fromstring(nav).find(f".//{NAV}nav")
    return [_plain("".join(a.itertext())) for a in toc.iter(f"{NAV}a")]


def test_stats_sample_matches_the_built_sample(bundled_build):
    project = bundled_build.parent
    result = CliRunner().invoke(main, ["stats", str(project), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    (sample_epub,) = (bundled_build / "sample").glob("*.epub")
    nav = nav_entries(sample_epub)
    in_sample = [c["title"] for c in stats["chapters"] if c["in_sample"] in ("yes", "partly")]
    left_out = [c["title"] for c in stats["chapters"] if c["in_sample"] == "no"]
    assert all(_plain(title) in nav for title in in_sample)
    assert not any(_plain(title) in nav for title in left_out)
    end = stats["sample_ends_at"]
    assert end is not None and _plain(end["heading"]) not in nav
    full_nav = nav_entries(next((bundled_build / "full").glob("*.epub")))
    assert _plain(end["heading"]) in full_nav or end["level"] > 2


def test_stats_totals_add_up(bundled_build):
    stats = json.loads(
        CliRunner().invoke(main, ["stats", str(bundled_build.parent), "--json"]).output
    )
    full, sample = stats["editions"]
    assert (full["edition"], sample["edition"]) == ("full", "sample")
    assert full["words"] == sum(c["words"] for c in stats["chapters"])
    assert full["exercises"] == sum(c["exercises"] for c in stats["chapters"])
    assert 0 < sample["words"] < full["words"]
    assert sample["minutes"] <= 3  # the bundled book's budget: reading_minutes: 3


def test_stats_table_names_where_the_sample_ends(bundled_build):
    result = CliRunner().invoke(main, ["stats", str(bundled_build.parent)])
    assert result.exit_code == 0
    assert "total, full edition" in result.output and "total, sample edition" in result.output
    assert "The sample ends before " in result.output


def test_stats_minutes_agree_with_the_manifest_and_the_teaser(bundled_build):

    from publish.commands.stats import book_stats

    stats = book_stats(REPO)
    totals = {e.edition: e for e in stats.editions}
    manifest = json.loads((bundled_build / "manifest.json").read_text())
    minutes = {
        a["edition"]: a["reading_minutes"] for a in manifest["artifacts"] if a["format"] == "epub"
    }
    assert minutes == {name: totals[name].minutes for name in ("full", "sample")}
    remaining = rounded_minutes(
        totals["full"].words - totals["sample"].words, stats.words_per_minute
    )
    teaser = epub_files(bundled_build / "sample/ml-product-lifecycle-sample.epub")[
        "EPUB/what-comes-next.xhtml"
    ].decode()
    assert f"about {remaining} more minutes" in teaser
