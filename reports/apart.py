"""Rendering a document in a process of its own, off the server's interpreter (issue 19).

A Word briefing takes seconds to render, most of it Python that holds the interpreter: run on the
server's download thread it stalled every other session's page and the health check by up to
~200 ms at a time (measured with a 1 ms ticker thread beside `render(doc, "docx")`). So the pages
hand the finished `Document` to a fresh interpreter (`python -m reports.apart`), pickled on its
stdin, and wait for the file's bytes on its stdout — waiting on a pipe releases the interpreter. A
fresh interpreter rather than a fork of the server (its threads and store connection) or
multiprocessing's "spawn" (which re-imports the server's `__main__`: inside Streamlit, the page
script), as store/worker.py does for uploads. The child runs at a lower priority, so pages keep the
CPU first, and is stopped after TIMEOUT. Only this package's own pickled objects cross the pipe,
from the server to a child it started, never anything a user sent.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from domain.config import child_environment
from reports import Format, render
from reports.model import Document

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180.0  # seconds: the ZIP of every plan renders one file at a time, each a few seconds
NICE = 10  # below the server: pages first, files after


class RenderError(RuntimeError):
    """The child failed or overran; the message has the end of its error output, for the log."""


def render_apart(doc: Document, fmt: Format) -> bytes:
    """`reports.render(doc, fmt)`, run in a child process."""
    try:
        done = subprocess.run([sys.executable, "-m", "reports.apart"], input=pickle.dumps((doc, fmt)),
                              capture_output=True, timeout=TIMEOUT, cwd=ROOT, env=child_environment())
    except subprocess.TimeoutExpired as e:
        raise RenderError(f"rendering {doc.file_stem}.{fmt} took longer than {TIMEOUT:g} s") from e
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise RenderError(f"rendering {doc.file_stem}.{fmt} failed (exit {done.returncode}): {tail}")
    return done.stdout


def _child() -> None:
    os.nice(NICE)
    doc, fmt = pickle.loads(sys.stdin.buffer.read())
    # The pipe to the server carries the file alone: whatever the renderers or the chart browser
    # they start would print goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    data = render(doc, fmt)
    out.write(data)
    out.flush()


if __name__ == "__main__":
    _child()
