"""Hostile inputs, round two: bounds on work, unmapped failures and an untrusted build/.

Each case is files to write (text, or bytes for binary files), symlinks to make,
and what must happen: `(where, code)` for a refusal (`where` is `path:line`, or
the output folder's name for a refused folder), or `BUILDS` for a build that must
succeed with nothing hostile in its outputs. `SECRET` stands for the canary file,
`CANARY` for the canary folder beside the project.
"""

from __future__ import annotations

from hostile_cases import BOOK, CHAPTER, chapter_files

BUILDS = (None, None)
DOT_IMAGE = '![A diagram](d.dot){alt="A diagram"}\n'


def front(yaml_text: str) -> dict[str, str]:
    """A chapter whose front matter is `yaml_text` (its first line is file line 2)."""
    return {"manuscript/ch.md": f"---\n{yaml_text}---\n" + CHAPTER}


def book(extra: str) -> dict[str, str]:
    return {"manuscript/book.yaml": BOOK + extra}


def book_chapter(name: str) -> dict[str, str]:
    return {"manuscript/book.yaml": BOOK.replace("  - ch.md", f'  - "{name}"')}


def diagram(source: str | bytes, styles: str | None = None) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {**chapter_files(DOT_IMAGE), "manuscript/d.dot": source}
    if styles is not None:
        files["styles/diagrams.yaml"] = styles
    return files


LAUGHS = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10)).join(
    ["l0: &l0 [lol]\n", "bomb: *l9\n"]
)
DEEP_FLOW = "[" * 5000 + "]" * 5000
DEEP_BLOCK = "".join("  " * depth + f"k{depth}:\n" for depth in range(100)) + "  " * 100 + "x\n"
EDGES_100K = (
    "digraph {\n" + "".join(f"  n{i % 997} -> n{i % 991};\n" for i in range(100_000)) + "}\n"
)
BINARY_DOT = bytes(range(256)) * 8
NESTED_LISTS = "".join("  " * depth + "- item\n" for depth in range(1000))

