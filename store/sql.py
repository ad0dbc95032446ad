"""The raw-SQL helpers of the store: the connection type, the one write lock, transactions, a
DataFrame made visible to SQL, and the three ways of reading a result (first row, one value, a frame).

Internal to `store/`: every other layer calls the named functions of the aggregate modules
(store/orgs.py, figures.py, submissions.py …), so SQL text never leaves this package. All
statements use `?` parameters (or a registered DataFrame for bulk rows); none is built from user
text. Writes go through `transaction()`, so a failure or a killed process leaves the store exactly
as it was. Functions take a connection (or cursor) so callers decide its lifetime: the app holds
one per process and takes a cursor per call, the command line opens one per run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

import duckdb
import pandas as pd

Con = duckdb.DuckDBPyConnection


# One writer at a time within the process. DuckDB lets only one process write a file, so this lock
# is what orders the app's sessions: two people revising the same figure at once must get
# revisions n and n+1, not both compute n (the revision number is max + 1 inside the transaction).
WRITE_LOCK = threading.RLock()


_open = threading.local()  # the connection whose transaction this thread is inside, and how deep


@contextmanager
def transaction(con: Con) -> Iterator[Con]:
    """One atomic, serialised write: committed whole or rolled back whole.

    Nested calls on the same thread join the outer transaction (only the outermost one begins and
    commits), so a function that is atomic on its own — upsert_orgs, write_submission — is also
    atomic as part of a larger write such as loading the demo set."""
    with WRITE_LOCK:
        outer = getattr(_open, "con", None)
        if outer is not None:
            if outer is not con:
                raise RuntimeError("a nested transaction must use the connection of the outer one")
            _open.depth += 1
            try:
                yield con
            finally:
                _open.depth -= 1
            return
        con.execute("BEGIN TRANSACTION")
        _open.con, _open.depth = con, 1
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # a failed COMMIT has already ended the transaction; keep the original error
            raise
        finally:
            _open.con = None


@contextmanager
def registered(con: Con, name: str, rows) -> Iterator[None]:
    """`rows` (a DataFrame or an Arrow table) visible to SQL as `name` for the block. Inside a
    failed transaction unregistering fails too; that second error must not hide the first."""
    con.register(name, rows)
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):
            con.unregister(name)
        raise
    con.unregister(name)


def first(con: Con, sql: str, params: Sequence | None = None) -> tuple | None:
    """The first row, or None. Reads the whole result: DuckDB 2 keeps a half-read result open
    and refuses other work on the connection until it is drained."""
    rows = con.execute(sql, list(params or [])).fetchall()
    return rows[0] if rows else None


def scalar(con: Con, sql: str, params: Sequence | None = None):
    row = first(con, sql, params)
    return None if row is None else row[0]


def frame(con: Con, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    return con.execute(sql, list(params or [])).df()


def read_only(con: Con) -> bool:
    """Whether `con` is a read-only connection (a reader process's snapshot, store/snapshots.py)."""
    return bool(scalar(con, "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()"))
