"""Save-to-reload time of `publish preview`, measured in a real browser.

For each book (the bundled lesson, and the generated 60-chapter book): start
`publish preview` as its own process, open one chapter in Debian's chromium (driven by
Playwright), then, run after run, append a sentence to that chapter's file and time
until the open page shows it (the preview re-renders, pushes the reload, the page
reloads itself). Prints each run and the medians; nothing is timed inside a test.

    python bench/preview_reload.py [--runs 7] [--sizes lesson large]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import REPO, generate
from playwright.sync_api import sync_playwright

URL_LINE = re.compile(r"at (http://127\.0\.0\.1:\d+/)")
RENDER_LINE = re.compile(r"rendered the \w+ edition in ([\d.]+) s")
# The chapter each book's run edits: one in the middle of the book.
EDITED = {"lesson": ("chapters/05-evaluation.md", 5), "large": ("chapters/30.md", 30)}


def start_preview(project: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONUNBUFFERED": "1"}
    command = "from publish.commands.cli import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", command, "preview", str(project), "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    for line in process.stderr:
        found = URL_LINE.search(line)
        if found:
            return process, found.group(1)
    raise SystemExit("the preview did not start")


def bench_book(size: str, runs: int, browser) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"preview-bench-{size}-") as folder:
        project = generate(size, Path(folder))
        if size == "lesson":  # the bundled book's own theme additions
            (project / "styles").mkdir()
            (project / "styles" / "custom.css").write_bytes(
                (REPO / "styles" / "custom.css").read_bytes()
            )
        chapter_file, number = EDITED[size]
        chapter = project / "manuscript" / chapter_file
        process, url = start_preview(project)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{url}chapter-{number:02d}.html")
            page.wait_for_function("document.documentElement.dataset.previewVersion")
            page.wait_for_timeout(1500)  # let the watcher settle after the first render
            times = []
            for run in range(1, runs + 1):
                marker = f"Benchmark sentence number {run} for {size}."
                text = chapter.read_text(encoding="utf-8")
                started = time.monotonic()
                chapter.write_text(f"{text}\n{marker}\n", encoding="utf-8")
                page.wait_for_function(
                    f"document.body && document.body.textContent.includes({marker!r})",
                    timeout=30_000,
                    polling=10,
                )
                times.append(time.monotonic() - started)
                print(f"  {size} run {run}: {times[-1]:.3f} s", flush=True)
                page.wait_for_timeout(700)
            page.close()
        finally:
            process.terminate()
            _, err = process.communicate(timeout=20)
    renders = [float(m) for m in RENDER_LINE.findall(err)][1:]  # the first is the start
    return {
        "size": size,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "render_median": statistics.median(renders) if renders else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", nargs="+", default=["lesson", "large"], choices=sorted(EDITED))
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        results = [bench_book(size, args.runs, browser) for size in args.sizes]
        browser.close()
    print("\n| book | save to reloaded page, median | min | max | server render, median |")
    print("|---|---|---|---|---|")
    for r in results:
        render = f"{r['render_median']:.2f} s" if r["render_median"] else "-"
        print(
            f"| {r['size']} | {r['median']:.2f} s | {r['min']:.2f} s | {r['max']:.2f} s"
            f" | {render} |"
        )


if __name__ == "__main__":
    main()
