"""Write the Markdown of one edition: its units, its answers or its teaser.

Exercises and figures are numbered over the full book, so "Exercise 2" and
"Figure 1" mean the same thing in the sample and in the full edition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..project.manuscript import Chapter, Manuscript, Unit
from .choose import Edition, rounded_minutes, words_per_minute

NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
NOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:")
ANSWERS_ID = "answers"
TEASER_ID = "what-comes-next"


@dataclass
class Numbering:
    """Book-wide numbers for figures and exercises, from the full edition."""

    figures: dict[str, int] = field(default_factory=dict)
    figure_chapter: dict[str, str] = field(default_factory=dict)
    exercises: dict[tuple[str, int], int] = field(default_factory=dict)
    answers: dict[int, str] = field(default_factory=dict)
    answer_chapters: dict[int, str] = field(default_factory=dict)
    answer_words: int = 0


def number_book(manuscript: Manuscript) -> Numbering:
    numbering = Numbering()
    for chapter in manuscript.chapters:
        for image in chapter.scan.images:
            if image.is_figure and image.ident and image.ident not in numbering.figures:
                numbering.figures[image.ident] = len(numbering.figures) + 1
                numbering.figure_chapter[image.ident] = chapter.name
        last_exercise = 0
        for div in sorted(chapter.scan.divs, key=lambda d: d.start):
            if "exercise" in div.classes:
                last_exercise = len(numbering.exercises) + 1
                numbering.exercises[(chapter.name, div.start)] = last_exercise
            elif "answer" in div.classes and last_exercise:
                body = chapter.text(div.start + 1, div.end - 1) if div.end else ""
                numbering.answers[last_exercise] = body
                numbering.answer_chapters[last_exercise] = chapter.title
                numbering.answer_words += sum(
                    chapter.scan.words_by_line.get(n, 0) for n in range(div.start, div.end + 1)
                )
    return numbering


def unit_markdown(unit: Unit, numbering: Numbering) -> str:
    """A unit's source with answers removed and exercises numbered."""
    chapter = unit.chapter
    answers = chapter.in_divs({"answer"})
    exercise_starts = {
        start: n for (name, start), n in numbering.exercises.items() if name == chapter.name
    }
    out = []
    for number in range(unit.start, unit.end + 1):
        if number in answers:
            continue
        line = chapter.text(number, number)
        if number in exercise_starts:
            line = f"::: {{.exercise number={exercise_starts[number]}}}\n"
        out.append(line)
    return "".join(out)


def edition_markdown(
    manuscript: Manuscript, edition: Edition, numbering: Numbering, extras: dict[str, int]
) -> list[tuple[Chapter | None, str]]:
    """(chapter, Markdown) per chapter of the edition, generated parts last."""
    parts: list[tuple[Chapter | None, str]] = []
    for chapter in manuscript.chapters:
        texts = [unit_markdown(u, numbering) for u in chapter.units if edition.contains(u)]
        if texts:
            text = "\n".join(texts).rstrip() + "\n"
            parts.append((chapter, text + _missing_notes(chapter, text)))
    if edition.kind.answers and numbering.answers:
        parts.append((None, answers_markdown(manuscript, numbering)))
    if edition.kind.teaser:
        parts.append((None, teaser_markdown(manuscript, edition, numbering, extras)))
    return parts


def _missing_notes(chapter: Chapter, text: str) -> str:
    """Footnote definitions the text calls but does not hold: authors put them at the
    end of the file, which a sample cut may leave out. A called note is part of the
    text that calls it, so it travels with it."""
    held = {m.group(1) for line in text.splitlines() if (m := NOTE_DEFINITION.match(line))}
    wanted = {m.group(1) for m in NOTE_CALL.finditer(text)} - held
    if not wanted:
        return ""
    blocks = [block for name, block in _note_definitions(chapter) if name in wanted]
    return "".join("\n" + block for block in blocks)


def _note_definitions(chapter: Chapter) -> list[tuple[str, str]]:
    """(label, Markdown) of each footnote definition: its first line and the indented
    or blank lines after it."""
    found = []
    lines = chapter.lines
    for index, line in enumerate(lines):
        match = NOTE_DEFINITION.match(line)
        if not match or index + 1 in chapter.scan.code_lines:
            continue
        end = index + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][:1] in " \t"):
            end += 1
        found.append((match.group(1), "".join(lines[index:end]).rstrip() + "\n"))
    return found


def label(manuscript: Manuscript, key: str, default: str) -> str:
    return manuscript.book.labels.get(key, default)


