"""Includes: code from a file into a fenced block, Markdown from a file into a chapter.

One syntax, attributes on blocks pandoc and GitHub already know, so an unbuilt
chapter still reads on GitHub as a code block (showing its placeholder body)
rather than as a stray directive:

    ```{.sql include="snippets/ytd.sql" lines="3-10"}
    ```
    ```{.python include="snippets/train.py" region="fit"}
    ```
    ::: {include="parts/intro.md"}
    :::

mdBook's `{{#include file}}` (`:3:10`, `:name`) is read too, with a warning that
names the form above. Includes are expanded as a chapter is read, so word counts,
the sample cut, the edition's cache key and every check see the included text;
each line keeps the file and line it came from, for findings.
"""

from __future__ import annotations

import posixpath
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ERROR, WARNING, Finding
from .bounds import path_name_problem
from .paths import PATH_RULE, closest_file, locate
from .scan import DIV_CLOSE, DIV_OPEN, parse_attributes

Origin = tuple[str, int]  # (file name relative to manuscript/, its 1-based line)

FENCE_OPEN = re.compile(r"^([ \t]*)(`{3,}|~{3,})\s*([^\s`{}]*)\s*(?:\{([^{}]*)\})?\s*$")
ANY_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
MDBOOK = re.compile(r"(\\?)\{\{\s*#?(?:rustdoc_)?include\s+([^}]*?)\s*\}\}")
REGION_START = re.compile(r"(?:\bANCHOR:|#region\b|\btag::)\s*([\w.-]+)")
REGION_END = re.compile(r"(?:\bANCHOR_END:|#endregion\b|\bend::)\s*([\w.-]*)")
LINE_RANGE = re.compile(r"^\s*(\d*)\s*(?:(-)\s*(\d*))?\s*$")
MAX_DEPTH = 16
MAX_BYTES = 2_000_000  # a snippet, not a data file
LANGUAGES = {"py": "python", "js": "javascript", "ts": "typescript", "sh": "bash", "rb": "ruby"}
LANGUAGES |= {"rs": "rust", "yml": "yaml", "md": "markdown", "kt": "kotlin", "hs": "haskell"}
SYNTAX_HINT = 'write a code fence with {include="FILE" lines="3-10"} and an empty body'


@dataclass
class Expansion:
    """Lines with every include replaced by what it names, and where each line came from."""

    lines: list[str] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)

    def add(self, line: str, origin: Origin) -> None:
        self.lines.append(line if line.endswith("\n") else line + "\n")
        self.origins.append(origin)


def shown(name: str) -> str:
    """A manuscript-relative name as findings show it, from the project folder."""
    return posixpath.normpath(f"manuscript/{name}")


