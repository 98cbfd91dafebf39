"""The storefront's stamping queue: a Celery app with Redis as broker and result store.

    celery -A publish.worker worker --concurrency 2      # as many as cores, on any machine

Configured from the environment (every worker and the storefront share the broker):
PUBLISH_BROKER_URL (default redis://127.0.0.1:6379/0), PUBLISH_RESULT_BACKEND (default:
the broker), PUBLISH_BUILD_DIR (the build to stamp when an order names none),
PUBLISH_STORE_DIR (the output store: each copy lands in STORE/ORDER/), and
PUBLISH_VISIBILITY_TIMEOUT (seconds before a job whose worker vanished runs again).

A storefront enqueues `stamp.delay({"buyer": ..., "email": ..., "order": ..., "date":
...})`. Jobs are acknowledged only when the copy is written (`acks_late`), and one whose
worker dies is given back to the queue (`task_reject_on_worker_lost`; a worker killed
outright leaves it unacknowledged in Redis, and another worker runs it once the
visibility timeout has passed). Running a job twice writes the same bytes atomically,
so a repeat is harmless.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from celery import Celery

from .errors import FindingsError
from .storefront.order import Order
from .storefront.stamp import Stamper, write_copy


def _visibility_timeout() -> int:
    return int(os.environ.get("PUBLISH_VISIBILITY_TIMEOUT", "300"))


def _make_app() -> Celery:
    broker = os.environ.get("PUBLISH_BROKER_URL", "redis://127.0.0.1:6379/0")
    app = Celery("publish")
    app.conf.update(
        broker_url=broker,
        result_backend=os.environ.get("PUBLISH_RESULT_BACKEND", broker),
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a dead worker holds back one job, not a batch
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": _visibility_timeout(),
            # Look for abandoned jobs often enough to run them soon after the timeout.
            "unacked_restore_interval": max(1, _visibility_timeout() // 10),
            "unacked_restore_throttle": 1,
        },
    )
    return app


app = _make_app()


@functools.cache
def warm_stamper() -> Stamper:
    """This worker process's stamper: the masters stay read and prepared between jobs."""
    return Stamper()


def _environment_path(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: the worker needs it")
    return Path(value)


@app.task(name="publish.stamp", acks_late=True, reject_on_worker_lost=True)
def stamp(order: dict) -> dict:
    """Stamp one order's copy into the output store; the files written and their sha256.
    A bad order fails the job with its findings (retrying cannot mend it)."""
    try:
        checked = Order.from_mapping(order)
    except FindingsError as exc:  # sent back as plain text: the result store holds JSON
        raise ValueError(exc.format_message()) from None
    build = Path(order["build"]) if order.get("build") else _environment_path("PUBLISH_BUILD_DIR")
    store = _environment_path("PUBLISH_STORE_DIR")
    written = write_copy(warm_stamper().stamp(build, checked), store)
    return {
        "order": checked.order,
        "files": {
            str(path.relative_to(store)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in written
        },
    }
