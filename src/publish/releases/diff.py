"""What changed between two builds, edition by edition and section by section.

Both builds are read from their manifests: each EPUB and PDF entry lists its edition's
sections (see contents.py) with a digest of their text, so two builds compare by what a
reader reads, not by bytes: a new build date, a re-zip or another WeasyPrint changes
nothing here, while one word changed in one section shows as that section.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PublishError
from ..project.config_release import SEMVER, version_key

MANIFEST = "manifest.json"
BOOK_FORMATS = ("epub", "pdf")  # the files whose entries list their edition's sections


@dataclass(frozen=True)
class Section:
    chapter: str
    chapter_title: str
    id: str
    title: str
    words: int
    digest: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.chapter, self.id)


@dataclass(frozen=True)
class Built:
    """One build as its manifest describes it."""

    source: str
    version: str
    editions: dict[str, list[Section]]
    changelog: list[dict]


@dataclass
class EditionChanges:
    edition: str
    changed: list[tuple[Section, Section]] = field(default_factory=list)
    added: list[Section] = field(default_factory=list)
    removed: list[Section] = field(default_factory=list)
    old_words: int = 0
    new_words: int = 0

    @property
    def any(self) -> bool:
        return bool(self.changed or self.added or self.removed)

    def to_json(self) -> dict:
        return {
            "changed": [
                {**_section_json(new), "old_title": old.title, "old_words": old.words}
                for old, new in self.changed
            ],
            "added": [_section_json(s) for s in self.added],
            "removed": [_section_json(s) for s in self.removed],
            "words": {"old": self.old_words, "new": self.new_words},
        }


def _section_json(section: Section) -> dict:
    return {
        "chapter": section.chapter,
        "chapter_title": section.chapter_title,
        "id": section.id,
        "title": section.title,
        "words": section.words,
    }


@dataclass
class Diff:
    old: Built
    new: Built
    editions: list[EditionChanges]

    @property
    def any(self) -> bool:
        return any(e.any for e in self.editions)

    def release_notes(self) -> list[dict]:
        """The new build's changelog entries after the old build's version, newest first."""
        if not SEMVER.match(self.old.version or ""):
            return self.new.changelog[:1]
        floor = version_key(self.old.version)
        return [
            e
            for e in self.new.changelog
            if SEMVER.match(e.get("version", "")) and version_key(e["version"]) > floor
        ]

    def to_json(self) -> dict:
        return {
            "old": {"source": self.old.source, "version": self.old.version},
            "new": {"source": self.new.source, "version": self.new.version},
            "changed": self.any,
            "editions": {e.edition: e.to_json() for e in self.editions},
            "release_notes": self.release_notes(),
        }


def read_build(path: Path) -> Built:
    """A build folder's manifest, or a manifest.json given directly."""
    manifest_path = path / MANIFEST if path.is_dir() else path
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        artifacts = list(manifest["artifacts"])
        book = dict(manifest.get("book", {}))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PublishError(
            f"{manifest_path}: not a build's manifest.json ({exc.__class__.__name__}: {exc})"
            " (give a build folder, e.g. build/, or its manifest.json)"
        ) from None
    try:
        editions = _editions(artifacts)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PublishError(
            f"{manifest_path}: a section list is malformed ({exc.__class__.__name__}: {exc})"
            " (rebuild it with `publish build`)"
        ) from None
    if not editions:
        raise PublishError(
            f"{manifest_path}: lists no edition's sections (built by an older publish, or "
            "without EPUB or PDF) (rebuild it with `publish build` to compare it)"
        )
    return Built(str(path), book.get("version", ""), editions, book.get("changelog", []))


def _editions(artifacts: list[dict]) -> dict[str, list[Section]]:
    editions: dict[str, list[Section]] = {}
    for fmt in BOOK_FORMATS:  # the EPUB's list first; the PDF's is the same text
        for entry in artifacts:
            if entry.get("format") == fmt and "contents" in entry:
                editions.setdefault(entry["edition"], _sections(entry["contents"]))
    return editions


def _sections(contents: list[dict]) -> list[Section]:
    return [
        Section(c["chapter"], c["chapter_title"], c["id"], c["title"], int(c["words"]), c["digest"])
        for c in contents
    ]


def compare(old: Built, new: Built) -> Diff:
    """Every edition either build has, compared section by section by heading id."""
    names = list(dict.fromkeys([*new.editions, *old.editions]))
    return Diff(
        old, new, [_compare(n, old.editions.get(n, []), new.editions.get(n, [])) for n in names]
    )


def _compare(edition: str, old: list[Section], new: list[Section]) -> EditionChanges:
    result = EditionChanges(edition)
    result.old_words = sum(s.words for s in old)
    result.new_words = sum(s.words for s in new)
    before = {s.key: s for s in old}
    after = {s.key for s in new}
    for section in new:
        previous = before.get(section.key)
        if previous is None:
            result.added.append(section)
        elif (previous.digest, previous.title) != (section.digest, section.title):
            result.changed.append((previous, section))
    result.removed = [s for s in old if s.key not in after]
    return result
