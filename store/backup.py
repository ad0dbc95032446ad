"""Consistent backups of the store, their verification, and restoring one.

DuckDB lets one process open the store read-write, and while it does no other process can open
the file at all. So a backup is always taken through a connection to the store: the app's own
while it runs (the administrators' 备份 / Backup page and the nightly thread started when
TRACKER_BACKUP_DIR is set), or the command line's while the service is stopped. The copy is made
inside one transaction (`COPY FROM DATABASE` into a freshly attached file), so it is one snapshot
even while sessions keep submitting, and it carries the schema, the views and the sequences'
positions: ids handed out after a restore never repeat old ones.

A backup is a directory holding `store.duckdb` and `manifest.json`: per-table row counts and
content checksums, sequence positions, schema and app versions, and the sha256 of every file. It
is written under `<name>.partial` and renamed when complete, so a crash never leaves something
that looks like a finished backup. A restore verifies first, refuses a store another process has
open, keeps the store it replaces as `<name>.before-restore-<time>`, and swaps the file in with
an atomic rename.

Checksums alone prove nothing against someone who can write the backup directory: they would
edit the store and compute the manifest again. So `manifest.sig` holds an HMAC-SHA256 of the
manifest's exact bytes under a key kept outside the backups (TRACKER_BACKUP_KEY, else
data/secrets/backup_key; domain/config.py), and verify and restore refuse a manifest it does not
match. A backup without a signature (made before backups were signed, or with its signature
removed) is refused too, unless the operator accepts it knowingly (`trust_unsigned`, recorded in
the audit log by a restore).
"""

from __future__ import annotations

import atexit
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import threading
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import duckdb
from pydantic import BaseModel, ConfigDict, ValidationError

from domain import config
from store import sql
from store.audit import audit
from store.db import (
    LATEST_VERSION,
    StoreError,
    classified,
    connect,
    current_database,
    quote_ident,
    resolve_path,
    schema_version,
    table_digests,
)

FORMAT = "tracker-backup/1"
STORE_FILE = "store.duckdb"
MANIFEST_FILE = "manifest.json"
SIGNATURE_FILE = "manifest.sig"
SIGNATURE_ALGORITHM = "hmac-sha256"
STAMP = "%Y%m%d-%H%M%S"
_STAMP_RE = re.compile(r"^\d{8}-\d{6}(-\d+)?$")
_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("tracker.backup")
# One backup at a time in this process: the Backup button and the nightly thread may coincide.
_CREATE_LOCK = threading.Lock()
T = TypeVar("T")


class BackupError(StoreError):
    """A backup cannot be made, is not intact, or cannot be restored; nothing was changed."""

    def __init__(self, message: str, kind: str = "backup"):
        super().__init__(message, kind)


class TableDigest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    rows: int
    checksum: str


class Manifest(BaseModel):
    """What a backup holds, and how to tell it is intact."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    format: Literal["tracker-backup/1"]
    created_at: dt.datetime
    created_by: str
    app_version: str
    duckdb_version: str
    schema_version: int
    source: str
    tables: dict[str, TableDigest]
    sequences: dict[str, int | None]
    files: dict[str, str]  # file name -> sha256


def app_version() -> str:
    with (_ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sequences(con: sql.Con, database: str) -> dict[str, int | None]:
    return {name: value for name, value in con.execute(
        "SELECT sequence_name, last_value FROM duckdb_sequences() WHERE database_name = ? ORDER BY sequence_name",
        [database]).fetchall()}


def _sequence_problems(con: sql.Con, database: str) -> list[str]:
    """Every column filled from a sequence must lie at or below the sequence's position, else the
    next insert would reuse an id."""
    seqs = _sequences(con, database)
    problems = []
    for table, column, default in con.execute(
            "SELECT table_name, column_name, column_default FROM duckdb_columns() "
            "WHERE database_name = ? AND column_default LIKE 'nextval(%'", [database]).fetchall():
        found = re.search(r"nextval\('([^']+)'\)", default)
        if not found or found.group(1) not in seqs:
            problems.append(f"{table}.{column}: its sequence {default} is missing")
            continue
        top = sql.scalar(con, "SELECT max(t[?]) FROM query_table(?) AS t",
                         [column, f"{quote_ident(database)}.main.{quote_ident(table)}"])
        position = seqs[found.group(1)] or 0
        if top is not None and top > position:
            problems.append(f"{table}.{column}: highest id {top} is beyond sequence {found.group(1)} at {position}")
    return problems


def _digests(con: sql.Con, database: str | None = None, method: str = "md5") -> dict[str, TableDigest]:
    return {name: TableDigest(rows=rows, checksum=checksum)
            for name, (rows, checksum) in table_digests(con, database, method).items()}


def _read_store(path: Path, method: str = "md5") -> tuple[int, dict[str, TableDigest], dict[str, int | None], list[str]]:
    """Schema version, digests, sequences and sequence problems of a store file, opened read-only."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:
        raise BackupError(f"{path} cannot be opened: {e}") from e
    try:
        db = current_database(con)
        return schema_version(con), _digests(con, db, method), _sequences(con, db), _sequence_problems(con, db)
    except duckdb.Error as e:
        raise BackupError(f"{path} cannot be read in full: {e}") from e
    finally:
        con.close()


