"""Opening the DuckDB file and bringing its schema up to date.

The path comes from `--db`, else the `TRACKER_DB` setting (domain/config.py), else data/tracker.duckdb.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from domain.config import DEFAULT_DB as DEFAULT_DB  # re-exported: where the store lives unless configured
from domain.config import ConfigError, settings
from store.schema import LATEST_VERSION, MIGRATIONS
from store.sql import Con as Con  # the connection type, for type hints outside store/


class StoreError(RuntimeError):
    """The store cannot be used as it is. `kind` says why, so the app and the command line can
    explain it in the reader's language: locked (another process has it open), corrupt (not a
    DuckDB file, damaged blocks, truncated), foreign (another program's DuckDB file), newer (written
    by a newer release), missing, or unusable (anything else)."""

    def __init__(self, message: str, kind: str = "unusable"):
        super().__init__(message)
        self.kind = kind


def classified(p: Path, e: duckdb.Error) -> StoreError:
    """A DuckDB error met on opening `p`, as a StoreError of the right kind."""
    text = str(e)
    if "Could not set lock" in text or "Conflicting lock" in text:
        holder = re.search(r"\(PID (\d+)\)", text)
        return StoreError(f"the store at {p} is in use by another process"
                          f"{f' (PID {holder.group(1)})' if holder else ''}, usually the running app: "
                          "stop the service first (systemctl stop tracker)", "locked")
    if any(m in text for m in ("not a valid DuckDB database", "Corrupt database", "Could not read enough bytes",
                               "checksum")):
        return StoreError(f"cannot open the store at {p}: it is damaged or not a DuckDB file ({text}); it was left "
                          "untouched — restore the latest backup (python manage.py restore DIR)", "corrupt")
    return StoreError(f"cannot open the store at {p}: {text}")


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    if path:
        return Path(path)
    try:
        return settings().db
    except ConfigError as e:  # a mistyped setting: the app's "cannot open" page, the command line's error line
        raise StoreError(str(e)) from e


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations, each in its own transaction; return the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
    )
    current = schema_version(con)
    if current > LATEST_VERSION:
        raise StoreError(
            f"this store has schema version {current}, newer than this release knows ({LATEST_VERSION}); "
            "upgrade the application instead of opening it with an older one", "newer"
        )
    applied = []
    for version, sql in MIGRATIONS:
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [version])
            con.execute("COMMIT")
        except Exception:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # a failed COMMIT (a full disk) has ended the transaction already: keep its error
            raise
        applied.append(version)
    return applied


def connect(path: str | os.PathLike | None = None, read_only: bool = False,
            verify: bool = False, create: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the store, creating and migrating it when writable.

    Every failure is a StoreError with a kind; nothing is ever created over a file that is not a
    tracker store. `verify` also reads every row of every table, so damaged blocks are found now
    rather than in the middle of someone's work (the app does this once at start). With
    `create=False` (commands that only read) a missing file is an error, not a new empty store: a
    mistyped path must not answer with an empty table."""
    p = resolve_path(path)
    if (read_only or not create) and not p.exists():
        raise StoreError(f"no store at {p}; run `python manage.py init --demo` first", "missing")
    p.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(p), read_only=read_only)
    except duckdb.Error as e:
        raise classified(p, e) from e
    try:
        if schema_version(con) == 0 and con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name <> 'schema_version'").fetchall()[0][0]:
            raise StoreError(f"{p} is a DuckDB file of something else (it has tables but no schema_version); "
                             "it was left untouched — point TRACKER_DB or --db at the tracker's store", "foreign")
        if not read_only:
            migrate(con)
        elif schema_version(con) > LATEST_VERSION:
            raise StoreError(f"store at {p} has schema version {schema_version(con)}, newer than this release "
                             f"knows ({LATEST_VERSION})", "newer")
        elif schema_version(con) != LATEST_VERSION:
            raise StoreError(f"store at {p} has schema version {schema_version(con)}, expected {LATEST_VERSION}")
        if verify:
            table_digests(con, method="hash")
    except duckdb.Error as e:
        con.close()
        raise classified(p, e) from e
    except StoreError:
        con.close()
        raise
    return con


def quote_ident(name: str) -> str:
    """A quoted identifier, for query_table's argument (a parameter, never spliced into SQL)."""
    return '"' + name.replace('"', '""') + '"'


_DIGESTS = {
    # Portable: MD5 of each row's JSON form, summed (lower 64 bits). Independent of row order and
    # storage layout and of DuckDB's internal hash, so a manifest stays checkable after an upgrade.
    "md5": "SELECT count(*), coalesce(sum(md5_number_lower(to_json(t)::VARCHAR)), 0)::VARCHAR FROM query_table(?) AS t",
    # Fast (about 40 times): DuckDB's own row hash, summed. For comparisons within one process:
    # a start-up scan, or a backup against the store it was copied from.
    "hash": "SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR FROM query_table(?) AS t",
}


def table_digests(con: duckdb.DuckDBPyConnection, database: str | None = None,
                  method: str = "md5") -> dict[str, tuple[int, str]]:
    """Row count and content checksum of every table, reading every row of every column (so
    DuckDB checks the checksum of every block they are stored in)."""
    db = database or current_database(con)
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY table_name",
        [db]).fetchall()]
    out = {}
    for name in names:
        rows, checksum = con.execute(_DIGESTS[method], [f"{quote_ident(db)}.main.{quote_ident(name)}"]).fetchall()[0]
        out[name] = (int(rows), checksum)
    return out


def current_database(con: duckdb.DuckDBPyConnection) -> str:
    """The catalog name DuckDB gives the open store file (its file name without extension)."""
    return con.execute("SELECT current_database()").fetchall()[0][0]
