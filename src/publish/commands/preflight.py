"""`publish check --store` and `publish build --store`: the store preflight's result."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..checks.preflight import preflight
from ..checks.store_rules import STORES
from ..errors import WARNING, Finding
from .check import CheckResult, counted


def store_names(chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The stores `--store` chose, in the table's order; `all` is every retail store."""
    return tuple(s for s in STORES if s in chosen or ("all" in chosen and STORES[s].in_all))


def check_stores(
    root: Path,
    chosen: tuple[str, ...],
    strict: bool = False,
    build_dir: Path | None = None,
    epubcheck: bool = True,
) -> CheckResult:
    """The built EPUBs against the chosen stores' rules; `strict` makes warnings errors."""
    stores = store_names(chosen)
    result = preflight(root, stores, build_dir, epubcheck)
    findings: list[Finding] = result.findings
    if strict:
        findings = [replace(f, level="error") if f.level == WARNING else f for f in findings]
    errors = sum(1 for f in findings if f.level == "error")
    warnings = len(findings) - errors
    summary = [
        *result.notes,
        f"publish check --store {','.join(stores)}: {counted(result.epubs, 'EPUB')} checked, "
        f"{counted(errors, 'error')}, {counted(warnings, 'warning')}",
    ]
    return CheckResult(findings, "\n".join(summary))
