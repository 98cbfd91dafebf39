"""Command line: parse options, call one function per command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .build import FORMATS, build
from .editions import EDITIONS


def _report(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"publish: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publish")
def main() -> None:
    """Build lessons written in Markdown into EPUB 3, print PDF, cheatsheets and templates."""


@main.command("build")
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: PROJECT_DIR/build].")
@click.option("--edition", type=click.Choice([*EDITIONS, "all"]), default="all", show_default=True,
              help="Which edition to build.")
@click.option("--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Output format; repeat for several [default: all].")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def build_command(project_dir: Path, out: Path | None, edition: str, formats: tuple[str, ...],
                  strict: bool, quiet: bool) -> None:
    """Build the book in PROJECT_DIR (default: the current folder) into build/."""
    editions = EDITIONS if edition == "all" else (edition,)
    result = build(project_dir, out, editions, formats or FORMATS, strict, _report(quiet))
    for finding in result.findings:
        click.echo(finding.format(), err=True)
    if not quiet:
        for artifact in result.artifacts:
            pages = f", {artifact.pages} pages" if artifact.pages else ""
            click.echo(f"  {artifact.path}  ({artifact.bytes / 1024:.0f} KiB{pages})")
        click.echo(f"publish: built {len(result.artifacts)} file(s) in {result.out} "
                   f"in {result.seconds:.1f} s")
