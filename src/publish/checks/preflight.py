"""The store preflight: each built EPUB against the rules of the stores that take its edition.

The rules are data (checks/store_rules.py); this module measures and compares. A
finding points at the EPUB, or at the file inside it (`x.epub!EPUB/chapter-01.xhtml`),
names the store, the figure measured and the limit.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from ..errors import Finding, PublishError, relative_name
from .epub_facts import APPLE_OPTIONS, EpubFacts, Image, read_epub
from .epubcheck import EpubCheckSkipped, run_epubcheck
from .store_rules import (
    ERROR,
    EVERY_STORE,
    NOTE,
    OTHER_STORE_HOSTS,
    PRICING_WORDS,
    RULES,
    STORES,
    WARNING,
    StoreRule,
)

MANIFEST = "manifest.json"
# EPUBCheck's severities, least to most severe; a store refuses from its rule's limit up.
SEVERITIES = ("INFO", "USAGE", "WARNING", "ERROR", "FATAL")
OTHER_STORE = re.compile(
    "|".join(r"(?:^|\.)" + re.escape(host) for host in OTHER_STORE_HOSTS), re.IGNORECASE
)
PRICING = re.compile(PRICING_WORDS, re.IGNORECASE)
# fsType bits (OpenType OS/2): 0x2 restricted, 0x4 preview & print, 0x8 editable,
# 0x200 bitmap embedding only. The least restrictive of bits 1-3 applies.
RESTRICTED, PREVIEW_PRINT, EDITABLE, BITMAP_ONLY = 0x2, 0x4, 0x8, 0x200


@dataclass
class Preflight:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    epubs: int = 0


@dataclass(frozen=True)
class Subject:
    """One EPUB under check: where findings point, and what was measured."""

    where: str
    facts: EpubFacts


def preflight(
    root: Path, stores: tuple[str, ...], build_dir: Path | None = None, epubcheck: bool = True
) -> Preflight:
    """Check every EPUB in `build_dir` (default: root/build) for `stores`; EPUBCheck runs
    once per EPUB unless `epubcheck` is False."""
    build_dir = build_dir or root / "build"
    result = Preflight()
    for entry in _built_epubs(root, build_dir):
        path = build_dir / entry["path"]
        edition = entry.get("edition", "")
        taking = [s for s in stores if edition in STORES[s].editions]
        for store in stores:
            if store not in taking:
                why = STORES[store].skips_because
                result.notes.append(f"{STORES[store].name}: {edition} edition not checked ({why})")
        if taking:
            result.epubs += 1
            _check_epub(path, relative_name(path, root), taking, epubcheck, result)
    result.findings = sorted(set(result.findings))
    return result


def _built_epubs(root: Path, build_dir: Path) -> list[dict]:
    manifest = build_dir / MANIFEST
    shown = relative_name(build_dir, root)
    if not manifest.is_file():
        raise PublishError(
            f"publish check --store: no build in {shown}/ (no {MANIFEST}): "
            f"run `publish build {root}` first; the preflight checks the built EPUBs"
        )
    try:
        artifacts = json.loads(manifest.read_text(encoding="utf-8")).get("artifacts", [])
    except (ValueError, AttributeError) as exc:
        raise PublishError(f"{shown}/{MANIFEST} is not a build manifest ({exc})") from None
    epubs = [a for a in artifacts if isinstance(a, dict) and a.get("format") == "epub"]
    if not epubs:
        raise PublishError(f"{shown}/{MANIFEST} lists no EPUB: run `publish build {root}` first")
    for entry in epubs:
        if not (build_dir / entry.get("path", "")).is_file():
            raise PublishError(
                f"{shown}/{entry.get('path')} is listed in {MANIFEST} but missing: "
                f"run `publish build {root}` again"
            )
    return epubs


def _check_epub(
    path: Path, where: str, stores: list[str], epubcheck: bool, result: Preflight
) -> None:
    rules = [r for r in RULES if r.store in stores or r.store == EVERY_STORE]
    try:
        facts = read_epub(path)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        message = f"is not a readable EPUB ({exc}); {_stores_do(stores, 'refuse')} it"
        result.findings.append(Finding(where, 1, 1, ERROR, "STO001", message))
        return
    subject = Subject(where, facts)
    cover_refused = set()  # stores whose required cover size failed (RULES lists STO003 first)
    for rule in rules:
        found = list(MEASURES[rule.measure](rule, subject))
        if rule.code == "STO004" and rule.store in cover_refused:
            continue  # the recommended size says nothing new once the required one failed
        if rule.code == "STO003" and found:
            cover_refused.add(rule.store)
        if rule.level == NOTE:
            result.notes += [
                f"{f.path}: {f.message}; upload such a cover to the store" for f in found
            ]
            continue
        result.findings += found
    if epubcheck:
        _epubcheck(path, where, [r for r in rules if r.measure == "epubcheck"], result)


def _finding(rule: StoreRule, where: str, measured: str, line: int = 1, hint: str = "") -> Finding:
    store = STORES[rule.store].name if rule.store in STORES else "every store"
    kind = {ERROR: "required", NOTE: "ideal"}.get(rule.level, "recommended")
    message = f"{measured}; {store}: {rule.rule} ({kind})"
    return Finding(where, max(1, line), 1, rule.level, rule.code, message, hint)


def _inside(subject: Subject, name: str) -> str:
    return f"{subject.where}!{name}"


def _cover_size(image: Image) -> str:
    return f"cover is {image.width}x{image.height} px ({image.height / image.width:.2f}:1)"


def _cover_rule(fails: Callable[[Image, object], bool], detail: Callable[[Image], str]):
    def measure(rule: StoreRule, subject: Subject) -> Iterator[Finding]:
        cover = subject.facts.cover
        if cover is None:
            if rule.level == ERROR and not subject.facts.has_cover:
                yield _finding(rule, subject.where, "the EPUB has no cover image")
        elif fails(cover, rule.limit):
            yield _finding(rule, _inside(subject, cover.name), _cover_size(cover) + detail(cover))

    return measure


def _short(image: Image) -> str:
    return f", {min(image.width, image.height)} px on its short side"


def _long(image: Image) -> str:
    return f", {max(image.width, image.height)} px on its long side"


def _image_pixels(rule: StoreRule, subject: Subject) -> Iterator[Finding]:
    for image in subject.facts.images:
        if image.pixels > rule.limit:
            measured = (
                f"image is {image.width}x{image.height} px, {image.pixels / 1e6:.1f} megapixels"
            )
            hint = _cover_hint(rule.limit) if image == subject.facts.cover else ""
            yield _finding(rule, _inside(subject, image.name), measured, hint=hint)


def _cover_hint(limit: int) -> str:
    """The largest 2:3 cover within `limit` pixels, for a store that takes a smaller one."""
    width = int((limit / 1.5) ** 0.5)
    return f"give this store a cover of at most {width} x {int(width * 1.5)} px"


def _image_bytes(rule: StoreRule, subject: Subject) -> Iterator[Finding]:
    for image in subject.facts.images:
        if image.bytes > rule.limit:
            yield _finding(rule, _inside(subject, image.name), f"image is {_mb(image.bytes)}")


def _xhtml_bytes(rule: StoreRule, subject: Subject) -> Iterator[Finding]:
    for name, size in subject.facts.xhtml_sizes.items():
        if size > rule.limit:
            yield _finding(rule, _inside(subject, name), f"XHTML file is {_mb(size)}")


def _epub_bytes(rule: StoreRule, subject: Subject) -> Iterator[Finding]:
    if subject.facts.bytes > rule.limit:
        yield _finding(rule, subject.where, f"the EPUB is {_mb(subject.facts.bytes)}")


def _title_pricing(rule: StoreRule, subject: Subject) -> Iterator[Finding]:
    facts = subject.facts
    match = PRICING.search(facts.title)
    if match:
        measured = f'title "{facts.title}" has the pricing word "{match.group(0)}"'
        yield _finding(rule, _inside(subject, facts.opf_name), measured, facts.title_line)


def _store_links(rule: StoreRule, subject: Subject) -> Iterator[Finding]:
    for link in subject.facts.links:
        host = urlsplit(link.href).hostname or ""
        if OTHER_STORE.search(host + "."):
            measured = f"link to {link.href}, another store"
            yield _finding(rule, _inside(subject, link.name), measured, link.line)


def _display_options(rule: StoreRule, subject: Subject) -> Iterator[Finding]:
    fonts = len(subject.facts.fonts)
    if fonts and not subject.facts.display_options:
        measured = f"{fonts} embedded fonts but no {APPLE_OPTIONS}"
        yield _finding(rule, subject.where, measured)


def _font_embedding(rule: StoreRule, subject: Subject) -> Iterator[Finding]:
    for font in subject.facts.fonts:
        flags = font.fs_type
        if flags is None:
            continue  # obfuscated or unreadable: EPUBCheck reports a damaged font
        restricted = flags & RESTRICTED and not flags & (PREVIEW_PRINT | EDITABLE)
        if restricted or flags & BITMAP_ONLY:
            kind = "restricted licence" if restricted else "bitmap embedding only"
            measured = f"font's OS/2 fsType is 0x{flags:04X} ({kind})"
            yield _finding(rule, _inside(subject, font.name), measured)


def _no_finding(rule: StoreRule, subject: Subject) -> Iterator[Finding]:
    return iter(())  # EPUBCheck runs apart, once per EPUB for every store that needs it


MEASURES = {
    "epubcheck": _no_finding,
    "cover_short_side": _cover_rule(lambda c, limit: min(c.width, c.height) < limit, _short),
    "cover_long_side": _cover_rule(lambda c, limit: max(c.width, c.height) < limit, _long),
    "cover_long_side_max": _cover_rule(lambda c, limit: max(c.width, c.height) > limit, _long),
    "cover_size": _cover_rule(
        lambda c, limit: c.width < limit[0] or c.height < limit[1], lambda _: ""
    ),
    "image_pixels": _image_pixels,
    "image_bytes": _image_bytes,
    "xhtml_bytes": _xhtml_bytes,
    "epub_bytes": _epub_bytes,
    "title_pricing": _title_pricing,
    "store_links": _store_links,
    "display_options": _display_options,
    "font_embedding": _font_embedding,
}


def _epubcheck(path: Path, where: str, rules: list[StoreRule], result: Preflight) -> None:
    if not rules:
        return
    try:
        report = run_epubcheck(path)
    except EpubCheckSkipped as skipped:
        runners = _stores_do([r.store for r in rules], "run")
        message = f"EPUBCheck skipped: {skipped}; {runners} it on every upload"
        result.findings.append(Finding(where, 1, 1, WARNING, "STO002", message))
        return
    for message in report.get("messages", []):
        refusing = [r.store for r in rules if _at_least(message.get("severity", ""), r.limit)]
        if refusing:
            result.findings.append(_epubcheck_finding(message, where, refusing))
    checker = report.get("checker", {})
    errors = checker.get("nError", 0) + checker.get("nFatal", 0)
    result.notes.append(
        f"{where}: EPUBCheck {checker.get('checkerVersion', '?')}: "
        f"{errors} error(s), {checker.get('nWarning', 0)} warning(s)"
    )


def _epubcheck_finding(message: dict, where: str, stores: list[str]) -> Finding:
    location = (message.get("locations") or [{}])[0]
    inside = location.get("path")
    text = (
        f"EPUBCheck {message.get('severity')} {message.get('ID')}: {message.get('message')}; "
        f"{_stores_do(stores, 'refuse')} it"
    )
    return Finding(
        f"{where}!{inside}" if inside else where,
        max(1, location.get("line", 1)),
        max(1, location.get("column", 1)),
        ERROR,
        "STO001",
        text,
    )


def _at_least(severity: str, limit: str) -> bool:
    return severity in SEVERITIES and SEVERITIES.index(severity) >= SEVERITIES.index(limit)


def _stores_do(stores, verb: str) -> str:
    """'Apple Books refuses', 'Apple Books and Kobo refuse': the stores and their verb."""
    names = [STORES[s].name for s in dict.fromkeys(stores)]
    if len(names) == 1:
        return f"{names[0]} {verb}s"
    return ", ".join(names[:-1]) + " and " + names[-1] + " " + verb


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
