"""Write the book's PDFs: the screen PDF (`<slug>.pdf`, laid out here) and the print
interior (`<slug>-print.pdf`, its trim, margins and passes in `pdf_print`), each tagged,
with page labels, each its own manifest entry."""

from __future__ import annotations

from pathlib import Path

from ..project.config_pdf import profiles
from ..render.context import EditionContext
from .base import OutputJob
from .manifest import Artifact
from .pdf_document import lay_out_book, pdf_html, stylesheet, write_book
from .pdf_joined import joined_book, parts_run
from .pdf_print import write_print

__all__ = ("pdf_html", "write")


def build_pdf(context: EditionContext, roots: list[Path]) -> tuple[bytes, int]:
    """The screen PDF's bytes and its page count."""
    layout = lay_out_book(context, roots)
    return write_book(context, layout), layout.pages


def write(job: OutputJob) -> list[Artifact]:
    """The edition's PDFs, one per profile book.yaml asks for, and their manifest entries."""
    context = job.context
    chosen = profiles(context.book)
    artifacts = []
    if chosen.screen_paper is not None:
        path = job.folder / f"{context.stem}.pdf"
        job.report(f"writing {job.edition.name}/{path.name}")
        with job.renderer_warnings(stylesheet(context)):
            if chosen.engine == "parts":
                made = joined_book(context, stylesheet(context), parts_run(job), False, True)
                data, pages = made.data, made.pages
            else:
                data, pages = build_pdf(context, job.fetch_roots)
        job.tree.write(path, data)
        details = context.manifest_details()
        details["extra"] = {**details["extra"], "profile": "screen"}
        artifacts.append(
            job.describe(path, "pdf", pages=pages, paper=chosen.screen_paper, **details)
        )
    if chosen.trim is not None:
        artifacts.append(write_print(job, chosen))
    # A profile book.yaml no longer asks for leaves no file behind (nor a slug's old name).
    job.tree.remove_stale(job.folder, [job.tree.out / a.path for a in artifacts], (".pdf",))
    return artifacts
