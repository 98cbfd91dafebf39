"""Paths an author writes in a chapter: relative to that file's folder, then to manuscript/.

GitHub, mdBook, Quarto and pandoc run from a chapter's folder all read
`![x](img/a.png)` in `chapters/03.md` as `chapters/img/a.png`; books written for
this tool name it `img/a.png` from manuscript/. Both are accepted, the chapter's
own folder first (as links between chapters are resolved), so a book that works
on GitHub builds here and every existing book keeps building.
"""

from __future__ import annotations

import difflib
import glob
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from ..files import is_inside
from ..urls import url_scheme
from .bounds import path_name_problem
from .scan import IMAGE, LINK

# A raw <img> whose src sits on the tag's first line (the scanner gives that line).
HTML_SRC = re.compile(r"""<img\b[^<>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I)
PATH_RULE = "paths are relative to the chapter's folder, then to manuscript/"
MAX_SUGGESTION_FILES = 5000  # a "did you mean" never walks a huge tree for long


@dataclass(frozen=True)
class Located:
    """Where a path written in `from_name` leads: `name` relative to manuscript/ when a
    file is there; `outside` when every reading of the path leaves the project."""

    name: str | None
    outside: bool


def path_candidates(src: str, from_name: str) -> list[str]:
    """The manuscript-relative names `src`, written in file `from_name`, may mean, in order."""
    names = []
    for base in (posixpath.dirname(from_name), ""):
        name = posixpath.normpath(posixpath.join(base, src))
        if name not in names:
            names.append(name)
    return names


def locate(root: Path, src: str, from_name: str) -> Located:
    """The file `src` names, never looking outside the project (manuscript/'s parent)."""
    if not src or url_scheme(src) is not None or src.startswith(("/", "\\")):
        return Located(None, True)
    if path_name_problem(src):  # no file can have such a name: it is simply not found
        return Located(None, False)
    names = path_candidates(src, from_name)
    inside = [n for n in names if is_inside(root / n, [root.parent])]
    for name in inside:
        if (root / name).is_file():
            return Located(name, False)
    # A symlink leading out is refused as outside, not reported missing.
    leads_out = any((root / n).exists() for n in names if n not in inside)
    return Located(None, leads_out or not inside)


def closest_file(root: Path, src: str, from_name: str) -> str:
    """'did you mean ...?' for a path not found: a near name in the folder either base
    points at, or a file of the same name elsewhere under manuscript/."""
    if path_name_problem(src):
        return ""
    wanted = posixpath.basename(src)
    for name in path_candidates(src, from_name):
        folder = (root / name).parent
        if folder.is_dir() and is_inside(folder, [root.parent]):
            files = [p.name for p in folder.iterdir() if p.is_file()]
            match = difflib.get_close_matches(wanted, files, n=1)
            if match:
                return _did_you_mean(posixpath.join(posixpath.dirname(name), match[0]), from_name)
    for count, path in enumerate(root.rglob(glob.escape(wanted))):
        if count > MAX_SUGGESTION_FILES:
            break
        if path.is_file() and is_inside(path, [root]):
            return _did_you_mean(path.relative_to(root).as_posix(), from_name)
    return ""


def _did_you_mean(name: str, from_name: str) -> str:
    """The suggestion as the author would write it: from the chapter's folder when it is
    below it, else from manuscript/."""
    folder = posixpath.dirname(from_name)
    if folder and name.startswith(folder + "/"):
        name = name[len(folder) + 1 :]
    return f"did you mean {name}? {PATH_RULE[0].upper()}{PATH_RULE[1:]}"


def rebase_paths(root: Path, lines: list[str], found, origins, chapter: str) -> bool:
    """Rewrite each path found relative to its file's folder into the path from
    manuscript/ that every later stage uses; True when any line changed.

    `found` is the chapter's scan; `origins[n - 1]` the (file, line) line n came from.
    Images anywhere, and links to .md files in included parts (a chapter's own links
    already resolve from the chapter), are relative to the file that holds them. A path
    found nowhere is left as written, for the checks to report as the author wrote it.
    """
    spots = [
        (i.line, i.col, HTML_SRC if i.html else IMAGE, 2 if not i.html else 1, i.src)
        for i in found.images
    ]
    for link in found.links:
        path = link.target.partition("#")[0]
        if origins[link.line - 1][0] != chapter and path.lower().endswith((".md", ".markdown")):
            spots.append((link.line, link.col, LINK, 1, path))
    changed = False
    for line, col, pattern, group, src in sorted(spots, key=lambda s: (s[0], -s[1])):
        if not src or url_scheme(src) is not None or src.startswith(("/", "#")):
            continue  # right to left along a line, so earlier columns stay true
        located = locate(root, src, origins[line - 1][0])
        text = lines[line - 1]
        match = pattern.match(text, col - 1)
        if located.name in (None, src) or match is None or not match.group(group).startswith(src):
            continue
        start = match.start(group)
        lines[line - 1] = text[:start] + located.name + text[start + len(src) :]
        changed = True
    return changed
