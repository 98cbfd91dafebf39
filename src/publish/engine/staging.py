"""A build's output tree: artifacts and removals are staged, and land only at commit.

Temporaries and pending artifacts live in a hidden folder beside the output folder
(same parent, so the final renames stay atomic): a killed build can leave a
temporary behind, but never where it could be mistaken for an artifact, and a
build that fails keeps the previous artifacts exactly as they were.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..files import TEMP_PREFIX, staging_dir, write_atomic

PENDING = "pending"
CACHE_DIR = ".cache"


class OutputTree:
    """One build's view of its output folder; every write and removal goes through it."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.staging = staging_dir(self.out)
        self.cache_dir = self.out / CACHE_DIR
        self._removals: set[Path] = set()

    def _pending(self, path: Path) -> Path:
        return self.staging / PENDING / self._relative(path)

    def _relative(self, path: Path) -> Path:
        return path.parent.resolve().relative_to(self.out) / path.name

    def write(self, path: Path, data: bytes) -> None:
        """Stage an artifact at `path` (inside the output folder) until `commit`."""
        self._removals.discard(path.resolve())
        write_atomic(self._pending(path), data, temp_dir=self.staging)

    def write_cache(self, path: Path, data: bytes) -> None:
        """Write a cache file at once: the cache is never held back."""
        write_atomic(path, data, temp_dir=self.staging)

    def read(self, path: Path) -> bytes:
        """What this build wrote for `path`: its pending copy until the build commits."""
        pending = self._pending(path)
        return pending.read_bytes() if pending.is_file() else path.read_bytes()

    def remove_stale(self, folder: Path, kept: list[Path], suffixes: tuple[str, ...]) -> None:
        """Drop, at commit, files an earlier build wrote here and this one did not
        (a renamed cheatsheet, say)."""
        if not folder.is_dir():
            return
        keep = {path.resolve() for path in kept}
        for path in folder.iterdir():
            if path.suffix in suffixes and path.resolve() not in keep:
                self._removals.add(path.resolve())

    @property
    def removals(self) -> frozenset[str]:
        """The files this build will remove at commit, relative to the output folder."""
        return frozenset(path.relative_to(self.out).as_posix() for path in self._removals)

    def commit(self, last: str = "") -> None:
        """Move every pending artifact into place, then apply the removals; `last` goes
        last (the manifest, so it never lists files that are not yet in place)."""
        pending = self.staging / PENDING
        files = [p for p in pending.rglob("*") if p.is_file()] if pending.is_dir() else []
        for staged in sorted(files, key=lambda p: (p.relative_to(pending).as_posix() == last, p)):
            final = self.out / staged.relative_to(pending)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)
        for path in sorted(self._removals):
            path.unlink(missing_ok=True)
        self._removals.clear()
        if pending.is_dir():
            shutil.rmtree(pending)

    def sweep(self) -> int:
        """Remove what a killed or failed build left behind; how many files were removed."""
        removed = 0
        if self.staging.is_dir() and not self.staging.is_symlink():
            for stale in self.staging.glob(f"{TEMP_PREFIX}*"):
                stale.unlink(missing_ok=True)
                removed += 1
        pending = self.staging / PENDING
        if pending.is_dir():
            removed += sum(1 for p in pending.rglob("*") if p.is_file())
            shutil.rmtree(pending)
        return removed

    def close(self) -> None:
        """Drop the staging folder when a build ends; uncommitted artifacts go with it."""
        self.sweep()
        self._removals.clear()
        if self.staging.is_dir() and not any(self.staging.iterdir()):
            self.staging.rmdir()
