"""Read back whose copy a file is: from its fingerprint first (which survives a re-zip,
a re-save and copied-out text), then from the metadata a stamp wrote (which a sharer
can strip)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from ..errors import ERROR, Finding, FindingsError
from . import fingerprint
from .stamp_pdf import STAMP_NS

OPF_ORDER = re.compile(r'<meta property="stamp:order">([^<]*)</meta>')


@dataclass(frozen=True)
class Identification:
    path: Path
    fingerprints: Counter[str]
    """Each order's fingerprint, and how many times it was found."""
    metadata_order: str | None

    @property
    def order(self) -> str | None:
        if self.fingerprints:
            return self.fingerprints.most_common(1)[0][0]
        return self.metadata_order

    def report(self) -> str:
        if self.order is None:
            return f"{self.path}: no stamp found"
        marks = ", ".join(f"{o} x{n}" for o, n in self.fingerprints.most_common())
        return (
            f"{self.path}: order {self.order} (fingerprints: {marks or 'none'}; "
            f"metadata: {self.metadata_order or 'none'})"
        )


def identify(path: Path) -> Identification:
    try:
        data = path.read_bytes()
    except OSError as exc:
        finding = Finding(str(path), 1, 1, ERROR, "STM010", f"cannot be read ({exc.strerror})")
        raise FindingsError([finding]) from None
    if data.startswith(b"PK"):
        return _from_epub(path, data)
    if data.startswith(b"%PDF"):
        return _from_pdf(path, data)
    return Identification(path, fingerprint.orders_in(data.decode("utf-8", "replace")), None)


def _from_epub(path: Path, data: bytes) -> Identification:
    found: Counter[str] = Counter()
    metadata = None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith((".xhtml", ".html", ".htm", ".opf")):
                text = archive.read(name).decode("utf-8", "replace")
                found += fingerprint.orders_in(text)
                if name.endswith(".opf") and (match := OPF_ORDER.search(text)):
                    metadata = match.group(1)
    return Identification(path, found, metadata)


def _from_pdf(path: Path, data: bytes) -> Identification:
    text = ""
    if pdftotext := shutil.which("pdftotext"):
        result = subprocess.run(
            [pdftotext, "-q", "-", "-"], input=data, capture_output=True, check=False
        )
        text = result.stdout.decode("utf-8", "replace")
    metadata = None
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            metadata = pdf.open_metadata().get(f"{{{STAMP_NS}}}order")
    except pikepdf.PdfError:
        pass
    return Identification(path, fingerprint.orders_in(text), metadata)
