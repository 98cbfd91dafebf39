"""Choose what each edition holds, and write its Markdown.

The sample is cut from the manuscript's *source* units, so text that is not in
the sample never reaches pandoc for the sample: nothing can leak through the
renderer, the navigation or the metadata.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..project.manuscript import Manuscript, Unit
from ..project.scan import count_words
from .kinds import FULL, SAMPLE, EditionKind

DEFAULT_WPM = 238


@dataclass
class Edition:
    """What one edition holds: its kind's rules and the manuscript units it takes."""

    kind: EditionKind
    units: list[Unit]
    left_out: list[Unit] = field(default_factory=list)
    answer_words: int = 0
    """Words of the model answers, counted only by an edition that holds them."""

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def words(self) -> int:
        return sum(unit.words for unit in self.units)

    @property
    def reading_words(self) -> int:
        """What a reader of this edition reads: its units, and its answers if it has them."""
        return self.words + (self.answer_words if self.kind.answers else 0)

    def minutes(self, wpm: int) -> int:
        return rounded_minutes(self.reading_words, wpm)

    def contains(self, unit: Unit) -> bool:
        return any(u is unit for u in self.units)


def words_per_minute(manuscript: Manuscript) -> int:
    sample = manuscript.book.sample
    return sample.words_per_minute if sample else DEFAULT_WPM


def rounded_minutes(words: int, wpm: int) -> int:
    """Whole minutes as a reader would be told them: at least 1 for any text."""
    return max(1, math.floor(words / wpm + 0.5)) if words else 0


def cut_by_budget(units: list[Unit], budget_words: float) -> list[Unit]:
    """The longest opening run of units that fits the budget.

    Units marked `out` are skipped, units marked `in` are always taken; when
    even the first unit is over budget, the sample is exactly that unit.
    """
    chosen: list[Unit] = []
    total = 0
    open_run = True
    for unit in units:
        if unit.mark == "out":
            continue
        if unit.mark == "in":
            chosen.append(unit)
            continue
        if open_run and (total + unit.words <= budget_words or not chosen):
            chosen.append(unit)
            total += unit.words
        else:
            open_run = False
    return _without_bare_headings(chosen)


def _without_bare_headings(chosen: list[Unit]) -> list[Unit]:
    """A sample must not end on a heading with nothing under it."""
    while len(chosen) > 1 and chosen[-1].mark != "in" and not has_body(chosen[-1]):
        chosen.pop()
    return chosen


def has_body(unit: Unit) -> bool:
    return unit.words > count_words(unit.heading.text)


def cut_by_list(manuscript: Manuscript, names: list[str]) -> list[Unit]:
    """Units of the chapters (file names) or sections (heading ids) listed."""
    wanted = set(names)
    chosen = []
    taking_level = 0
    for chapter in manuscript.chapters:
        whole = chapter.name in wanted
        for unit in chapter.units:
            level = unit.heading.level
            if taking_level and level <= taking_level:
                taking_level = 0
            if unit.heading.ident in wanted:
                taking_level = level
            if unit.mark == "out":
                continue
            if whole or taking_level or unit.mark == "in":
                chosen.append(unit)
        taking_level = 0
    return chosen


def choose_editions(manuscript: Manuscript, answer_words: int = 0) -> dict[str, Edition]:
    """The full edition, and the sample when book.yaml declares one, by name."""
    units = manuscript.units
    editions = {FULL.name: Edition(FULL, units, answer_words=answer_words)}
    spec = manuscript.book.sample
    if spec is None:
        return editions
    if spec.sections is not None:
        chosen = cut_by_list(manuscript, spec.sections)
    else:
        chosen = cut_by_budget(units, spec.reading_minutes * words_per_minute(manuscript))
    kept = {id(u) for u in chosen}
    left_out = [u for u in units if id(u) not in kept]
    editions[SAMPLE.name] = Edition(SAMPLE, chosen, left_out, answer_words)
    return editions