CASES = [
    # -- YAML in front matter: aliases, tags, depth, size, odd values --------------------
    ("fm-alias-bomb", front(LAUGHS), {}, "manuscript/ch.md:3", "LIM001"),
    ("fm-alias", front("a: &x [1, 2]\nb: *x\n"), {}, "manuscript/ch.md:3", "LIM001"),
    ("fm-merge-key", front("a: &x {t: 1}\nb:\n  <<: *x\n"), {}, "manuscript/ch.md:4", "LIM001"),
    ("fm-unknown-tag", front("title: !shout hello\n"), {}, "manuscript/ch.md:2", "LIM003"),
    (
        "fm-python-tag",
        front('title: !!python/object/apply:os.system ["touch CANARY/made"]\n'),
        {},
        "manuscript/ch.md:2",
        "LIM003",
    ),
    ("fm-deep-flow", front(f"x: {DEEP_FLOW}\n"), {}, "manuscript/ch.md:2", "LIM002"),
    ("fm-deep-block", front(DEEP_BLOCK), {}, "manuscript/ch.md:65", "LIM002"),
    (
        "fm-huge",
        front("description: " + "w" * 1_100_000 + "\n"),
        {},
        "manuscript/ch.md:2",
        "LIM004",
    ),
    ("fm-sample-list", front("sample: [in]\n"), {}, "manuscript/ch.md:2", "MS004"),
    ("fm-sample-mapping", front("sample: {in: out}\n"), {}, "manuscript/ch.md:2", "MS004"),
    ("fm-impossible-date", front("date: 2026-13-45\n"), {}, "manuscript/ch.md:2", "MS003"),
    ("fm-nul", front("title: a\0b\n"), {}, "manuscript/ch.md:2", "MS003"),
    ("fm-unhashable-key", front("? [a, b]\n: c\n"), {}, "manuscript/ch.md:2", "MS003"),
    # -- YAML in book.yaml ------------------------------------------------------------------
    (
        "book-alias",
        book("subjects: &s [a]\ndescription: *s\n"),
        {},
        "manuscript/book.yaml:10",
        "LIM001",
    ),
    ("book-unknown-tag", book("rights: !secret x\n"), {}, "manuscript/book.yaml:9", "LIM003"),
    ("book-deep", book(f"labels: {DEEP_FLOW}\n"), {}, "manuscript/book.yaml:9", "LIM002"),
    ("book-impossible-date", book("date: 2026-02-30\n"), {}, "manuscript/book.yaml:9", "CFG002"),
    (
        "book-limit-zero",
        book("limits:\n  max_headings: 0\n"),
        {},
        "manuscript/book.yaml:10",
        "CFG005",
    ),
    (
        "book-limit-unknown",
        book("limits:\n  max_fun: 3\n"),
        {},
        "manuscript/book.yaml:10",
        "CFG001",
    ),
    # -- styles/diagrams.yaml ---------------------------------------------------------------
    (
        "diagrams-yaml-alias",
        diagram("digraph { a -> b }\n", "node: &n {shape: box}\nedge: *n\n"),
        {},
        "styles/diagrams.yaml:2",
        "LIM001",
    ),
    (
        "diagrams-yaml-tag",
        diagram("digraph { a -> b }\n", "node: !!python/name:os.system x\n"),
        {},
        "styles/diagrams.yaml:1",
        "LIM003",
    ),
    (
        "diagrams-yaml-list",
        diagram("digraph { a -> b }\n", "- graph\n- node\n"),
        {},
        "styles/diagrams.yaml:1",
        "CFG002",
    ),
    # -- Markdown pandoc would spend minutes or gigabytes on ---------------------------------
    ("brackets-50000", chapter_files("[" * 50_000 + "\n"), {}, "manuscript/ch.md:5", "LIM008"),
    ("brackets-500", chapter_files("[" * 500 + "\n"), {}, "manuscript/ch.md:5", "LIM005"),
    (
        "brackets-spread",
        chapter_files("".join(f"see [note {i}\n" for i in range(20))),
        {},
        "manuscript/ch.md:17",
        "LIM005",
    ),
    (
        "brackets-in-include",
        {
            **chapter_files('::: {include="part.md"}\n:::\n'),
            "manuscript/part.md": "Intro.\n\n" + "[" * 30 + "\n",
        },
        {},
        "manuscript/part.md:3",
        "LIM005",
    ),
    (
        "headings-10000",
        chapter_files("".join(f"## Part {i}\n\nText.\n\n" for i in range(10_000))),
        {},
        "manuscript/ch.md:8001",
        "LIM007",
    ),
    ("lists-1000-deep", chapter_files(NESTED_LISTS), {}, "manuscript/ch.md:105", "LIM006"),
    ("quotes-1000-deep", chapter_files("> " * 1000 + "deep\n"), {}, "manuscript/ch.md:5", "LIM006"),
    ("run-of-lt", chapter_files("a " + "<" * 10_000 + "\n"), {}, "manuscript/ch.md:5", "LIM008"),
    (
        "run-of-backticks",
        chapter_files("a" + "`" * 10_000 + "\n"),
        {},
        "manuscript/ch.md:5",
        "LIM008",
    ),
    # -- Graphviz -----------------------------------------------------------------------------
    ("dot-100k-edges", diagram(EDGES_100K), {}, "manuscript/d.dot:5002", "LIM009"),
    ("dot-binary", diagram(BINARY_DOT), {}, "manuscript/d.dot:1", "DIA001"),
    # -- names the OS refuses ----------------------------------------------------------------
    ("chapter-name-nul", book_chapter("ch\\0.md"), {}, "manuscript/book.yaml:8", "LIM012"),
    ("chapter-name-5000", book_chapter("c" * 5000 + ".md"), {}, "manuscript/book.yaml:8", "LIM012"),
    (
        "image-name-5000",
        chapter_files(f"![x]({'i' * 5000}.png)\n"),
        {},
        "manuscript/ch.md:5",
        "LIM012",
    ),
    (
        "include-name-5000",
        chapter_files(f'```{{include="{"p" * 5000}.py"}}\n```\n'),
        {},
        "manuscript/ch.md:5",
        "LIM012",
    ),
    # -- the output folder and the cache come with the project -------------------------------
    ("build-symlink-out", {}, {"build": "CANARY"}, "build", "BLD001"),
    ("build-foreign-files", {"build/notes.txt": "my notes\n"}, {}, "build", "BLD002"),
    ("staging-symlink-out", {}, {".build.publish-tmp": "CANARY"}, ".build.publish-tmp", "BLD001"),
    (
        "user-file-with-staging-prefix",
        {"build/.lock": "", "build/.publish-tmp-keep.txt": "mine\n"},
        {},
        *BUILDS,
    ),
    ("cache-folder-symlink-out", {"build/.lock": ""}, {"build/.cache": "CANARY"}, *BUILDS),
    (
        "cache-diagrams-symlink-out",
        {**diagram("digraph { a -> b }\n"), "build/.lock": ""},
        {"build/.cache/diagrams": "CANARY"},
        *BUILDS,
    ),
    (
        "cache-records-symlink-out",
        {"build/.lock": ""},
        {"build/.cache/artifacts": "CANARY"},
        *BUILDS,
    ),
]
