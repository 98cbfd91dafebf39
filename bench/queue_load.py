"""Launch day on this machine: ORDERS stamping jobs through two Celery workers on Redis,
one worker killed with SIGKILL halfway; throughput and latency, then a check that every
order has exactly one whole, valid copy.

Latency is from enqueueing (all orders at once, as a launch e-mail would bring them) to
the result stored. Uses the bundled book as bench/stamp.py builds it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import zipfile
from datetime import UTC
from pathlib import Path

import pikepdf
from celery import Celery
from stamp import OUT, built, percentile

from publish.storefront.identify import identify
from publish.storefront.local_queue import RedisServer, Worker

REPO = Path(__file__).resolve().parents[1]


def order(n: int) -> dict:
    return {
        "buyer": f"Launch Buyer {n}",
        "email": f"buyer{n}@example.com",
        "order": f"L-{n:05d}",
        "date": "2026-11-28",
    }


def verify(store: Path, results: list[dict], count: int) -> dict:
    """Every order once, each file whole: a readable EPUB naming its order, a PDF that opens."""
    folders = sorted(p.name for p in store.iterdir())
    expected = [order(n)["order"] for n in range(count)]
    bad = []
    for result in results:
        folder = store / result["order"]
        files = sorted(folder.iterdir())
        if len(files) != 2:
            bad.append(f"{result['order']}: {[f.name for f in files]}")
            continue
        epub, pdf = (f for f in sorted(files) if f.suffix in (".epub", ".pdf"))
        with zipfile.ZipFile(epub) as archive:
            if archive.testzip() is not None or identify(epub).order != result["order"]:
                bad.append(f"{result['order']}: EPUB")
        with pikepdf.open(pdf):
            pass
    return {"folders_match_orders": folders == expected, "bad_copies": bad}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--visibility-timeout", type=int, default=30)
    args = parser.parse_args()
    build = built("lesson")
    work = Path(tempfile.mkdtemp(prefix="queue-load-"))
    store = work / "store"
    with RedisServer(work / "redis.log") as server:
        env = {
            "PUBLISH_BROKER_URL": server.url,
            "PUBLISH_BUILD_DIR": str(build),
            "PUBLISH_STORE_DIR": str(store),
            "PUBLISH_VISIBILITY_TIMEOUT": str(args.visibility_timeout),
            "PYTHONPATH": str(REPO / "src"),
        }
        workers = [Worker(f"w{i}", env, work / f"w{i}.log") for i in (1, 2)]
        try:
            client = Celery(broker=server.url, backend=server.url)
            started = time.time()
            jobs = [(time.time(), client.send_task("publish.stamp", args=[order(n)]))
                    for n in range(args.orders)]  # fmt: skip
            while sum(1 for _ in store.glob("*/*.pdf")) < args.orders // 2:
                time.sleep(0.1)
            workers[0].kill()
            killed_at = time.time()
            results = [job.get(timeout=3600) for _, job in jobs]
            finished = [job.date_done.replace(tzinfo=UTC).timestamp() for _, job in jobs]
        finally:
            for worker in workers:
                worker.stop()
    latencies = [done - sent for (sent, _), done in zip(jobs, finished, strict=True)]
    elapsed = max(finished) - started
    before_kill = sum(1 for done in finished if done <= killed_at)
    figures = {
        "orders": args.orders,
        "workers": 2,
        "elapsed_s": round(elapsed, 1),
        "copies_per_s": round(args.orders / elapsed, 1),
        "copies_per_s_two_workers": round(before_kill / (killed_at - started), 1),
        "latency_p50_s": round(statistics.median(latencies), 1),
        "latency_p95_s": round(percentile(latencies, 0.95), 1),
        "killed_after_s": round(killed_at - started, 1),
        **verify(store, results, args.orders),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "queue_load.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
