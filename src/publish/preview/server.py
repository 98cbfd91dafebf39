"""The preview's HTTP server: the site from memory, a live script, events, the PDF.

/<page>                  the last good site's files (pages with the live script)
/__publish__/live.js     reloads the page on a change, shows findings (live.js)
/__publish__/events      server-sent events: the preview's state, on every change
/__publish__/pdf         builds the edition's PDF, shows progress, then serves it
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import posixpath
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..outputs.web_search import INDEX_SCRIPT
from .session import PreviewSession

PREFIX = "/__publish__/"
LIVE_SCRIPT = (Path(__file__).parent / "live.js").read_bytes()
LIVE_TAG = b'<script src="/__publish__/live.js" defer></script>'
KEEPALIVE_SECONDS = 15
TYPES = (
    (".html", "text/html; charset=utf-8"),
    (".css", "text/css; charset=utf-8"),
    (".js", "text/javascript; charset=utf-8"),
    (".svg", "image/svg+xml"),
    (".ttf", "font/ttf"),
    (".otf", "font/otf"),
    (".txt", "text/plain; charset=utf-8"),
)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams never hold up the end of a preview

    def __init__(self, address: tuple[str, int], session: PreviewSession) -> None:
        self.session = session
        super().__init__(address, PreviewHandler)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:
        """Quiet: the terminal shows renders and findings, not every request."""

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == PREFIX + "live.js":
            self._send(LIVE_SCRIPT, "text/javascript; charset=utf-8")
        elif path == PREFIX + "events":
            self._events()
        elif path == PREFIX + "pdf":
            self._pdf_progress()
        elif path == PREFIX + "pdf/file":
            self._pdf_file()
        else:
            self._site_file(path)

    def _site_file(self, path: str) -> None:
        session = self.server.session
        name = posixpath.normpath(path).lstrip("/")
        if name in ("", "."):
            name = "index.html"
        data = session.search_index() if name == INDEX_SCRIPT else session.files.get(name)
        if data is None and not session.files and name.endswith(".html"):
            data = _waiting_page()
        if data is None:
            self._send(b"not found in this edition\n", "text/plain", HTTPStatus.NOT_FOUND)
            return
        kind = next((t for suffix, t in TYPES if name.endswith(suffix)), None)
        kind = kind or mimetypes.guess_type(name)[0] or "application/octet-stream"
        if name.endswith(".html"):
            data = data.replace(b"</body>", LIVE_TAG + b"</body>", 1)
        self._send(data, kind)

    def _send(self, data: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        """Send `data`; a file the browser already holds (its ETag matches) is not sent
        again, so a reload fetches the page and not the theme's fonts."""
        tag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        if status == HTTPStatus.OK and self.headers.get("If-None-Match") == tag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", tag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("ETag", tag)
        self.end_headers()
        self.wfile.write(data)

    def _events(self) -> None:
        session = self.server.session
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        serial = -1
        try:
            while not session.stopping.is_set():
                state = session.wait(serial, KEEPALIVE_SECONDS)
                if state["serial"] == serial:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    serial = state["serial"]
                    self.wfile.write(f"event: state\ndata: {json.dumps(state)}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the page was closed or reloaded
        self.close_connection = True

    def _pdf_progress(self) -> None:
        session = self.server.session
        job = session.pdf
        job.request(session.state.version)
        if job.path is not None and not job.running:
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", PREFIX + "pdf/file")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if job.error:
            body = f"<h1>The PDF did not build</h1><pre>{html.escape(job.error)}</pre>"
            refresh = ""
        else:
            steps = "".join(f"<li>{html.escape(step)}</li>" for step in job.steps[-8:])
            body = f"<h1>Building the PDF…</h1><ol>{steps}</ol>"
            refresh = '<meta http-equiv="refresh" content="1">'
        page = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{refresh}'
            f"<title>PDF</title></head><body><main>{body}</main></body></html>"
        )
        self._send(page.encode(), "text/html; charset=utf-8")

    def _pdf_file(self) -> None:
        path = self.server.session.pdf.path
        if path is None or not path.is_file():
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", PREFIX + "pdf")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(path.read_bytes(), "application/pdf")


def _waiting_page() -> bytes:
    """What a page shows before the first good render: the findings, through live.js."""
    return (
        b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Preview</title>'
        b"</head><body><main><h1>The book has not rendered yet</h1>"
        b"<p>Fix the errors below; this page reloads when it renders.</p></main></body></html>"
    )
