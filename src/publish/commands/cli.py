"""Command line: parse options, call one function per command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__
from ..checks.store_rules import STORES
from ..editions.kinds import EDITION_NAMES
from ..outputs.registry import format_names
from .check import check_project
from .cli_store import diff_command, stamp_command
from .console import Progress, build_summary, finding_lines, show_progress

PROJECT_ARGUMENT = click.argument(
    "project_dir", default=".", type=click.Path(file_okay=False, path_type=Path)
)
STORE_OPTION = click.option(
    "--store",
    "stores",
    type=click.Choice([*STORES, "all"]),
    multiple=True,
    help="Preflight the built EPUBs against a store's published rules, repeatable: "
    + ", ".join(STORES)
    + " or all.",
)


class InternalError(click.ClickException):
    """A bug in publish, not in the book: one line, unless --debug asks for the traceback."""

    def __init__(self, exc: Exception):
        super().__init__(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)"
        )


class PublishGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # user errors (PublishError is a ClickException) print cleanly, exit 1
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            raise InternalError(exc) from None


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


@click.group(
    cls=PublishGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Start a book, check it, see its numbers, build it:
  publish init my-book
  publish check my-book
  publish stats my-book
  publish build my-book

Run `publish COMMAND --help` for each command's options.""",
)
@click.version_option(__version__, prog_name="publish")
@click.option(
    "--debug",
    is_flag=True,
    envvar="PUBLISH_DEBUG",
    help="Show the full traceback of an internal error (also: PUBLISH_DEBUG=1).",
)
def main(debug: bool) -> None:
    """Build lessons written in Markdown into EPUB 3, print PDF, cheatsheets and templates.

    A project is a folder with manuscript/book.yaml, the chapter files it lists,
    and optionally styles/custom.css. Errors in the book are reported as
    path:line:col: LEVEL CODE message (hint) and exit with status 1.
    """


@main.command(
    "build",
    short_help="Build the EPUB and PDF of each edition.",
    epilog="""\b
Examples:
  publish build                     # the project in this folder, all editions
  publish build my-book --edition sample --format epub
  publish build my-book --strict -v # warnings fail the build; show every step
  publish build my-book --store all # then preflight the EPUBs for every store""",
)
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder [default: PROJECT_DIR/build].",
)
@click.option(
    "--edition",
    type=click.Choice([*EDITION_NAMES, "all"]),
    default="all",
    show_default=True,
    help="Which edition to build.",
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(format_names()),
    multiple=True,
    help="Output, repeatable: epub, pdf, cheatsheets, templates, printables (the full "
    "edition's cheatsheets and templates), or web (a static site per edition, built only "
    "when named) [default: all but web].",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Render up to N artifacts at once [default: one per core].",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Download http(s) images once into build/.cache/remote/ and embed them "
    "[default: refuse them; the build makes no network request].",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Show each step even when not on a terminal, and every renderer warning.",
)
@STORE_OPTION
@click.pass_context
def build_command(
    ctx: click.Context,
    project_dir: Path,
    out: Path | None,
    edition: str,
    formats: tuple[str, ...],
    strict: bool,
    jobs: int | None,
    allow_remote: bool,
    quiet: bool,
    verbose: bool,
    stores: tuple[str, ...],
) -> None:
    """Build the book in PROJECT_DIR (default: the current folder) into build/.

    The same checks as `publish check` run first; if any fails, nothing is
    rendered or written. On a terminal each step is shown with the time since
    the start; warnings from pandoc and WeasyPrint are reported as REN findings.
    """
    from ..engine.build import build  # here: `check` and `--help` need none of it

    editions = EDITION_NAMES if edition == "all" else (edition,)
    progress = Progress(show_progress(quiet, verbose, sys.stderr.isatty()), _echo_err)
    result = build(
        project_dir, out, editions, formats or None, strict, progress, jobs, allow_remote
    )
    for line in finding_lines(result.findings, verbose):
        _echo_err(line)
    if not quiet:
        for line in build_summary(result):
            click.echo(line)
    if stores:
        _store_preflight(ctx, project_dir, stores, strict, out, quiet)


def _store_preflight(
    ctx: click.Context,
    project_dir: Path,
    stores: tuple[str, ...],
    strict: bool,
    out: Path | None = None,
    quiet: bool = False,
) -> None:
    from .preflight import check_stores  # here: zip, Pillow and fontTools only when asked

    _report_check(ctx, check_stores(project_dir, stores, strict, out), quiet)


def _report_check(ctx: click.Context, result, quiet: bool = False) -> None:
    """A check's findings, its summary (on stderr when it failed), and exit 1 on failure."""
    for finding in result.findings:
        click.echo(finding.format())
    if not (quiet and result.ok):
        click.echo(result.summary, err=not result.ok)
    if not result.ok:
        ctx.exit(1)


