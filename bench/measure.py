"""Run commands one after another in this fresh process; print time and memory as JSON.

Usage: measure.py '[["cmd", "arg"], ["cmd2"]]'. Run once per timed sample, so
RUSAGE_CHILDREN covers exactly these commands. Two memory figures:
`max_rss_mib` is the largest single process (getrusage); `peak_tree_mib` is the
largest sum of PSS over all live descendants, sampled every 20 ms, which counts
parallel workers together and shares forked pages fairly.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

SAMPLE_SECONDS = 0.02


def descendants(pid: int) -> list[int]:
    children = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []  # the process has just exited
    for task in tasks:
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return children + [d for c in children for d in descendants(c)]


def pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of this process's descendants until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_SECONDS):
            total = sum(pss_kib(pid) for pid in descendants(os.getpid()))
            self.peak_kib = max(self.peak_kib, total)


def main() -> None:
    commands = json.loads(sys.argv[1])
    sampler = TreeSampler()
    sampler.start()
    started = time.perf_counter()
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    seconds = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    max_rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "max_rss_mib": max_rss_kib / 1024,
                "peak_tree_mib": sampler.peak_kib / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
