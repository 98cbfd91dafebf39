"""Every output, registered in one place: the CLI's `--format`, the planner and the
cache all read this table. A new output is one module and one line here."""

from __future__ import annotations

from .base import Output

EPUB = Output("epub", "publish.outputs.epub:write", needs_html=True, needs_pdf_engine=False)
# WeasyPrint takes about four times what ebooklib takes on the same text.
PDF = Output("pdf", "publish.outputs.pdf:write", needs_html=True, needs_pdf_engine=True, cost=4)


def _printable(name: str, fixed_cost: int) -> Output:
    """An output of the full edition's printables: laid out by WeasyPrint from blocks and
    files anywhere in the manuscript, each a short document."""
    return Output(
        name,
        f"publish.outputs.{name}:write",
        needs_html=False,
        needs_pdf_engine=True,
        reads=f"publish.outputs.{name}:key_inputs",
        cost=0,
        fixed_cost=fixed_cost,
        only_with="printables",
    )


# Fitting a cheatsheet lays it out several times, for two papers.
CHEATSHEETS = _printable("cheatsheets", 40_000)
TEMPLATES = _printable("templates", 20_000)
# A static site per edition, only on request (`--format web`, `publish preview`).
WEB = Output(
    "web",
    "publish.outputs.web:write",
    needs_html=True,
    needs_pdf_engine=False,
    cost=0.5,
    by_default=False,
)
# One record for the whole book, made from the editions' manifest entries.
ONIX = Output(
    "onix", "publish.outputs.onix:write", needs_html=False, needs_pdf_engine=False, scope="book"
)
OUTPUTS = (EPUB, PDF, CHEATSHEETS, TEMPLATES, WEB, ONIX)
# Names that stand for several outputs on the command line.
FORMAT_GROUPS = {"printables": ("cheatsheets", "templates")}


def format_names(outputs: tuple[Output, ...] = OUTPUTS) -> tuple[str, ...]:
    """What `--format` accepts: every output's name and every group's."""
    return (*(output.name for output in outputs), *FORMAT_GROUPS)


def select(formats: tuple[str, ...] | None, outputs: tuple[Output, ...] = OUTPUTS):
    """The outputs `formats` names (groups expanded), in registry order; when None, all
    that are built by default."""
    if not formats:
        return tuple(output for output in outputs if output.by_default)
    names = {name for f in formats for name in FORMAT_GROUPS.get(f, (f,))}
    return tuple(output for output in outputs if output.name in names)
