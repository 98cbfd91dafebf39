"""Graphviz attributes that read files or carry links, read by Graphviz's own parser.

A line scanner cannot see an attribute written `"im" + "age" = ...`, split over
lines, quoted, or set as a default of a subgraph. `gvpr` (Graphviz's graph
processor, the same cgraph parser `dot` uses, without any layout: a 100,000-edge
graph takes about a second) lists every attribute value the graph really holds;
those that read a file (image, shapefile, imagepath, fontpath, stylesheet, an
HTML label's <IMG>) or link outside the URL policy are refused, at the source
line that names them. styles/diagrams.yaml's attributes, passed to every run,
are judged by the same rules, read as YAML however they are written.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import yaml

from ..errors import ERROR, Finding, FindingsError, PublishError
from ..render.svg_sanitize import reference_problem
from ..urls import normalize_url, refused_link_scheme, url_scheme

FILE_ATTRIBUTES = {"image", "shapefile", "imagepath", "fontpath", "stylesheet"}
HTML_IMAGE = re.compile(r"<\s*img\b", re.I)
HTML_LINK = re.compile(r"""\b(href|url)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
GVPR_SECONDS = 60
DRAW_HINT = "draw the diagram with nodes and edges only"
LINK_HINT = "links may use https:, http:, mailto: or point inside the book (#id)"
RECORD, UNIT = "\x1e", "\x1f"
# Every distinct (attribute, value) pair of the graph, its subgraphs, nodes, edges and
# their defaults, once each.
LIST_ATTRIBUTES = r"""
BEG_G {
  int seen[string]; graph_t todo[int]; int top = 0; graph_t sg; string a; string v;
  todo[top++] = $G;
  while (top > 0) {
    sg = todo[--top];
    for (a = fstAttr($G, "G"); a != ""; a = nxtAttr($G, "G", a)) {
      v = a + "\x1f" + aget(sg, a); if (!(v in seen)) { seen[v] = 1; printf("%s\x1e", v); }
    }
    for (sg = fstsubg(sg); sg != NULL; sg = nxtsubg(sg)) todo[top++] = sg;
  }
  for (a = fstAttr($G, "N"); a != ""; a = nxtAttr($G, "N", a)) {
    v = a + "\x1f" + getDflt($G, "N", a); if (!(v in seen)) { seen[v] = 1; printf("%s\x1e", v); }
  }
  for (a = fstAttr($G, "E"); a != ""; a = nxtAttr($G, "E", a)) {
    v = a + "\x1f" + getDflt($G, "E", a); if (!(v in seen)) { seen[v] = 1; printf("%s\x1e", v); }
  }
}
N { for (a = fstAttr($G, "N"); a != ""; a = nxtAttr($G, "N", a)) {
  v = a + "\x1f" + aget($, a); if (!(v in seen)) { seen[v] = 1; printf("%s\x1e", v); } } }
E { for (a = fstAttr($G, "E"); a != ""; a = nxtAttr($G, "E", a)) {
  v = a + "\x1f" + aget($, a); if (!(v in seen)) { seen[v] = 1; printf("%s\x1e", v); } } }
"""


def attribute_problem(name: str, value: str) -> tuple[str, str, str] | None:
    """(code, message, hint) when a Graphviz attribute reads a file or links outside the
    URL policy; None when it only draws."""
    key = name.strip().lower()
    if not value.strip():
        return None
    if key in FILE_ATTRIBUTES:
        return "SEC010", f"'{name}' makes Graphviz read a file", DRAW_HINT
    if key.endswith(("url", "href")):
        return _link_problem(name, value)
    if key.endswith("tooltip") and refused_link_scheme(value):
        return "SEC004", f"{name}= reads as a '{refused_link_scheme(value)}:' link", LINK_HINT
    if HTML_IMAGE.search(value):
        return (
            "SEC010",
            f"<IMG> in the HTML label of '{name}' makes Graphviz read a file",
            DRAW_HINT,
        )
    for match in HTML_LINK.finditer(value):
        target = match.group(2) if match.group(2) is not None else match.group(3)
        problem = _link_problem(f"{match.group(1)} in an HTML label", target)
        if problem:
            return problem
    return None


