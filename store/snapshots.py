"""Published read-only snapshots of the store, for reader processes (issue 19: past one process).

DuckDB lets one process write a file, and many processes open a file read-only only while nobody
writes it. So the writer process, which holds the store, publishes copies: `publish` makes one
consistent copy (a CHECKPOINT and a copy of the file, both under the store's write lock; or, where a
log is left after the checkpoint, store/backup.py `copy_database`, the transactional `COPY FROM
DATABASE` backups use) under a temporary name, renames it into place, then replaces the `CURRENT`
pointer file by rename — a reader sees the old snapshot or the new one, never half of one. Old
snapshots are pruned, keeping a few: on Linux a deleted file stays readable to a process that still
holds it open, and a reader switches only between runs. `current` says which snapshot is newest,
its data version and when it was published; `Follower` is a reader's view of it (a cheap stat of
CURRENT at most once a second, the newer snapshot opened beside the old one, the old one closed
only after a grace period so that runs still using it finish); `start_publisher` is the writer's
thread (after each write, throttled by TRACKER_PUBLISH_SECONDS, and once at start).

Writes that a reader would make on a read path, and what happens to them instead:
- a cookie sign-in's `last_seen` (store/sessions.py `resume(touch=True)`) is skipped: it changes
  nothing a page shows and is not audited; the writer records it when the user next comes there.
- an audited refusal (`access.denied`, store/access.py) is spooled: a refusal is a security
  record, so it must not be lost because it happened on a reader. `spool` appends it as one JSON
  line to `spool/<pid>.jsonl` beside the snapshots (under an exclusive lock); the writer's
  publisher thread `import_spool`s those lines into the audit log, the refusal's time in its detail.
- sign-in, sign-out and every write page are not offered on a reader at all (app/router.py links
  them to the writer), so they never reach a read-only connection.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from store import sessions, sql
from store.audit import audit, audit_version, data_version
from store.backup import copy_database
from store.db import connect

log = logging.getLogger("tracker.snapshots")

CURRENT = "CURRENT"
PREFIX = "snapshot-"
SUFFIX = ".duckdb"
PARTIAL = ".partial"
SPOOL = "spool"
KEEP = 3  # the current snapshot and two before it: a reader mid-switch never loses its file
STAT_EVERY = 1.0  # seconds between a reader's looks at CURRENT (one stat call)
GRACE = 300.0  # seconds a replaced snapshot's connection stays open for runs still using it
_PUBLISH_LOCK = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    path: Path
    version: int  # the store's data version (store/audit.py) the copy holds
    published_at: dt.datetime  # aware, UTC


def publish(con: sql.Con, folder: str | os.PathLike, keep: int = KEEP,
            method: Literal["file", "copy"] = "file") -> Snapshot:
    """Copy the store behind `con` into `folder` as its new current snapshot; older ones beyond
    `keep` are deleted. Safe against a crash at any point: a half-written copy is named `.partial`
    and CURRENT names only complete files.

    `file` (the default): CHECKPOINT and copy the file under the store's write lock — measured
    (README, "Several processes") 100× cheaper than `copy`, `COPY FROM DATABASE` inside one
    transaction (store/backup.py's code), which re-encodes every table; `copy` is also the fallback
    when the checkpoint leaves a write-ahead log behind."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with _PUBLISH_LOCK:
        name = f"{PREFIX}{time.time_ns()}"
        partial = folder / f"{name}{PARTIAL}"
        final = folder / f"{name}{SUFFIX}"
        try:
            version = _file_copy(con, partial) if method == "file" else None
            if version is None:  # asked for, or the checkpoint left a log behind: the transactional copy
                _, version = copy_database(con, partial, lambda cur, _source: data_version(cur))
            with partial.open("rb+") as f:
                os.fsync(f.fileno())
            os.replace(partial, final)
            snap = Snapshot(final, version, dt.datetime.now(dt.UTC))
            _point_at(folder, snap)
        except BaseException:
            for left in (partial, partial.with_name(partial.name + ".wal")):
                left.unlink(missing_ok=True)
            raise
        prune(folder, keep)
    return snap


def _file_copy(con: sql.Con, target: Path) -> int | None:
    """CHECKPOINT, then copy the store's file, both under the write lock (store/sql.py): every write
    of the process takes that lock, so none can land between the checkpoint and the end of the copy,
    and the file alone then holds every committed row. Readers carry on meanwhile; writers wait for
    the copy (milliseconds at demo size). None when a write-ahead log is left after the checkpoint
    (the file alone would be incomplete): the caller copies by transaction instead."""
    cur = con.cursor()
    try:
        path = Path(sql.scalar(cur, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"))
        wal = path.with_name(path.name + ".wal")
        with sql.WRITE_LOCK:
            cur.execute("CHECKPOINT")
            if wal.exists() and wal.stat().st_size > 0:
                log.warning("a write-ahead log remains after CHECKPOINT; publishing by COPY FROM DATABASE")
                return None
            version = data_version(cur)
            _clone_or_copy(path, target)
    finally:
        cur.close()
    return version


FICLONE = 0x40049409  # linux/fs.h: share the source's blocks copy-on-write (XFS with reflink, btrfs)


def _clone_or_copy(source: Path, target: Path) -> None:
    """A reflink where the file system has them — the copy is then instant whatever the store's
    size, and the write lock is held for milliseconds at national size too — else a plain copy
    (ext4: about 1 GB every few seconds, README "Several processes")."""
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
            return
        except OSError:
            pass
    shutil.copyfile(source, target)


def _point_at(folder: Path, snap: Snapshot) -> None:
    body = json.dumps({"file": snap.path.name, "version": snap.version,
                       "published_at": snap.published_at.isoformat()})
    tmp = folder / f"{CURRENT}.{os.getpid()}.tmp"
    with tmp.open("w", encoding="utf-8") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / CURRENT)  # atomic: a reader reads the old pointer or the new one
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current(folder: str | os.PathLike) -> Snapshot | None:
    """The newest published snapshot, or None when none has been published (yet)."""
    folder = Path(folder)
    try:
        data = json.loads((folder / CURRENT).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return Snapshot(folder / data["file"], int(data["version"]), dt.datetime.fromisoformat(data["published_at"]))


def prune(folder: str | os.PathLike, keep: int = KEEP) -> list[Path]:
    """Delete all but the `keep` newest snapshots (never the current one) and copies left
    half-written by an interrupted publish of this process; returns what was deleted."""
    folder = Path(folder)
    now = current(folder)
    snaps = sorted(folder.glob(f"{PREFIX}*{SUFFIX}"), key=lambda p: int(p.name[len(PREFIX):-len(SUFFIX)]))
    doomed = [p for p in snaps[:-max(keep, 1)] if now is None or p != now.path]
    if not _PUBLISH_LOCK.locked():  # not inside publish: no .partial is being written by us
        doomed += list(folder.glob(f"{PREFIX}*{PARTIAL}"))
    for path in doomed:
        path.unlink(missing_ok=True)  # a reader holding it open keeps reading it (Linux)
    return doomed


# ------------------------------------------------------------------------- a reader's view


class Follower:
    """A reader process's connection to the newest snapshot in `folder`, switched between runs.

    `refresh()` (at the start of each script run) looks at CURRENT at most once per STAT_EVERY
    seconds — one stat — and opens a newer snapshot read-only when it has moved; `connection()`
    is the current one. A replaced connection is closed GRACE seconds later, not at once: another
    session's run may be reading through it."""

    def __init__(self, folder: str | os.PathLike, *, clock: Callable[[], float] = time.monotonic,
                 stat_every: float = STAT_EVERY, grace: float = GRACE):
        self.folder = Path(folder)
        self._clock, self._stat_every, self._grace = clock, stat_every, grace
        self._lock = threading.Lock()
        self._con: sql.Con | None = None
        self.snapshot: Snapshot | None = None
        self._seen: tuple[int, int] | None = None  # CURRENT's (inode, mtime) when last read
        self._looked = float("-inf")
        self._retired: list[tuple[float, sql.Con]] = []

    def refresh(self) -> Snapshot | None:
        """Switch to a newer snapshot if one was published; the snapshot now served (None: none yet)."""
        now = self._clock()
        if self._con is not None and now - self._looked < self._stat_every:
            return self.snapshot
        with self._lock:
            self._looked = now
            try:
                st = (self.folder / CURRENT).stat()
                seen = (st.st_ino, st.st_mtime_ns)
            except FileNotFoundError:
                seen = None
            if seen is not None and (seen != self._seen or self._con is None):
                snap = current(self.folder)
                if snap is not None and (self.snapshot is None or snap.path != self.snapshot.path):
                    con = connect(snap.path, read_only=True)  # no migration, no catalog sync, no demo
                    if self._con is not None:
                        self._retired.append((now, self._con))
                    self._con, self.snapshot = con, snap
                    log.info("serving snapshot %s (data version %d)", snap.path.name, snap.version)
                self._seen = seen
            while self._retired and now - self._retired[0][0] >= self._grace:
                self._retired.pop(0)[1].close()
        return self.snapshot

    def connection(self) -> sql.Con | None:
        if self._con is None:
            self.refresh()
        return self._con

    def serving(self) -> tuple[sql.Con | None, Snapshot | None]:
        """The connection and its snapshot, read together (another thread may switch them)."""
        with self._lock:
            return self._con, self.snapshot

    def close(self) -> None:
        with self._lock:
            for _, con in self._retired:
                con.close()
            self._retired.clear()
            if self._con is not None:
                self._con.close()
            self._con, self.snapshot, self._seen = None, None, None


# ---------------------------------------------------------------- the writer's publisher thread


def start_publisher(con: sql.Con, folder: str | os.PathLike, every: float,
                    stop: threading.Event | None = None, poll: float = 0.25) -> threading.Thread:
    """A daemon thread that publishes once at start and then whenever the audit log has grown, at
    most once per `every` seconds (throttled, not debounced: a steady stream of writes in a
    reporting week must not hold publishing off), importing readers' spooled audit rows first. A
    failure is logged and tried again at the next look; it never stops the app."""
    stop = stop or threading.Event()
    folder = Path(folder)

    def loop() -> None:
        published, last = None, float("-inf")
        while not stop.is_set():
            try:
                cur = con.cursor()  # this thread's own: a connection is not shared between threads
                try:
                    import_spool(cur, folder)
                    # Every audit row, not only the data version's, and every session issued or
                    # dropped (issuing one is not audited): a sign-in and an ended session change
                    # no figure, yet a reader checks cookies against its snapshot, so this bounds
                    # how long a new session waits and an ended one lives on there.
                    version = (audit_version(cur), sessions.fingerprint(cur))
                finally:
                    cur.close()
                if version != published and time.monotonic() - last >= every:
                    last = time.monotonic()
                    publish(con, folder)
                    published = version
            except Exception:
                log.exception("publishing a snapshot to %s failed", folder)
            stop.wait(poll)

    thread = threading.Thread(target=loop, name="tracker-snapshot-publisher", daemon=True)
    thread.start()
    return thread


# ------------------------------------------------------------------------- spooled audit rows


def spool(folder: str | os.PathLike, actor: str, action: str, obj: str | None, detail: dict) -> None:
    """Keep an audit row a reader could not write, for the writer to import."""
    path = Path(folder) / SPOOL / f"{os.getpid()}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"actor": actor, "action": action, "object": obj,
                       "detail": {**detail, "at": dt.datetime.now(dt.UTC).isoformat(), "process": os.getpid()}},
                      ensure_ascii=False, default=str) + "\n"
    with path.open("a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(line)


def import_spool(con: sql.Con, folder: str | os.PathLike) -> int:
    """Write every spooled row into the audit log (one transaction per file, under the file's lock,
    emptied only once committed); returns how many."""
    done = 0
    for path in sorted((Path(folder) / SPOOL).glob("*.jsonl")):
        with path.open("r+", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            rows = [json.loads(line) for line in f.read().splitlines() if line.strip()]
            if not rows:
                continue
            with sql.transaction(con):
                for row in rows:
                    audit(con, row["actor"], row["action"], row["object"], row["detail"])
            f.seek(0)
            f.truncate()
            done += len(rows)
    return done
