"""Reading and checking an uploaded or imported file in a worker process, with a memory and a time cap.

A hostile file must not stall the app (issue 16): parsing and the validation rules are CPU work that
holds the interpreter for seconds, so they run in a child process, and the server only waits on a
pipe. The child is a fresh interpreter (`python -m store.worker`): not a fork of the Streamlit
server with its threads and its DuckDB connection, and not multiprocessing's "spawn" either, which
re-imports the parent's `__main__` in the child — inside the server that is the page script being
run, which would open the store. The child's address space is capped (RLIMIT_AS, a MemoryError
there becomes a message) and the parent kills it after a wall-clock timeout; either way the user is
told, in their language, to split the file. The child runs at a lower priority (nice), so the pages
of other sessions keep the CPU when they need it. The checks bounded by the file's size alone
(readers.preflight: size, type, NUL bytes, an XLSX's zip directory) run first in the caller's own
process: they cost milliseconds, and a zip bomb or a binary then never occupies a worker.

The child never opens the store. It gets the file's bytes, the catalog and the organisations, runs
store/ingest.check_bytes — the same code the in-process check runs — and asks the parent over its
pipe for what only the store knows: the stored figures the comparison rules need, and whether the
organisations the file names are within the submitter's scope (the parent's guard raises
AuthorizationError and audits, exactly as in process). It answers with the Checked result.

At most `check_workers` files are checked at once; a further upload waits for a slot (the caller
may show a message meanwhile) and is told the server is busy after QUEUE_WAIT. Idle workers are kept
for the next file; a worker that failed, ran out of memory or overran is killed, not reused.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from domain.access import Identity
from domain.catalog import Catalog
from domain.config import ROOT, child_environment, settings
from domain.messages import Message
from domain.validation import Problem
from store import ingest, readers, sql
from store.ingest import Checked

log = logging.getLogger("tracker.worker")

STARTUP_WAIT = 60.0  # seconds a new worker may take to import its code (a loaded machine is slow)
QUEUE_WAIT = 60.0  # seconds a file waits for a free worker before the user is told the server is busy
NICE = 10  # the worker's priority below the server's: pages first, files after


@dataclass(frozen=True)
class Run:
    """How the last check in this process went: the worker's process id, its peak resident memory
    (VmHWM, over the worker's life) and the seconds the check took. Benchmarks and tests read it."""

    pid: int
    peak_rss_mb: float
    seconds: float
    # done | timeout | memory | failed | busy | raised (the guard refused the scope, or the store
    # failed) | preflight (refused by readers.preflight in this process: no worker, pid is this one's)
    outcome: str


_last: Run | None = None


def last_run() -> Run | None:
    return _last


class _Worker:
    """One child process and the two ends of its pipes."""

    def __init__(self, memory_mb: int):
        self.memory_mb = memory_mb
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "store.worker", str(to_child), str(from_child), str(memory_mb)],
            pass_fds=(to_child, from_child), cwd=ROOT, env=child_environment(MALLOC_ARENA_MAX="2"), stdin=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self.outbox = Connection(from_parent, readable=False)
        self.inbox = Connection(to_parent, writable=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def ready(self) -> bool:
        """Whether the child started and said so within STARTUP_WAIT."""
        try:
            return self.inbox.poll(STARTUP_WAIT) and self.inbox.recv() == ("ready",)
        except (EOFError, OSError):
            return False

    def kill(self) -> None:
        for end in (self.outbox, self.inbox):
            end.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


_lock = threading.Lock()
_idle: list[_Worker] = []
_slots: dict[int, threading.BoundedSemaphore] = {}


def _semaphore(n: int) -> threading.BoundedSemaphore:
    with _lock:
        return _slots.setdefault(n, threading.BoundedSemaphore(n))


def _take(memory_mb: int) -> _Worker | None:
    with _lock:
        while _idle:
            worker = _idle.pop()
            if worker.memory_mb == memory_mb and worker.process.poll() is None:
                return worker
            worker.kill()
    return None


def _keep(worker: _Worker, keep: int) -> None:
    with _lock:
        if len(_idle) < keep:
            _idle.append(worker)
            return
    worker.kill()


@atexit.register
def shutdown() -> None:
    """Stop every idle worker (they would also stop on their own when this process ends)."""
    with _lock:
        workers, _idle[:] = list(_idle), []
    for worker in workers:
        worker.kill()


def check_file(con: sql.Con, catalog: Catalog, name: str, data: bytes, today: dt.date | None = None,
               who: Identity | None = None, *, waiting: Callable[[], None] | None = None) -> Checked:
    """store/ingest.check_file, with the reading and the rules in a worker process: the same Checked
    result, or one problem saying the file took too long, needed too much memory, could not be
    checked or must wait (the server busy). `waiting` is called once if the file has to wait for a
    worker. An organisation outside `who`'s scope raises AuthorizationError, as in process."""
    global _last
    start = time.monotonic()
    try:  # bounded by the file's size, so done here: a bomb or a binary never occupies a worker
        readers.preflight(name, data)
    except readers.FileRejected as e:
        _last = Run(os.getpid(), 0.0, time.monotonic() - start, "preflight")
        return ingest.rejected(name, e)
    config = settings()
    slots = _semaphore(config.check_workers)
    if not slots.acquire(blocking=False):
        if waiting is not None:
            waiting()
        if not slots.acquire(timeout=QUEUE_WAIT):
            _last = Run(0, 0.0, 0.0, "busy")
            return _refused(name, Message.of("validation.file.check_busy"))
    try:
        orgs, guard = ingest.scope_for(con, who)
        stored = ingest.stored_figures(con)
        worker = _take(config.check_memory_mb)
        if worker is None:
            worker = _Worker(config.check_memory_mb)
            if not worker.ready():
                log.error("a file-checking worker did not start (exit code %s)", worker.process.poll())
                worker.kill()
                _last = Run(worker.pid, 0.0, 0.0, "failed")
                return _refused(name, Message.of("validation.file.check_failed"))
        start = time.monotonic()
        outcome, checked, peak = "failed", None, 0.0
        try:
            outcome, checked, peak = _run(worker, (name, catalog, orgs, guard is not None, today), data,
                                          guard, stored, start + config.check_timeout)
        except BaseException:
            outcome = "raised"  # the guard's AuthorizationError, or the store failing to answer
            raise
        finally:
            _last = Run(worker.pid, peak, time.monotonic() - start, outcome)
            if outcome == "done":
                _keep(worker, config.check_workers)
            else:
                worker.kill()
        if outcome == "timeout":
            log.warning("checking %r took longer than %s s: worker %s stopped", name, config.check_timeout, worker.pid)
            return _refused(name, Message.of("validation.file.check_timeout", seconds=config.check_timeout))
        if outcome == "memory":
            log.warning("checking %r needed more than %s MB: worker %s stopped", name, config.check_memory_mb, worker.pid)
            return _refused(name, Message.of("validation.file.check_memory", limit=config.check_memory_mb))
        if checked is None:
            log.error("checking %r: worker %s ended (exit code %s)", name, worker.pid, worker.process.returncode)
            return _refused(name, Message.of("validation.file.check_failed"))
        return checked
    finally:
        slots.release()


def _run(worker: _Worker, job: tuple, data: bytes, guard: Callable[[set[str]], None] | None, stored: Callable,
         deadline: float) -> tuple[str, Checked | None, float]:
    """Send the job, answer the worker's questions until it answers; (outcome, result, peak MB).
    The guard's AuthorizationError (a PermissionError) propagates: the caller kills the worker."""
    try:
        worker.outbox.send(job)
        worker.outbox.send_bytes(data)  # as is, not pickled: no second copy of a 50 MB upload
    except OSError:  # the worker died between two files
        return "failed", None, 0.0
    while True:
        try:
            left = deadline - time.monotonic()
            if left <= 0 or not worker.inbox.poll(left):
                return "timeout", None, _peak_mb(worker.pid)
            message = worker.inbox.recv()
        except (EOFError, OSError):  # the worker died without a word (killed by the OS, a crash)
            return "failed", None, 0.0
        kind = message[0]
        if kind == "done":
            return "done", message[1], message[2]
        if kind == "memory":
            return "memory", None, message[1]
        if kind == "failed":  # the worker printed its traceback to the log
            return "failed", None, message[1]
        if kind == "stored":
            reply: object = dict(stored(*message[1:]))
        else:  # "guard": asked only when there is one
            assert guard is not None
            guard(message[1])
            reply = "ok"
        try:
            worker.outbox.send(reply)
        except OSError:
            return "failed", None, 0.0


def _refused(name: str, reason: Message) -> Checked:
    return ingest.refused(name, Problem(file=name, row=None, column=None, value=None, reason=reason))


def _peak_mb(pid: int) -> float:
    """A process's peak resident memory so far (VmHWM), in MB; 0 when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# ----------------------------------------------------------------------------- the child's side


def _serve(inbox: Connection, outbox: Connection, cap: int) -> None:
    """Answer jobs until the parent closes the pipe. A MemoryError (the address-space cap) or any
    other failure is reported in one word and ends the worker: its heap may be in any state."""
    outbox.send(("ready",))

    def stored(pairs, periods):
        outbox.send(("stored", list(pairs), list(periods)))
        return inbox.recv()

    def guard(named: set[str]) -> None:
        outbox.send(("guard", named))
        inbox.recv()  # "ok"; a refusal is the parent's to raise, and it kills this process

    while True:
        try:
            try:
                name, catalog, orgs, guarded, today = inbox.recv()
                data = inbox.recv_bytes()
            except EOFError:
                return
            checked = ingest.check_bytes(catalog, name, data, orgs, stored, guard if guarded else None, today)
            del data
            outbox.send(("done", checked, _peak_mb(os.getpid())))
        except MemoryError:
            data = checked = None  # what can be freed, so that the word can be sent
            outbox.send(("memory", _peak_mb(os.getpid())))
            os._exit(3)
        except Exception:
            data = checked = None
            if _near_cap(cap):  # an allocation refused under the cap, surfacing as another error
                outbox.send(("memory", _peak_mb(os.getpid())))
                os._exit(3)
            traceback.print_exc()  # to the parent's stderr: the server's log
            outbox.send(("failed", _peak_mb(os.getpid())))
            os._exit(4)


def _near_cap(cap: int) -> bool:
    """This process's address space has come within 5 % of its cap (VmPeak). An allocation refused by
    RLIMIT_AS is a MemoryError where Python makes it, but inside a compiled library (pydantic-core,
    pyarrow) it can surface as another exception — "This object has no __dict__" — so a failure this
    close to the cap is taken for what it is: the file needs more memory than the worker has."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024 >= 0.95 * cap
    except OSError:
        pass
    return False


def _main(argv: list[str]) -> None:
    inbox, outbox, memory_mb = Connection(int(argv[0]), writable=False), Connection(int(argv[1]), readable=False), \
        int(argv[2])
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(NICE)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C in the terminal is the parent's to handle
    _serve(inbox, outbox, cap)


if __name__ == "__main__":
    _main(sys.argv[1:])