def _differences(expected: dict[str, TableDigest], found: dict[str, TableDigest]) -> list[str]:
    out = [f"table {name} is missing" for name in sorted(set(expected) - set(found))]
    out += [f"table {name} is not in the manifest" for name in sorted(set(found) - set(expected))]
    for name in sorted(set(expected) & set(found)):
        e, f = expected[name], found[name]
        if e.rows != f.rows:
            out.append(f"table {name}: {f.rows} rows, expected {e.rows}")
        elif e.checksum != f.checksum:
            out.append(f"table {name}: content checksum {f.checksum}, expected {e.checksum}")
    return out


# ---------------------------------------------------------------------------------- create


def create(con: sql.Con, target: str | os.PathLike, *, actor: str = "system", key: bytes | None = None) -> Manifest:
    """Snapshot the store behind `con` into the directory `target` (new or empty), its manifest
    signed with `key` (default: the settings' backup key, generated on first use).

    Runs on a cursor of its own inside one read transaction, so writers carry on meanwhile and
    the copy holds exactly the rows committed when it began."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not an empty directory; choose a new one")
    key = key if key is not None else signing_key(create=True)
    partial = target.with_name(target.name + ".partial")
    with _CREATE_LOCK:
        if partial.exists():
            shutil.rmtree(partial)  # left by a backup that was interrupted
        partial.mkdir(parents=True)
        try:
            manifest = _copy(con, partial, actor)
            sign(partial, key)
            os.replace(partial, target)  # rename(2) may replace an empty directory
            _fsync_dir(target.parent)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    return manifest


def copy_database(con: sql.Con, copy_path: Path, inside: Callable[[sql.Con, str], T]) -> tuple[str, T]:
    """Copy the store behind `con` into the new file `copy_path` inside one transaction (so it is
    one snapshot while writers carry on), schema, views and sequence positions included; `inside`
    runs in that transaction first, on the cursor and the source's database name, and its result
    reads the same snapshot as the copy. Returns the source's path and that result. Shared by
    backups and by the snapshots readers serve (store/snapshots.py)."""
    cur = con.cursor()
    alias = f"tracker_copy_{secrets.token_hex(6)}"  # ours, never user text
    try:
        source = current_database(cur)
        source_path = sql.scalar(cur, "SELECT path FROM duckdb_databases() WHERE database_name = ?", [source])
        cur.execute(f"ATTACH ? AS {alias} (READ_WRITE)", [str(copy_path)])
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                result = inside(cur, source)
                cur.execute(f"COPY FROM DATABASE {quote_ident(source)} TO {alias}")
                cur.execute("COMMIT")
            except BaseException:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # a failed COMMIT has ended the transaction already: keep its error
                raise
        finally:
            try:
                cur.execute(f"DETACH {alias}")  # checkpoints the copy: no WAL is left beside it
            except duckdb.Error:
                log.exception("could not detach the copy %s", copy_path)
    finally:
        cur.close()
    return str(source_path), result


def _copy(con: sql.Con, folder: Path, actor: str) -> Manifest:
    copy_path = folder / STORE_FILE
    try:
        source_path, (version, live) = copy_database(
            con, copy_path, lambda cur, source: (schema_version(cur), _digests(cur, source, "hash")))
    except duckdb.Error as e:
        raise BackupError(f"the backup could not be made ({folder}): {e}") from e
    copied_version, copied, sequences, problems = _read_store(copy_path, "hash")
    problems += _differences(live, copied)
    if copied_version != version:
        problems.append(f"schema version {copied_version} in the copy, {version} in the store")
    if problems:
        raise BackupError("the copy does not match the store: " + "; ".join(problems))
    _, portable, _, _ = _read_store(copy_path)  # the manifest's checksums: checkable by any later DuckDB
    files = sorted(p.name for p in folder.iterdir())
    if files != [STORE_FILE]:
        raise BackupError(f"unexpected files beside the copy: {files}")
    with copy_path.open("rb+") as f:
        os.fsync(f.fileno())
    manifest = Manifest(
        format=FORMAT, created_at=dt.datetime.now().replace(microsecond=0), created_by=actor,
        app_version=app_version(), duckdb_version=duckdb.__version__, schema_version=version,
        source=str(source_path),
        tables=portable, sequences=sequences, files={STORE_FILE: sha256(copy_path)})
    _write_manifest(folder / MANIFEST_FILE, manifest)
    return manifest


def _write_manifest(path: Path, manifest: Manifest) -> None:
    text = json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    with path.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


# ------------------------------------------------------------------------------- signature


def signing_key(*, create: bool = False, backups: Path | None = None) -> bytes:
    """The settings' backup key (domain/config.py); generated on first use only when `create`.
    A key file lying inside the backups' directory would sign nothing an intruder there could not
    sign too: refused."""
    try:
        given = config.settings()
        key = given.backup_signing_key(config.BACKUP_KEY_FILE, create=create)
    except config.ConfigError as e:
        raise BackupError(str(e), "signature") from e
    if key is None:
        raise BackupError("there is no backup key on this machine, so no backup's signature can be checked: give the "
                          "key of the machine that made the backups as TRACKER_BACKUP_KEY (or copy its "
                          f"{config.BACKUP_KEY_FILE} here, mode 600)", "signature")
    if backups is not None and given.backup_key is None and config.BACKUP_KEY_FILE.resolve().is_relative_to(
            backups.resolve()):
        raise BackupError(f"the backup key {config.BACKUP_KEY_FILE} lies inside the backups' directory {backups}; "
                          "keep it elsewhere (TRACKER_BACKUP_KEY)", "signature")
    return key


def key_id(key: bytes) -> str:
    """A short name of a key that reveals nothing of it: which key signed a backup."""
    return hmac.new(key, b"tracker-backup key id", hashlib.sha256).hexdigest()[:16]


def _mac(key: bytes, manifest_bytes: bytes) -> str:
    return hmac.new(key, b"tracker-backup/1 manifest\n" + manifest_bytes, hashlib.sha256).hexdigest()


def sign(folder: str | os.PathLike, key: bytes) -> None:
    """Write `manifest.sig`: the HMAC-SHA256 of manifest.json's exact bytes under `key`."""
    folder = Path(folder)
    body = (folder / MANIFEST_FILE).read_bytes()
    text = json.dumps({"algorithm": SIGNATURE_ALGORITHM, "key_id": key_id(key), "signature": _mac(key, body)},
                      indent=2) + "\n"
    with (folder / SIGNATURE_FILE).open("w", encoding="ascii") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def check_signature(folder: str | os.PathLike, key: bytes | None = None, *, trust_unsigned: bool = False) -> bool:
    """Whether manifest.json carries a valid signature (True), or none and `trust_unsigned` (False);
    otherwise BackupError saying what is wrong and, for an unsigned backup, how to accept it."""
    folder = Path(folder)
    path = folder / SIGNATURE_FILE
    if not path.exists():
        if trust_unsigned:
            log.warning("backup %s has no signature; accepted as trusted by the operator", folder)
            return False
        raise BackupError(
            f"backup {folder} has no signature ({SIGNATURE_FILE}): it was made before backups were signed, or its "
            "signature was removed — and then its manifest may have been rewritten too. Only if you know where this "
            "backup comes from, accept it knowingly: manage.py verify DIR --trust-unsigned, then "
            "manage.py restore DIR --trust-unsigned (recorded in the audit log)", "unsigned")
    key = key if key is not None else signing_key()
    try:
        sig = json.loads(path.read_text(encoding="ascii"))
        algorithm, signer, mac = sig["algorithm"], sig["key_id"], sig["signature"]
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
        raise BackupError(f"backup {folder}: {SIGNATURE_FILE} is not a signature ({e}); the backup is refused",
                          "signature") from e
    if algorithm != SIGNATURE_ALGORITHM:
        raise BackupError(f"backup {folder}: signature algorithm {algorithm!r} is not {SIGNATURE_ALGORITHM}; "
                          "the backup is refused", "signature")
    if not (isinstance(mac, str) and hmac.compare_digest(mac, _mac(key, (folder / MANIFEST_FILE).read_bytes()))):
        if signer != key_id(key):
            raise BackupError(f"backup {folder} was signed with another key (key id {signer}; this machine's is "
                              f"{key_id(key)}), or its signature was forged: give the key of the machine that made "
                              "it as TRACKER_BACKUP_KEY to check it", "signature")
        raise BackupError(f"backup {folder}: the manifest's signature does not match — manifest.json was changed "
                          "after the backup was made (forged or damaged); the backup is refused", "signature")
    return True


