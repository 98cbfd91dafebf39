"""What a Leanpub chapter needs to read the same in publish, done to the copies.

Leanpub marks the sample with a `{sample: true}` line above a heading, gives an
image its alt text on an `{alt: "..."}` line above it, and sets asides off with
a letter and `>` on each line (`A>` aside, `W>` warning, `T>` tip, `X>`
exercise ...). publish writes these as `{sample=in}` on the heading, `alt=` on
the image and fenced divs, so `--copy` rewrites them; code blocks are left alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..project.scan import FENCE, HEADING
from .common import ChapterEdit

SAMPLE_MARK = re.compile(r"^\{\s*sample:\s*true\s*\}\s*$", re.IGNORECASE)
CAPTION_LINE = re.compile(r"^\{\s*caption:\s*(.*?)\s*\}\s*$", re.IGNORECASE)
ALT_LINE = re.compile(r"^\{\s*alt:\s*(.*?)\s*\}\s*$", re.IGNORECASE)
IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)(\{[^{}]*\})?\s*$")
ASIDE = re.compile(r"^([AWTEIQDXC])>[ \t]?(.*)$")
BLURB_OPEN = re.compile(r"^\{\s*blurb\b([^}]*)\}\s*(.*)$", re.IGNORECASE)
BLURB_CLOSE = re.compile(r"^\{\s*/blurb\s*\}\s*$", re.IGNORECASE)
BLURB_CLASS = re.compile(r"class:\s*\"?([\w-]+)")
ASIDE_TITLES = {
    "A": "Aside",
    "W": "Warning",
    "T": "Tip",
    "E": "Error",
    "I": "Information",
    "Q": "Question",
    "D": "Discussion",
}

SAMPLE = ("{sample: true} mark(s)", "became {sample=in} on their headings")
ALTS = ("{alt: ...} line(s)", "became their image's alt text")
ASIDES = ("Leanpub aside(s) (A>, W>, T>, X> ...)", "became callout and exercise divs")
CAPTIONS = ("{caption: ...} line(s) above code", "became an emphasised line")
BLURBS = ("{blurb} ... {/blurb} block(s)", "became callout divs")
# Markua's blurb classes, by the aside letter that means the same.
BLURB_LETTERS = {
    "aside": "A",
    "warning": "W",
    "tip": "T",
    "error": "E",
    "information": "I",
    "info": "I",
    "question": "Q",
    "discussion": "D",
}


def edit_chapter(path: Path) -> ChapterEdit:
    """The chapter's text with Leanpub's sample marks, alt lines and asides rewritten."""
    lines = path.read_text(encoding="utf-8").splitlines()
    edit = ChapterEdit("")
    out: list[str] = []
    fence = None
    index = 0
    while index < len(lines):
        line = lines[index]
        opening = FENCE.match(line.strip())
        if fence or opening:
            closes = fence and line.strip().startswith(fence)
            fence = None if closes else (fence or opening.group(1))
            out.append(line)
            index += 1
        elif _code_caption(lines, index, out, edit):
            index += 1
        elif _attach(lines, index, edit):
            index += 1  # the marker line is gone: its meaning is now on the next line
        elif ASIDE.match(line):
            index = _aside(lines, index, out, edit)
        elif BLURB_OPEN.match(line) and _closes(lines, index):
            out.extend(_blurb_open(line))
            _count(edit, BLURBS, index)
            index += 1
        elif BLURB_OPEN.match(line):
            edit.problems.append((index + 1, "{blurb} without its {/blurb}: it prints as text"))
            out.append(line)
            index += 1
        elif BLURB_CLOSE.match(line) and edit.done[BLURBS]:
            out.append(":::")
            index += 1
        else:
            if CAPTION_LINE.match(line) or ALT_LINE.match(line):
                edit.problems.append(
                    (
                        index + 1,
                        "an attribute line over no image or code: it prints as text; remove it",
                    )
                )
            out.append(line)
            index += 1
    edit.text = "\n".join(out) + "\n"
    return edit


def _attach(lines: list[str], index: int, edit: ChapterEdit) -> bool:
    """Move a `{sample: true}` or `{alt: ...}` line onto the heading or image below it."""
    below = next((n for n in range(index + 1, len(lines)) if lines[n].strip()), None)
    if below is None:
        return False
    if SAMPLE_MARK.match(lines[index]) and HEADING.match(lines[below]):
        has_block = HEADING.match(lines[below]).group(3) is not None
        lines[below] = with_attribute(lines[below], "sample=in", has_block)
        _count(edit, SAMPLE, index)
        return True
    alt = ALT_LINE.match(lines[index])
    image = IMAGE_LINE.match(lines[below])
    if alt and image and "alt=" not in lines[below]:
        text = alt.group(1).strip().strip("\"'").replace('"', "'")
        lines[below] = with_attribute(lines[below], f'alt="{text}"', image.group(1) is not None, "")
        _count(edit, ALTS, index)
        return True
    return False


def _code_caption(lines: list[str], index: int, out: list[str], edit: ChapterEdit) -> bool:
    """A `{caption: "x.py"}` line above a code block, kept as an emphasised line: pandoc
    gives code blocks no caption, and the words must not be lost."""
    caption = CAPTION_LINE.match(lines[index])
    if not caption or index + 1 >= len(lines) or not FENCE.match(lines[index + 1].strip()):
        return False
    text = caption.group(1).strip().strip("\"'“”").replace("*", "\\*")
    out.extend([f"*{text}*", ""])
    _count(edit, CAPTIONS, index)
    return True


def _aside(lines: list[str], index: int, out: list[str], edit: ChapterEdit) -> int:
    """A run of lines with the same `L>` prefix, as a div; the line after the run."""
    letter = ASIDE.match(lines[index]).group(1)
    body = []
    start = index
    while index < len(lines) and (line := ASIDE.match(lines[index])) and line.group(1) == letter:
        body.append(line.group(2))
        index += 1
    _count(edit, ASIDES, start)
    if letter == "C":  # centred text: publish has no centring, the words stay
        out.extend(body)
        return index
    title = ASIDE_TITLES.get(letter, "")
    heading = HEADING.match(body[0]) if body else None
    if heading:  # a heading inside a div is refused (MS009): it titles the box instead
        title, body = heading.group(2).replace('"', "'"), body[1:]
    if letter == "X":
        out.extend(["::: exercise", *([f"**{title}**", ""] if heading else []), *body, ":::"])
    else:
        out.extend([f'::: {{.callout title="{title}"}}', *body, ":::"])
    return index


def _closes(lines: list[str], index: int) -> bool:
    """Whether a {blurb} has its {/blurb} before the next {blurb}: only then is it a div."""
    for line in lines[index + 1 :]:
        if BLURB_CLOSE.match(line):
            return True
        if BLURB_OPEN.match(line):
            return False
    return False


def _blurb_open(line: str) -> list[str]:
    """`{blurb, class: tip} text` as a callout's opening fence (and its text)."""
    found = BLURB_OPEN.match(line)
    kind = BLURB_CLASS.search(found.group(1))
    letter = BLURB_LETTERS.get(kind.group(1).lower(), "") if kind else ""
    title = ASIDE_TITLES.get(letter, "Note")
    return [f'::: {{.callout title="{title}"}}', *([found.group(2)] if found.group(2) else [])]


def with_attribute(line: str, attribute: str, has_block: bool, gap: str = " ") -> str:
    """A heading or image line with one more pandoc attribute, in its {...} if it has one
    (an image's {...} follows it with no `gap`, a heading's after a space)."""
    stripped = line.rstrip()
    if has_block:
        return stripped[:-1].rstrip() + f" {attribute}}}"
    return f"{stripped}{gap}{{{attribute}}}"


def _count(edit: ChapterEdit, key: tuple[str, str], index: int) -> None:
    edit.done[key] += 1
    edit.first_line.setdefault(key, index + 1)
