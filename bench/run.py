"""Time `publish build` against pandoc and WeasyPrint called directly, as whole processes.

For each size: (a) the floor: the direct tool calls our outputs need, run one
after another (dot per diagram; per edition pandoc md->epub, pandoc md->html and
weasyprint html->pdf; per cheatsheet pandoc md->html, then weasyprint and
pdftoppm per paper size; per template pandoc md->html, weasyprint, pandoc
md->docx); (b) a cold build; (c) a rebuild with nothing changed; (d) a
rebuild after editing the last chapter (past the sample cut), one word for another;
(e) a rebuild after a paragraph is added to the middle chapter, so that its page count,
and every later page number, changes; and WeasyPrint alone
on the full edition's print HTML, the reference for memory. Every sample is a
fresh child process (bench/measure.py); the table shows medians and ratios to the
floor, and bench/out/results.json keeps every figure.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pypandoc
from generate import SIZES, generate

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
BIN = Path(sys.executable).parent
PUBLISH = str(BIN / "publish")
WEASYPRINT = str(BIN / "weasyprint")
FLOOR_PANDOC_ARGS = ["--section-divs", "--wrap=none", "--metadata", "title=Benchmark"]
EDITED_WORDS = ("careful", "cautious")
ADDED_PARAGRAPH = (
    "\nA paragraph added by the benchmark, long enough to move the pages after it: "
    + "the team reviews the model, the data and the launch plan once more. " * 12
)


def measure(commands: list[list[str]]) -> dict:
    output = subprocess.run(
        [sys.executable, str(BENCH / "measure.py"), json.dumps(commands)],
        stdout=subprocess.PIPE,  # stderr passes through: a failing build says why
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


def prepared_build(project: Path):
    """A build of `project` with its editions' Markdown made, and nothing written."""
    from publish.engine.build import Build
    from publish.engine.staging import OutputTree
    from publish.outputs.registry import OUTPUTS
    from publish.project.loader import load_project

    loaded = load_project(project)
    run = Build(loaded, OutputTree(project / "build"), tuple(loaded.editions), OUTPUTS, print)
    run.prepare()
    return run


def edition_sources(project: Path) -> dict[str, str]:
    """Each edition's composed Markdown, as publish hands it to pandoc."""
    run = prepared_build(project)
    return {name: "\n\n".join(text for _, text in parts) for name, parts in run.sources.items()}


