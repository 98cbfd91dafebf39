"""ONIX 3.0 code lists the ONIX record uses, and the mappings into them.

Accessibility (List 196) is mapped from the EPUB's own claims, as its manifest entry
records them (outputs/epub.py `accessibility_claims`, the OPF's metadata), so the ONIX
record says exactly what the OPF says and nothing more.
"""

from __future__ import annotations

import re

NAMESPACE = "http://ns.editeur.org/onix/3.0/reference"

# List 175, product form detail, by the manifest's format name.
FORM_DETAIL = {"epub": "E101", "pdf": "E107"}
DIGITAL_DOWNLOAD = "ED"  # List 150
# List 196 by schema.org accessibilityFeature value (EPUB Accessibility 1.1's vocabulary).
FEATURES = {
    "tableOfContents": "11",
    "readingOrder": "13",
    "alternativeText": "14",
    "longDescription": "15",
    "MathML": "17",
    "structuralNavigation": "29",
    "displayTransformability": "36",
}
SUMMARY = "00"
CERTIFIED_BY = "90"  # compliance certification by (name)
EPUB_A11Y = {"1.0 A": "02", "1.0 AA": "03", "1.1": "04"}
WCAG_VERSION = {"2.0": "80", "2.1": "81", "2.2": "82"}
WCAG_LEVEL = {"A": "84", "AA": "85", "AAA": "86"}

# ISO 639-1 to the ISO 639-2/B codes ONIX List 74 uses, for the languages books are
# most often written in; any other is sent as `und` and the build says so.
LANGUAGES = {
    "af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "ca": "cat", "cs": "cze",
    "cy": "wel", "da": "dan", "de": "ger", "el": "gre", "en": "eng", "es": "spa",
    "et": "est", "eu": "baq", "fa": "per", "fi": "fin", "fr": "fre", "ga": "gle",
    "gl": "glg", "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun", "id": "ind",
    "is": "ice", "it": "ita", "ja": "jpn", "ko": "kor", "la": "lat", "lt": "lit",
    "lv": "lav", "ms": "may", "nb": "nob", "nl": "dut", "nn": "nno", "no": "nor",
    "pl": "pol", "pt": "por", "ro": "rum", "ru": "rus", "sk": "slo", "sl": "slv",
    "sr": "srp", "sv": "swe", "sw": "swa", "th": "tha", "tr": "tur", "uk": "ukr",
    "ur": "urd", "vi": "vie", "zh": "chi",
}  # fmt: skip
UNDETERMINED = "und"


def onix_language(tag: str) -> tuple[str | None, str | None]:
    """A BCP 47 tag as ONIX's (language, country): `en-GB` -> ("eng", "GB"); the
    language None when List 74's code for it is not known here."""
    parts = tag.replace("_", "-").split("-")
    primary = parts[0].lower()
    language = LANGUAGES.get(primary) or (primary if len(primary) == 3 else None)
    country = next((p.upper() for p in parts[1:] if re.fullmatch(r"[A-Za-z]{2}", p)), None)
    return language, country


def accessibility_codes(claims: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(List 196 code, description) pairs for the EPUB's claims; description "" for most."""
    codes = []
    for summary in claims.get("accessibilitySummary", []):
        codes.append((SUMMARY, summary))
    for claim in claims.get("conformsTo", []):
        codes += [(code, "") for code in _conformance_codes(claim)]
    codes += [(FEATURES[f], "") for f in claims.get("accessibilityFeature", []) if f in FEATURES]
    for name in claims.get("certifiedBy", []):
        codes.append((CERTIFIED_BY, name))
    return codes


def _conformance_codes(claim: str) -> list[str]:
    """`EPUB Accessibility 1.1 - WCAG 2.1 Level AA` -> 04, 81, 85 (what it names)."""
    codes = []
    epub = re.search(r"EPUB Accessibility (1\.[01])", claim, re.I)
    level = re.search(r"Level (AAA|AA|A)\b", claim, re.I)
    wcag = re.search(r"WCAG (2\.[012])", claim, re.I)
    if epub:
        version = epub.group(1)
        key = version if version == "1.1" else f"1.0 {level.group(1).upper() if level else ''}"
        if key in EPUB_A11Y:
            codes.append(EPUB_A11Y[key])
    if wcag:
        codes.append(WCAG_VERSION[wcag.group(1)])
    if level:
        codes.append(WCAG_LEVEL[level.group(1).upper()])
    return codes
