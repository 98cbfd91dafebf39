"""Codes of the findings about a book's version, changelog and ONIX record."""

from __future__ import annotations

RELEASE_CODES = {
    "VER001": "book.yaml's version is not a semantic version (MAJOR.MINOR.PATCH)",
    "VER002": "a CHANGELOG.md release heading is not '## VERSION - YYYY-MM-DD'",
    "VER003": "CHANGELOG.md has no entry for the version being built",
    "VER004": "CHANGELOG.md lists a release twice or out of order",
    "VER005": "CHANGELOG.md records releases but book.yaml gives no version",
    "ONX001": "the ONIX record has no code for the book's language and sends `und`",
}

RELEASE_FIXES = {
    "VER001": "write version: 1.2.0 (three numbers, optionally -rc.1), quoted if need be",
    "VER002": "write the heading as ## 1.2.0 - 2026-11-01, or ## Unreleased",
    "VER003": "add a heading for the version with what it changed, newest first",
    "VER004": "list each release once, newest at the top",
    "VER005": "add version: to book.yaml with the newest release's number",
    "ONX001": "give the language as its two-letter ISO 639-1 code (en-US, de, fr-CA...)",
}
