"""`publish diff OLD NEW`: what changed between two builds, as text or as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from ..releases.diff import Diff, EditionChanges, Section, compare, read_build


def diff_builds(old: Path, new: Path) -> Diff:
    """Compare two builds (build folders or their manifest.json files)."""
    return compare(read_build(old), read_build(new))


def diff_json(diff: Diff) -> str:
    return json.dumps(diff.to_json(), indent=2, ensure_ascii=False)


def diff_text(diff: Diff) -> str:
    """One block per edition, a line per section; "no changes" when no text moved."""
    versions = f"{diff.old.version or 'no version'} -> {diff.new.version or 'no version'}"
    if not diff.any:
        return f"publish diff: no changes ({versions})"
    lines = [f"publish diff: {versions}"]
    for edition in diff.editions:
        lines += _edition_lines(edition)
    notes = diff.release_notes()
    if notes:
        lines.append("release notes:")
        for entry in notes:
            lines.append(f"  {entry.get('version', '')} - {entry.get('date', '')}")
            lines += [f"    {_change_line(change)}" for change in entry.get("changes", [])]
    return "\n".join(lines)


def _edition_lines(edition: EditionChanges) -> list[str]:
    if not edition.any:
        return [f"{edition.edition} edition: no changes"]
    counts = (
        f"{len(edition.changed)} changed, {len(edition.added)} added, "
        f"{len(edition.removed)} removed"
    )
    words = f"{edition.old_words:,} -> {edition.new_words:,} words"
    lines = [f"{edition.edition} edition: {counts} ({words})"]
    for old, new in edition.changed:
        lines.append(f"  changed  {_where(new)}  {old.words} -> {new.words} words")
    lines += [f"  added    {_where(s)}  {s.words} words" for s in edition.added]
    lines += [f"  removed  {_where(s)}  {s.words} words" for s in edition.removed]
    return lines


def _where(section: Section) -> str:
    """`Chapter / Section [id]`, or the chapter alone for its opening."""
    if section.id == section.chapter:
        return f"{section.chapter_title} [{section.id}]"
    return f"{section.chapter_title} / {section.title} [{section.id}]"


def _change_line(change: dict) -> str:
    group = change.get("group", "")
    return f"{group}: {change.get('text', '')}" if group else f"- {change.get('text', '')}"
