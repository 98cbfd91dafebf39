"""The build: load and check everything, render in memory, then write artifacts.

`build()` is the one entry point; a `Build` object holds one run's inputs, so two
builds in one process (a preview server, a worker looping over books) never meet.
"""

from __future__ import annotations

import functools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..cache_entries import real_folder
from ..editions.compose import edition_markdown
from ..editions.kinds import EDITION_NAMES, FULL, SAMPLE
from ..errors import Finding
from ..limited import LimitHit
from ..outputs.base import BookJob, Output, OutputJob
from ..outputs.manifest import MANIFEST, Artifact, current_entries, write_manifest
from ..outputs.registry import OUTPUTS, select
from ..project.loader import Project, load_project
from ..project.manuscript import MANUSCRIPT_DIR
from ..project.theme import DEFAULT_THEME
from ..render.context import EditionContext, build_time
from ..render.cover import edition_cover
from ..render.html import limit_finding, pandoc_input, render_edition
from ..render.pandoc_parts import PandocParts, PartStore
from ..render.pdf_engine import load_weasyprint, refusals_as_errors
from ..render.resources import collect_resources
from ..render.warnings import pandoc_findings
from .cache import ArtifactCache, Outcome, theme_fingerprint, tool_fingerprint
from .keys import TaskKeys
from .lock import build_lock
from .out_guard import output_errors, output_folder
from .runner import Task, TaskRunner, default_jobs
from .staging import OutputTree


