"""The storefront's commands: what changed between two builds, and a buyer's stamped copy.

Registered on the main group in cli.py; kept here so the CLI module stays a short list."""

from __future__ import annotations

from pathlib import Path

import click

from ..editions.kinds import EDITION_NAMES


@click.command(
    "diff",
    short_help="What changed between two builds, per edition and section.",
    epilog="""\b
Examples:
  publish diff old-build/ build/
  publish diff old-build/manifest.json build/ --json > whats-new.json""",
)
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON, for tools.")
def diff_command(old: Path, new: Path, as_json: bool) -> None:
    """Which chapters and sections changed, were added or removed between the build OLD
    and the build NEW (each a build folder or its manifest.json), per edition, with word
    counts, and the changelog entries in between. Compares the text a reader reads, not
    bytes: a rebuild with no change to the text prints "no changes".
    """
    from .diff import diff_builds, diff_json, diff_text

    diff = diff_builds(old, new)
    click.echo(diff_json(diff) if as_json else diff_text(diff))


@click.command(
    "stamp",
    short_help="A buyer's copy of the full edition, or whose copy a file is.",
    epilog="""\b
Examples:
  publish stamp build --buyer "Ada Lovelace" --email ada@example.com --order A-1001
  publish stamp build --buyer "Ada" --email ada@example.com --order A-1 --date 2026-11-28
  publish stamp --identify shared-copy.pdf""",
)
@click.argument("build_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--buyer", help="The buyer's name, as printed (up to 300 characters).")
@click.option("--email", help="The buyer's e-mail address.")
@click.option("--order", "order_id", help="The order id (letters, digits, . _ -).")
@click.option("--date", help="The sale's date, YYYY-MM-DD [default: the build's date].")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder; the copy goes to OUT/ORDER/ [default: stamped/ beside BUILD_DIR].",
)
@click.option(
    "--edition",
    type=click.Choice(EDITION_NAMES),
    default="full",
    show_default=True,
    help="Which edition to stamp (only the full edition is sold).",
)
@click.option(
    "--identify",
    "identify_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Instead of stamping: say which order a stamped EPUB, PDF or text file is.",
)
def stamp_command(build_dir, buyer, email, order_id, date, out, edition, identify_file) -> None:
    """Write one buyer's EPUB and PDF from BUILD_DIR's full edition, without
    rendering again: a licence line on the copyright page and each body page's
    footer, the buyer and order in the metadata, and an invisible fingerprint
    that `--identify` reads back from the copy, a re-zipped EPUB or copied text.
    The same order always gives the same bytes.
    """
    from .stamp import identify_command, stamp_copy

    if identify_file is not None:
        click.echo(identify_command(identify_file))
        return
    missing = [
        n
        for n, v in (
            ("BUILD_DIR", build_dir),
            ("--buyer", buyer),
            ("--email", email),
            ("--order", order_id),
        )
        if v is None
    ]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (or give --identify FILE)")
    for path in stamp_copy(build_dir, buyer, email, order_id, date, out, edition):
        click.echo(f"publish: wrote {path}")
