"""Which of the stylesheet's font faces draw which characters of an EPUB's documents.

A small cascade, for the three properties that pick a face (font-family, font-weight,
font-style) and the one that changes the characters drawn (text-transform): the HTML
user-agent defaults, then the book's CSS by specificity and order, then `style`
attributes, inherited down the tree. Each character then goes to the first family of its
element's stack that has a face covering it, as a browser's font fallback does, so a
subset of each face can hold exactly what that face will draw.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import astuple, dataclass, replace
from pathlib import Path

import cssselect2
import tinycss2
from lxml import etree

from ..cache_entries import read_entry, write_entry

# The HTML user-agent rules that pick a face (the WHATWG rendering section).
USER_AGENT_CSS = """
h1, h2, h3, h4, h5, h6, b, strong, th { font-weight: bold; }
em, i, cite, dfn, var, address { font-style: italic; }
code, pre, kbd, samp, tt { font-family: monospace; }
"""
GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}
# Drawn where the text has none: hyphens a reader adds when it hyphenates, list bullets.
ALWAYS_DRAWN = " \u00a0-\u2010\u2022"
NOT_DRAWN = {"head", "script", "style", "title"}


@dataclass(frozen=True)
class Face:
    """One @font-face rule: a family's face and the file it comes from."""

    family: str
    weight: int
    italic: bool
    source: str  # as the stylesheet names it, e.g. "fonts/CharisSIL-Regular.ttf"


@dataclass(frozen=True)
class Style:
    families: tuple[str, ...] = ()
    weight: int = 400
    italic: bool = False
    transform: str = "none"


def _declarations(tokens) -> list:
    return [
        d
        for d in tinycss2.parse_blocks_contents(tokens, skip_whitespace=True, skip_comments=True)
        if d.type == "declaration"
    ]


def _families(tokens) -> tuple[str, ...]:
    """`"Charis SIL", serif` -> ("Charis SIL", "serif")."""
    names, words = [], []
    for token in [*tokens, tinycss2.ast.LiteralToken(0, 0, ",")]:
        if token.type in ("string", "ident"):
            words.append(token.value)
        elif token.type == "literal" and token.value == ",":
            names.append(" ".join(words))
            words = []
    return tuple(name for name in names if name)


def _weight(tokens, inherited: int = 400) -> int | None:
    for token in tokens:
        if token.type == "number" and token.int_value:
            return token.int_value
        if token.type == "ident":
            value = token.lower_value
            if value == "bolder":
                return 400 if inherited < 400 else 700 if inherited < 600 else 900
            if value == "lighter":
                return 100 if inherited < 600 else 400 if inherited < 800 else 700
            return {"normal": 400, "bold": 700}.get(value)
    return None


def _idents(tokens) -> list[str]:
    return [t.lower_value for t in tokens if t.type == "ident"]


def font_faces(css: str) -> list[Face]:
    """The stylesheet's @font-face rules, each with its first local font file."""
    faces = []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or not rule.content:
            continue
        values = {d.lower_name: d.value for d in _declarations(rule.content)}
        family = _families(values.get("font-family", []))
        urls = [t.value for t in values.get("src", []) if t.type == "url"]
        urls += [
            t.arguments[0].value
            for t in values.get("src", [])
            if t.type == "function" and t.lower_name == "url" and t.arguments
        ]
        if family and urls:
            weight = _weight(values.get("font-weight", [])) or 400
            italic = bool({"italic", "oblique"} & set(_idents(values.get("font-style", []))))
            faces.append(Face(family[0], weight, italic, urls[0]))
    return faces


def _apply(style: Style, declarations) -> Style:
    for declaration in declarations:
        name, value = declaration.lower_name, declaration.value
        if name == "font-family":
            style = replace(style, families=_families(value) or style.families)
        elif name == "font-weight":
            style = replace(style, weight=_weight(value, style.weight) or style.weight)
        elif name == "font-style":
            style = replace(style, italic=bool({"italic", "oblique"} & set(_idents(value))))
        elif name == "text-transform":
            style = replace(style, transform=(_idents(value) or ["none"])[0])
        elif name == "font":
            style = _apply_shorthand(style, value)
    return style


