"""Bulk loading: many rows at once from a DataFrame or an Arrow table into one table of the store,
matched to the table's columns by name, never by position.

An `INSERT … SELECT *` puts each column wherever the table's column order says, so a migration that
adds or reorders a column silently shifts values into the wrong place. Here the rows' columns are
checked against the table's first: a column the table does not have, or one of the table's columns
the rows leave out (unless the table fills it by itself, with a default), is refused with an error
naming them. Used for the demo set's programme rows and by the benchmark's generator, whose loads
bypass the writers of single submissions (store/submissions.py).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from store.db import quote_ident
from store.sql import Con, registered


class BulkError(ValueError):
    """Rows whose columns do not fit the table they are meant for."""


def table_columns(con: Con, table: str) -> dict[str, bool]:
    """The columns of `table` in order, each with whether the table fills it by itself (a default, or
    NULL in a nullable column: migration 6's published 同比 and date are absent from most rows)."""
    rows = con.execute(
        """SELECT column_name, column_default IS NOT NULL OR is_nullable FROM duckdb_columns()
           WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?
           ORDER BY column_index""", [table]).fetchall()
    if not rows:
        raise BulkError(f"the store has no table {table!r}")
    return {name: bool(has_default) for name, has_default in rows}


def insert(con: Con, table: str, rows: pd.DataFrame | pa.Table) -> int:
    """Insert every row of `rows` into `table`, each column into the table's column of that name;
    returns the number of rows. Runs in the caller's transaction, if any."""
    names = list(rows.column_names) if isinstance(rows, pa.Table) else [str(c) for c in rows.columns]
    columns = table_columns(con, table)
    extra = [c for c in names if c not in columns]
    missing = [c for c, has_default in columns.items() if not has_default and c not in names]
    if extra or missing:
        raise BulkError(f"rows for {table} do not fit its columns:"
                        + (f" not in the table: {', '.join(extra)};" if extra else "")
                        + (f" missing: {', '.join(missing)};" if missing else "")
                        + f" the table has {', '.join(columns)}")
    # Identifiers cannot be parameters; these are the table's own names (checked above) and quoted.
    listed = ", ".join(quote_ident(c) for c in names)
    statement = f"INSERT INTO {quote_ident(table)} ({listed}) SELECT {listed} FROM bulk_rows"  # noqa: S608
    with registered(con, "bulk_rows", rows):
        con.execute(statement)
    return len(rows)


def checkpoint(con: Con) -> None:
    """Write everything loaded so far into the store file itself (a bulk load ends with one, so
    the file is whole without its write-ahead log)."""
    con.execute("CHECKPOINT")
