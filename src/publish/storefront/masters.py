"""Find the masters a build made for sale: the full edition's EPUB and PDF, as listed in
build/manifest.json and still the bytes it lists."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..editions.kinds import FULL
from ..errors import ERROR, Finding, FindingsError
from ..outputs.manifest import MANIFEST
from .stamp_epub import EpubMaster
from .stamp_pdf import PdfMaster


@dataclass(frozen=True)
class Masters:
    """One build's full edition, read and prepared for stamping."""

    slug: str
    epub: EpubMaster
    pdf: PdfMaster


def _error(path: Path, code: str, message: str) -> FindingsError:
    return FindingsError([Finding(str(path), 1, 1, ERROR, code, message)])


def book_artifacts(build_dir: Path, edition: str = FULL.name) -> dict[str, dict]:
    """The manifest's entries for the edition's book files, by format (epub, pdf)."""
    manifest_path = build_dir / MANIFEST
    if edition != FULL.name:
        raise _error(
            manifest_path,
            "STM007",
            f"the {edition} edition is not for sale: only the full edition is stamped",
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _error(manifest_path, "STM008", f"no readable build manifest ({exc})") from None
    books = [
        entry
        for entry in manifest.get("artifacts", [])
        if entry.get("identifier") and entry.get("format") in ("epub", "pdf")
    ]
    editions = {entry.get("edition") for entry in books}
    full = {e["format"]: e for e in books if e.get("edition") == edition}
    if set(full) != {"epub", "pdf"}:
        others = ", ".join(sorted(e for e in editions if e)) or "none"
        raise _error(
            manifest_path,
            "STM007",
            f"the build holds no full edition EPUB and PDF to stamp (editions: {others})",
        )
    return full


def master_bytes(build_dir: Path, entry: dict) -> tuple[bytes, str]:
    """The master file and its sha256, refused unless it is what the manifest lists."""
    path = build_dir / entry["path"]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _error(path, "STM009", f"the master cannot be read ({exc.strerror})") from None
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 != entry.get("sha256"):
        raise _error(path, "STM009", "the master is not the file build/manifest.json lists")
    return data, sha256


def read_masters(build_dir: Path) -> Masters:
    entries = book_artifacts(build_dir)
    epub_data, epub_sha = master_bytes(build_dir, entries["epub"])
    pdf_data, pdf_sha = master_bytes(build_dir, entries["pdf"])
    slug = Path(entries["epub"]["path"]).stem
    return Masters(slug, EpubMaster.read(epub_data, epub_sha), PdfMaster.read(pdf_data, pdf_sha))
