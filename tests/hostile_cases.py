"""The hostile-input corpus: each case is files to write, symlinks to make, where the
refusal must point, and its code. `SECRET` in a case stands for the canary's path."""

from __future__ import annotations

BOOK = """\
title: Hostile
slug: hostile
authors: [A. Author]
language: en
identifiers:
  full: urn:uuid:33333333-3333-4333-8333-333333333333
chapters:
  - ch.md
"""
CHAPTER = "# A chapter\n\nSome words.\n\n"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{}</svg>'


def chapter_files(body: str) -> dict[str, str]:
    return {"manuscript/ch.md": CHAPTER + body}


def _css(text: str) -> dict[str, str]:
    return {"styles/custom.css": "p { color: #111; }\n" + text}


def _book(extra: str) -> dict[str, str]:
    return {"manuscript/book.yaml": BOOK + extra}


def book_with_chapter(path: str) -> dict[str, str]:
    return {"manuscript/book.yaml": BOOK.replace("  - ch.md", f"  - {path}")}


# (id, files to write, symlinks {link: target}, expected 'path:line', expected code).
# SECRET and SERVER in any text are replaced by the canary's path and the server's URL.
CASES = [
    ("script", chapter_files("<script>alert(1)</script>\n"), {}, "manuscript/ch.md:5", "SEC001"),
    (
        "iframe",
        chapter_files('<iframe src="SECRET"></iframe>\n'),
        {},
        "manuscript/ch.md:5",
        "SEC001",
    ),
    (
        "object",
        chapter_files('<object data="SECRET"></object>\n'),
        {},
        "manuscript/ch.md:5",
        "SEC001",
    ),
    ("embed", chapter_files('<embed src="SECRET">\n'), {}, "manuscript/ch.md:5", "SEC001"),
    (
        "link-attachment",
        chapter_files('Text.\n<link rel="attachment" href="file://SECRET">\n'),
        {},
        "manuscript/ch.md:6",
        "SEC001",
    ),
    (
        "style-element",
        chapter_files("<style>@import url(SECRET);</style>\n"),
        {},
        "manuscript/ch.md:5",
        "SEC001",
    ),
    (
        "meta-refresh",
        chapter_files('<meta http-equiv="refresh" content="0;url=SERVER">\n'),
        {},
        "manuscript/ch.md:5",
        "SEC001",
    ),
    (
        "raw-onclick",
        chapter_files('<span onclick="alert(1)">hi</span>\n'),
        {},
        "manuscript/ch.md:5",
        "SEC003",
    ),
    (
        "raw-img-onerror",
        chapter_files("<img src=x onerror=alert(1)>\n"),
        {},
        "manuscript/ch.md:5",
        "SEC003",
    ),
    (
        "raw-a-javascript",
        chapter_files('<a href="javascript:alert(1)">x</a>\n'),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    (
        "raw-img-file-multiline",
        chapter_files('Text <img alt="x"\n  src="file://SECRET">\n'),
        {},
        "manuscript/ch.md:6",
        "SEC004",
    ),
    (
        "raw-details-ontoggle",
        chapter_files("<details open ontoggle=alert(1)>\n<summary>x</summary>\n</details>\n"),
        {},
        "manuscript/ch.md:5",
        "SEC003",
    ),
    (
        "raw-img-climbing",
        chapter_files('<img src="../../secret.png" alt="x">\n'),
        {},
        "manuscript/ch.md:5",
        "IMG004",
    ),
    (
        "raw-figure-absolute-img",
        chapter_files('<figure>\n<img alt="x" src="SECRET">\n</figure>\n'),
        {},
        "manuscript/ch.md:6",
        "IMG004",
    ),
    (
        "raw-allowed-tag-style-url",
        chapter_files('<kbd style="background: url(SECRET)">x</kbd>\n'),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    (
        "raw-abbr-srcdoc",
        chapter_files('<abbr title="x" srcdoc="<script>">y</abbr>\n'),
        {},
        "manuscript/ch.md:5",
        "SEC011",
    ),
    (
        "pandoc-onmouseover",
        chapter_files('[hover]{onmouseover="alert(1)"}\n'),
        {},
        "manuscript/ch.md:5",
        "SEC003",
    ),
    (
        "pandoc-rel-attachment",
        chapter_files("[notes](notes.txt){rel=attachment}\n"),
        {},
        "manuscript/ch.md:5",
        "SEC005",
    ),
    (
        "pandoc-style-url",
        chapter_files('[x]{style="background: url(SECRET)"}\n'),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    (
        "javascript-link",
        chapter_files("[click](javascript:alert(1))\n"),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    (
        "javascript-entities",
        chapter_files("[click](&#106;avascript:alert(1))\n"),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    (
        "javascript-mixed-case",
        chapter_files("[click]( JaVaScRiPt:alert(1))\n"),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    (
        "javascript-escaped-colon",
        chapter_files("[click](javascript\\:alert(1))\n"),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    (
        "javascript-autolink",
        chapter_files("<javascript:alert(1)>\n"),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    (
        "javascript-reference",
        chapter_files("[click][x]\n\n[x]: javascript:alert(1)\n"),
        {},
        "manuscript/ch.md:7",
        "SEC004",
    ),
    (
        "javascript-split-line",
        chapter_files("[click](\njavascript:alert(1))\n"),
        {},
        "manuscript/ch.md:6",
        "SEC004",
    ),
    (
        "vbscript-link",
        chapter_files("[x](vbscript:msgbox(1))\n"),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    (
        "data-html-link",
        chapter_files("[x](data:text/html;base64,PHNjcmlwdD4=)\n"),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    ("file-link", chapter_files("[x](file://SECRET)\n"), {}, "manuscript/ch.md:5", "SEC004"),
    (
        "file-image",
        chapter_files('![x](file://SECRET){alt="x"}\n'),
        {},
        "manuscript/ch.md:5",
        "IMG004",
    ),
    (
        "absolute-image",
        chapter_files('![x](SECRET){alt="x"}\n'),
        {},
        "manuscript/ch.md:5",
        "IMG004",
    ),
    (
        "climbing-image",
        chapter_files('![x](../../secret.png){alt="x"}\n'),
        {},
        "manuscript/ch.md:5",
        "IMG004",
    ),
    (
        "symlinked-image",
        chapter_files('![x](pic.png){alt="x"}\n'),
        {"manuscript/pic.png": "SECRET"},
        "manuscript/ch.md:5",
        "IMG004",
    ),
    (
        "reference-image",
        chapter_files("![x][pic]\n\n[pic]: ../../secret.png\n"),
        {},
        "manuscript/ch.md:5",
        "IMG005",
    ),
    (
        "remote-image",
        chapter_files('![x](SERVER/x.png){alt="x"}\n'),
        {},
        "manuscript/ch.md:5",
        "SEC007",
    ),
    (
        "protocol-relative-image",
        chapter_files('![x](//127.0.0.1:9/x.png){alt="x"}\n'),
        {},
        "manuscript/ch.md:5",
        "SEC007",
    ),
    (
        "climbing-chapter",
        book_with_chapter("../../secret.txt"),
        {},
        "manuscript/book.yaml:8",
        "SEC006",
    ),
    ("absolute-chapter", book_with_chapter("SECRET"), {}, "manuscript/book.yaml:8", "SEC006"),
    ("symlinked-chapter", {}, {"manuscript/ch.md": "SECRET"}, "manuscript/book.yaml:8", "SEC006"),
    ("cover-outside", _book("cover: ../../secret.png\n"), {}, "manuscript/book.yaml:9", "SEC006"),
    (
        "template-outside",
        _book("templates:\n  - SECRET\n"),
        {},
        "manuscript/book.yaml:10",
        "SEC006",
    ),
    ("css-import-absolute", _css("@import url(SECRET);\n"), {}, "styles/custom.css:2", "SEC006"),
    ("css-import-remote", _css('@import "SERVER/x.css";\n'), {}, "styles/custom.css:2", "SEC007"),
    ("css-import-escaped", _css("@\\69mport url(SECRET);\n"), {}, "styles/custom.css:2", "SEC006"),
    (
        "css-url-climb",
        _css("body {\n  background: url(../../secret.png);\n}\n"),
        {},
        "styles/custom.css:3",
        "SEC006",
    ),
    (
        "css-font-file-url",
        _css('@font-face { font-family: X; src: url("file://SECRET"); }\n'),
        {},
        "styles/custom.css:2",
        "SEC006",
    ),
    (
        "css-font-local",
        _css("@font-face { font-family: X; src: local(Arial); }\n"),
        {},
        "styles/custom.css:2",
        "SEC008",
    ),
    (
        "symlinked-font",
        {},
        {"styles/fonts/CharisSIL-Regular.ttf": "SECRET"},
        "styles/fonts/CharisSIL-Regular.ttf:1",
        "SEC006",
    ),
    ("symlinked-styles", {}, {"styles": ".."}, "styles:1", "SEC006"),
    (
        "dot-image",
        {
            **chapter_files('![x](d.dot){alt="x"}\n'),
            "manuscript/d.dot": 'digraph {\n  a [image="SECRET"]\n}\n',
        },
        {},
        "manuscript/d.dot:2",
        "SEC010",
    ),
    (
        "dot-javascript-url",
        {
            **chapter_files('![x](d.dot){alt="x"}\n'),
            "manuscript/d.dot": 'digraph {\n a [URL="javascript:alert(1)"]\n}\n',
        },
        {},
        "manuscript/d.dot:2",
        "SEC004",
    ),
    (
        "diagram-theme-image",
        {"styles/diagrams.yaml": "node:\n  image: SECRET\n"},
        {},
        "styles/diagrams.yaml:2",
        "SEC010",
    ),
    (
        "svg-script",
        {
            **chapter_files('![x](p.svg){alt="x"}\n'),
            "manuscript/p.svg": SVG.format("<script>alert(1)</script>"),
        },
        {},
        "manuscript/p.svg:1",
        "SEC001",
    ),
    (
        "svg-external-image",
        {
            **chapter_files('![x](p.svg){alt="x"}\n'),
            "manuscript/p.svg": SVG.format('<image href="file://SECRET"/>'),
        },
        {},
        "manuscript/p.svg:1",
        "SEC006",
    ),
    # Includes read files: confined like every other read (issue 15).
    (
        "include-absolute",
        chapter_files('```{include="SECRET"}\n```\n'),
        {},
        "manuscript/ch.md:5",
        "INC003",
    ),
    (
        "include-climbing",
        chapter_files('::: {include="' + "../" * 16 + 'SECRET"}\n:::\n'),
        {},
        "manuscript/ch.md:5",
        "INC003",
    ),
    (
        "include-symlink",
        chapter_files('```{include="code.txt"}\n```\n'),
        {"manuscript/code.txt": "SECRET"},
        "manuscript/ch.md:5",
        "INC003",
    ),
    (
        "include-mdbook",
        chapter_files("```\n{{#include SECRET}}\n```\n"),
        {},
        "manuscript/ch.md:6",
        "INC003",
    ),
]
