"""The checks that read every line (LIM005 open brackets, FNT001 characters no font has)
skip the lines that cannot matter; what they find, and where, stays exactly as before."""

from __future__ import annotations

from dataclasses import replace

from publish.checks.glyphs import missing_characters
from publish.project.bounds import line_bounds
from publish.project.config_limits import DEFAULT_LIMITS


def lim005(lines: list[str], depth: int) -> list[tuple[int, int]]:
    limits = replace(DEFAULT_LIMITS, max_bracket_depth=depth)
    found = line_bounds(lines, 1, limits, lambda number: ("ch.md", number))
    return [(f.line, f.col) for f in found if f.code == "LIM005"]


def test_brackets_in_code_and_escaped_ones_are_not_counted():
    assert lim005(["a `[[[` b \\[ \\[ [x] [y"], 1) == []
    assert lim005(["a `[[[` b \\[ [x [y"], 1) == [(1, 17)]


def test_brackets_left_open_carry_over_lines_of_one_paragraph_only():
    assert lim005(["see [a", "plain prose", "and [b", "", "[c"], 1) == [(3, 5)]
    assert lim005(["see [a", "closed] here", "and [b"], 1) == []
    assert lim005(["see [a", "", "and [b"], 1) == []


def test_only_the_first_use_of_each_missing_character_is_named():
    covered = frozenset(range(32, 127))
    lines = ["plain ascii", "a ★ and ✓", "again ★", "\u200b\tzero width", "✗ ★"]
    assert missing_characters(lines, covered) == [(2, 3, "★"), (2, 9, "✓"), (5, 1, "✗")]