@dataclass
class BuildResult:
    out: Path
    artifacts: list[Artifact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    graphviz_runs: int = 0


def build(
    root: Path,
    out: Path | None = None,
    editions: tuple[str, ...] = EDITION_NAMES,
    formats: tuple[str, ...] | None = None,
    strict: bool = False,
    report=None,
    jobs: int | None = None,
    allow_remote: bool = False,
    outputs: tuple[Output, ...] = OUTPUTS,
) -> BuildResult:
    """Build the requested editions and formats of the project at `root`.

    `formats` names outputs of `outputs` (the registry; groups such as `printables`
    allowed), all by default. Artifacts whose inputs are unchanged are reused from
    the cache untouched; the rest render in up to `jobs` worker processes (default:
    one per core). One build at a time writes to an output folder; `allow_remote`
    downloads remote images once.
    """
    started = time.monotonic()
    report = report or (lambda message: None)
    report("checking the manuscript")
    project = load_project(root, strict, allow_remote)
    tree = OutputTree(output_folder(project.root, out))
    with output_errors(tree.out), build_lock(tree.out):
        real_folder(tree.cache_dir, tree.out)  # a symlink there would take cache writes out
        tree.sweep()  # inside the lock: never another build's files
        try:
            run = Build(project, tree, editions, select(formats, outputs), report)
            result = run.run(TaskRunner(jobs or default_jobs(), report, project.book.limits))
        finally:
            tree.close()
    result.seconds = time.monotonic() - started
    return result


class Build:
    """One run of the build over a loaded project, writing into one output tree."""

    def __init__(self, project: Project, tree: OutputTree, editions, outputs, report) -> None:
        self.project = project
        self.tree = tree
        self.wanted = [name for name in editions if name in project.editions]
        if SAMPLE.name in editions and SAMPLE.name not in project.editions:
            report("no sample declared in book.yaml: skipping the sample edition")
        self.outputs = outputs
        self.report = report
        self.built_at = build_time()
        self.fetch_roots = [project.root, DEFAULT_THEME, tree.cache_dir]
        self.contexts: dict[str, EditionContext] = {}
        self.pandoc_findings: dict[str, list[Finding]] = {}
        # pandoc part by part, each part's HTML kept on disk: a rebuild renders only the
        # chapters that changed (a preview keeps its parts in memory instead).
        self.pandoc: PandocParts | None = PandocParts(PartStore(tree.cache_dir, tool_fingerprint()))
        self.jobs = 1

    def prepare(self) -> int:
        """Diagrams and images, and each wanted edition's Markdown; how often Graphviz ran."""
        project = self.project
        self.report("rendering diagrams")
        self.resources, graphviz_runs = collect_resources(project, self.tree.cache_dir)
        extras = {"cheatsheets": len(project.book.cheatsheets)}
        extras["templates"] = len(project.book.templates)
        self.sources = {
            name: edition_markdown(
                project.manuscript, project.editions[name], project.numbering, extras
            )
            for name in self.wanted
        }
        return graphviz_runs

    def run(self, runner: TaskRunner) -> BuildResult:
        project, report = self.project, self.report
        result = BuildResult(self.tree.out, findings=list(project.findings))
        result.graphviz_runs = self.prepare()
        tasks = self.plan()
        self.jobs = runner.jobs
        cache = ArtifactCache(self.tree.out, self.tree.cache_dir, self.tree.write_cache)
        outcomes = {task.name: cache.reuse(task.name, task.key) for task in tasks}
        stale = [task for task in tasks if outcomes[task.name] is None]
        needs_pdf_engine = any(task.output.needs_pdf_engine for task in stale)
        self.render({t.edition for t in stale if t.output.needs_html}, needs_pdf_engine)
        if len(stale) < len(tasks):
            report(f"reusing {len(tasks) - len(stale)} unchanged artifact set(s) from the cache")
        outcomes.update(zip([t.name for t in stale], runner.run(stale), strict=True))
        for task in tasks:
            result.artifacts.extend(outcomes[task.name].artifacts)
            result.findings.extend(
                f for f in outcomes[task.name].findings if f not in result.findings
            )
        self.write_book_outputs(result)
        built_at = self.built_at.isoformat()
        tree = self.tree
        write_manifest(
            tree.out,
            project.book,
            result.artifacts,
            built_at,
            tree.write,
            tree.removals,
            project.release,
        )
        self.tree.commit(last=MANIFEST)  # only now, every task done, do new artifacts land
        for task in stale:  # recorded once their files are in place
            cache.store(task.name, task.key, outcomes[task.name])
        cache.write_report()
        return result

    def write_book_outputs(self, result: BuildResult) -> None:
        """The book-scope outputs (ONIX), from every file the build will hold; they
        describe the full edition's products, so a build without it leaves them be."""
        if FULL.name not in self.wanted:
            return
        for output in self.outputs:
            if output.scope == "book":
                entries = current_entries(self.tree.out, result.artifacts, self.tree.removals)
                job = BookJob(self.project, self.tree, self.built_at, self.report, entries)
                result.artifacts.extend(output.write(job))
                result.findings.extend(job.findings)

    def plan(self) -> list[Task]:
        """A task per wanted edition and output that applies to it, each with its key."""
        keys = TaskKeys(self.project, self.resources)
        tasks = []
        for name in self.wanted:
            edition = self.project.editions[name]
            size = sum(len(text) for _, text in self.sources[name])
            for output in self.outputs:
                if output.scope == "edition" and output.applies_to(edition, self.project):
                    key = keys.key(output, edition, self.sources[name])
                    cost = size * output.cost + output.fixed_cost
                    run = functools.partial(self.run_task, name, output)
                    tasks.append(Task(name, output, key, run, cost))
        return tasks

    def render(self, names: set[str], needs_pdf_engine: bool) -> None:
        """The editions' HTML, side by side, with WeasyPrint's slow import alongside."""
        with ThreadPoolExecutor() as pool:
            pending = [pool.submit(load_weasyprint)] if needs_pdf_engine else []
            self.render_parts(sorted(names))
            pending += [pool.submit(self._render_one, name) for name in sorted(names)]
        for future in pending:
            future.result()

    def render_parts(self, names: list[str]) -> None:
        """pandoc on the parts of these editions it has not rendered yet, all in one run
        (the sample's parts are mostly the full edition's), kept on disk with the parts
        of the other editions built (none of an earlier draft, when all are)."""
        if self.pandoc is None or not names:
            return  # None: one pandoc run per edition, in `_render_one`
        where = [(name, i) for name in names for i in range(len(self.sources[name]))]
        texts = [text for name in names for text in pandoc_input(self.sources[name])]
        try:
            self.pandoc.prepare(texts, self.project.book.limits)
        except LimitHit as hit:
            name, hit.part = where[hit.part] if hit.part is not None else (names[0], None)
            raise limit_finding(self.sources[name], hit) from None
        if self.pandoc.store:
            every = [pandoc_input(self.sources[name]) for name in self.wanted]
            prune = set(self.wanted) == set(self.project.editions)
            self.pandoc.store.save([text for texts in every for text in texts], prune)

    def _render_one(self, name: str) -> None:
        self.report(f"rendering the {name} edition's HTML")
        project, edition = self.project, self.project.editions[name]
        parts = self.sources[name]
        book = project.book
        rendered = render_edition(
            edition.kind,
            parts,
            project.numbering,
            book.labels,
            self.resources,
            pandoc=self.pandoc,
            limits=book.limits,
        )
        self.pandoc_findings[name] = pandoc_findings(parts, rendered.warnings)
        cover = self.cover(name)
        self.contexts[name] = EditionContext(
            book,
            edition.kind,
            rendered,
            project.theme,
            project.root,
            self.built_at,
            cover,
            project.minutes(name),
        )

    def cover(self, name: str) -> bytes:
        """The edition's cover image, drawn from book.yaml (a preview keeps it between runs)."""
        project = self.project
        mark = project.editions[name].kind.cover_mark
        fonts = project.theme.fonts_dir()
        return edition_cover(project.book, mark, fonts, project.root / MANUSCRIPT_DIR)

    def job(self, name: str, output: Output) -> OutputJob:
        """What `output` is given to write edition `name` (rendered first if it needs it)."""
        return OutputJob(
            self.project,
            self.project.editions[name],
            self.tree,
            self.fetch_roots,
            self.built_at,
            self.report,
            self.contexts.get(name) if output.needs_html else None,
            jobs=self.jobs,
            parts_key=tool_fingerprint() + theme_fingerprint(self.project.theme),
        )

    def run_task(self, name: str, output: Output) -> Outcome:
        project = self.project
        job = self.job(name, output)
        # Refusals become errors here, in the worker: a BaseException would kill it.
        with refusals_as_errors(project.root):
            artifacts = output.write(job)
        findings = self.pandoc_findings.get(name, []) if output.needs_html else []
        return Outcome(artifacts, findings + job.findings)
