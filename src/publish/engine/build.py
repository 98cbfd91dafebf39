"""The build: read and validate everything, render in memory, then write artifacts."""

from __future__ import annotations

import functools
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.rules import check_manuscript
from ..checks.urls import is_remote
from ..editions.choose import (
    EDITIONS,
    FULL,
    SAMPLE,
    Edition,
    choose_editions,
    rounded_minutes,
    words_per_minute,
)
from ..editions.compose import Numbering, edition_markdown, number_book
from ..errors import ERROR, WARNING, Finding, FindingsError, PublishError
from ..outputs.cheatsheets import render_cheatsheets, write_cheatsheets
from ..outputs.epub import MEDIA_TYPES, accessibility_claims, write_epub
from ..outputs.manifest import MANIFEST, Artifact, describe, write_manifest
from ..outputs.templates import render_templates, write_templates
from ..project.config import BOOK_FILE, Book, load_book
from ..project.manuscript import MANUSCRIPT_DIR, Manuscript, read_manuscript
from ..project.theme import DEFAULT_THEME, Theme, load_theme
from ..render.context import EditionContext, build_time
from ..render.cover import edition_cover
from ..render.diagrams import load_diagram_theme, render_diagrams
from ..render.html import Resource, render_edition, resource_name
from ..render.pdf_engine import load_weasyprint, refusals_as_errors
from ..render.remote import fetch_remote_images
from ..render.warnings import capture_weasyprint, pandoc_findings, weasyprint_findings
from .cache import ArtifactCache, Hasher, Outcome, theme_fingerprint, tool_fingerprint
from .lock import build_lock
from .runner import Task, default_jobs, run_tasks
from .staging import commit_staged, remove_staging, stage_beside, sweep_temporary_files

PRINTABLES = "printables"
EDITION_FORMATS = ("epub", "pdf")
# `printables`: the full edition's cheatsheets and fillable templates.
FORMATS = (*EDITION_FORMATS, PRINTABLES)
CACHE_DIR = ".cache"
# Rough relative durations, to start the longest tasks first: WeasyPrint takes about
# four times what ebooklib takes on the same text; a printable is a short PDF or two.
PDF_COST = 4
PRINTABLE_COST = 20_000


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


def load_project(root: Path, strict: bool = False, allow_remote: bool = False) -> Project:
    """Read and check everything; raise FindingsError when anything is wrong.

    Remote images are refused unless `allow_remote` (`--allow-remote`).
    """
    root = root.resolve()
    if not root.is_dir():
        raise PublishError(
            f"{root}: no such project directory (give the folder that holds manuscript/book.yaml,"
            " or start one with `publish init DIR`)"
        )
    book = load_book(root)
    manuscript, findings = read_manuscript(root, book)
    findings += check_manuscript(manuscript, allow_remote)
    if strict:
        findings = [_as_error(f) for f in findings]
    if any(f.level == ERROR for f in findings):
        raise FindingsError(findings)
    return Project(
        root,
        book,
        manuscript,
        load_theme(root),
        findings,
        choose_editions(manuscript),
        number_book(manuscript),
    )


def _as_error(finding: Finding) -> Finding:
    if finding.level != WARNING:
        return finding
    return Finding(
        finding.path, finding.line, finding.col, ERROR, finding.code, finding.message, finding.hint
    )


def collect_resources(project: Project, cache: Path) -> tuple[dict[str, Resource], int]:
    """Every image the manuscript uses, with DOT diagrams rendered to SVG."""
    root = project.root / MANUSCRIPT_DIR
    dot_sources, shown, plain = {}, {}, {}
    for chapter in project.manuscript.chapters:
        for image in chapter.scan.images:
            name = resource_name(image.src)
            if is_remote(image.src):  # only there with --allow-remote: checks refuse it
                continue
            if image.src.endswith(".dot"):
                dot_sources[name] = root / image.src
                shown[name] = f"{MANUSCRIPT_DIR}/{image.src}"
            else:
                plain[name] = root / image.src
    remote = fetch_remote_images(project.manuscript.chapters, cache)
    plain.update({resource_name(url): path for url, path in remote.items()})
    runs = 0
    resources = {n: Resource(n, p, MEDIA_TYPES[p.suffix.lower()]) for n, p in plain.items()}
    if dot_sources:
        theme = load_diagram_theme(project.theme.file("diagrams.yaml"), project.theme.fonts_dir())
        rendered, runs = render_diagrams(dot_sources, theme, cache / "diagrams", shown)
        resources.update({n: Resource(n, p, "image/svg+xml") for n, p in rendered.items()})
    return resources, runs


def edition_minutes(project: Project, name: str) -> int:
    """An edition's reading time, as its teaser and `publish stats` count it."""
    words = project.editions[name].words
    if name == FULL:
        words += project.numbering.answer_words
    return rounded_minutes(words, words_per_minute(project.manuscript))


def _extras(book: Book) -> dict[str, int]:
    return {"cheatsheets": len(book.cheatsheets), "templates": len(book.templates)}


