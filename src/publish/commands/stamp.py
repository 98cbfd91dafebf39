"""`publish stamp`: a buyer's copy of the built full edition, or whose copy a file is."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from ..errors import ERROR, Finding, FindingsError
from ..outputs.manifest import MANIFEST
from ..storefront.identify import identify
from ..storefront.order import validated
from ..storefront.stamp import stamp


def default_out(build_dir: Path) -> Path:
    """Copies go beside the build, never inside it (a rebuild owns build/)."""
    return build_dir.resolve().parent / "stamped"


def build_date(build_dir: Path) -> str:
    """The day the masters were built: the licence date when the order gives none, so
    stamping the same order again gives the same bytes on any day."""
    try:
        built_at = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))["built_at"]
        return datetime.datetime.fromisoformat(built_at).date().isoformat()
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def stamp_copy(
    build_dir: Path,
    buyer: str,
    email: str,
    order: str,
    date: str | None = None,
    out: Path | None = None,
    edition: str = "full",
) -> list[Path]:
    """Validate the order, stamp the edition and write the copy; the files written."""
    from ..storefront.masters import book_artifacts

    book_artifacts(build_dir, edition)  # refuse a sample before judging the buyer's input
    checked = validated(buyer, email, order, date or build_date(build_dir))
    return stamp(build_dir, checked, out or default_out(build_dir))


def identify_command(path: Path) -> str:
    found = identify(path)
    if found.order is None:
        raise FindingsError(
            [Finding(str(path), 1, 1, ERROR, "STM011", "holds no stamp a copy would carry")]
        )
    return found.report()