def _apply_shorthand(style: Style, tokens) -> Style:
    """`font: italic bold 9pt "Open Sans", serif`: what comes after the size is the stack."""
    tokens = [t for t in tokens if t.type != "whitespace"]
    sizes = [i for i, t in enumerate(tokens) if t.type in ("dimension", "percentage")]
    if not sizes:
        return style  # a system font keyword: nothing this book embeds
    before, after = tokens[: sizes[0]], tokens[sizes[0] + 1 :]
    if after and after[0].type == "literal" and after[0].value == "/":
        after = after[2:]  # the line height
    return Style(
        families=_families(after),
        weight=_weight(before, style.weight) or 400,
        italic=bool({"italic", "oblique"} & set(_idents(before))),
        transform=style.transform,
    )


class Cascade:
    """Computed face-picking styles for the elements of XHTML documents: the rules outside
    any @media block, or (`with_media`) those and the rules of every @media block too, so
    that a dark-mode or small-screen rule that picks another face is not missed."""

    def __init__(self, css: str, with_media: bool = False):
        self.layers = [self._matcher(USER_AGENT_CSS), self._matcher(css, with_media)]

    @staticmethod
    def _matcher(css: str, with_media: bool = False) -> cssselect2.Matcher:
        matcher = cssselect2.Matcher()
        for rule in _style_rules(tinycss2.parse_stylesheet(css, True, True), with_media):
            declarations = _declarations(rule.content)
            for selector in cssselect2.compile_selector_list(rule.prelude):
                matcher.add_selector(selector, declarations)
        return matcher

    def styles(self, root) -> dict:
        """lxml element -> Style (with its ::before/::after strings) for a whole document."""
        computed: dict = {}
        for wrapper in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
            element = wrapper.etree_element
            parent = element.getparent()
            style = computed[parent][0] if parent is not None else Style()
            generated = []
            for matcher in self.layers:
                for _specificity, _order, pseudo, declarations in matcher.match(wrapper):
                    if pseudo is None:
                        style = _apply(style, declarations)
                    elif pseudo in ("before", "after"):
                        generated += _content_strings(declarations)
            inline = element.get("style")
            if inline:
                style = _apply(style, _declarations(tinycss2.parse_component_value_list(inline)))
            computed[element] = (style, "".join(generated))
        return computed


def _style_rules(rules, with_media: bool):
    """The style rules a reading system's page may apply (not @font-face, @page)."""
    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif (
            with_media and rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports")
        ):
            yield from _style_rules(tinycss2.parse_rule_list(rule.content or [], True, True), True)


def _content_strings(declarations) -> list[str]:
    return [
        t.value
        for d in declarations
        if d.lower_name == "content"
        for t in d.value
        if t.type == "string"
    ]


def _transformed(text: str, transform: str) -> str:
    if transform == "uppercase":
        return text.upper()
    if transform == "lowercase":
        return text.lower()
    if transform == "capitalize":
        return text + text.upper()
    return text


class FaceChooser:
    """Pick the face a reading system uses for a character, as CSS font matching does."""

    def __init__(self, faces: list[Face], covered: dict[str, frozenset[int]]):
        self.by_family: dict[str, list[Face]] = {}
        for face in faces:
            self.by_family.setdefault(face.family.lower(), []).append(face)
        self.covered = covered  # source -> code points its font maps

    def face(self, family: str, style: Style) -> Face | None:
        candidates = self.by_family.get(family.lower())
        if not candidates:
            return None
        same_style = [f for f in candidates if f.italic == style.italic] or candidates
        return min(same_style, key=lambda f: _weight_distance(style.weight, f.weight))

    def draw(self, char: str, style: Style) -> Face | None:
        """The face that draws `char`: the first in the stack whose font covers it."""
        for family in style.families:
            if family.lower() in GENERIC:
                return None
            face = self.face(family, style)
            if face is not None and ord(char) in self.covered.get(face.source, ()):
                return face
        return None


def _weight_distance(wanted: int, weight: int) -> tuple[int, int]:
    """CSS Fonts 4's order: for bold, heavier faces first; for normal, 400-500 then lighter."""
    if wanted > 500:
        return (0, weight - wanted) if weight >= wanted else (1, wanted - weight)
    if wanted <= weight <= 500:
        return (0, weight - wanted)
    return (1, wanted - weight) if weight < wanted else (2, weight - wanted)


