"""Opening the DuckDB file and bringing its schema up to date.

The path comes from `--db`, else the `TRACKER_DB` environment variable, else data/tracker.duckdb.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from store.schema import LATEST_VERSION, MIGRATIONS

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "tracker.duckdb"


class StoreError(RuntimeError):
    """The store cannot be used as it is (newer schema, not a tracker store, corrupt file)."""


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    if path:
        return Path(path)
    env = os.environ.get("TRACKER_DB")
    return Path(env) if env else DEFAULT_DB


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
            "upgrade the application instead of opening it with an older one"
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
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def connect(path: str | os.PathLike | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store, creating and migrating it when writable."""
    p = resolve_path(path)
    if read_only and not p.exists():
        raise StoreError(f"no store at {p}; run `python manage.py init --demo` first")
    p.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(p), read_only=read_only)
    except duckdb.Error as e:
        raise StoreError(f"cannot open the store at {p}: {e}") from e
    if not read_only:
        migrate(con)
    elif schema_version(con) != LATEST_VERSION:
        raise StoreError(f"store at {p} has schema version {schema_version(con)}, expected {LATEST_VERSION}")
    return con
