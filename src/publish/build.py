"""The build: read and validate everything, render in memory, then write artifacts."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .cache import ArtifactCache, Hasher, Outcome, theme_fingerprint, tool_fingerprint
from .checks import check_manuscript
from .compose import Numbering, edition_markdown, number_book
from .config import BOOK_FILE, Book, load_book
from .diagrams import load_diagram_theme, render_diagrams
from .edition_context import EditionContext, build_time
from .editions import EDITIONS, FULL, SAMPLE, Edition, choose_editions
from .errors import ERROR, WARNING, Finding, FindingsError, PublishError
from .fsutil import sweep_temporary_files
from .manuscript import MANUSCRIPT_DIR, Manuscript, read_manuscript
from .parallel import Task, default_jobs, run_tasks
from .render_html import Resource, resource_name
from .render_warnings import capture_weasyprint, pandoc_findings, weasyprint_findings
from .theme import DEFAULT_THEME, Theme, load_theme
from .write_epub import MEDIA_TYPES
from .write_manifest import Artifact, describe, write_manifest
from .write_cheatsheets import render_cheatsheets, write_cheatsheets
from .write_templates import render_templates, write_templates

FORMATS = ("epub", "pdf")
CACHE_DIR = ".cache"


@dataclass
class Project:
    """A validated project, ready to render: what `check` and `build` share."""

    root: Path
    book: Book
    manuscript: Manuscript
    theme: Theme
    findings: list[Finding]
    editions: dict[str, Edition]
    numbering: Numbering


@dataclass
class BuildResult:
    out: Path
    artifacts: list[Artifact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    graphviz_runs: int = 0


def load_project(root: Path, strict: bool = False) -> Project:
    """Read and check everything; raise FindingsError when anything is wrong."""
    root = root.resolve()
    if not root.is_dir():
        raise PublishError(f"{root}: no such project directory")
    book = load_book(root)
    manuscript, findings = read_manuscript(root, book)
    findings += check_manuscript(manuscript)
    if strict:
        findings = [_as_error(f) for f in findings]
    if any(f.level == ERROR for f in findings):
        raise FindingsError(findings)
    return Project(root, book, manuscript, load_theme(root), findings,
                   choose_editions(manuscript), number_book(manuscript))


def _as_error(finding: Finding) -> Finding:
    if finding.level != WARNING:
        return finding
    return Finding(finding.path, finding.line, finding.col, ERROR, finding.code,
                   finding.message, finding.hint)


def collect_resources(project: Project, cache: Path) -> tuple[dict[str, Resource], int]:
    """Every image the manuscript uses, with DOT diagrams rendered to SVG."""
    root = project.root / MANUSCRIPT_DIR
    dot_sources, shown, plain = {}, {}, {}
    for chapter in project.manuscript.chapters:
        for image in chapter.scan.images:
            name = resource_name(image.src)
            if image.src.endswith(".dot"):
                dot_sources[name] = root / image.src
                shown[name] = f"{MANUSCRIPT_DIR}/{image.src}"
            else:
                plain[name] = root / image.src
    runs = 0
    resources = {n: Resource(n, p, MEDIA_TYPES[p.suffix.lower()]) for n, p in plain.items()}
    if dot_sources:
        theme = load_diagram_theme(project.theme.file("diagrams.yaml"), project.theme.fonts_dir())
        rendered, runs = render_diagrams(dot_sources, theme, cache / "diagrams", shown)
        resources.update({n: Resource(n, p, "image/svg+xml") for n, p in rendered.items()})
    return resources, runs


def _extras(book: Book) -> dict[str, int]:
    return {"cheatsheets": len(book.cheatsheets), "templates": len(book.templates)}


def build(root: Path, out: Path | None = None, editions: tuple[str, ...] = EDITIONS,
          formats: tuple[str, ...] = FORMATS, strict: bool = False, report=None) -> BuildResult:
    """Build the requested editions and formats of the project at `root`."""
    started = time.monotonic()
    report = report or (lambda message: None)
    report("checking the manuscript")
    project = load_project(root, strict)
    out = (out or project.root / "build").resolve()
    sweep_temporary_files(out)
    result = BuildResult(out, findings=list(project.findings))
    report("rendering diagrams")
    resources, result.graphviz_runs = collect_resources(project, out / CACHE_DIR)
    wanted = [e for e in editions if e in project.editions]
    if SAMPLE in editions and SAMPLE not in project.editions:
        report("no sample declared in book.yaml: skipping the sample edition")
    built_at = build_time()
    contexts = []
    for name in wanted:
        report(f"rendering the {name} edition's HTML")
        parts = edition_markdown(project.manuscript, project.editions[name], project.numbering,
                                 _extras(project.book))
        rendered = render_edition(name, parts, project.numbering, project.book.labels, resources)
        result.findings += pandoc_findings(parts, rendered.warnings)
        cover = generate_cover(project.book.title, project.book.subtitle, project.book.authors,
                               "Free sample" if name == SAMPLE else "", project.book.course,
                               project.theme.fonts_dir())
        contexts.append(EditionContext(project.book, name, rendered, project.theme,
                                       project.root, built_at, cover))
    roots = [project.root, DEFAULT_THEME, out / CACHE_DIR]
    with capture_weasyprint() as pdf_warnings:
        for context in contexts:
            result.artifacts.extend(_write_edition(context, out, formats, roots, report))
        if FULL in wanted:
            result.artifacts.extend(write_full_extras(project, out, roots, built_at, report))
    result.findings += weasyprint_findings(pdf_warnings, project.theme, project.root)
    write_manifest(out, project.book, result.artifacts, built_at.isoformat())
    result.seconds = time.monotonic() - started
    return result


def write_full_extras(project: Project, out: Path, roots: list[Path], built_at,
                      report) -> list[Artifact]:
    """The paid edition's printables: cheatsheets and fillable templates.

    Everything is rendered before anything is written, so a cheatsheet that
    overflows or a template that runs long leaves no half-updated set behind.
    """
    if project.book.cheatsheets:
        report("fitting the cheatsheets on one page")
    sheets = render_cheatsheets(project.manuscript, project.theme, roots, out / CACHE_DIR,
                                built_at)
    if project.book.templates:
        report("rendering the fillable templates")
    templates = render_templates(project.manuscript, project.theme, roots, built_at)
    return write_cheatsheets(sheets, out) + write_templates(templates, out)


def edition_dir(out: Path, edition: str) -> Path:
    return out / edition


def artifact_stem(book: Book, edition: str) -> str:
    return book.slug if edition == FULL else f"{book.slug}-{edition}"


def _write_edition(context: EditionContext, out: Path, formats, roots, report) -> list[Artifact]:
    folder = edition_dir(out, context.edition)
    stem = artifact_stem(context.book, context.edition)
    details = {"title": context.title, "identifier": context.identifier}
    artifacts = []
    if "epub" in formats:
        report(f"writing {context.edition}/{stem}.epub")
        path = folder / f"{stem}.epub"
        write_epub(context, path)
        artifacts.append(describe(path, out, context.edition, "epub", **details))
    if "pdf" in formats:
        report(f"writing {context.edition}/{stem}.pdf")
        path = folder / f"{stem}.pdf"
        pages = write_pdf(context, path, roots)
        artifacts.append(describe(path, out, context.edition, "pdf", pages=pages,
                                  paper=context.book.paper, **details))
    return artifacts
