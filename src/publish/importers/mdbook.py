"""An mdBook: `book.toml` gives title, authors and language; `src/SUMMARY.md` the order.

Prefix chapters, numbered chapters and suffix chapters keep SUMMARY.md's order.
Nested chapters become chapters of their own, right after their parent:
publish's chapter is a file with one '# Title', and an mdBook's nested chapter
is such a file, so no heading is rewritten. Draft chapters (`[Title]()`) have no
file and are skipped with a note; part titles (`# Part`) are noted, as publish
has no parts.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..errors import PublishError
from ..files import is_inside
from .common import AUTHOR_PLACEHOLDER, DEFAULT_LANGUAGE, Plan, chapter_path
from .features import MDBOOK
from .mdbook_edits import edit_chapter

KIND = MDBOOK
ENTRY = re.compile(r"^(\s*)(?:[-*]\s+)?\[((?:[^\]\\]|\\.)*)\]\(([^)]*)\)\s*$")
PART_TITLE = re.compile(r"^#{1,6}\s+(.*?)\s*$")


def is_mdbook(source: Path) -> bool:
    return (source / "book.toml").is_file()


def read_mdbook(source: Path) -> Plan:
    """The plan for the mdBook in `source`."""
    config = _read_toml(source / "book.toml")
    book = config.get("book", {})
    root = source / str(book.get("src", "src"))
    if not is_inside(root, [source]) or not root.is_dir():
        raise PublishError(f"{source}/book.toml: src folder '{book.get('src')}' is not in the book")
    summary = root / "SUMMARY.md"
    if not summary.is_file():
        raise PublishError(f"{summary}: not found; an mdBook lists its chapters there")
    authors = [str(a) for a in book.get("authors", []) if str(a).strip()]
    plan = Plan(
        KIND,
        source,
        root,
        title=str(book.get("title", "")).strip() or source.resolve().name,
        authors=authors,
        language=str(book.get("language", "")).strip() or DEFAULT_LANGUAGE,
        description=str(book.get("description", "")).strip(),
    )
    plan.copy_edit = lambda name: edit_chapter(source, root / name, name, plan.chapters)
    _map_metadata(plan, book)
    _read_summary(plan, summary)
    _note_config(plan, config)
    return plan


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PublishError(f"{path}: not valid TOML: {exc}") from None


def _map_metadata(plan: Plan, book: dict) -> None:
    plan.mapped.append(("title", f"{plan.title} (book.toml)"))
    if plan.authors:
        plan.mapped.append(("authors", f"{', '.join(plan.authors)} (book.toml)"))
    else:
        plan.authors = [AUTHOR_PLACEHOLDER]
        plan.mapped.append(("authors", "none in book.toml: a CHANGE ME placeholder"))
    language = "book.toml" if book.get("language") else "assumed"
    plan.mapped.append(("language", f"{plan.language} ({language})"))
    if plan.description:
        plan.mapped.append(("description", "book.toml"))


def _read_summary(plan: Plan, summary: Path) -> None:
    """Chapters from SUMMARY.md, in order; drafts, parts and missing files noted."""
    nested = 0
    seen_text = False  # a heading before anything else is the "# Summary" title, not a part
    for number, line in enumerate(summary.read_text(encoding="utf-8").splitlines(), 1):
        part = PART_TITLE.match(line)
        if part and seen_text:
            plan.note(summary, number, f"part title '{part.group(1)}': publish has no parts")
        seen_text = seen_text or bool(line.strip())
        entry = ENTRY.match(line)
        if entry:
            title, target = entry.group(2).strip(), entry.group(3).strip()
            if not target:
                plan.note(summary, number, f"draft chapter '{title}' has no file: skipped")
                continue
            name = chapter_path(plan, plan.root, target, summary, number)
            if name and name not in plan.chapters:
                plan.chapters.append(name)
                plan.titles[name] = title
                nested += bool(entry.group(1))
    order = "SUMMARY.md order"
    if nested:
        order += f"; {nested} nested chapter(s) become chapters of their own"
    plan.mapped.append(("chapters", f"{len(plan.chapters)} ({order})"))


def _note_config(plan: Plan, config: dict) -> None:
    """book.toml settings publish does not act on: preprocessors, renderers, HTML options."""
    where = plan.source / "book.toml"
    for name in config.get("preprocessor", {}):
        plan.note(where, 0, f"preprocessor '{name}' is not run by publish")
    outputs = config.get("output", {})
    for name in outputs:
        if name != "html":
            plan.note(where, 0, f"renderer 'output.{name}' is not run by publish")
    html = outputs.get("html", {})
    if html.get("mathjax-support"):
        plan.note(where, 0, "mathjax-support: MathJax's \\( \\) delimiters are not math here")
    if html.get("additional-css"):
        plan.note(where, 0, "additional-css is not carried over: put rules in styles/custom.css")