class Includes:
    """Expands includes in one chapter, confined to the project, reporting what fails."""

    def __init__(self, root: Path, findings: list[Finding]) -> None:
        self.root = root
        self.findings = findings

    def expand(self, numbered: list[tuple[int, str]], name: str, chain: tuple = ()) -> Expansion:
        """(line number, line) pairs of file `name`, includes expanded."""
        out = Expansion()
        chain = chain or ((self.root / name).resolve(),)
        lines = [line for _, line in numbered]
        index, fence = 0, None
        while index < len(lines):
            text, here = lines[index], (name, numbered[index][0])
            if fence is None:
                opening = FENCE_OPEN.match(text)
                if opening and "include" in parse_attributes(opening.group(4) or "")[2]:
                    index = self._code_block(lines, index, opening, here, out)
                    continue
                div = DIV_OPEN.match(text)
                if div and "include" in parse_attributes(div.group(2) or "")[2]:
                    index = self._markdown_block(lines, index, div.group(2), here, out, chain)
                    continue
                any_fence = ANY_FENCE.match(text)
                fence = any_fence.group(1) if any_fence else None
            elif _closes(text, fence):
                fence = None
            self._mdbook_line(text, here, out)
            index += 1
        return out

    def _code_block(self, lines, index, opening, here, out: Expansion) -> int:
        """A fenced block with `include=`: its body becomes the file's lines."""
        end = _closing_fence(lines, index, opening.group(2))
        if end is None:
            self._add(here, ERROR, "INC006", "include block is never closed", SYNTAX_HINT)
            return index + 1
        ident, classes, attrs = parse_attributes(opening.group(4))
        src = attrs.pop("include")
        picked = self._select(src, attrs.pop("lines", ""), attrs.pop("region", ""), here)
        if picked is not None:
            code = textwrap.dedent("".join(line for _, line in picked)).rstrip("\n") + "\n"
            classes = ([opening.group(3)] if opening.group(3) else []) + classes
            if not classes:
                suffix = posixpath.splitext(src)[1].lstrip(".").lower()
                classes = [LANGUAGES.get(suffix, suffix)] if suffix else []
            if "numberLines" in classes and picked and "startFrom" not in attrs:
                attrs["startFrom"] = str(picked[0][0])
            fence = "`" * max(3, _longest_backtick_fence(code) + 1)
            indent = opening.group(1)  # a block inside a list item stays inside it
            out.add(f"{indent}{fence}{_attributes(ident, classes, attrs)}", here)
            for line in code.splitlines():
                out.add(f"{indent}{line}" if line else "", here)
            out.add(f"{indent}{fence}", here)
        return end + 1

    def _markdown_block(self, lines, index, attr_text, here, out: Expansion, chain) -> int:
        """A fenced div with `include=`: the file's Markdown, its own includes expanded."""
        end = _closing_div(lines, index)
        if end is None:
            self._add(here, ERROR, "INC006", "include div is never closed", SYNTAX_HINT)
            return index + 1
        ident, classes, attrs = parse_attributes(attr_text)
        src = attrs.pop("include")
        found = self._find(src, here)
        if found is None:
            return end + 1
        resolved = (self.root / found).resolve()
        if resolved in chain or len(chain) > MAX_DEPTH:
            names = [p.name for p in chain] + [resolved.name]
            message = "include cycle: " + " -> ".join(names)
            self._add(here, ERROR, "INC001", message, "include each part from one place only")
            return end + 1
        picked = self._select(src, attrs.pop("lines", ""), attrs.pop("region", ""), here)
        if picked is None:
            return end + 1
        # A class or id on the include div (`::: {.callout include=...}`) wraps the part.
        wrapper = _attributes(ident, classes, attrs)
        out.add("\n", here)  # the part is its own blocks, whatever surrounds it
        if wrapper:
            out.add(f"::: {wrapper}", here)
        inner = self.expand(picked, found, (*chain, resolved))
        for line, origin in zip(inner.lines, inner.origins, strict=True):
            out.add(line, origin)
        out.add(":::" if wrapper else "\n", here)
        if wrapper:
            out.add("\n", here)
        return end + 1

    def _mdbook_line(self, text: str, here: Origin, out: Expansion) -> None:
        """mdBook's `{{#include file:3:10}}` anywhere in a line, code blocks included."""
        if not MDBOOK.search(text):
            out.add(text, here)
            return

        def replace(match: re.Match) -> str:
            if match.group(1):  # mdBook's escape: \{{#include ...}} stays as written
                return match.group(0)[1:]
            src, wanted_lines, region = _mdbook_argument(match.group(2))
            message = "mdBook's {{#include}} is read, but GitHub shows it as text"
            self._add(here, WARNING, "INC007", message, SYNTAX_HINT.replace("FILE", src))
            picked = self._select(src, wanted_lines, region, here)
            return "".join(line for _, line in picked or []).rstrip("\n")

        for line in MDBOOK.sub(replace, text).splitlines():
            out.add(line, here)

    def _select(self, src: str, wanted_lines: str, region: str, here: Origin):
        """(line number, line) pairs the include takes from `src`; marker lines dropped."""
        found = self._find(src, here)
        text = None if found is None else self._read(found, here)
        if text is None:
            return None
        numbered = list(enumerate(text.splitlines(keepends=True), 1))
        if wanted_lines and region:
            self._add(here, ERROR, "INC006", "give lines= or region=, not both", SYNTAX_HINT)
            return None
        if wanted_lines:
            span = _line_span(wanted_lines, len(numbered))
            if span is None:
                count = len(numbered)
                message = f"lines={wanted_lines} is not within {src}, which has {count} lines"
                self._add(here, ERROR, "INC004", message, "give a range like 3-10 inside the file")
                return None
            numbered = numbered[span[0] - 1 : span[1]]
        elif region:
            picked, names = _region(numbered, region)
            if picked is None:
                known = ", ".join(names) or "none"
                message = f"{src} has no region '{region}'"
                hint = f"mark it with ANCHOR: {region} / ANCHOR_END: {region}; regions: {known}"
                self._add(here, ERROR, "INC005", message, hint)
                return None
            numbered = picked
        return [(n, line) for n, line in numbered if not _is_marker(line)]

    def _find(self, src: str, here: Origin) -> str | None:
        """The manuscript-relative name of an included file, or None with a finding."""
        if not src.strip():
            self._add(here, ERROR, "INC006", "include= names no file", SYNTAX_HINT)
            return None
        if problem := path_name_problem(src):
            self._add(here, ERROR, "LIM012", problem, "")
            return None
        located = locate(self.root, src, here[0])
        if located.outside:
            message = f"include '{src}' is outside the project"
            self._add(here, ERROR, "INC003", message, "copy the file into the project")
        elif located.name is None:
            hint = closest_file(self.root, src, here[0]) or PATH_RULE
            self._add(here, ERROR, "INC002", f"included file not found: {src}", hint)
        return located.name

    def _read(self, name: str, here: Origin) -> str | None:
        path = self.root / name
        if path.stat().st_size > MAX_BYTES:
            message = f"{name} is over {MAX_BYTES // 1_000_000} MB: too large to include"
            self._add(here, ERROR, "INC006", message, "include a smaller file, or a region of it")
            return None
        try:
            return path.read_text(encoding="utf-8-sig")  # a byte order mark is no text
        except UnicodeDecodeError:
            self._add(here, ERROR, "MS002", f"included file {name} is not UTF-8 text")
            return None

    def _add(self, here: Origin, level: str, code: str, message: str, hint: str = "") -> None:
        self.findings.append(Finding(shown(here[0]), here[1], 1, level, code, message, hint))


