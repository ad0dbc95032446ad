"""The tests' own SQL: look at the store's tables directly (a count, a row, a frame) to check what a
write left behind. The product's raw-SQL helpers are private to store/ (store/sql.py); tests read
through these instead, so nothing outside store/ depends on them.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd


def first(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | None = None) -> tuple | None:
    rows = con.execute(sql, list(params or [])).fetchall()
    return rows[0] if rows else None


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | None = None):
    row = first(con, sql, params)
    return None if row is None else row[0]


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    return con.execute(sql, list(params or [])).df()


def store_before(path, version: int) -> duckdb.DuckDBPyConnection:
    """A store as an older release left it: every migration before `version` applied, none after, so a
    test can write what that release wrote and check the next migration keeps it."""
    from store.schema import MIGRATIONS

    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    for number, sql in MIGRATIONS:
        if number < version:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [number])
    return con