def build(
    root: Path,
    out: Path | None = None,
    editions: tuple[str, ...] = EDITIONS,
    formats: tuple[str, ...] = FORMATS,
    strict: bool = False,
    report=None,
    jobs: int | None = None,
    allow_remote: bool = False,
) -> BuildResult:
    """Build the requested editions and formats of the project at `root`.

    Artifacts whose inputs are unchanged are reused from the cache untouched; the
    rest render in up to `jobs` worker processes (default: one per core). One build
    at a time writes to an output folder; `allow_remote` downloads remote images once.
    """
    started = time.monotonic()
    report = report or (lambda message: None)
    report("checking the manuscript")
    project = load_project(root, strict, allow_remote)
    out = (out or project.root / "build").resolve()
    with build_lock(out):
        stage_beside(out)
        sweep_temporary_files(out)  # inside the lock: never another build's files
        try:
            return _build_locked(project, out, editions, formats, report, jobs, started)
        finally:
            remove_staging(out)


def _build_locked(
    project: Project, out: Path, editions, formats, report, jobs, started: float
) -> BuildResult:
    """What `build` does once it holds the output folder's lock."""
    result = BuildResult(out, findings=list(project.findings))
    report("rendering diagrams")
    resources, result.graphviz_runs = collect_resources(project, out / CACHE_DIR)
    wanted = [e for e in editions if e in project.editions]
    if SAMPLE in editions and SAMPLE not in project.editions:
        report("no sample declared in book.yaml: skipping the sample edition")
    built_at = build_time()
    sources = {
        name: edition_markdown(
            project.manuscript, project.editions[name], project.numbering, _extras(project.book)
        )
        for name in wanted
    }
    rendering = _Rendering(project, out, resources, built_at, report)
    tasks = _plan(rendering, sources, formats)
    cache = ArtifactCache(out, out / CACHE_DIR)
    outcomes = {task.name: cache.reuse(task.name, task.key) for task in tasks}
    stale = [task for task in tasks if outcomes[task.name] is None]
    rendering.render(
        _editions_to_render(stale),
        sources,
        needs_weasyprint=any(not task.name.endswith("-epub") for task in stale),
    )
    if len(stale) < len(tasks):
        report(f"reusing {len(tasks) - len(stale)} unchanged artifact set(s) from the cache")
    finished = run_tasks(stale, jobs or default_jobs(), report)
    outcomes.update(zip([task.name for task in stale], finished, strict=True))
    for task in tasks:
        result.artifacts.extend(outcomes[task.name].artifacts)
        result.findings.extend(f for f in outcomes[task.name].findings if f not in result.findings)
    write_manifest(out, project.book, result.artifacts, built_at.isoformat())
    commit_staged(out, last=MANIFEST)  # only now, every task done, do new artifacts land
    for task in stale:  # recorded once their files are in place
        cache.store(task.name, task.key, outcomes[task.name])
    cache.write_report()
    result.seconds = time.monotonic() - started
    return result


class _Rendering:
    """The editions' HTML, rendered only for the tasks that need it, and those tasks.

    Tasks are methods of this object, so workers forked after `render` find the
    rendered editions in memory instead of receiving them pickled.
    """

    def __init__(
        self, project: Project, out: Path, resources: dict[str, Resource], built_at, report
    ) -> None:
        self.project = project
        self.out = out
        self.resources = resources
        self.built_at = built_at
        self.report = report
        self.roots = [project.root, DEFAULT_THEME, out / CACHE_DIR]
        self.contexts: dict[str, EditionContext] = {}
        self.pandoc_findings: dict[str, list[Finding]] = {}
        self.common_inputs = _common_inputs(project)

    def render(self, names: set[str], sources: dict, needs_weasyprint: bool) -> None:
        """One pandoc run per edition, all at once, with WeasyPrint's slow import alongside."""
        with ThreadPoolExecutor() as pool:
            pending = [pool.submit(self._render_one, name, sources[name]) for name in sorted(names)]
            if needs_weasyprint:
                pending.append(pool.submit(load_weasyprint))
        for future in pending:
            future.result()

    def _render_one(self, name: str, parts: list) -> None:
        self.report(f"rendering the {name} edition's HTML")
        book = self.project.book
        rendered = render_edition(name, parts, self.project.numbering, book.labels, self.resources)
        self.pandoc_findings[name] = pandoc_findings(parts, rendered.warnings)
        label = "Free sample" if name == SAMPLE else ""
        cover = edition_cover(
            book, label, self.project.theme.fonts_dir(), self.project.root / MANUSCRIPT_DIR
        )
        self.contexts[name] = EditionContext(
            book,
            name,
            rendered,
            self.project.theme,
            self.project.root,
            self.built_at,
            cover,
            edition_minutes(self.project, name),
        )

    def edition_task(self, name: str, fmt: str) -> Outcome:
        # Refusals become errors here, in the worker: a BaseException would kill it.
        with capture_weasyprint() as records, refusals_as_errors(self.project.root):
            artifacts = _write_edition(
                self.contexts[name], self.out, (fmt,), self.roots, self.report
            )
        return Outcome(artifacts, self.pandoc_findings[name] + self._findings(records))

    def printables_task(self) -> Outcome:
        with capture_weasyprint() as records, refusals_as_errors(self.project.root):
            artifacts = write_full_extras(
                self.project, self.out, self.roots, self.built_at, self.report
            )
        return Outcome(artifacts, self._findings(records))

    def _findings(self, records) -> list[Finding]:
        return weasyprint_findings(records, self.project.theme, self.project.root)