def answers_markdown(manuscript: Manuscript, numbering: Numbering) -> str:
    title = label(manuscript, "answers", "Answers to the exercises")
    out = [f"# {title} {{#{ANSWERS_ID}}}\n"]
    for number, body in sorted(numbering.answers.items()):
        exercise = label(manuscript, "exercise", "Exercise")
        where = numbering.answer_chapters.get(number, "")
        heading = f"{exercise} {number}" + (f" ({_plain_title(where)})" if where else "")
        out.append(f"\n## {heading} {{#answer-{number}}}\n\n{body.strip()}\n")
    return "".join(out)


def _plural(count: int, word: str) -> str:
    return f"1 {word}" if count == 1 else f"{count} {word}s"


def teaser_markdown(
    manuscript: Manuscript, edition: Edition, numbering: Numbering, extras: dict[str, int]
) -> str:
    """The sample's closing part: what the full edition goes on to give."""
    wpm = words_per_minute(manuscript)
    remaining_words = sum(u.words for u in edition.left_out) + numbering.answer_words
    left = rounded_minutes(remaining_words, wpm)
    title = label(manuscript, "what-comes-next", "What comes next")
    out = [
        f"# {title} {{#{TEASER_ID}}}\n\n",
        f"This free sample ends here. The full edition goes on for about "
        f"{_plural(left, 'more minute')} of reading:\n\n",
    ]
    continued = label(manuscript, "continued", "continued")
    for depth, text in teaser_entries(edition.left_out, continued):
        out.append(f"{'  ' * depth}- {text}\n")
    gains = _full_edition_gains(manuscript, edition, numbering, extras)
    if gains:
        out.append("\nThe full edition also gives you:\n\n")
        out.extend(f"- {gain}\n" for gain in gains)
    cta = manuscript.book.sample.call_to_action if manuscript.book.sample else None
    if cta:
        out.append(
            f"\n::: call-to-action\n{cta.text}\n\n[{_link_text(manuscript)}]({cta.url})\n:::\n"
        )
    return "".join(out)


def teaser_entries(left_out: list[Unit], continued: str) -> list[tuple[int, str]]:
    """(depth, title) of each left-out section, nested as in the book from the
    shallowest level left out. A section whose parent the sample holds (the cut fell
    inside it) is listed under that parent, marked as continued, so the list never
    starts deeper than its first level."""
    if not left_out:
        return []
    top = min(unit.heading.level for unit in left_out)
    listed: set[int] = set()
    entries = []
    for unit in left_out:
        chain = [a for a in _ancestors(unit) if a.heading.level >= top]
        for depth, ancestor in enumerate(chain):
            if id(ancestor) not in listed:
                listed.add(id(ancestor))
                entries.append((depth, f"{_plain_title(ancestor.heading.text)} ({continued})"))
        listed.add(id(unit))
        entries.append((len(chain), _plain_title(unit.heading.text)))
    return entries


def _ancestors(unit: Unit) -> list[Unit]:
    """The units whose headings enclose this one, outermost first."""
    chain: list[Unit] = []
    level = unit.heading.level
    units = unit.chapter.units
    for before in reversed(units[: next(i for i, u in enumerate(units) if u is unit)]):
        if before.heading.level < level:
            chain.insert(0, before)
            level = before.heading.level
    return chain


def _link_text(manuscript: Manuscript) -> str:
    return label(manuscript, "buy", "Get the full edition")


def _plain_title(text: str) -> str:
    return re.sub(r"[*_`]", "", text)


def _full_edition_gains(
    manuscript: Manuscript, edition: Edition, numbering: Numbering, extras: dict[str, int]
) -> list[str]:
    shown_figures = {
        image.ident
        for unit in edition.units
        for image in unit.chapter.scan.images
        if image.ident and unit.start <= image.line <= unit.end
    }
    gains = []
    more_figures = len(set(numbering.figures) - shown_figures)
    if more_figures:
        gains.append(f"{_plural(more_figures, 'more diagram')}, drawn and described")
    if numbering.exercises:
        gains.append(f"model answers to all {_plural(len(numbering.exercises), 'exercise')}")
    if extras.get("cheatsheets"):
        count = extras["cheatsheets"]
        sheets = (
            "a one-page printable cheatsheet"
            if count == 1
            else f"{count} one-page printable cheatsheets"
        )
        gains.append(f"{sheets} (A4 and US Letter)")
    if extras.get("templates"):
        gains.append(f"{_plural(extras['templates'], 'fillable template')} (PDF form and Word)")
    return gains
