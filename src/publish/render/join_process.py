"""The join of a book's parts in a process of its own.

The join holds the whole book's PDF as objects (about 150 MB for 386 pages, most of it
the structure tree), while the process laying out a book holds the rendered editions
and the engine; in one process the two would add up. So the join runs in a process
spawned, not forked (a fork would carry all that along), and started before the parts
are laid out, so that its start-up (a fresh interpreter importing pikepdf) overlaps the
layout instead of adding to it. It uses no thread: the parts' workers are forked after
it starts, which is safe only while this process runs no other thread.
"""

from __future__ import annotations

import multiprocessing

from ..errors import PublishError
from .pdf_join import Joining, join


class JoinProcess:
    """`with JoinProcess() as joiner: ... joiner.join(parts, how)`: one join, apart."""

    def __enter__(self) -> JoinProcess:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()
        return self

    def join(self, parts: list[bytes], how: Joining) -> bytes:
        self._connection.send((parts, how))
        try:
            result = self._connection.recv()
        except EOFError:
            code = self._process.exitcode
            raise PublishError(f"the PDF join ended without a result (exit code {code})") from None
        if isinstance(result, BaseException):
            raise result
        return result

    def __exit__(self, *_exc) -> None:
        self._connection.close()  # the process, waiting for parts, then ends
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _serve(connection) -> None:
    try:
        parts, how = connection.recv()
    except EOFError:  # no join wanted after all (the layout failed)
        return
    try:
        connection.send(join(parts, how))
    except Exception as error:
        connection.send(error)
    finally:
        connection.close()