def characters_by_face(
    documents: dict[str, bytes],
    css: str,
    faces: list[Face],
    covered: dict[str, frozenset[int]],
    cache: Path | None = None,
) -> dict[Face, set[str]]:
    """Every face the documents' text is drawn in, with the characters it draws.

    Which face draws a character depends only on the character and its element's style,
    so each document is reduced to the characters drawn in each style (kept in `cache`
    by the document's bytes and the stylesheet: after an edit only the changed documents
    are walked), and faces are chosen once per style and character of their union."""
    walker = StyleWalker(css, cache)
    drawn: dict[Style, set[str]] = {}
    for _name, data in sorted(documents.items()):
        for style, characters in walker.characters_by_style(data).items():
            drawn.setdefault(style, set()).update(characters)
    chooser = FaceChooser(faces, covered)
    used: dict[Face, set[str]] = {}
    for style, characters in drawn.items():
        _assign(used, chooser, "".join(characters), style)
    return _without_unused(used)


class StyleWalker:
    """The characters a document draws in each style, computed by the stylesheet's
    cascade, or read from the cache entry an earlier build wrote for the same bytes."""

    def __init__(self, css: str, cache: Path | None) -> None:
        self.css = css
        self.cache = cache

    @functools.cached_property
    def cascades(self) -> list[Cascade]:
        cascades = [Cascade(self.css)]
        if "@media" in self.css or "@supports" in self.css:
            cascades.append(Cascade(self.css, with_media=True))
        return cascades

    def characters_by_style(self, data: bytes) -> dict[Style, set[str]]:
        if self.cache is None:
            return self.walk(data)
        key = hashlib.sha256(_walker_version().encode())
        for part in (self.css.encode(), data):
            key.update(len(part).to_bytes(8, "big") + part)
        path = self.cache / f"{key.hexdigest()}.styles.json"
        if (cached := read_entry(path)) is not None:
            return {Style(tuple(f), w, i, t): set(c) for f, w, i, t, c in json.loads(cached)}
        found = self.walk(data)
        rows = [[*astuple(style), "".join(sorted(chars))] for style, chars in found.items()]
        write_entry(path, json.dumps(sorted(rows)).encode("utf-8"), self.cache.parent)
        return found

    def walk(self, data: bytes) -> dict[Style, set[str]]:
        """Every drawn element's text (as transformed) and list marker, by its style."""
        root = etree.fromstring(data)
        found: dict[Style, set[str]] = {}
        for cascade in self.cascades:
            for element, (style, text) in cascade.styles(root).items():
                if _drawn(element):
                    text += (element.text or "") + "".join(c.tail or "" for c in element)
                    text += _marker(element)
                    characters = found.setdefault(style, set())
                    characters.update(_transformed(text, style.transform))
        return found


@functools.cache
def _walker_version() -> str:
    """What a cached walk depends on besides its inputs: this module and the CSS parsers."""
    versions = f"{cssselect2.VERSION} {tinycss2.__version__} {etree.LXML_VERSION}"
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest() + versions


def _assign(used: dict[Face, set[str]], chooser: FaceChooser, text: str, style: Style) -> None:
    for char in set(text + ALWAYS_DRAWN):
        face = chooser.draw(char, style)
        if face is not None:
            used.setdefault(face, set()).add(char)


def _marker(element) -> str:
    """The number a reading system draws before an item of a numbered list, in its face."""
    parent = element.getparent()
    if etree.QName(element).localname != "li" or parent is None:
        return ""
    if etree.QName(parent).localname != "ol":
        return ""
    start = int(parent.get("start", "1")) if parent.get("start", "1").isdigit() else 1
    return f"{start + parent.index(element)}."


def _drawn(element) -> bool:
    """Text inside <body>, outside elements that draw nothing."""
    if not isinstance(element.tag, str):
        return False
    ancestors = [element, *element.iterancestors()]
    names = {etree.QName(e).localname for e in ancestors}
    return "body" in names and not names & NOT_DRAWN


def _without_unused(used: dict[Face, set[str]]) -> dict[Face, set[str]]:
    """A face whose only characters are the ones added for every element (spaces,
    hyphens, bullets) draws nothing of the book's: it is left out."""
    return {face: chars for face, chars in used.items() if chars - set(ALWAYS_DRAWN)}