def _plan(rendering: _Rendering, sources: dict, formats: tuple[str, ...]) -> list[Task]:
    """A task per edition and format, and one for the printables, each with its key."""
    tasks = []
    for name, parts in sources.items():
        key = _edition_key(rendering, name, parts)
        size = sum(len(text) for _, text in parts)
        for fmt in (f for f in formats if f in EDITION_FORMATS):
            tasks.append(
                Task(
                    f"{name}-{fmt}",
                    Hasher().add(fmt, key).hexdigest(),
                    functools.partial(rendering.edition_task, name, fmt),
                    size * PDF_COST if fmt == "pdf" else size,
                )
            )
    book = rendering.project.book
    if PRINTABLES in formats and FULL in sources and (book.cheatsheets or book.templates):
        count = 2 * len(book.cheatsheets) + len(book.templates)
        tasks.append(
            Task(
                PRINTABLES,
                _printables_key(rendering),
                rendering.printables_task,
                count * PRINTABLE_COST,
            )
        )
    return tasks


def _editions_to_render(stale: list[Task]) -> set[str]:
    return {task.name.split("-")[0] for task in stale if task.name != PRINTABLES}


def _common_inputs(project: Project) -> Hasher:
    """What every artifact depends on: book.yaml, the theme and the tools."""
    hasher = Hasher().add("tools", tool_fingerprint())
    hasher.add("theme", theme_fingerprint(project.theme))
    hasher.add_file("book.yaml", project.root / BOOK_FILE)
    if project.book.cover:
        hasher.add_file("cover", project.root / MANUSCRIPT_DIR / project.book.cover)
    return hasher


def _edition_key(rendering: _Rendering, name: str, parts: list) -> str:
    """The edition's own Markdown and images: a sample is blind to edits past its cut."""
    project = rendering.project
    hasher = rendering.common_inputs.copy().add("edition", name)
    for _chapter, text in parts:
        hasher.add("markdown", text)
    # Cross-references to figures outside the edition still print their numbers.
    hasher.add("figures", json.dumps(project.numbering.figures, sort_keys=True))
    hasher.add("answers", json.dumps(sorted(project.numbering.answers)))
    edition = project.editions[name]
    images = {
        resource_name(image.src)
        for unit in edition.units
        for image in unit.chapter.scan.images
        if unit.start <= image.line <= unit.end
    }
    for image in sorted(images & rendering.resources.keys()):
        hasher.add_file(image, rendering.resources[image].path)
    return hasher.hexdigest()


def _printables_key(rendering: _Rendering) -> str:
    """Cheatsheets gather from any chapter, templates are files of their own."""
    project = rendering.project
    hasher = rendering.common_inputs.copy().add("printables", "")
    for chapter in project.manuscript.chapters:
        hasher.add_file(chapter.name, chapter.path)
    for template in project.book.templates:
        hasher.add_file(template, project.root / MANUSCRIPT_DIR / template)
    for name, resource in sorted(rendering.resources.items()):
        hasher.add_file(name, resource.path)
    return hasher.hexdigest()


def write_full_extras(
    project: Project, out: Path, roots: list[Path], built_at, report
) -> list[Artifact]:
    """The paid edition's printables: cheatsheets and fillable templates.

    Everything is rendered before anything is written, so a cheatsheet that
    overflows or a template that runs long leaves no half-updated set behind.
    """
    if project.book.cheatsheets:
        report("fitting the cheatsheets on one page")
    sheets = render_cheatsheets(project.manuscript, project.theme, roots, out / CACHE_DIR, built_at)
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
    details = {
        "title": context.title,
        "identifier": context.identifier,
        "extra": {"reading_minutes": context.reading_minutes},
    }
    artifacts = []
    if "epub" in formats:
        report(f"writing {context.edition}/{stem}.epub")
        path = folder / f"{stem}.epub"
        write_epub(context, path)
        artifact = describe(path, out, context.edition, "epub", **details)
        artifact.extra = {**artifact.extra, "accessibility": accessibility_claims(context)}
        artifacts.append(artifact)
    if "pdf" in formats:
        from ..outputs.pdf import write_pdf  # here: its imports would slow every no-op rebuild

        report(f"writing {context.edition}/{stem}.pdf")
        path = folder / f"{stem}.pdf"
        pages = write_pdf(context, path, roots)
        artifacts.append(
            describe(
                path, out, context.edition, "pdf", pages=pages, paper=context.book.paper, **details
            )
        )
    return artifacts
