"""The one SVG sanitizer: every SVG that reaches a book is rebuilt from an allowlist.

An author's SVG image, a Graphviz drawing, a downloaded or cached SVG: each is
parsed (no DTD, no entities, no network) and only the elements and attributes of
svg_allowlist.py are kept. Whatever could run, fetch or link by itself is
*refused* (script, event handlers, foreignObject, `<set>`/`<animate>` of a link,
a `<style>` or `style=` whose CSS reaches outside the file, processing
instructions such as `<?xml-stylesheet?>`, a DTD subset, nested data that is
not a PNG or JPEG, links outside the URL policy); inert things no reader draws
(editor namespaces, comments, the DOCTYPE line, metadata) are dropped, and an
unknown SVG element or attribute is dropped with a warning.

`inspect_svg` returns the clean bytes and every issue with its line;
`sanitize_svg` returns the clean bytes and raises a located error when anything
was refused. Both never return a byte the allowlist did not admit.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

import tinycss2
from lxml import etree

from ..errors import ERROR, WARNING, Finding, FindingsError
from ..urls import LINK_SCHEMES, is_remote, normalize_url, url_scheme
from .svg_allowlist import (
    ACTIVE_NAMESPACES,
    ANIMATABLE,
    ANIMATION,
    ATTRIBUTES,
    ELEMENTS,
    RASTER_DATA,
    REFUSED_ELEMENTS,
    SVG_NS,
    XLINK_ATTRIBUTES,
    XLINK_NS,
    XML_ATTRIBUTES,
    XML_NS,
)

SVG_HINT = "images are pictures only: no scripts, no links to other files, nothing fetched"
DROPPED_HINT = "a book renders static SVG 1.1 drawing; delete it or draw it another way"
ENTITY = re.compile(rb"<!ENTITY", re.I)
DATA_URL = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[^,;]*)*?)(;base64)?,(.*)$", re.I | re.S)
PLAIN_NAMESPACES = {None: SVG_NS, "xlink": XLINK_NS}
# What needs no second look: plain attributes (no link, no style) and drawing elements.
PLAIN_ATTRIBUTES = frozenset(ATTRIBUTES - {"href", "style"})
PLAIN_ELEMENTS = frozenset(ELEMENTS - ANIMATION - {"style"})
SILENT: tuple[str, ...] = ()  # an attribute of an editor's namespace: dropped, said nowhere
CSS_FETCHING_FUNCTIONS = {"image", "image-set", "-webkit-image-set", "cross-fade", "element"}


@dataclass(frozen=True)
class SvgIssue:
    """What the sanitizer removed, where: `refused` stops the build, else it is inert."""

    line: int
    code: str
    message: str
    refused: bool = True


@dataclass(frozen=True)
class CleanSvg:
    data: bytes
    issues: tuple[SvgIssue, ...]

    @property
    def refused(self) -> list[SvgIssue]:
        return [issue for issue in self.issues if issue.refused]


def svg_findings(issues, shown: str, line_of=None) -> list[Finding]:
    """Findings for `shown` (the file as the user knows it): refused issues are errors,
    dropped unknown parts warnings. `line_of(issue)` re-locates (e.g. into a DOT file)."""
    return [
        Finding(
            shown,
            line_of(issue) if line_of else issue.line,
            1,
            ERROR if issue.refused else WARNING,
            issue.code,
            issue.message,
            SVG_HINT if issue.refused else DROPPED_HINT,
        )
        for issue in issues
    ]


def sanitize_svg(data: bytes, shown: str = "(SVG image)") -> bytes:
    """The SVG rebuilt from the allowlist; FindingsError (at `shown`:line) when anything
    in it had to be refused."""
    clean = inspect_svg(data)
    if clean.refused:
        raise FindingsError(svg_findings(clean.refused, shown))
    return clean.data


def inspect_svg(data: bytes) -> CleanSvg:
    """The allowlisted SVG and every issue met on the way (see the module's docstring)."""
    if ENTITY.search(data):
        return CleanSvg(b"", (SvgIssue(1, "SEC012", "an SVG that declares entities is refused"),))
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        issue = SvgIssue(exc.lineno or 1, "IMG002", f"the SVG is not well-formed XML: {exc.msg}")
        return CleanSvg(b"", (issue,))
    issues: list[SvgIssue] = []
    if _declares_anything(root.getroottree()):
        issues.append(SvgIssue(1, "SEC012", "an SVG with its own DTD subset is refused"))
    if root.tag != f"{{{SVG_NS}}}svg":
        message = "the file's root is not an <svg> element in the SVG namespace"
        return CleanSvg(b"", (*issues, SvgIssue(root.sourceline or 1, "IMG002", message)))
    issues += _processing_instructions(root)
    _Cleaner(issues).clean(root)
    root = _with_plain_namespaces(root)
    return CleanSvg(etree.tostring(root, encoding="utf-8"), tuple(issues))


def _with_plain_namespaces(root):
    """The root declaring SVG as default and `xlink:` (labels drawn later link their glyphs
    by xlink:href), every editor's namespace gone."""
    if root.nsmap == PLAIN_NAMESPACES:  # Graphviz's own: nothing to tidy
        return root
    clean = etree.Element(root.tag, nsmap=PLAIN_NAMESPACES)
    clean.attrib.update(root.attrib)
    clean.text = root.text
    clean.extend(list(root))
    etree.cleanup_namespaces(clean, keep_ns_prefixes=["xlink"])
    return clean


def _declares_anything(tree) -> bool:
    """A DOCTYPE line naming SVG 1.1 is inert (it is never loaded); a subset of its own
    (entities, default attributes such as an onload) would change the document."""
    if tree.docinfo.internalDTD is None:
        return False
    prologue = etree.tostring(tree).split(b"<svg", 1)[0]
    return b"[" in prologue


def _processing_instructions(root) -> list[SvgIssue]:
    """`<?xml-stylesheet?>` fetches a stylesheet: refused. Other processing instructions
    mean nothing to a reader; none is kept (only the root element is written out)."""
    found = []
    siblings = [*root.itersiblings(preceding=True), *root.itersiblings()]
    inside = list(root.iter(etree.ProcessingInstruction))
    for node in [*siblings, *inside]:
        if node.tag is etree.ProcessingInstruction:
            if node.target.lower() == "xml-stylesheet":
                message = "<?xml-stylesheet?> in an SVG is refused: it fetches a stylesheet"
                found.append(SvgIssue(node.sourceline or 1, "SEC012", message))
            if node.getparent() is not None:
                node.getparent().remove(node)
    return found


class _Cleaner:
    """Walks an SVG tree, removing what the allowlist does not admit and noting why."""

    def __init__(self, issues: list[SvgIssue]):
        self.issues = issues

    def refuse(self, element, code: str, message: str) -> None:
        self.issues.append(SvgIssue(element.sourceline or 1, code, message))

    def drop(self, element, message: str) -> None:
        self.issues.append(SvgIssue(element.sourceline or 1, "SEC013", message, refused=False))

    def clean(self, root) -> None:
        stack = [root]
        while stack:
            element = stack.pop()
            if self._keep(element):
                self._clean_attributes(element)
                stack.extend(child for child in element if isinstance(child.tag, str))
            else:
                _remove(element)

    def _keep(self, element) -> bool:
        namespace, local = _split(element.tag)
        if namespace == SVG_NS and local in PLAIN_ELEMENTS:
            return True
        if local.lower() in REFUSED_ELEMENTS:
            code = REFUSED_ELEMENTS[local.lower()]
            self.refuse(element, code, f"<{local}> in an SVG is refused")
            return False
        if namespace != SVG_NS:
            if namespace in ACTIVE_NAMESPACES:
                self.refuse(element, "SEC001", f"<{local}> of {namespace} is refused")
            self._refuse_hidden(element)
            return False  # editors' own data (Inkscape, Illustrator, RDF): never drawn
        if local not in ELEMENTS:
            self.drop(element, f"<{local}> is not drawn in a book: dropped")
            self._refuse_hidden(element)
            return False
        if local in ANIMATION and local != "mpath":
            return self._animation_allowed(element, local)
        if local == "style":
            return self._style_allowed(element)
        return True

    def _refuse_hidden(self, dropped) -> None:
        """A script or handler inside a dropped element goes with it, and is still said:
        whoever put it there should hear of it."""
        for inner in dropped.iterdescendants():
            if not isinstance(inner.tag, str):
                continue
            qname = etree.QName(inner)
            code = REFUSED_ELEMENTS.get(qname.localname.lower())
            if code:
                self.refuse(inner, code, f"<{qname.localname}> in an SVG is refused")
            names = [etree.QName(name).localname for name in inner.attrib]
            handlers = [name for name in names if name.lower().startswith("on")]
            if handlers and qname.namespace in (SVG_NS, *ACTIVE_NAMESPACES):
                message = f"event-handler attribute '{handlers[0]}' in an SVG is refused"
                self.refuse(inner, "SEC003", message)

    def _animation_allowed(self, element, local: str) -> bool:
        if local == "animateMotion":
            return True
        target = (element.get("attributeName") or "").strip()
        if target.split(":")[-1] not in ANIMATABLE:
            self.refuse(
                element,
                "SEC012",
                f"<{local}> of '{target or '?'}' is refused: it may animate "
                "drawing only, never a link, handler or style",
            )
            return False
        return True

    def _style_allowed(self, element) -> bool:
        problems = css_problems(element.text or "", stylesheet=True)
        for code, message in problems:
            self.refuse(element, code, f"<style>: {message}")
        return not problems

    def _clean_attributes(self, element) -> None:
        local = _split(element.tag)[1]
        for name, value in element.items():
            if name in PLAIN_ATTRIBUTES and "(" not in value:
                continue  # most of a drawing: coordinates, colours, fonts
            problem = self._attribute_problem(local, _split(name), value)
            if problem is not None:
                del element.attrib[name]
                if problem:
                    code, message = problem
                    if code == "SEC013":
                        self.drop(element, message)
                    else:
                        self.refuse(element, code, message)

    def _attribute_problem(self, tag: str, name, value: str) -> tuple[str, ...] | None:
        """None: keep it; SILENT: drop it without a word; (code, message): remove it and
        say so."""
        namespace, local = name
        if local.lower().startswith("on") and namespace in (None, SVG_NS):
            return "SEC003", f"event-handler attribute '{local}' in an SVG is refused"
        if namespace == XML_NS:
            if local == "base":
                return "SEC012", "xml:base in an SVG is refused: it moves where links point"
            return None if local in XML_ATTRIBUTES else SILENT
        if namespace == XLINK_NS:
            if local not in XLINK_ATTRIBUTES:
                return SILENT
        elif namespace is not None:
            return SILENT
        elif local not in ATTRIBUTES and not local.startswith(("data-", "aria-")):
            return "SEC013", f"attribute '{local}' on <{tag}> is not drawn in a book: dropped"
        if local == "href":
            return reference_problem(tag, value)
        if "(" in value or local == "style":
            found = css_problems(value, stylesheet=False)
            if found:
                return found[0][0], f"{local}= on <{tag}>: {found[0][1]}"
        return None


def _split(name: str) -> tuple[str | None, str]:
    """(namespace, local name) of an lxml tag or attribute name, without a QName."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return None, name


def _remove(element) -> None:
    parent = element.getparent()
    if parent is not None:
        tail = element.tail
        previous = element.getprevious()
        parent.remove(element)
        if tail and tail.strip():  # keep the text that followed, as a reader would show it
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail


def reference_problem(tag: str, value: str) -> tuple[str, str] | None:
    """Why an href on an SVG element is refused: links by the URL policy, everything
    else points inside the file (`#id`), an <image> also at an inline PNG or JPEG."""
    url = normalize_url(value)
    if url.startswith("#") and tag != "a":
        return None
    scheme = url_scheme(url)
    if tag == "a":
        if url.startswith("#") or scheme in LINK_SCHEMES:
            return None
    elif tag == "image" and scheme == "data":
        return _data_problem(url)
    if is_remote(url):
        return "SEC007", f"'{value[:60]}' in an SVG is remote: books fetch nothing"
    if scheme == "data":
        return "SEC012", f"nested data in <{tag}> of an SVG is refused"
    if scheme is not None and scheme != "file":
        return "SEC004", f"'{scheme}:' in an SVG's href is refused"
    return "SEC006", f"href='{value[:60]}' in an SVG names another file: refused"


def _data_problem(url: str) -> tuple[str, str] | None:
    """An inline image must be a base64 PNG or JPEG that is one: never SVG or HTML."""
    match = DATA_URL.match(url)
    media = (match.group(1) or "").lower() if match else ""
    if not match or media not in RASTER_DATA or not match.group(3):
        return "SEC012", f"nested data '{media or '?'}' in an SVG image is refused (PNG, JPEG only)"
    try:
        head = base64.b64decode(match.group(4)[:64] + "==", validate=False)
    except (binascii.Error, ValueError):
        head = b""
    if not head.startswith(RASTER_DATA[media]):
        return "SEC012", f"nested data in an SVG image is not the {media} it claims to be"
    return None


def css_problems(css: str, stylesheet: bool) -> list[tuple[str, str]]:
    """(code, message) for CSS in an SVG that reaches outside the file or runs code:
    @import, @font-face, url() of anything but `#id`, image() and its kin, expression()."""
    problems: list[tuple[str, str]] = []
    if not stylesheet:
        _css_walk(tinycss2.parse_component_value_list(css, skip_comments=True), problems)
        return problems
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword in ("import", "font-face"):
            problems.append(("SEC007", f"@{rule.lower_at_keyword} is refused"))
        _css_walk(getattr(rule, "prelude", None) or [], problems)
        _css_walk(getattr(rule, "content", None) or [], problems)
    return problems


def _css_walk(tokens, problems: list[tuple[str, str]]) -> None:
    for token in tokens:
        if token.type == "url":
            _css_url(token.value, problems)
        elif token.type == "function":
            name = token.lower_name
            if name == "url" or name in CSS_FETCHING_FUNCTIONS:
                strings = [t.value for t in token.arguments if t.type == "string"]
                for value in strings or ([""] if name != "url" else []):
                    _css_url(value, problems)
            elif name == "expression":
                problems.append(("SEC001", "expression() is refused"))
            _css_walk(token.arguments, problems)
        elif token.type in ("() block", "[] block", "{} block"):
            _css_walk(token.content, problems)


def _css_url(value: str, problems: list[tuple[str, str]]) -> None:
    url = normalize_url(value)
    if url.startswith("#") and len(url) > 1:
        return
    scheme = url_scheme(url)
    code = "SEC007" if is_remote(url) else "SEC006" if scheme in (None, "file") else "SEC012"
    problems.append((code, f"url({value[:60]}) leaves the file: refused"))
