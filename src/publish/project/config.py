"""Load `manuscript/book.yaml` into a typed, validated `Book` config.

Every problem is collected with its line before the build stops once, so an
author fixes the whole file in one pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ERROR, Finding, FindingsError, relative_name
from .config_limits import DEFAULT_LIMITS, Limits
from .config_pdf import PdfSpec, check_pdf
from .schema import doc
from .yaml_safe import BoundedLoader, compose_yaml, error_code, error_place, error_problem

BOOK_FILE = Path("manuscript") / "book.yaml"
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Paper:
    """A paper size as CSS names it: `@page { size: ... }` and its width."""

    css_size: str
    width: str


PAPERS = {"a4": Paper("A4", "210mm"), "letter": Paper("letter", "8.5in")}
PAPER_SIZES = tuple(PAPERS)


@dataclass
class AccessibilityClaim:
    conforms_to: str = doc(
        "The standard the publisher states the EPUB meets, e.g. "
        "`EPUB Accessibility 1.1 - WCAG 2.1 Level AA`."
    )
    certified_by: str = doc("Who evaluated the book and stands behind the claim.")


@dataclass
class CallToAction:
    text: str = doc("One sentence inviting the sample's reader to buy the full edition.")
    url: str = doc("Where to buy the full edition (https: or http:).")


@dataclass
class SampleSpec:
    reading_minutes: float | None = doc(
        "Reading-time budget: the sample is the longest opening that fits, cut at a heading.",
        default=None,
    )
    sections: list[str] | None = doc(
        "Explicit list of chapter files or heading ids making up the sample, instead of a budget.",
        default=None,
    )
    call_to_action: CallToAction | None = doc(
        "The call to buy that closes the sample's 'What comes next' part.", default=None
    )
    words_per_minute: int = doc("Reading rate used for every reading time.", default=238)


@dataclass
class CheatsheetSpec:
    name: str = doc("File name stem: build/full/cheatsheets/<name>-a4.pdf and -letter.pdf.")
    title: str = doc("Heading printed at the top of the cheatsheet.")
    footer: str = doc("Small print at the foot of the page.", default="")
    chapters: list[str] | None = doc(
        "Chapter files whose cheatsheet blocks it gathers; all chapters when absent.",
        default=None,
    )


@dataclass
class Book:
    title: str = doc("The book's title.")
    slug: str = doc("Lower-case file name stem for outputs, e.g. `my-book`.")
    authors: list[str] = doc("Authors, in credit order.")
    language: str = doc("BCP 47 language tag of the text, e.g. `en-US`.")
    identifiers: dict[str, str] = doc(
        "A stable identifier per edition (`full`, `sample`), e.g. `urn:uuid:...` or an ISBN."
    )
    chapters: list[str] = doc("Chapter files, relative to `manuscript/`, in reading order.")
    subtitle: str = doc("Subtitle shown on the title page.", default="")
    course: str = doc("The course this lesson belongs to, if any.", default="")
    course_position: int | None = doc(
        "This lesson's place in its course (1, 2, ...): the EPUB's series position.",
        default=None,
    )
    version: str = doc(
        "Semantic version of this release (e.g. `1.2.0`): on every copyright page and in every"
        " file's metadata; `manuscript/CHANGELOG.md` says what each release changed.",
        default="",
    )
    publisher: str = doc("Publisher name.", default="")
    date: str = doc("Publication date, YYYY-MM-DD.", default="")
    rights: str = doc("Copyright and licence statement.", default="")
    description: str = doc("A short description for storefronts.", default="")
    subjects: list[str] = doc("Subject keywords.", default_factory=list)
    cover: str | None = doc(
        "Cover image (PNG or JPEG) relative to `manuscript/`; generated when absent.",
        default=None,
    )
    paper: str = doc("PDF paper size: `a4` or `letter`.", default="a4")
    pdf: PdfSpec | None = doc("Which PDFs to make: `screen`, `print` or both.", default=None)
    sample: SampleSpec | None = doc("How the free sample edition is cut.", default=None)
    accessibility: AccessibilityClaim | None = doc(
        "A conformance claim for the EPUB's metadata (`dcterms:conformsTo`); made only when "
        "given, because only the publisher can evaluate a book against WCAG.",
        default=None,
    )
    cheatsheets: list[CheatsheetSpec] = doc(
        "One-page printable cheatsheets of the full edition.", default_factory=list
    )
    templates: list[str] = doc(
        "Fillable template files relative to `manuscript/`.", default_factory=list
    )
    labels: dict[str, str] = doc(
        "Words the tool writes into the book, by key (e.g. `why-it-matters`, `exercise`,"
        " `answers`, `what-comes-next`, `figure`, the alerts' `note`, `tip`, `important`,"
        " `warning`, `caution`), to translate or adapt them.",
        default_factory=dict,
    )
    limits: Limits = doc(
        "Bounds on the build's work (see README, Security).", default=DEFAULT_LIMITS
    )
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def line_of(self, key: str) -> int:
        """The line a top-level key (or `key[i]`) sits on, for error messages."""
        return self.lines.get(key, 1)


class _Loader:
    """Turns YAML nodes into dataclasses, collecting findings as it goes."""

    def __init__(self, path_name: str):
        self.path_name = path_name
        self.findings: list[Finding] = []
        self.lines: dict[str, int] = {}
        self.scalar_loader = BoundedLoader("")

    def error(self, node: yaml.Node, code: str, message: str, hint: str = "") -> None:
        mark = node.start_mark
        self.findings.append(
            Finding(self.path_name, mark.line + 1, mark.column + 1, ERROR, code, message, hint)
        )

    def load(self, node: yaml.Node, kind, where: str):
        origin = typing.get_origin(kind)
        if origin in (typing.Union, types.UnionType):
            if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
                return None
            kind = next(k for k in typing.get_args(kind) if k is not type(None))
            origin = typing.get_origin(kind)
        if dataclasses.is_dataclass(kind):
            return self.load_dataclass(node, kind, where)
        if origin is list:
            return self.load_list(node, typing.get_args(kind)[0], where)
        if origin is dict:
            return self.load_dict(node, where)
        return self.load_scalar(node, kind, where)

    def load_dataclass(self, node, kind, where: str):
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "CFG002", f"{where or 'book.yaml'} must be a mapping of keys")
            return None
        known = {f.name: f for f in dataclasses.fields(kind) if f.name != "lines"}
        values = {}
        for key_node, value_node in node.value:
            key = key_node.value
            name = f"{where}.{key}" if where else key
            if key not in known:
                hint = "known keys: " + ", ".join(sorted(known))
                self.error(key_node, "CFG001", f"unknown key '{name}'", hint)
                continue
            self.lines[name] = key_node.start_mark.line + 1
            values[key] = self.load(value_node, _type_hints(kind)[key], name)
        for f in known.values():
            missing = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if missing and f.name not in values:
                name = f"{where}.{f.name}" if where else f.name
                self.error(node, "CFG003", f"missing required key '{name}'", f.metadata["doc"])
        if any(v is None and known[k].default is dataclasses.MISSING for k, v in values.items()):
            return None
        try:
            return kind(**{k: v for k, v in values.items() if v is not None})
        except TypeError:
            return None

    def load_list(self, node, item_kind, where: str):
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, "CFG002", f"'{where}' must be a list")
            return None
        items = []
        for index, item in enumerate(node.value):
            self.lines[f"{where}[{index}]"] = item.start_mark.line + 1
            items.append(self.load(item, item_kind, f"{where}[{index}]"))
        return items

    def load_dict(self, node, where: str):
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "CFG002", f"'{where}' must be a mapping")
            return None
        result = {}
        for key_node, value_node in node.value:
            self.lines[f"{where}.{key_node.value}"] = key_node.start_mark.line + 1
            result[key_node.value] = self.load_scalar(value_node, str, f"{where}.{key_node.value}")
        return result

    def load_scalar(self, node, kind, where: str):
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, "CFG002", f"'{where}' must be a single value")
            return None
        try:
            value = self.scalar_loader.construct_object(node)
        except yaml.YAMLError as exc:  # a date such as 2026-13-45
            self.error(node, "CFG002", f"'{where}': {error_problem(exc)}")
            return None
        if kind is str and isinstance(value, (str, int, float, dt.date)):
            return str(value)
        if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        self.error(node, "CFG002", f"'{where}' must be {kind.__name__}, not {value!r}")
        return None


def load_book(project: Path) -> Book:
    """Read and validate `manuscript/book.yaml`; raise FindingsError listing every problem."""
    path = project / BOOK_FILE
    name = relative_name(path, project)
    if not path.is_file():
        finding = Finding(
            name, 1, 1, ERROR, "CFG000", "book.yaml not found", "run `publish init DIR` to start"
        )
        raise FindingsError([finding])
    text = path.read_text(encoding="utf-8")
    try:
        root = compose_yaml(text)
    except yaml.YAMLError as exc:
        line, col = error_place(exc, text)
        problem, code = error_problem(exc), error_code(exc, "CFG004")
        if "block" in problem:  # PyYAML's words for an indentation mismatch
            problem = f"this line is indented differently from the lines above it ({problem})"
        if code == "CFG004":
            problem = f"invalid YAML: {problem}"
        hint = "check the indentation and quoting on this line and the one above"
        raise FindingsError(
            [Finding(name, line, col, ERROR, code, problem, hint if code == "CFG004" else "")]
        ) from None
    if root is None:
        raise FindingsError([Finding(name, 1, 1, ERROR, "CFG002", "book.yaml is empty")])
    loader = _Loader(name)
    book = loader.load_dataclass(root, Book, "")
    loader.findings.extend(_check_values(book, root, name, loader.lines))
    if loader.findings or book is None:
        raise FindingsError(loader.findings)
    book.lines = loader.lines
    loader.findings.extend(check_pdf(book, name, PAPER_SIZES))
    if loader.findings:
        raise FindingsError(loader.findings)
    return book


def _check_values(book: Book | None, root, name: str, lines: dict[str, int]) -> list[Finding]:
    """Rules a type cannot express: formats, allowed values, required editions."""
    if book is None:
        return []
    findings = []

    def bad(key: str, code: str, message: str, hint: str = "") -> None:
        findings.append(Finding(name, lines.get(key, 1), 1, ERROR, code, message, hint))

    for key, message in book.limits.problems():
        bad(f"limits.{key}", "CFG005", message)
    if not SLUG_PATTERN.match(book.slug):
        bad(
            "slug",
            "CFG005",
            f"slug '{book.slug}' is not lower-case words joined by hyphens",
            "e.g. ml-product-lifecycle: it names every output file",
        )
    if book.paper not in PAPER_SIZES:
        bad(
            "paper",
            "CFG005",
            f"paper must be one of {', '.join(PAPER_SIZES)}",
            "a4 (the default) or letter",
        )
    if book.date and not re.match(r"^\d{4}-\d{2}-\d{2}$", book.date):
        bad("date", "CFG005", f"date '{book.date}' is not YYYY-MM-DD", "e.g. 2026-11-28")
    if book.course_position is not None and (book.course_position < 1 or not book.course):
        bad(
            "course_position",
            "CFG005",
            "course_position is a lesson's place in its course: 1 or more, with a course",
            "e.g. course: Working With ML Teams and course_position: 2",
        )
    if not book.chapters:
        bad(
            "chapters",
            "CFG005",
            "the book needs at least one chapter",
            "list chapter files under chapters:, relative to manuscript/",
        )
    for edition in ("full", "sample") if book.sample else ("full",):
        if not book.identifiers.get(edition):
            bad(
                "identifiers",
                "CFG003",
                f"missing identifier for the {edition} edition",
                f"add {edition}: urn:uuid:... (a fresh UUID, kept for the life of the book)",
            )
    ids = [v for v in book.identifiers.values() if v]
    if len(set(ids)) != len(ids):
        bad(
            "identifiers",
            "CFG005",
            "each edition needs its own identifier",
            "storefronts tell the editions apart by it: give each its own UUID",
        )
    sample = book.sample
    if sample:
        if (sample.reading_minutes is None) == (sample.sections is None):
            bad(
                "sample",
                "CFG005",
                "give the sample either reading_minutes or sections",
                "reading_minutes: 3 cuts by reading time; sections: lists files or heading ids",
            )
        if sample.reading_minutes is not None and sample.reading_minutes <= 0:
            bad(
                "sample.reading_minutes",
                "CFG005",
                "reading_minutes must be positive",
                "e.g. reading_minutes: 3",
            )
        cta = sample.call_to_action
        if cta and not re.match(r"^https?://", cta.url):
            bad(
                "sample.call_to_action.url",
                "CFG005",
                "the purchase URL must start with https://",
                "give the full address of the page that sells the full edition",
            )
    names = [c.name for c in book.cheatsheets]
    for index, sheet in enumerate(book.cheatsheets):
        if not SLUG_PATTERN.match(sheet.name) or names.count(sheet.name) > 1:
            bad(
                f"cheatsheets[{index}]",
                "CFG005",
                f"cheatsheet name '{sheet.name}' is not unique lower-case words joined by hyphens",
                "it names the cheatsheet's files: e.g. ml-lifecycle-cheatsheet",
            )
    return findings


def describe_schema(kind=Book, prefix: str = "") -> list[tuple[str, str]]:
    """(key, documentation) for every field, nested ones dotted; a test keeps the README in step."""
    rows = []
    for f in dataclasses.fields(kind):
        if f.name == "lines":
            continue
        rows.append((prefix + f.name, f.metadata["doc"]))
        nested = _dataclass_inside(_type_hints(kind)[f.name])
        if nested is not None:
            rows.extend(describe_schema(nested, f"{prefix}{f.name}."))
    return rows


def _dataclass_inside(hint):
    """The dataclass a field holds, through `X | None` and `list[X]`."""
    if dataclasses.is_dataclass(hint):
        return hint
    for arg in typing.get_args(hint):
        found = _dataclass_inside(arg)
        if found is not None:
            return found
    return None


@functools.cache
def _type_hints(kind: type) -> dict:
    """A schema class's field types, resolved once (resolving them is slow)."""
    return typing.get_type_hints(kind)