def floor_commands(project: Path, work: Path) -> list[list[str]]:
    """The direct tool calls for the same outputs, with inputs laid out in `work`."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(project / "manuscript" / "diagrams", work / "diagrams")
    pandoc = pypandoc.get_pandoc_path()
    css = Path(__import__("publish").__file__).parent / "theme" / "print.css"
    commands = [
        ["dot", "-Tsvg", str(dot), "-o", str(dot.with_suffix(".svg"))]
        for dot in sorted((work / "diagrams").glob("*.dot"))
    ]
    for name, markdown in edition_sources(project).items():
        source = work / f"{name}.md"
        source.write_text(re.sub(r"(\]\(diagrams/[^)]+)\.dot\)", r"\1.svg)", markdown))
        common = [pandoc, str(source), f"--resource-path={work}", *FLOOR_PANDOC_ARGS]
        commands.append([*common, "-t", "epub3", "-o", str(work / f"{name}.epub")])
        commands.append([*common, "-s", "-t", "html5", "-o", str(work / f"{name}.html")])
        commands.append(
            [WEASYPRINT, "-s", str(css), str(work / f"{name}.html"), str(work / f"{name}.pdf")]
        )
    return commands + printable_commands(project, work, pandoc)


def printable_commands(project: Path, work: Path, pandoc: str) -> list[list[str]]:
    """Cheatsheets (HTML once, a PDF and a preview per paper size) and templates (PDF, DOCX)."""
    from publish.outputs.cheatsheets import gather_blocks
    from publish.outputs.template_source import read_templates
    from publish.project.loader import load_project

    loaded = load_project(project)
    theme = Path(__import__("publish").__file__).parent / "theme"
    commands = []
    for index, spec in enumerate(loaded.book.cheatsheets):
        source = work / f"{spec.name}.md"
        blocks = gather_blocks(loaded.manuscript, spec, index)
        source.write_text("\n\n".join(f"## {b.title}\n\n{b.markdown}" for b in blocks))
        html = work / f"{spec.name}.html"
        commands.append([pandoc, str(source), *FLOOR_PANDOC_ARGS, "-s", "-o", str(html)])
        for paper in ("a4", "letter"):
            pdf = work / f"{spec.name}-{paper}.pdf"
            stylesheet = [str(theme / "cheatsheet.css")]
            commands.append([WEASYPRINT, "-s", *stylesheet, str(html), str(pdf)])
            commands.append(
                [
                    "pdftoppm",
                    "-png",
                    "-singlefile",
                    "-scale-to-x",
                    "600",
                    "-scale-to-y",
                    "-1",
                    str(pdf),
                    str(pdf.with_suffix("")),
                ]
            )
    for template in read_templates(loaded.manuscript):
        source = work / f"{template.stem}.md"
        source.write_text(template.body)
        html = work / f"{template.stem}.html"
        commands.append([pandoc, str(source), *FLOOR_PANDOC_ARGS, "-s", "-o", str(html)])
        commands.append(
            [
                WEASYPRINT,
                "-s",
                str(theme / "template.css"),
                str(html),
                str(work / f"{template.stem}.pdf"),
            ]
        )
        commands.append(
            [pandoc, str(source), *FLOOR_PANDOC_ARGS, "-o", str(work / f"{template.stem}.docx")]
        )
    return commands


def print_html(project: Path, target: Path) -> Path:
    """The full edition's print HTML exactly as publish gives it to WeasyPrint."""
    from publish.outputs.pdf import pdf_html

    run = prepared_build(project)
    run.render({"full"}, needs_pdf_engine=False)
    target.write_text(pdf_html(run.contexts["full"]), encoding="utf-8")
    return target


def snapshot(out: Path) -> dict[str, int]:
    """Every artifact's mtime, the build cache aside."""
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and ".cache" not in p.parts
    }


def edit_last_chapter(project: Path, run: int) -> None:
    """Swap one word for another, so word counts (and the sample's teaser) stay put."""
    chapter = sorted((project / "manuscript" / "chapters").glob("*.md"))[-1]
    old, new = EDITED_WORDS if run % 2 == 0 else EDITED_WORDS[::-1]
    text = chapter.read_text(encoding="utf-8")
    if old not in text:
        text = text.rstrip("\n") + f" A {new} closing line.\n"
    chapter.write_text(text.replace(old, new, 1), encoding="utf-8")


