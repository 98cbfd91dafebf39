"""A queue on this machine, for the tests, the load benchmark and trying the worker out:
Debian's redis-server on a free loopback port and `celery -A publish.worker worker`
processes, started and stopped by the caller (`with RedisServer() as redis: ...`)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis as redis_client

CELERY = Path(sys.executable).parent / "celery"


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it; `--port 0` would turn TCP off)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """redis-server on 127.0.0.1, keeping nothing on disk."""

    def __init__(self, log: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._log = log
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> RedisServer:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server is missing: apt-get install redis-server")
        command = [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        output = self._log.open("ab") if self._log else subprocess.DEVNULL
        self._process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        client = redis_client.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis_client.ConnectionError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on {self.port}") from None
                time.sleep(0.05)

    def __exit__(self, *_exc) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)


class Worker:
    """One `celery worker` process (with its pool child), in its own process group so it
    can be killed whole, as when its machine dies."""

    def __init__(self, name: str, env: dict[str, str], log: Path, concurrency: int = 1):
        command = [
            str(CELERY), "-A", "publish.worker", "worker", "-n", f"{name}@%h",
            "--concurrency", str(concurrency), "--without-mingle", "--without-gossip",
            "--loglevel", "WARNING", "--logfile", str(log),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, env={**os.environ, **env}, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no chance to hand its jobs back."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
