"""Words as the conformance tests compare them: the same normalisation on the author's
side and the book's (quotes, dashes, ligatures, hyphens at line ends)."""

from __future__ import annotations

import re
import unicodedata

# --------------------------------------------------------------------------- words

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": " - ",  # figure, en and em dashes and the bar separate words
        "\u2013": " - ",
        "\u2014": " - ",
        "\u2015": " - ",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u2060": None,  # word joiner
        "\ufeff": None,
        "\u00a0": " ",
    }
)
_WORD = re.compile(r"\w+(?:'\w+)*")
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
# A note call set as a superscript sticks to its word in extracted text ("day4"):
# letters followed by digits are two tokens, on both sides.
_CALL = re.compile(r"(?<=[^\W\d_])(?=\d+(?:'|$))")


def normalise(text: str) -> str:
    """Ligatures (NFKC), curly quotes, dashes, soft hyphens and odd spaces made plain."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


def words(text: str) -> list[str]:
    """The comparable tokens of a text, casefolded.

    A whitespace-separated chunk with letters or digits gives its alphanumeric runs
    (hyphens inside words dropped, so a compound split at a line end compares equal,
    and digits after letters split off, so a note call stuck to its word does not hide it);
    a chunk of symbols only (`===`, `=>`, `//`) is a token of its own, so mangled
    code shows up as a missing word.
    """
    out: list[str] = []
    for chunk in normalise(text).split():
        chunk = _INNER_HYPHEN.sub("", chunk)
        found = _WORD.findall(chunk)
        if found:
            for word in found:
                out.extend(part.casefold() for part in _CALL.split(word))
        elif len(chunk) >= 2 and not re.fullmatch(r"\.+|-+|_+|\*+|\++|:+|\|+", chunk):
            out.append(chunk)
    return out
