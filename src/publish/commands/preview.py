"""`publish preview`: serve the web edition, re-rendered and reloaded on every save."""

from __future__ import annotations

import errno
import ipaddress
import webbrowser
from collections.abc import Callable
from pathlib import Path

from ..errors import PublishError
from ..preview.server import PreviewServer
from ..preview.session import PreviewSession

DEFAULT_PORT = 8000
# With no --port, the next free port of these is taken (so a second preview just starts).
PORTS_TRIED = 20


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def open_server(session: PreviewSession, host: str, port: int | None) -> PreviewServer:
    """The server on `port`, or with none given the first free one from 8000: a port in
    use is one line saying how to choose another."""
    candidates = [port] if port is not None else range(DEFAULT_PORT, DEFAULT_PORT + PORTS_TRIED)
    for candidate in candidates:
        try:
            return PreviewServer((host, candidate), session)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise PublishError(
                    f"cannot serve on {host}:{candidate}: {error.strerror}"
                ) from None
    if port is not None:
        raise PublishError(
            f"port {port} on {host} is in use (another preview or server?): "
            "choose another with --port N, or --port 0 for any free port"
        )
    raise PublishError(
        f"ports {DEFAULT_PORT}-{DEFAULT_PORT + PORTS_TRIED - 1} on {host} are all in use: "
        "choose one with --port N, or --port 0 for any free port"
    )


def run_preview(
    project_dir: Path,
    edition: str,
    port: int | None,
    host: str,
    open_browser: bool,
    echo: Callable[[str], None],
) -> None:
    """Render once, serve, watch and re-render until Ctrl-C; then stop everything."""
    if not (project_dir / "manuscript" / "book.yaml").is_file():
        raise PublishError(
            f"{project_dir}: no manuscript/book.yaml here (give the folder that holds it,"
            " or start one with `publish init DIR`)"
        )
    session = PreviewSession(project_dir, edition, echo)
    server = open_server(session, host, port)
    try:
        bound_host, bound_port = server.server_address[:2]
        url = f"http://{_url_host(bound_host)}:{bound_port}/"
        if not is_loopback(host):
            echo(
                f"publish: serving on {host}, not only this machine: anyone who can reach it "
                "on your network can read the book"
            )
        session.refresh()
        echo(f"publish: previewing the {edition} edition at {url} (Ctrl-C stops)")
        echo("publish: watching " + ", ".join(str(p) for p in session.watched()))
        session.start_watching()
        if open_browser:
            webbrowser.open(url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        echo("\npublish: preview stopped")
    finally:
        session.stop()
        server.server_close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
