"""DAISY Ace on the bundled book's EPUBs: 0 violations, and metadata that is true."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from helpers import NS, ace_command, opf

EPUBS = [("full", "ml-product-lifecycle.epub"), ("sample", "ml-product-lifecycle-sample.epub")]


def ace_report(command: list[str], epub: Path, out: Path, env: dict) -> dict:
    subprocess.run(
        [*command, "--silent", "--force", "--outdir", str(out), str(epub)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("edition", "name"), EPUBS, ids=[e for e, _ in EPUBS])
def test_ace_reports_no_violations(bundled_build, tmp_path, ace_env, edition, name):
    command = ace_command()
    if command is None:
        pytest.skip(
            "DAISY Ace cannot run here: Chromium (apt-get install chromium) or "
            "node_modules/.bin/ace-cli (npm ci with PUPPETEER_SKIP_DOWNLOAD=1) is missing"
            " -- ACCESSIBILITY IS NOT VALIDATED"
        )
    report = ace_report(command, bundled_build / edition / name, tmp_path / "ace", ace_env)
    violations = [
        (a["earl:testSubject"]["url"], t["earl:test"]["dct:title"])
        for a in report["assertions"]
        for t in a["assertions"]
    ]
    assert violations == []
    assert report["earl:result"]["earl:outcome"] == "pass"


def test_metadata_claims_only_what_the_book_backs(bundled_build):
    """Every figure of the bundled book has a long description, so the summary may say so."""
    package = opf(bundled_build / "full" / "ml-product-lifecycle.epub")
    metas = {m.get("property"): m.text for m in package.iterfind(".//opf:meta", NS)}
    summary = metas["schema:accessibilitySummary"]
    assert "every figure has a long description" in summary
    assert "Ace" not in summary  # the build does not run Ace: only the tests do
    features = {
        m.text
        for m in package.iterfind(".//opf:meta[@property]", NS)
        if m.get("property") == "schema:accessibilityFeature"
    }
    assert {"alternativeText", "longDescription"} <= features
    assert package.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-US"