def _closes(text: str, fence: str) -> bool:
    return re.match(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", text) is not None


def _closing_fence(lines: list[str], index: int, fence: str) -> int | None:
    return next((n for n in range(index + 1, len(lines)) if _closes(lines[n], fence)), None)


def _closing_div(lines: list[str], index: int) -> int | None:
    """The line closing the div opened at `index`, counting divs nested in its body."""
    depth = 0
    for number in range(index + 1, len(lines)):
        if DIV_CLOSE.match(lines[number]):
            if depth == 0:
                return number
            depth -= 1
        elif DIV_OPEN.match(lines[number]):
            depth += 1
    return None


def _longest_backtick_fence(code: str) -> int:
    runs = re.findall(r"^ {0,3}(`{3,})", code, re.M)
    return max((len(run) for run in runs), default=0)


def _attributes(ident: str, classes: list[str], attrs: dict[str, str]) -> str:
    parts = [f"#{ident}"] if ident else []
    parts += [f".{name}" for name in classes]
    parts += [f'{key}="{value}"' for key, value in attrs.items()]
    return "{" + " ".join(parts) + "}" if parts else ""


def _line_span(wanted: str, count: int) -> tuple[int, int] | None:
    """`3-10`, `3-`, `-10` or `5` as an inclusive (first, last), or None when not in 1..count."""
    match = LINE_RANGE.match(wanted)
    if not match or not (match.group(1) or match.group(3)):
        return None
    first = int(match.group(1) or 1)
    last = int(match.group(3) or count) if match.group(2) else first
    return (first, last) if 1 <= first <= last <= count else None


def _region(numbered: list[tuple[int, str]], name: str):
    """The lines between a region's start and end markers (all of its stretches), or None;
    and the names of the regions the file marks."""
    open_names: list[str] = []
    names: list[str] = []
    picked = []
    for number, line in numbered:
        if start := REGION_START.search(line):
            open_names.append(start.group(1))
            names.append(start.group(1))
        elif end := REGION_END.search(line):
            closing = end.group(1) or (open_names[-1] if open_names else "")
            if closing in open_names:
                open_names.remove(closing)
        elif name in open_names:
            picked.append((number, line))
    return (picked if name in names else None), names


def _is_marker(line: str) -> bool:
    return bool(REGION_START.search(line) or REGION_END.search(line))


def _mdbook_argument(argument: str) -> tuple[str, str, str]:
    """mdBook's `file`, `file:3`, `file:3:10`, `file::10`, `file:3:` or `file:name`
    as (file, lines, region)."""
    src, *rest = argument.strip().split(":")
    if len(rest) == 1 and rest[0] and not rest[0].isdigit():
        return src, "", rest[0]
    if not rest:
        return src, "", ""
    first, last = rest[0], rest[1] if len(rest) > 1 else rest[0]
    return src, f"{first}-{last}", ""
