"""`publish init DIR --from SRC`: turn an mdBook, a Leanpub book or a folder of
Markdown into a publish project, and say what mapped and what did not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import PublishError
from . import folder, leanpub, mdbook
from .common import Note, Plan, scan_chapters
from .write import Written, write_project

RESOURCES_NOTE = Note(
    "manuscript/resources",
    0,
    "Leanpub finds images under resources/, publish under manuscript/: move "
    "resources/images/ to manuscript/images/, or import with --copy, which does it",
)


@dataclass
class Imported:
    plan: Plan
    written: Written

    def report(self) -> list[str]:
        """What was mapped, and each thing that was not, with its file and line."""
        plan, written = self.plan, self.written
        how = (
            "book.yaml written beside the chapters; nothing copied"
            if written.in_place
            else f"{written.copied} files copied into {written.project}/manuscript/"
        )
        lines = [f"publish: imported the {plan.kind} in {plan.source}/ ({how})", "mapped:"]
        lines += [f"  {key:<12}{value}" for key, value in plan.mapped]
        for name, title in plan.missing_titles.items():
            lines.append(
                f"  {'title':<12}{name} has no '# Title': "
                + (
                    f"add one (e.g. '# {title}') or 'title:' front matter"
                    if written.in_place
                    else f"its copy gets 'title: {title}' front matter"
                )
            )
        notes = list(plan.notes)
        if plan.resources and written.in_place:
            notes.insert(0, RESOURCES_NOTE)
        elif plan.resources:
            lines.append(f"  {'resources':<12}manuscript/resources/ copied to manuscript/")
        lines += self._sample_marks(notes)
        lines.append(f"not mapped ({len(notes)}):" if notes else "not mapped: nothing")
        lines += [f"  {note.format()}" for note in notes]
        return lines

    def _sample_marks(self, notes: list[Note]) -> list[str]:
        """Leanpub's {sample: true}: mapped onto the copies' headings, or a note in place."""
        marks = self.plan.sample_marks
        if not marks:
            return []
        if not self.written.in_place:
            count = sum(len(m) for m in marks.values())
            return [f"  {'sample':<12}{count} {{sample: true}} marks become {{sample=in}} headings"]
        then = "" if self.plan.sample is not None else ", and book.yaml sample: {sections: []}"
        for name, pairs in marks.items():
            for marker, heading in pairs:
                notes.append(
                    Note(
                        f"manuscript/{name}",
                        marker,
                        f"Leanpub's {{sample: true}} prints as text: remove it and add "
                        f"{{sample=in}} to the heading on line {heading}{then} (--copy does this)",
                    )
                )
        return []


def read_source(source: Path) -> Plan:
    """The plan for whatever kind of book `source` holds."""
    if not source.is_dir():
        raise PublishError(f"{source}: not a folder; give the folder that holds the book")
    if mdbook.is_mdbook(source):
        plan, features = mdbook.read_mdbook(source), mdbook.FEATURES
    elif leanpub.is_leanpub(source):
        plan, features = leanpub.read_leanpub(source), leanpub.FEATURES
    else:
        plan, features = folder.read_folder(source), []
    if not plan.chapters:
        raise PublishError(f"{source}: found no chapter file to import")
    scan_chapters(plan, features)
    return plan


def import_book(source: Path, target: Path, copy: bool) -> Imported:
    """Read the book in `source` and write a project into `target` (see write.py)."""
    plan = read_source(source)
    return Imported(plan, write_project(plan, target, copy))
