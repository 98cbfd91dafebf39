"""The PDF on demand: the page's "PDF" link starts one build of the edition's PDF (never
on every save), into a scratch folder of this preview's own; the link's page shows its
progress until the file is ready."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from ..errors import PublishError


class PdfJob:
    def __init__(self, root: Path, edition: str) -> None:
        self.root = root
        self.edition = edition
        self.scratch = Path(tempfile.mkdtemp(prefix="publish-preview-pdf-"))
        self.lock = threading.Lock()
        self.steps: list[str] = []
        self.error = ""
        self.path: Path | None = None
        self.built_version = -1
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def request(self, version: int) -> None:
        """Start a build unless one is running or the PDF already shows `version`."""
        with self.lock:
            if self.running or (self.path is not None and self.built_version == version):
                return
            self.steps, self.error, self.path = [], "", None
            self._thread = threading.Thread(
                target=self._build, args=(version,), name="publish-pdf", daemon=True
            )
            self._thread.start()

    def _build(self, version: int) -> None:
        from ..engine.build import build  # WeasyPrint only once a PDF is asked for

        try:
            result = build(
                self.root,
                self.scratch,
                (self.edition,),
                ("pdf",),
                report=self.steps.append,
                jobs=1,
            )
            pdfs = [a for a in result.artifacts if a.format == "pdf"]
            with self.lock:
                self.path = self.scratch / pdfs[0].path
                self.built_version = version
        except PublishError as error:
            with self.lock:
                self.error = error.format_message()

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=60)
        shutil.rmtree(self.scratch, ignore_errors=True)
