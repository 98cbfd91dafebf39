"""`publish init DIR --from SRC`: turn an mdBook, a Leanpub book or a folder of
Markdown into a publish project, and say what mapped and what did not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import PublishError
from . import folder, leanpub, mdbook
from .common import Note, Plan, scan_chapters
from .features import features_of
from .write import Written, write_project

RESOURCES_NOTE = (
    "Leanpub finds images under resources/, publish under manuscript/: move "
    "resources/images/ to manuscript/images/, or import with --copy, which does it"
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
        mapped, notes = list(plan.mapped), list(plan.notes)
        if written.in_place:
            notes += self._left_to_do()
        else:
            mapped += self._done_in_copies()
        lines = [f"publish: imported the {plan.kind} in {plan.source}/ ({how})", "mapped:"]
        lines += [f"  {key:<12}{value}" for key, value in mapped]
        lines.append(f"not mapped ({len(notes)}):" if notes else "not mapped: nothing")
        lines += [f"  {note.format()}" for note in notes]
        return lines

    def _done_in_copies(self) -> list[tuple[str, str]]:
        """What --copy changed in the copies, beyond the source kind's own edits."""
        plan = self.plan
        done = [
            ("title", f"{name} has no '# Title': its copy gets 'title: {title}' front matter")
            for name, title in plan.missing_titles.items()
        ]
        if plan.resources:
            done.append(("resources", "manuscript/resources/ copied to manuscript/"))
        return done

    def _left_to_do(self) -> list[Note]:
        """In place nothing is edited: what the author has to change, where."""
        plan = self.plan
        todo = [
            Note(
                f"manuscript/{name}",
                1,
                f"no '# Title' (publish check: MS005): add '# {title}' or 'title:' front matter",
            )
            for name, title in plan.missing_titles.items()
        ]
        if plan.resources:
            todo.append(Note("manuscript/resources", 0, RESOURCES_NOTE))
        return todo


def read_source(source: Path) -> Plan:
    """The plan for whatever kind of book `source` holds."""
    if not source.is_dir():
        raise PublishError(f"{source}: not a folder; give the folder that holds the book")
    if mdbook.is_mdbook(source):
        plan = mdbook.read_mdbook(source)
    elif leanpub.is_leanpub(source):
        plan = leanpub.read_leanpub(source)
    else:
        plan = folder.read_folder(source)
    if not plan.chapters:
        raise PublishError(f"{source}: found no chapter file to import")
    scan_chapters(plan, features_of(plan.kind))
    return plan


def import_book(source: Path, target: Path, copy: bool) -> Imported:
    """Read the book in `source` and write a project into `target` (see write.py)."""
    plan = read_source(source)
    return Imported(plan, write_project(plan, target, copy))