# ---------------------------------------------------------------------------------- verify


def read_manifest(folder: str | os.PathLike) -> Manifest:
    path = Path(folder) / MANIFEST_FILE
    if not path.is_file():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST_FILE}")
    try:
        return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, UnicodeDecodeError) as e:
        raise BackupError(f"{path} is not a valid manifest: {e}") from e


def verify(folder: str | os.PathLike, *, key: bytes | None = None, trust_unsigned: bool = False) -> Manifest:
    """Check a backup against its manifest: the manifest's signature (with `key`, default the
    settings' backup key), the files and their sha256, then the store's schema version, every
    table's row count and content checksum, and its sequences. Raises BackupError listing every
    problem found. `trust_unsigned` accepts a backup that has no signature at all — never one whose
    signature does not match."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    check_signature(folder, key, trust_unsigned=trust_unsigned)
    present = {p.name for p in folder.iterdir()} - {MANIFEST_FILE, SIGNATURE_FILE}
    problems = [f"{name} is missing" for name in sorted(set(manifest.files) - present)]
    problems += [f"{name} is not listed in the manifest" for name in sorted(present - set(manifest.files))]
    for name in sorted(set(manifest.files) & present):
        if sha256(folder / name) != manifest.files[name]:
            problems.append(f"{name}: sha256 differs from the manifest (the file was changed or damaged)")
    if problems:
        raise BackupError(f"backup {folder} is not intact: " + "; ".join(problems))
    problems = _store_problems(folder / STORE_FILE, manifest)
    if problems:
        raise BackupError(f"backup {folder} is not intact: " + "; ".join(problems))
    return manifest


def _store_problems(path: Path, manifest: Manifest) -> list[str]:
    version, digests, sequences, problems = _read_store(path)
    if version != manifest.schema_version:
        problems.append(f"schema version {version}, manifest says {manifest.schema_version}")
    problems += _differences(manifest.tables, digests)
    if sequences != manifest.sequences:
        problems.append(f"sequences {sequences}, manifest says {manifest.sequences}")
    return problems


# --------------------------------------------------------------------------------- restore


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    target: Path
    previous: Path | None  # where the replaced store was kept


def _locked(path: Path) -> bool:
    """Whether another process holds DuckDB's lock on the file. (POSIX locks are per process:
    call this only from a process that does not itself have the store open.)"""
    try:
        with path.open("rb+") as f:
            try:
                fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.lockf(f, fcntl.LOCK_UN)
            return False
    except FileNotFoundError:
        return False


def restore(folder: str | os.PathLike, target: str | os.PathLike, *, actor: str = "system",
            now: dt.datetime | None = None, key: bytes | None = None, trust_unsigned: bool = False) -> Restored:
    """Replace the store at `target` with the backup in `folder`, after verifying it (its
    signature too: see `verify`; an unsigned backup accepted with `trust_unsigned` says so in the
    audit row).

    Refuses while another process (the app) has the store open. The store replaced is kept as
    `<name>.before-restore-<time>`; the backup is copied next to the target, its sha256 checked
    again there, and renamed over it in one step."""
    folder, target = Path(folder), Path(target)
    manifest = verify(folder, key=key, trust_unsigned=trust_unsigned)
    signed = (folder / SIGNATURE_FILE).is_file()  # verify let an unsigned one through only when trusted
    if manifest.schema_version > LATEST_VERSION:
        raise BackupError(f"backup {folder} has schema version {manifest.schema_version}, newer than this release "
                          f"knows ({LATEST_VERSION}); restore it with the release that made it "
                          f"({manifest.app_version}) or a newer one", "newer")
    if _locked(target):
        try:
            duckdb.connect(str(target), read_only=True).close()
        except duckdb.Error as e:
            raise BackupError(str(classified(target, e)), "locked") from e
        raise BackupError(f"the store at {target} is in use by another process; stop the service first "
                          "(systemctl stop tracker)", "locked")
    stamp = (now or dt.datetime.now()).strftime(STAMP)
    wal = target.with_name(target.name + ".wal")
    if target.exists():
        _settle_wal(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{target.name}.restoring-{stamp}")
    try:
        shutil.copyfile(folder / STORE_FILE, incoming)
        with incoming.open("rb+") as f:
            os.fsync(f.fileno())
        if sha256(incoming) != manifest.files[STORE_FILE]:  # the copy as it landed on the target's disk
            raise BackupError(f"the copy at {incoming} differs from the verified backup (disk full or failing?)")
        previous = None
        if target.exists():
            previous = target.with_name(f"{target.name}.before-restore-{stamp}")
            os.link(target, previous)  # the old store stays whole under its new name
            if wal.exists():  # a store too damaged to replay its log keeps the log beside it
                os.replace(wal, previous.with_name(previous.name + ".wal"))
        os.replace(incoming, target)
        _fsync_dir(target.parent)
    finally:
        incoming.unlink(missing_ok=True)
    con = connect(target)  # migrates a backup from an older release, as the app would at start
    try:
        audit(con, actor, "backup.restored", str(folder),
              {"created_at": manifest.created_at.isoformat(), "app_version": manifest.app_version,
               "schema_version": manifest.schema_version, "previous": str(previous) if previous else None,
               "signature": "valid" if signed else "none: accepted as trusted by the operator"})
    finally:
        con.close()
    return Restored(manifest=manifest, target=target, previous=previous)


def _settle_wal(target: Path) -> None:
    """Fold a write-ahead log left by a crash into the store before it is set aside, so the kept
    copy is complete; a store too damaged to open is set aside as it is."""
    try:
        con = duckdb.connect(str(target))
    except duckdb.Error:
        return
    try:
        con.execute("CHECKPOINT")
    except duckdb.Error:
        pass
    finally:
        con.close()


# -------------------------------------------------------------------- a directory of backups


@dataclass(frozen=True)
class Entry:
    path: Path
    manifest: Manifest | None
    problem: str | None
    size: int


def create_in(con: sql.Con, base: str | os.PathLike, *, actor: str = "system", keep: int | None = None,
              now: dt.datetime | None = None) -> tuple[Path, Manifest]:
    """A new backup in `base/<YYYYmmdd-HHMMSS>`; then only the `keep` newest are kept."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    name = (now or dt.datetime.now()).strftime(STAMP)
    path, n = base / name, 1
    while path.exists() or path.with_name(path.name + ".partial").exists():
        n += 1
        path = base / f"{name}-{n}"
    manifest = create(con, path, actor=actor, key=signing_key(create=True, backups=base))
    if keep is not None:
        prune(base, keep)
    return path, manifest


