"""The content cache: an artifact is rebuilt only when an input it depends on changed.

Each build task (say, the sample's PDF) has a key: the hash of exactly the inputs
it depends on. After the task writes its files, a record of the key, the files'
sha256 and their manifest entries is written atomically to
`build/.cache/artifacts/<task>.json`. A later build whose key matches, and whose
files on disk still hash as recorded, reuses them without touching them. A crash
between the files and the record only costs a rebuild; deleting `build/.cache`
is always safe.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

from .. import __version__
from ..cache_entries import file_identity, read_no_follow, real_folder
from ..errors import Finding
from ..files import write_atomic
from ..outputs.manifest import Artifact, path_sha256
from ..project.theme import Theme

RECORDS_DIR = "artifacts"
LAST_BUILD = "last-build.json"
# The libraries whose versions change the bytes we write.
RENDERERS = (
    "pypandoc_binary",
    "weasyprint",
    "pydyf",
    "ebooklib",
    "lxml",
    "pillow",
    "ziamath",  # draws the PDF's math, with its own font
    "ziafont",
)


class Hasher:
    """sha256 over labelled parts, each length-prefixed so no two inputs run together."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    def add(self, label: str, data: bytes | str) -> Hasher:
        data = data.encode("utf-8") if isinstance(data, str) else data
        for part in (label.encode("utf-8"), data):
            self.digest.update(len(part).to_bytes(8, "big") + part)
        return self

    def add_file(self, label: str, path: Path) -> Hasher:
        return self.add(label, file_sha256(path))

    def copy(self) -> Hasher:
        """A hasher that goes on from what this one has seen, leaving this one as it is."""
        branch = Hasher()
        branch.digest = self.digest.copy()
        return branch

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def file_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def tool_fingerprint() -> str:
    """Our version and source, the renderers' versions, and what makes output reproducible."""
    hasher = Hasher().add("installed", _installed_tools())
    for variable in ("SOURCE_DATE_EPOCH", "PYPANDOC_PANDOC"):
        hasher.add(variable, os.environ.get(variable, ""))
    return hasher.hexdigest()


@functools.cache
def _installed_tools() -> str:
    """Hashes our own source too: an editable install keeps its version number while
    the code changes, and old code's artifacts must not be served to new code."""
    hasher = Hasher().add("publish", __version__)
    package = Path(__file__).parent.parent
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.lua")]):  # pandoc_batch
        hasher.add_file(path.relative_to(package).as_posix(), path)
    for name in RENDERERS:
        try:
            hasher.add(name, importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            hasher.add(name, "absent")
    return hasher.hexdigest()


def theme_fingerprint(theme: Theme) -> str:
    hasher = Hasher()
    for path in theme.files():
        hasher.add_file(path.name, path)
    return hasher.add("custom.css", theme.extra_css()).hexdigest()


@dataclasses.dataclass
class Outcome:
    """What one task produced, or reused: its artifacts and the warnings it raised."""

    artifacts: list[Artifact]
    findings: list[Finding] = dataclasses.field(default_factory=list)


class ArtifactCache:
    def __init__(self, out: Path, cache_dir: Path, write=write_atomic) -> None:
        self.out = out
        self.write = write
        self.records = cache_dir / RECORDS_DIR
        self.report_path = cache_dir / LAST_BUILD
        self.reused: list[str] = []
        self.built: list[str] = []

    def _record_path(self, task: str) -> Path:
        return self.records / f"{task}.json"

    def reuse(self, task: str, key: str) -> Outcome | None:
        """The recorded outcome when the key matches and every file is still as written."""
        try:
            record = json.loads(read_no_follow(self._record_path(task)).decode("utf-8"))
            if record["key"] != key:
                return None
            artifacts = [Artifact(**entry) for entry in record["artifacts"]]
            findings = [Finding(**entry) for entry in record["findings"]]
            identities = record["identities"]
            if not all(self._intact(a, identities.get(a.path)) for a in artifacts):
                return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing, torn, shipped with the project, or from another version
        self.reused.append(task)
        return Outcome(artifacts, findings)

    def _intact(self, artifact: Artifact, identity) -> bool:
        """The file (or a web site's folder) this machine wrote at commit, unchanged: not a
        symlink, not a copy (build/ may come with the project), and still hashing as
        recorded."""
        path = self.out / artifact.path
        if not path.resolve().is_relative_to(self.out) or path.is_symlink():
            return False
        if file_identity(path) != identity:
            return False
        if path.is_dir():  # a web site: every file in it, hashed as the manifest hashes it
            inside = list(path.rglob("*"))
            return not any(p.is_symlink() for p in inside) and (
                path_sha256(path) == artifact.sha256
            )
        return path.is_file() and hashlib.sha256(read_no_follow(path)).hexdigest() == (
            artifact.sha256
        )

    def store(self, task: str, key: str, outcome: Outcome) -> None:
        """Record a finished task; called only after its files are in place."""
        record = {
            "key": key,
            "artifacts": [dataclasses.asdict(a) for a in outcome.artifacts],
            "findings": [dataclasses.asdict(f) for f in outcome.findings],
            "identities": {a.path: file_identity(self.out / a.path) for a in outcome.artifacts},
        }
        real_folder(self.records, self.out)
        self.write(self._record_path(task), json.dumps(record, indent=1).encode("utf-8"))
        self.built.append(task)

    def write_report(self) -> None:
        """Which tasks this build reused and which it built, for tests and benchmarks."""
        report = {"reused": sorted(self.reused), "built": sorted(self.built)}
        self.write(self.report_path, json.dumps(report, indent=1).encode("utf-8"))