@main.command(
    "check",
    short_help="Check the book without building it.",
    epilog="""\b
Examples:
  publish check                 # the project in this folder
  publish check my-book --strict
  publish check my-book --store apple --store kobo   # after publish build
  publish check my-book --store all

\b
Exit status: 0 when the book would build, 1 when it would not
(or, with --strict, when there is any warning). With --store: 1 when
a store would refuse a built EPUB, or there is no build.""",
)
@PROJECT_ARGUMENT
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any).")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Accept http(s) images, as `build --allow-remote` would (nothing is downloaded).",
)
@STORE_OPTION
@click.pass_context
def check_command(
    ctx: click.Context,
    project_dir: Path,
    strict: bool,
    allow_remote: bool,
    stores: tuple[str, ...],
) -> None:
    """Check the book in PROJECT_DIR without rendering or writing anything.

    Runs every check `publish build` runs first (book.yaml, chapter files,
    images and diagrams, alt text, links and cross-references, fenced divs,
    headings, front matter) and prints each finding as
    path:line:col: LEVEL CODE message (hint).

    With --store, checks the EPUBs in PROJECT_DIR/build/ (build first) against
    each store's rules instead: EPUBCheck, cover and image sizes, file sizes,
    title, links to other stores, fonts.
    """
    if stores:
        _store_preflight(ctx, project_dir, stores, strict)
        return
    _report_check(ctx, check_project(project_dir, strict, allow_remote))


@main.command(
    "stats",
    short_help="Words, reading time, and where the sample ends.",
    epilog="""\b
Examples:
  publish stats
  publish stats my-book --json | jq '.sample_ends_at'""",
)
@PROJECT_ARGUMENT
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON, for tools.")
def stats_command(project_dir: Path, as_json: bool) -> None:
    """Words, figures, exercises and reading minutes per chapter, and where the sample ends.

    The sample column says whether each chapter is in the free sample (yes,
    partly, no); it is cut exactly as `publish build` cuts it.
    """
    import json  # here, as below: each command imports only what it runs

    from .stats import book_stats, format_table

    stats = book_stats(project_dir)
    click.echo(
        json.dumps(stats.to_json(), indent=2, ensure_ascii=False)
        if as_json
        else format_table(stats)
    )


main.add_command(diff_command)
main.add_command(stamp_command)


@main.command(
    "init",
    short_help="Start a new book, or import one from mdBook, Leanpub or Markdown files.",
    epilog="""\b
Examples:
  publish init my-book && publish build my-book
  publish init my-book --from ~/my-mdbook --copy   # copy its chapters into my-book/
  publish init ~/leanpub-book --from ~/leanpub-book   # book.yaml beside manuscript/""",
)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--from",
    "source",
    metavar="SRC",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Import the book in this folder: an mdBook (book.toml), a Leanpub book "
    "(manuscript/Book.txt) or a folder of Markdown files.",
)
@click.option(
    "--copy",
    is_flag=True,
    help="With --from: copy the chapters and the files beside them into "
    "DIRECTORY/manuscript/ [default: write book.yaml beside them, when DIRECTORY is the "
    "source and its chapters are in manuscript/].",
)
def init_command(directory: Path, source: Path | None, copy: bool) -> None:
    """Start a new book in DIRECTORY (new or empty), ready to build.

    Writes manuscript/book.yaml (values to replace are marked CHANGE ME), two
    short chapters, a Graphviz diagram and an empty styles/custom.css. The
    book builds at once; `publish check` lists the placeholders left.

    With --from SRC, the book in SRC becomes the project instead: book.yaml
    takes its title, authors, language, chapter order and sample, and the
    command prints what it mapped and each thing it could not, with its line.
    """
    if source is None:
        if copy:
            raise click.UsageError("--copy goes with --from SRC")
        from .init import create_project

        written = create_project(directory)
        click.echo(f"publish: created {len(written)} files in {directory}/")
        click.echo(f"next: edit {directory}/manuscript/book.yaml, then `publish build {directory}`")
        return
    from ..importers import import_book

    imported = import_book(source, directory, copy)
    for line in imported.report():
        click.echo(line)
    checked = check_project(directory)
    click.echo(checked.summary)
    click.echo(f"next: `publish check {directory}`, then `publish build {directory}`")


@main.command(
    "preview",
    short_help="Serve the web edition; reload it in the browser on every save.",
    epilog="""\b
Examples:
  publish preview                    # the project here, full edition, http://127.0.0.1:8000/
  publish preview my-book --edition sample --open
  publish preview my-book --port 8080""",
)
@PROJECT_ARGUMENT
@click.option(
    "--edition",
    type=click.Choice(EDITION_NAMES),
    default="full",
    show_default=True,
    help="Which edition to preview.",
)
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    help="Port to serve on; 0 for any free one [default: the first free from 8000].",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to serve on; anything but a loopback address lets other machines read "
    "the preview, and the command says so.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
def preview_command(
    project_dir: Path, edition: str, port: int | None, host: str, open_browser: bool
) -> None:
    """Serve PROJECT_DIR's web edition at http://127.0.0.1:8000/ and keep it current.

    Watches manuscript/ and styles/: each save re-renders the edition and reloads the
    open pages where they were. Errors and warnings show in the terminal and over the
    page, which keeps the last good text until the manuscript builds again. The PDF
    link in the page's corner builds the edition's PDF on demand. Ctrl-C stops it.
    """
    from .preview import run_preview  # here: the server and watcher only for this command

    run_preview(project_dir, edition, port, host, open_browser, _echo_err)
