"""Write an import plan as a project: book.yaml, and the copied files with `--copy`.

Without `--copy` nothing of the author's is touched: book.yaml is written beside
chapters that already sit in the source's `manuscript/` folder (Leanpub's layout).
With `--copy` the folder holding the chapters is copied into DIR/manuscript/ with
its images and other files, so relative paths keep working, and the source is
left as it was. Only copies are ever edited (a `title:` for a chapter without
'# Title', the source kind's own conventions such as mdBook's includes, Leanpub's
sample marks); no file is overwritten.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import PublishError
from ..files import is_inside
from ..project.config import BOOK_FILE, SLUG_PATTERN
from .common import SKIPPED_FOLDERS, Note, Plan

FALLBACK_SLUG = "my-book"


@dataclass
class Written:
    project: Path
    copied: int
    in_place: bool


def write_project(plan: Plan, target: Path, copy: bool) -> Written:
    """Write `plan` into `target`; refuse before writing anything that would overwrite."""
    in_place = not copy
    if in_place:
        _check_in_place(plan, target)
    else:
        _check_copy_target(plan, target)
    book_file = target / BOOK_FILE
    if book_file.exists():
        raise PublishError(f"{book_file}: exists already; publish does not overwrite it")
    copied = 0
    if not in_place:
        copied = _copy_tree(plan.root, target / "manuscript", plan.resources)
        if plan.resources:
            copied += _copy_tree(plan.resources, target / "manuscript")
    _edit_chapters(plan, target / "manuscript", in_place)
    if not in_place:
        if plan.sample_marked and plan.sample is None:
            plan.sample = []  # the sample is exactly the sections marked {sample=in}
        for name, title in plan.missing_titles.items():
            _add_title(target / "manuscript" / name, title)
    book_file.parent.mkdir(parents=True, exist_ok=True)
    book_file.write_text(book_yaml(plan, target), encoding="utf-8")
    return Written(target, copied, in_place)


def _check_in_place(plan: Plan, target: Path) -> None:
    where = plan.shown(plan.root) or "."
    if target.resolve() != plan.source.resolve():
        raise PublishError(
            f"{target}: not the source folder {plan.source}; add --copy to copy the "
            f"chapters into {target}/manuscript/, or give {plan.source} as DIR to write "
            "book.yaml beside them"
        )
    if plan.root.resolve() != (plan.source / "manuscript").resolve():
        raise PublishError(
            f"{plan.source}: the chapters are in {where}/, and publish reads them from "
            f"manuscript/; add --copy to copy them into {target}/manuscript/"
        )


def _check_copy_target(plan: Plan, target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise PublishError(f"{target}: exists and is not a folder; give a new folder name")
    same = target.resolve() == plan.source.resolve()
    if same and (target / "manuscript").exists():
        raise PublishError(
            f"{target}/manuscript: exists already; copy into a new folder, or leave out "
            "--copy to write book.yaml beside the chapters"
        )
    if not same and target.is_dir() and any(target.iterdir()):
        raise PublishError(
            f"{target}: folder is not empty; publish init only writes into a new or empty "
            "folder (or the source itself), so nothing of yours is overwritten"
        )


def _copy_tree(root: Path, manuscript: Path, skip: Path | None = None) -> int:
    """Copy the files under `root` into `manuscript`: real files inside root only,
    none from `skip`, none over a file already there."""
    files = [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not path.is_symlink()
        and is_inside(path, [root])
        and not is_inside(path, [manuscript])
        and not (skip and is_inside(path, [skip]))
        and not any(p.startswith(".") or p in SKIPPED_FOLDERS for p in path.relative_to(root).parts)
    ]
    copied = 0
    for path in files:
        destination = manuscript / path.relative_to(root)
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            copied += 1
    return copied


def _edit_chapters(plan: Plan, manuscript: Path, in_place: bool) -> None:
    """The source kind's chapter changes: made in the copies; in place, only noted."""
    if plan.copy_edit is None:
        return
    totals: Counter = Counter()
    for name in plan.chapters:
        try:
            edit = plan.copy_edit(name)
        except UnicodeDecodeError:
            continue  # `publish check` reports the file (MS002); nothing to edit safely
        shown = plan.shown(plan.root / name)
        plan.notes += [Note(shown, line, problem) for line, problem in edit.problems]
        done = {key: count for key, count in edit.done.items() if count}
        if done and not in_place:
            (manuscript / name).write_text(edit.text, encoding="utf-8")
        for key, count in done.items() if in_place else ():
            line = edit.first_line.get(key, 0)
            plan.notes.append(Note(shown, line, f"{count} {key[0]}: import with --copy to rewrite"))
        totals.update(done)
    for (what, result), count in totals.items() if not in_place else ():
        plan.mapped.append(("copies", f"{count} {what} {result}"))


def _add_title(path: Path, title: str) -> None:
    """Give a copied chapter `title:` front matter, so it has the heading publish needs."""
    text = path.read_text(encoding="utf-8", errors="replace")
    line = f"title: {json.dumps(title, ensure_ascii=False)}\n"
    if text.startswith("---\n"):
        text = "---\n" + line + text[4:]
    else:
        text = "---\n" + line + "---\n\n" + text
    path.write_text(text, encoding="utf-8")


def slug_for(title: str, folder: Path) -> str:
    """Lower-case words joined by hyphens, from the title, else the folder's name."""
    for text in (title, folder.resolve().name):
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
        if SLUG_PATTERN.match(slug):
            return slug
    return FALLBACK_SLUG


def book_yaml(plan: Plan, target: Path) -> str:
    """book.yaml's text: the plan's metadata, a fresh identifier per edition, chapters."""
    data: dict = {
        "title": plan.title,
        "slug": slug_for(plan.title, target),
        "authors": plan.authors,
        "language": plan.language,
    }
    if plan.description:
        data["description"] = plan.description
    data["identifiers"] = {"full": f"urn:uuid:{uuid.uuid4()}"}
    if plan.sample is not None:
        data["identifiers"]["sample"] = f"urn:uuid:{uuid.uuid4()}"
    data["chapters"] = plan.chapters
    if plan.sample is not None:
        data["sample"] = {"sections": plan.sample}
    header = (
        f"# Imported from the {plan.kind} in {plan.source.resolve().name}/ by "
        "`publish init --from`.\n"
        '# The keys are described in the publish README ("book.yaml keys").\n'
        "# The identifiers are new: keep them, they tell reading apps a rebuild is the "
        "same book.\n\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
