"""The stamping queue for real: redis-server, two Celery workers, 200 orders, one worker
killed with SIGKILL mid-run; every order ends with exactly one whole, valid copy."""

from __future__ import annotations

import hashlib
import json
import re
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest
import redis
from celery import Celery

from helpers import REPO
from publish.storefront.identify import identify
from publish.storefront.local_queue import RedisServer, Worker

ORDERS = 200
KILL_AFTER = 40  # copies written before one worker is killed


def orders(count: int) -> list[dict]:
    return [
        {
            "buyer": f"Buyer {n}",
            "email": f"buyer{n}@example.com",
            "order": f"Q-{n:04d}",
            "date": "2026-11-28",
        }
        for n in range(count)
    ]


def unacknowledged(port: int) -> dict[bytes, str]:
    """Jobs Redis holds as delivered but not acknowledged: delivery tag -> order."""
    entries = redis.Redis(port=port).hgetall("unacked")
    return {
        tag: re.search(r"Q-\d{4}", json.loads(entry)[0]["headers"]["argsrepr"]).group()
        for tag, entry in entries.items()
    }


def orphaned_orders(port: int) -> set[str]:
    """The killed worker's jobs: still unacknowledged seconds later, when the live
    worker's job of the moment is long done (a stamp takes well under a second)."""
    first = unacknowledged(port)
    time.sleep(4)  # under the visibility timeout: nothing is handed back yet
    later = unacknowledged(port)
    return {order for tag, order in first.items() if tag in later}


def copies_written(store: Path) -> int:
    return sum(1 for _ in store.glob("*/*.pdf"))


@pytest.mark.slow
def test_orders_survive_a_killed_worker(bundled_build, tmp_path):
    store = tmp_path / "store"
    logs = tmp_path / "logs"
    logs.mkdir()
    with RedisServer(logs / "redis.log") as server:
        env = {
            "PUBLISH_BROKER_URL": server.url,
            "PUBLISH_BUILD_DIR": str(bundled_build),
            "PUBLISH_STORE_DIR": str(store),
            "PUBLISH_VISIBILITY_TIMEOUT": "10",
            "PYTHONPATH": str(REPO / "src"),
        }
        workers = [Worker(f"w{i}", env, logs / f"w{i}.log") for i in (1, 2)]
        try:
            client = Celery(broker=server.url, backend=server.url)
            pending = [client.send_task("publish.stamp", args=[o]) for o in orders(ORDERS)]
            deadline = time.monotonic() + 120
            while copies_written(store) < KILL_AFTER and time.monotonic() < deadline:
                time.sleep(0.05)
            while len(unacknowledged(server.port)) < len(workers):
                time.sleep(0.005)  # both workers are on a job: the kill lands mid-job
            workers[0].kill()
            orphaned = orphaned_orders(server.port)
            results = [job.get(timeout=300) for job in pending]
            # Idempotent: the same order again (a storefront's retry) gives the same bytes.
            again = client.send_task("publish.stamp", args=[orders(1)[0]]).get(timeout=120)
        finally:
            for worker in workers:
                worker.stop()
    # The killed worker held a job it never acknowledged; it was run again all the same.
    assert orphaned, "the kill came while no job was in flight"
    assert orphaned <= {r["order"] for r in results}
    assert again == next(r for r in results if r["order"] == again["order"])
    assert sorted(r["order"] for r in results) == [o["order"] for o in orders(ORDERS)]
    folders = sorted(p.name for p in store.iterdir())
    assert folders == [o["order"] for o in orders(ORDERS)]
    slug = "ml-product-lifecycle"
    for result in results:
        folder = store / result["order"]
        assert sorted(p.name for p in folder.iterdir()) == [f"{slug}.epub", f"{slug}.pdf"]
        for relative, sha256 in result["files"].items():
            data = (store / relative).read_bytes()
            assert hashlib.sha256(data).hexdigest() == sha256, "a later write changed it"
        epub, pdf = folder / f"{slug}.epub", folder / f"{slug}.pdf"
        with zipfile.ZipFile(epub) as archive:
            assert archive.testzip() is None
        with pikepdf.open(pdf) as document:
            assert len(document.pages) > 4
        assert identify(epub).order == result["order"]
    assert identify(pdf).order == results[-1]["order"]