def grow_middle_chapter(project: Path) -> None:
    """Add a paragraph to the middle chapter: its page count and later folios change."""
    chapters = sorted((project / "manuscript" / "chapters").glob("*.md"))
    chapter = chapters[len(chapters) // 2]
    with chapter.open("a", encoding="utf-8") as text:
        text.write(ADDED_PARAGRAPH)


def choose_pdf_engine(project: Path, engine: str | None) -> None:
    """Lay out the PDFs with `engine` (`whole` or `parts`, book.yaml's `pdf.engine`)."""
    if engine:
        with (project / "manuscript" / "book.yaml").open("a", encoding="utf-8") as book:
            book.write(f"pdf:\n  engine: {engine}\n")


def bench_size(size: str, runs: int, jobs: int | None, engine: str | None = None) -> dict:
    project = generate(size, OUT / "work" / size)
    choose_pdf_engine(project, engine)
    build = [PUBLISH, "build", str(project), "-q"] + ([f"--jobs={jobs}"] if jobs else [])
    # The full edition's screen PDF alone, cold: against WeasyPrint alone on the same text.
    pdf_only = [*build, "--edition=full", "--format=pdf"]
    out = project / "build"
    results: dict = {
        "floor": [],
        "cold": [],
        "nochange": [],
        "edit": [],
        "edit_grow": [],
        "pdf_cold": [],
        "weasyprint_alone": [],
    }
    floor = floor_commands(project, OUT / "work" / f"{size}-floor")
    checks: dict = {
        "nochange_rewritten": [],
        "edit_sample_rewritten": [],
        "edit_full_rewritten": [],
    }
    for run in range(runs):
        print(f"  {size}: run {run + 1}/{runs}", file=sys.stderr)
        results["floor"].append(measure(floor))
        shutil.rmtree(out, ignore_errors=True)
        results["cold"].append(measure([build]))
        before = snapshot(out)
        results["nochange"].append(measure([build]))
        after = snapshot(out)
        checks["nochange_rewritten"].append(sorted(k for k in before if after.get(k) != before[k]))
        edit_last_chapter(project, run)
        results["edit"].append(measure([build]))
        edited = snapshot(out)
        changed = sorted(k for k in after if edited.get(k) != after[k])
        checks["edit_sample_rewritten"].append([k for k in changed if k.startswith("sample/")])
        checks["edit_full_rewritten"].append([k for k in changed if k.startswith("full/")])
        grow_middle_chapter(project)
        results["edit_grow"].append(measure([build]))
        shutil.rmtree(out, ignore_errors=True)
        results["pdf_cold"].append(measure([pdf_only]))
    html = print_html(project, OUT / "work" / f"{size}-print.html")
    alone = [WEASYPRINT, "-u", str(project), str(html), str(OUT / "work" / f"{size}-alone.pdf")]
    results["weasyprint_alone"] = [measure([alone]) for _ in range(runs)]
    return {
        "runs": results,
        "checks": checks,
        "medians": medians(results),
        "floor_commands": len(floor),
    }


def medians(results: dict) -> dict:
    return {
        name: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        for name, runs in results.items()
        if runs
    }


def table(all_results: dict) -> str:
    """Medians; memory ratios compare like with like against WeasyPrint alone."""
    rows = [
        f"{'size':8} {'scenario':17} {'wall s':>8} {'x floor':>8} {'max RSS MiB':>12} "
        f"{'x WP':>6} {'tree PSS MiB':>13} {'x WP':>6}"
    ]
    for size, result in all_results.items():
        m = result["medians"]
        floor_s = m["floor"]["seconds"]
        alone = m["weasyprint_alone"]
        for name, figures in m.items():
            rows.append(
                f"{size:8} {name:17} {figures['seconds']:8.2f} "
                f"{figures['seconds'] / floor_s:8.2f} {figures['max_rss_mib']:12.0f} "
                f"{figures['max_rss_mib'] / alone['max_rss_mib']:6.2f} "
                f"{figures['peak_tree_mib']:13.0f} "
                f"{figures['peak_tree_mib'] / alone['peak_tree_mib']:6.2f}"
            )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated")
    parser.add_argument("--jobs", type=int, help="passed to publish build [default: all cores]")
    parser.add_argument("--pdf-engine", choices=("whole", "parts"), help="book.yaml pdf.engine")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    all_results = {
        size: bench_size(size, args.runs, args.jobs, args.pdf_engine)
        for size in args.sizes.split(",")
    }
    (OUT / "results.json").write_text(json.dumps(all_results, indent=2) + "\n")
    print(table(all_results))
    for size, result in all_results.items():
        print(
            f"{size}: rewritten by a no-change rebuild: {result['checks']['nochange_rewritten']}; "
            f"sample files rewritten by the edit: {result['checks']['edit_sample_rewritten']}"
        )


if __name__ == "__main__":
    main()
