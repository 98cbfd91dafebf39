"""The join of a book's parts in a process of its own.

The join holds the whole book's PDF as objects (about 150 MB for 386 pages, most of it
the structure tree), while the process laying out a book holds the rendered editions
and the engine; in one process the two would add up. So the join runs in a fresh
interpreter (`python -m publish.render.join_process`), not a fork, which would carry all
that along, and not multiprocessing's spawn, which imports the caller's main module
again: a script calling `build()` without a `__main__` guard would break. It is started
before the parts are laid out, so that its start-up (importing pikepdf) overlaps the
layout, and it uses no thread: the parts' workers are forked after it starts, which is
safe only while this process runs no other thread.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from ..errors import PublishError
from .pdf_join import Joining, join


class JoinProcess:
    """`with JoinProcess() as joiner: ... joiner.join(parts, how)`: one join, apart."""

    def __enter__(self) -> JoinProcess:
        # The child finds this package where this process found it.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        return self

    def join(self, parts: list[bytes], how: Joining) -> bytes:
        out, err = self._process.communicate(pickle.dumps((parts, how)))
        if self._process.returncode != 0 or not out:
            said = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            code = self._process.returncode
            raise PublishError(f"the PDF join ended without a result (exit {code}: {said[0]})")
        result = pickle.loads(out)
        if isinstance(result, BaseException):
            raise result
        return result

    def __exit__(self, *_exc) -> None:
        if self._process.returncode is None:  # no join asked for (the layout failed)
            self._process.communicate(b"")
        self._process.wait()


def main() -> None:
    try:
        parts, how = pickle.load(sys.stdin.buffer)
    except EOFError:  # no join wanted after all
        return
    try:
        result = join(parts, how)
    except Exception as error:
        result = error
    sys.stdout.buffer.write(pickle.dumps(result))


if __name__ == "__main__":
    main()