def backups(base: str | os.PathLike) -> list[Entry]:
    """The backups in `base`, newest first, each with its manifest or why it cannot be read."""
    base = Path(base)
    if not base.is_dir():
        return []
    out = []
    for path in sorted((p for p in base.iterdir() if p.is_dir() and _STAMP_RE.match(p.name)), reverse=True):
        size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
        try:
            out.append(Entry(path, read_manifest(path), None, size))
        except BackupError as e:
            out.append(Entry(path, None, str(e), size))
    return out


def prune(base: str | os.PathLike, keep: int) -> list[Path]:
    """Delete all but the `keep` newest complete backups, and any left half-written; returns
    what was deleted. Directories not named like a backup are never touched."""
    base = Path(base)
    complete = [e.path for e in backups(base) if e.manifest is not None]
    doomed = complete[max(keep, 1):]
    with _CREATE_LOCK:  # a .partial directory seen under the lock is not being written
        doomed += [p for p in base.iterdir() if p.is_dir() and p.name.endswith(".partial")
                   and _STAMP_RE.match(p.name.removesuffix(".partial"))]
        for path in doomed:
            shutil.rmtree(path)
    return doomed


# -------------------------------------------------------------------------- nightly backups


@dataclass(frozen=True)
class Schedule:
    directory: Path
    at: dt.time
    keep: int


