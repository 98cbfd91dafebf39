"""Time `publish stamp` in a warm process: milliseconds per EPUB and per PDF copy.

For each size (bench/generate.py's books: `lesson` is the bundled book), build it once
with `publish build` (in bench/out/stamp/SIZE, kept for the next run), prepare the
masters with one stamp (the warm-up a worker pays once), then stamp SAMPLES orders,
timing the EPUB and the PDF of each separately. Prints medians and p95 with the page
count, and writes bench/out/stamp.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from generate import SIZES, generate

from publish.storefront.order import validated
from publish.storefront.stamp import Stamper
from publish.storefront.stamp_epub import stamp_epub
from publish.storefront.stamp_pdf import stamp_pdf

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
PUBLISH = Path(sys.executable).parent / "publish"


def built(size: str) -> Path:
    project = OUT / "stamp" / size
    if not (project / "build" / "manifest.json").is_file():
        generate(size, project)
        subprocess.run([str(PUBLISH), "build", str(project), "-q"], check=True)
    return project / "build"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(size: str, samples: int) -> dict:
    build = built(size)
    stamper = Stamper()
    started = time.perf_counter()
    masters = stamper.masters(build)
    stamper.stamp(build, validated("Warm Up", "warm@example.com", "W-0", "2026-11-28"))
    warm_up = time.perf_counter() - started
    times: dict[str, list[float]] = {"epub": [], "pdf": []}
    for n in range(samples):
        order = validated(f"Buyer Number {n}", f"buyer{n}@example.com", f"O-{n}", "2026-11-28")
        for name, run in (("epub", stamp_epub), ("pdf", stamp_pdf)):
            master = masters.epub if name == "epub" else masters.pdf
            begin = time.perf_counter()
            run(master, order)
            times[name].append((time.perf_counter() - begin) * 1000)
    return {
        "size": size,
        "pages": len(masters.pdf.stamped_pages),
        "pdf_bytes": len(masters.pdf.data),
        "epub_bytes": len(masters.epub.base),
        "warm_up_s": round(warm_up, 3),
        **{
            f"{name}_{label}_ms": round(figure(values), 1)
            for name, values in times.items()
            for label, figure in (
                ("median", statistics.median),
                ("p95", lambda v: percentile(v, 0.95)),
            )
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["lesson", "medium"])
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    results = [measure(size, args.samples) for size in args.sizes]
    OUT.mkdir(exist_ok=True)
    (OUT / "stamp.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'book':<8} {'stamped pages':>13} {'EPUB ms':>14} {'PDF ms':>14} {'warm-up s':>10}")
    for r in results:
        epub = f"{r['epub_median_ms']} / {r['epub_p95_ms']}"
        pdf = f"{r['pdf_median_ms']} / {r['pdf_p95_ms']}"
        print(f"{r['size']:<8} {r['pages']:>13} {epub:>14} {pdf:>14} {r['warm_up_s']:>10}")
    print("(median / p95 per copy, in one warm process)")


if __name__ == "__main__":
    main()
