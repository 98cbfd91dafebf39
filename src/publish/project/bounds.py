"""Bounds on what a chapter may ask of pandoc, checked on the lines before anything runs.

pandoc's Markdown reader backtracks: each '[' left open in a paragraph doubles
its time (twenty take minutes), long runs of '<' or '`' grow it quadratically,
and deep list or quote nesting costs both time and memory. These checks find
such input in one linear pass and name the line, so a hostile or runaway
chapter ends in a finding in milliseconds instead of a hung or killed pandoc.
The limits come from book.yaml `limits:` (project/config_limits.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..errors import ERROR, Finding
from .config_limits import Limits

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
ESCAPED = re.compile(r"\\.")
BRACKET = re.compile(r"[\[\]]")
LIST_MARKER = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?:\s|$)")
Where = Callable[[int], tuple[str, int]]


def prose_lines(lines: list[str], first: int) -> Iterator[tuple[int, str]]:
    """(line number, text) of every line outside fenced code blocks."""
    fence = ""
    for number, text in enumerate(lines, first):
        found = FENCE.match(text)
        if fence:
            if found and found.group(1).startswith(fence):
                fence = ""
            continue
        if found:
            fence = found.group(1)
            continue
        yield number, text


def line_bounds(lines: list[str], first: int, limits: Limits, where: Where) -> list[Finding]:
    """At most one finding per kind of bound: the first line that crosses it."""
    found: dict[str, Finding] = {}

    def refuse(code: str, number: int, col: int, message: str) -> None:
        if code not in found:
            path, line = where(number)
            found[code] = Finding(path, line, col, ERROR, code, message)

    run = re.compile(r"([^\w\s])\1{" + str(limits.max_run) + ",}")
    depth = 0
    for number, text in prose_lines(lines, first):
        if not text.strip():
            depth = 0  # a blank line ends the paragraph, and pandoc's backtracking with it
            continue
        if found.keys() >= {"LIM005", "LIM006", "LIM008"}:
            break
        if long_run := run.search(text):  # first: the other checks' regexes are not for it
            size = len(long_run.group(0))
            message = f"a run of {size} '{long_run.group(1)}' (the limit is {limits.max_run})"
            refuse("LIM008", number, long_run.start() + 1, message)
            continue
        depth = _bracket_depth(text, number, depth, limits, refuse)
        nesting = _nesting(text)
        if nesting > limits.max_nesting:
            message = f"lists or quotes nested {nesting} deep (the limit is {limits.max_nesting})"
            refuse("LIM006", number, 1, message)
    return list(found.values())


def _bracket_depth(text: str, number: int, depth: int, limits: Limits, refuse) -> int:
    """The paragraph's open '[' count after this line; refuses the one over the limit."""
    if "[" not in text and (depth == 0 or "]" not in text):
        return depth  # most lines: nothing opens, and nothing open to close
    plain = ESCAPED.sub("  ", CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text))
    for bracket in BRACKET.finditer(plain):
        char, col = bracket.group(0), bracket.start() + 1
        if char == "[":
            depth += 1
            if depth > limits.max_bracket_depth:
                message = (
                    f"{depth} '[' open at once in one paragraph (the limit is "
                    f"{limits.max_bracket_depth}): pandoc's time doubles with each"
                )
                refuse("LIM005", number, col, message)
                return 0
        elif char == "]" and depth:
            depth -= 1
    return depth


def _nesting(text: str) -> int:
    """How deep a line sits in quotes and lists, as its markers and indentation say."""
    level, rest = 0, text
    while True:
        stripped = rest.lstrip(" \t")
        if stripped.startswith(">"):
            level, rest = level + 1, stripped[1:]
            continue
        indent = len(rest.expandtabs(4)) - len(rest.expandtabs(4).lstrip(" "))
        if LIST_MARKER.match(stripped):
            return level + indent // 2 + 1
        return level + indent // 4


def too_many_headings(limits: Limits, path: str, line: int) -> Finding:
    message = f"the book has more than {limits.max_headings} headings (the limit)"
    return Finding(path, line, 1, ERROR, "LIM007", message)


def path_name_problem(name: str) -> str | None:
    """Why a file name from the manuscript cannot name a file, or None: the OS refuses a
    NUL, a part over 255 bytes or a path over 4,096, and a control character is never
    meant."""
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return f"the file name {name[:60]!r} holds a control character"
    longest = max((len(part.encode("utf-8")) for part in name.split("/")), default=0)
    if longest > 255 or len(name.encode("utf-8")) > 4096:
        return f"the file name '{name[:40]}...' is too long ({len(name)} characters)"
    return None
