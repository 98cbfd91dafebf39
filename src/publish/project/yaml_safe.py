"""The one way any YAML is read (book.yaml, front matter, diagrams.yaml): bounded.

YAML can make a small file expensive: aliases that refer to aliases grow a few
lines into gigabytes ("billion laughs"), deep nesting exhausts Python's stack,
and explicit tags ask for constructors that do not exist. Here aliases are
refused outright (no book needs them), a file over `MAX_BYTES` or nested deeper
than `MAX_DEPTH` is refused before anything is built from it, and any explicit
tag outside YAML's standard ones is refused with its line. These limits are
fixed, not configurable: book.yaml, where limits are set, is itself YAML.
"""

from __future__ import annotations

import yaml

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
# The merge key `<<` has a tag of its own that no constructor handles (the mapping does).
STANDARD_TAGS = frozenset(yaml.SafeLoader.yaml_constructors) - {None} | {"tag:yaml.org,2002:merge"}


class YamlRefused(yaml.MarkedYAMLError):
    """YAML that is well-formed but refused: an alias, too deep, too large, a foreign tag."""

    def __init__(self, code: str, problem: str, mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.code = code


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, foreign tags and nesting deeper than MAX_DEPTH."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise YamlRefused("LIM001", "YAML aliases (*name) are not accepted", mark)
        event = self.peek_event()
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise YamlRefused(
                    "LIM002", f"YAML nested deeper than {MAX_DEPTH} levels", event.start_mark
                )
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if node.tag not in STANDARD_TAGS:
            raise YamlRefused("LIM003", f"unknown YAML tag '{node.tag}'", node.start_mark)
        return node


def _timestamp(loader: BoundedLoader, node: yaml.ScalarNode):
    """A date or time, or an error at its line when it names no real day (2026-13-45)."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{node.value}' is not a real date: {exc}", node.start_mark
        ) from None


BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _check_size(text: str) -> None:
    if len(text) > MAX_BYTES:
        mark = yaml.Mark("", 0, 0, 0, None, None)
        raise YamlRefused("LIM004", f"YAML larger than {MAX_BYTES // 1024} KB", mark)


def compose_yaml(text: str) -> yaml.Node | None:
    """The node tree of one YAML document; raises yaml.YAMLError (or YamlRefused)."""
    _check_size(text)
    return yaml.compose(text, Loader=BoundedLoader)


def load_yaml(text: str):
    """The plain data of one YAML document; raises yaml.YAMLError (or YamlRefused)."""
    _check_size(text)
    return yaml.load(text, Loader=BoundedLoader)


def error_place(exc: yaml.YAMLError, text: str) -> tuple[int, int]:
    """The 1-based line and column in `text` a YAML error points at ((1, 1) if none)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1, mark.column + 1
    if isinstance(exc, yaml.reader.ReaderError):  # a NUL or other control character
        before = text[: exc.position]
        return before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
    return 1, 1


def error_code(exc: yaml.YAMLError, syntax_code: str) -> str:
    """LIM00x for a refusal, else the caller's code for plain invalid YAML."""
    return exc.code if isinstance(exc, YamlRefused) else syntax_code


def error_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.reader.ReaderError):
        return f"a control character #x{exc.character:04x} is not allowed in YAML"
    return getattr(exc, "problem", None) or str(exc)
