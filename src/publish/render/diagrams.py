"""Render Graphviz DOT diagrams to SVG in the theme's fonts and colours.

Theme attributes are passed as Graphviz defaults (`-G`, `-N`, `-E`), so any
attribute a diagram sets itself wins. Results are cached by the hash of the
source, the theme attributes and the Graphviz version.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..cache_entries import read_entry, real_folder, write_entry
from ..checks.dot_attributes import find_text
from ..errors import ERROR, Finding, FindingsError, PublishError
from ..files import staging_dir, write_atomic
from ..limited import Limited, LimitHit
from ..project.config_limits import DEFAULT_LIMITS, Limits
from ..project.yaml_safe import error_code, error_place, error_problem, load_yaml
from .svg_sanitize import inspect_svg, svg_findings

DOT_ERROR_LINE = re.compile(r"line (\d+)")
EDGE_OPERATOR = re.compile(rb"->|--")
SVG_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
SVG_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)


@dataclass(frozen=True)
class DiagramTheme:
    graph: dict[str, str]
    node: dict[str, str]
    edge: dict[str, str]
    fonts_dir: Path | None

    def arguments(self) -> list[str]:
        args = []
        for flag, attrs in (("-G", self.graph), ("-N", self.node), ("-E", self.edge)):
            args.extend(f"{flag}{key}={value}" for key, value in sorted(attrs.items()))
        return args


def load_diagram_theme(path: Path, fonts_dir: Path | None) -> DiagramTheme:
    shown = f"{path.parent.name}/{path.name}"
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        line, col = error_place(exc, text)
        code = error_code(exc, "CFG004")
        raise FindingsError([Finding(shown, line, col, ERROR, code, error_problem(exc))]) from None
    sections = (
        [data.get(k) or {} for k in ("graph", "node", "edge")] if isinstance(data, dict) else [0]
    )
    if not all(isinstance(section, dict) for section in sections):
        message = "diagrams.yaml must map graph, node and edge to attributes"
        raise FindingsError([Finding(shown, 1, 1, ERROR, "CFG002", message)])
    return DiagramTheme(
        {k: str(v) for k, v in (data.get("graph") or {}).items()},
        {k: str(v) for k, v in (data.get("node") or {}).items()},
        {k: str(v) for k, v in (data.get("edge") or {}).items()},
        fonts_dir,
    )


def graphviz_version() -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise PublishError(
            "Graphviz is not installed, and the book has diagrams: "
            "install it with `apt-get install graphviz` (or `make build` as root)"
        )
    result = subprocess.run([dot, "-V"], capture_output=True, text=True, check=False)
    return (result.stderr or result.stdout).strip()


def diagram_key(source: bytes, theme: DiagramTheme, version: str) -> str:
    digest = hashlib.sha256()
    for part in (source, "\0".join(theme.arguments()).encode(), version.encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:32]


def _fontconfig_env(theme: DiagramTheme, cache_dir: Path) -> dict[str, str]:
    """Graphviz measures text with fontconfig: let it see the theme's fonts."""
    env = dict(os.environ)
    if theme.fonts_dir is None:
        return env
    conf = cache_dir / "fonts.conf"
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{theme.fonts_dir}</dir>\n  <cachedir>{cache_dir / 'fontconfig'}</cachedir>\n"
        "</fontconfig>\n"
    )
    out = cache_dir.parent.parent
    real_folder(cache_dir / "fontconfig", out)  # fontconfig writes there: never through a link
    if conf.is_symlink() or not conf.exists() or conf.read_text() != text:
        write_atomic(conf, text.encode(), staging_dir(out))
    env["FONTCONFIG_FILE"] = str(conf)
    return env


def clean_svg(svg: str) -> str:
    """Drop the XML prologue, DOCTYPE and generator comments: they vary and add nothing."""
    return SVG_COMMENT.sub("", SVG_PROLOGUE.sub("", svg, count=1))


def render_diagrams(
    sources: dict[str, Path],
    theme: DiagramTheme,
    cache_dir: Path,
    shown_names: dict[str, str],
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[dict[str, Path], int]:
    """SVG files for each DOT source (by key), and how many Graphviz runs it took.

    Uncached diagrams render concurrently, one `dot` process each, each within
    `limits`; a cached SVG is used only when verified (cache_entries.py).
    """
    cache_root = cache_dir.parent
    real_folder(cache_dir, cache_root.parent)
    version = graphviz_version()
    results: dict[str, Path] = {}
    pending, findings = [], []
    env = _fontconfig_env(theme, cache_dir)
    for name, path in sources.items():
        source = path.read_bytes()
        target = cache_dir / f"{diagram_key(source, theme, version)}.svg"
        results[name] = target
        if read_entry(target) is not None:
            continue
        if refused := diagram_size_finding(source, shown_names[name], limits):
            findings.append(refused)
            continue
        command = ["dot", "-Tsvg", *theme.arguments()]
        pending.append((name, target, Limited(command, limits, "Graphviz", env), source))
    for name, target, process, source in pending:
        try:
            result = process.finish(source)
        except LimitHit as hit:
            findings.append(Finding(shown_names[name], 1, 1, ERROR, hit.code, hit.message))
            continue
        svg = clean_svg(result.stdout.decode("utf-8", "replace")).encode("utf-8")
        if result.returncode != 0 or not svg.startswith(b"<svg"):  # binary input: no graph
            findings.append(_dot_error(result.stderr, shown_names[name]))
            continue
        sanitized = inspect_svg(svg)
        if sanitized.refused:
            findings += _in_dot_source(sanitized.refused, source, shown_names[name])
            continue
        write_entry(target, sanitized.data, cache_root)
    if findings:
        raise FindingsError(findings)
    _record_runs(cache_dir, len(pending))
    return results, len(pending)


def _in_dot_source(issues, source: bytes, shown: str) -> list[Finding]:
    """What the sanitizer refused in Graphviz's drawing, at the DOT line that asked for it
    (a node named `javascript:...` linked by `URL="\\N"`, say)."""
    lines = source.decode("utf-8", "replace").splitlines()
    return svg_findings(issues, shown, lambda issue: find_text(lines, _quoted(issue.message)))


def _quoted(message: str) -> str:
    found = re.search(r"'([^']+)'", message)
    return found.group(1) if found else message


def _dot_error(stderr: bytes, shown: str) -> Finding:
    message = stderr.decode("utf-8", "replace").strip()
    found = DOT_ERROR_LINE.search(message)
    line = int(found.group(1)) if found else 1
    text = message.replace("<stdin>:", "").replace("Error:", "").strip() or "no graph in it"
    text = "".join(c if c.isprintable() else "?" for c in text)[:300]
    return Finding(shown, line, 1, ERROR, "DIA001", f"Graphviz cannot read this diagram: {text}")


def diagram_size_finding(source: bytes, shown: str, limits: Limits) -> Finding | None:
    """LIM009 at the line where a diagram passes its edge limit: Graphviz's layout time
    grows far faster than its size (600 random edges can take minutes)."""
    count = 0
    for number, line in enumerate(source.split(b"\n"), 1):
        count += len(EDGE_OPERATOR.findall(line))
        if count > limits.max_diagram_edges:
            message = f"more than {limits.max_diagram_edges} edges in one diagram (the limit)"
            return Finding(shown, number, 1, ERROR, "LIM009", message)
    return None


def _record_runs(cache_dir: Path, runs: int) -> None:
    """Keep the last build's Graphviz run count, for tests and `-v` output."""
    write_atomic(
        cache_dir / "last-runs.txt", f"{runs}\n".encode(), staging_dir(cache_dir.parent.parent)
    )
