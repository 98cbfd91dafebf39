"""Numbers an author wants before building: words, figures, exercises, reading time, the sample.

Everything comes from the same `load_project` and `choose_editions` the build
uses, so the sample shown here is the sample `publish build` makes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..editions.choose import Edition, rounded_minutes
from ..editions.kinds import KINDS, SAMPLE
from ..project.loader import load_project
from ..project.manuscript import MANUSCRIPT_DIR, Chapter, Unit

ANSWERS_ROW = "(answers)"


@dataclass
class ChapterStats:
    file: str
    title: str
    words: int
    figures: int
    exercises: int
    minutes: int
    in_sample: str  # "yes", "partly", "no", or "-" when the book declares no sample


@dataclass
class EditionStats:
    edition: str
    chapters: int
    words: int
    figures: int
    exercises: int
    minutes: int


@dataclass
class SampleEnd:
    """The first heading the sample leaves out: where a reader of the sample stops."""

    file: str
    line: int
    level: int
    heading: str


@dataclass
class BookStats:
    title: str
    words_per_minute: int
    chapters: list[ChapterStats] = field(default_factory=list)
    editions: list[EditionStats] = field(default_factory=list)
    sample_ends_at: SampleEnd | None = None

    def to_json(self) -> dict:
        return asdict(self)


def _figures(unit: Unit) -> int:
    return sum(
        1
        for image in unit.chapter.scan.images
        if image.is_figure and unit.start <= image.line <= unit.end
    )


def _exercises(unit: Unit) -> int:
    return sum(
        1
        for div in unit.chapter.scan.divs
        if "exercise" in div.classes and unit.start <= div.start <= unit.end
    )


def _in_sample(units: list[Unit], sample: Edition | None) -> str:
    if sample is None:
        return "-"
    taken = sum(1 for unit in units if sample.contains(unit))
    return "yes" if taken == len(units) else "partly" if taken else "no"


def _chapter_stats(chapter: Chapter, sample: Edition | None, wpm: int) -> ChapterStats:
    words = sum(unit.words for unit in chapter.units)
    return ChapterStats(
        f"{MANUSCRIPT_DIR}/{chapter.name}",
        chapter.title,
        words,
        sum(map(_figures, chapter.units)),
        sum(map(_exercises, chapter.units)),
        rounded_minutes(words, wpm),
        _in_sample(chapter.units, sample),
    )


def _edition_stats(edition: Edition, wpm: int) -> EditionStats:
    """An edition's totals; an edition with answers counts them, as its reading time does."""
    chapters = {id(unit.chapter) for unit in edition.units}
    words = edition.reading_words
    return EditionStats(
        edition.name,
        len(chapters),
        words,
        sum(map(_figures, edition.units)),
        sum(map(_exercises, edition.units)),
        rounded_minutes(words, wpm),
    )


def _sample_end(sample: Edition | None) -> SampleEnd | None:
    if sample is None or not sample.left_out:
        return None
    unit = sample.left_out[0]  # left_out keeps reading order
    path, line = unit.chapter.where(unit.heading.line)
    return SampleEnd(
        path,
        line,
        unit.heading.level,
        unit.heading.text,
    )


def book_stats(root: Path) -> BookStats:
    """Statistics of the project at `root`; raises FindingsError like `build` would."""
    project = load_project(root)
    wpm = project.words_per_minute
    sample = project.editions.get(SAMPLE.name)
    stats = BookStats(project.book.title, wpm)
    stats.chapters = [_chapter_stats(c, sample, wpm) for c in project.manuscript.chapters]
    answer_words = project.numbering.answer_words
    if answer_words:
        stats.chapters.append(
            ChapterStats(
                ANSWERS_ROW,
                "Answers to the exercises (full edition only)",
                answer_words,
                0,
                0,
                rounded_minutes(answer_words, wpm),
                "-" if sample is None else "no",
            )
        )
    stats.editions = [
        _edition_stats(project.editions[kind.name], wpm)
        for kind in KINDS
        if kind.name in project.editions
    ]
    stats.sample_ends_at = _sample_end(sample)
    return stats


def format_table(stats: BookStats) -> str:
    """The stats as a plain-text table for the terminal."""
    headers = ("chapter", "words", "figures", "exercises", "minutes", "in sample")
    rows = [
        (
            c.file.removeprefix(f"{MANUSCRIPT_DIR}/"),
            str(c.words),
            str(c.figures),
            str(c.exercises),
            str(c.minutes),
            c.in_sample,
        )
        for c in stats.chapters
    ]
    rows.append(("",) * len(headers))
    rows += [
        (
            f"total, {e.edition} edition",
            str(e.words),
            str(e.figures),
            str(e.exercises),
            str(e.minutes),
            "",
        )
        for e in stats.editions
    ]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(
            cell.ljust(w) if i in (0, len(headers) - 1) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [headers, *rows]
    ]
    lines.append("")
    lines.append(
        f"Reading time at {stats.words_per_minute} words a minute; model answers count "
        "toward the full edition only, long figure descriptions not at all."
    )
    lines.append(_sample_line(stats))
    return "\n".join(lines)


def _sample_line(stats: BookStats) -> str:
    if not any(e.edition == SAMPLE.name for e in stats.editions):
        return "No sample: book.yaml has no `sample:` section."
    end = stats.sample_ends_at
    if end is None:
        return "The sample holds the whole book."
    return f"The sample ends before {'#' * end.level} {end.heading} ({end.file}:{end.line})."