def schedule_from_env(env: Mapping[str, str] | None = None) -> Schedule | None:
    """The nightly schedule of the settings (domain/config.py), or of `env` alone when given:
    TRACKER_BACKUP_DIR turns nightly backups on; TRACKER_BACKUP_AT (HH:MM, default 02:30) and
    TRACKER_BACKUP_KEEP (default 14) tune them. A mistyped value is a StoreError naming it."""
    try:
        given = config.settings() if env is None else config.Settings.from_environ(env)
    except config.ConfigError as e:
        raise StoreError(str(e)) from e
    if given.backup_dir is None:
        return None
    return Schedule(given.backup_dir, given.backup_at, given.backup_keep)


def next_run(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The first moment at `at` strictly after `now`."""
    today = dt.datetime.combine(now.date(), at)
    return today if today > now else today + dt.timedelta(days=1)


def start_nightly(con: sql.Con, schedule: Schedule, stop: threading.Event | None = None) -> threading.Thread:
    """A daemon thread making a backup every day at `schedule.at` through `con` (the app's own
    connection: no other process could open the store). A failure is logged and retried the next
    night; it never stops the app."""
    stop = stop or threading.Event()

    def loop() -> None:
        log.info("nightly backups to %s at %s, keeping %d", schedule.directory, schedule.at, schedule.keep)
        while True:
            now = dt.datetime.now()
            if stop.wait((next_run(now, schedule.at) - now).total_seconds()):
                return
            try:
                path, manifest = create_in(con, schedule.directory, actor="nightly-backup", keep=schedule.keep)
                log.info("backup written to %s (%d observations)", path, manifest.tables["observations"].rows)
            except Exception:
                log.exception("nightly backup to %s failed", schedule.directory)

    thread = threading.Thread(target=loop, name="tracker-nightly-backup", daemon=True)
    thread.start()

    def finish() -> None:  # at exit: let a backup under way end, and release the connection
        stop.set()
        thread.join(timeout=30)

    atexit.register(finish)
    return thread


def open_source(path: str | os.PathLike | None = None) -> sql.Con:
    """The store opened read-only for a backup from the command line: nothing is migrated or
    written, so a backup taken before an upgrade holds the old store exactly. Fails with a
    StoreError of kind "locked" while the app has the store open."""
    p = resolve_path(path)
    if not p.exists():
        raise StoreError(f"no store at {p}", "missing")
    try:
        con = duckdb.connect(str(p), read_only=True)
    except duckdb.Error as e:
        raise classified(p, e) from e
    if schema_version(con) == 0:
        con.close()
        raise StoreError(f"{p} is not a tracker store (it has no schema_version)", "foreign")
    return con