def _link_problem(name: str, value: str) -> tuple[str, str, str] | None:
    """A Graphviz link becomes an SVG <a>: the sanitizer's rule for links, said of DOT."""
    problem = reference_problem("a", value)
    if problem is None:
        return None
    scheme = url_scheme(value)
    if problem[0] == "SEC006":
        message = f"{name}={value[:60]!r} is neither a web address nor #id"
    else:
        message = f"{name}= links to '{scheme}:', which a book refuses"
    return problem[0], message, LINK_HINT


def graph_attributes(source: bytes, shown: str) -> list[tuple[str, str]] | None:
    """Every distinct (name, value) the graph holds, as Graphviz parses it; None when it
    cannot parse it: `dot` then stops at the same line when the build draws the diagram,
    and `check` stays light."""
    gvpr = shutil.which("gvpr")
    if gvpr is None:
        raise PublishError("Graphviz's gvpr is not installed: install Graphviz in full")
    try:
        result = subprocess.run(
            [gvpr, LIST_ATTRIBUTES], input=source, capture_output=True, timeout=GVPR_SECONDS
        )
    except subprocess.TimeoutExpired:
        message = f"Graphviz could not read this diagram within {GVPR_SECONDS} s"
        hint = "split it into smaller diagrams"
        raise FindingsError([Finding(shown, 1, 1, ERROR, "DIA001", message, hint)]) from None
    if result.returncode != 0 or b"rror" in result.stderr:
        return None
    records = result.stdout.decode("utf-8", "replace").split(RECORD)
    return [(name, value) for name, value in (r.split(UNIT, 1) for r in records if UNIT in r)]


def check_dot(source: bytes, shown: str) -> list[Finding]:
    """Findings for every attribute of a DOT file that reads a file or links outside."""
    try:
        attributes = graph_attributes(source, shown) or []
    except FindingsError as exc:
        return list(exc.findings)
    text = source.decode("utf-8", "replace")
    findings = []
    for name, value in attributes:
        problem = attribute_problem(name, value)
        if problem:
            code, message, hint = problem
            line = locate_in_dot(text, name, value)
            findings.append(Finding(shown, line, 1, ERROR, code, message, hint))
    return findings


def locate_in_dot(text: str, name: str, value: str) -> int:
    """The line that names the attribute (quoted or not) or, failing that, holds its value."""
    lines = text.splitlines()
    named = re.compile(rf"""(?<![\w"])"?{re.escape(name)}"?\s*(=|$)""")
    for number, line in enumerate(lines, 1):
        if named.search(line):
            return number
    return find_text(lines, value)


def find_text(lines: list[str], value: str) -> int:
    """The first line holding the longest leading piece of `value` found (≥ 4 characters)."""
    wanted = normalize_url(value).lower()
    for size in (40, 16, 8, 4):
        piece = wanted[:size]
        if len(piece) < min(size, 4):
            break
        for number, line in enumerate(lines, 1):
            if piece in normalize_url(line).lower():
                return number
    return 1


def check_diagram_theme(text: str, shown: str) -> list[Finding]:
    """styles/diagrams.yaml passes its attributes to every Graphviz run: same rules, on
    the values YAML gives (flow mappings, quoted keys and anchors resolved)."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return []  # the build's loader reports the YAML error itself
    lines = text.splitlines()
    findings = []
    for section in ("graph", "node", "edge"):
        attributes = data.get(section) if isinstance(data, dict) else None
        for name, value in (attributes or {}).items() if isinstance(attributes, dict) else ():
            problem = attribute_problem(str(name), str(value))
            if problem:
                code, message, hint = problem
                line = _key_line(lines, str(name))
                findings.append(Finding(shown, line, 1, ERROR, code, message, hint))
    return findings


def _key_line(lines: list[str], key: str) -> int:
    """The line of a YAML key, plain, quoted or inside a flow mapping."""
    pattern = re.compile(rf"""(^|[\s{{,])["']?{re.escape(key)}["']?\s*:""")
    return next((n for n, line in enumerate(lines, 1) if pattern.search(line)), 1)
