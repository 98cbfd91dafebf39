"""Per-buyer copies of a built book: the storefront's Python API.

    from publish.storefront.stamp import Stamper, stamp
    from publish.storefront.order import validated
    order = validated("Ada Lovelace", "ada@example.com", "A-1001", "2026-11-28")
    copies = stamp(Path("build"), order, Path("out"))  # out/A-1001/<slug>.epub and .pdf

A `Stamper` keeps each build's masters read and prepared, so a warm process stamps a
copy without reading or parsing the masters again (the worker holds one).
"""

from __future__ import annotations

import functools
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ERROR, Finding, FindingsError
from .masters import Masters, book_artifacts, read_masters
from .order import Order
from .stamp_epub import stamp_epub
from .stamp_pdf import stamp_pdf, undrawable

PART = ".part"


@dataclass(frozen=True)
class Copy:
    """One buyer's copy of one book: the stamped files' bytes by file name."""

    order: Order
    files: dict[str, bytes]


class Stamper:
    """Stamps copies from builds, holding each master prepared (keyed by its sha256,
    so a rebuild is read afresh and an unchanged build never is)."""

    def __init__(self, capacity: int = 4) -> None:
        self._prepared = functools.lru_cache(maxsize=capacity)(self._prepare)

    def _prepare(self, build_dir: Path, _shas: tuple[str, ...]) -> Masters:
        return read_masters(build_dir)

    def masters(self, build_dir: Path) -> Masters:
        entries = book_artifacts(build_dir)
        key = tuple(entries[fmt]["sha256"] for fmt in sorted(entries))
        return self._prepared(build_dir.resolve(), key)

    def stamp(self, build_dir: Path, order: Order) -> Copy:
        _refuse_undrawable(order)
        masters = self.masters(build_dir)
        return Copy(
            order,
            {
                f"{masters.slug}.epub": stamp_epub(masters.epub, order),
                f"{masters.slug}.pdf": stamp_pdf(masters.pdf, order),
            },
        )


def _refuse_undrawable(order: Order) -> None:
    findings = []
    for field, value in (("--buyer", order.buyer), ("--email", order.email)):
        index = undrawable(value)
        if index is not None:
            char = value[index]
            message = f"'{char}' (U+{ord(char):04X}) has no glyph in the PDF footer's fonts"
            findings.append(Finding(field, 1, index + 1, ERROR, "STM012", message))
    if findings:
        raise FindingsError(findings)


def write_copy(copy: Copy, out_dir: Path) -> list[Path]:
    """Write the copy under out_dir/ORDER/, each file whole or not at all: a reader (or
    a worker killed mid-write) never finds a truncated file under the final name."""
    folder = out_dir / copy.order.order
    folder.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_parts(folder)
    host = socket.gethostname()
    written = []
    for name, data in copy.files.items():
        target = folder / name
        prefix = f".{name}.{host}.{os.getpid()}."
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=PART)
        try:
            os.fchmod(handle, 0o644)  # mkstemp's 0600 would hide the copy from a web server
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def _remove_abandoned_parts(folder: Path) -> None:
    """Delete half-written files of processes on this machine that died writing them
    (a killed worker's); another machine's are left to that machine."""
    host = socket.gethostname()
    for part in folder.glob(f".*{PART}"):
        fields = part.name.removesuffix(PART).split(".")
        if len(fields) < 4 or fields[-3] != host or not fields[-2].isdigit():
            continue
        try:
            os.kill(int(fields[-2]), 0)
        except ProcessLookupError:
            part.unlink(missing_ok=True)
        except PermissionError:
            continue  # alive, another user's


def stamp(
    build_dir: Path, order: Order, out_dir: Path, stamper: Stamper | None = None
) -> list[Path]:
    """Stamp the build's full edition for one order and write the copy; the paths written."""
    copy = (stamper or Stamper()).stamp(build_dir, order)
    return write_copy(copy, out_dir)
