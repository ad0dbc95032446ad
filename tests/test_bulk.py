"""The bulk writer (store/bulk.py) matches columns by name: rows in any column order land in the
right columns, and rows that do not fit the table are refused, naming the columns at fault."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from store import bulk
from tests import rawsql

ROW = {"plan_id": "p", "base_id": "b", "year": 2016, "half": 1, "revision": 1,
       "received_on": pd.Timestamp("2016-07-10").date(), "note": "n", "entered_by": "t",
       "entered_at": pd.Timestamp("2016-07-10 15:00")}


def test_columns_land_by_name_whatever_their_order(store):
    reordered = pd.DataFrame([ROW])[list(reversed(ROW))]  # every column in the wrong position
    assert bulk.insert(store, "base_reports", reordered) == 1
    got = rawsql.first(store, "SELECT plan_id, base_id, year, half, note, entered_by FROM base_reports")
    assert got == ("p", "b", 2016, 1, "n", "t")


def test_arrow_tables_load_too(store):
    table = pa.Table.from_pandas(pd.DataFrame([ROW, {**ROW, "revision": 2}]), preserve_index=False)
    assert bulk.insert(store, "base_reports", table) == 2
    assert rawsql.scalar(store, "SELECT max(revision) FROM base_reports") == 2


def test_a_column_the_table_fills_itself_may_be_left_out(store):
    without = {k: v for k, v in ROW.items() if k not in ("note", "entered_at")}  # both have defaults
    bulk.insert(store, "base_reports", pd.DataFrame([without]))
    assert rawsql.first(store, "SELECT note, entered_at IS NOT NULL FROM base_reports") == ("", True)


def test_rows_that_do_not_fit_are_refused_naming_the_columns(store):
    wrong = pd.DataFrame([{**{k: v for k, v in ROW.items() if k != "received_on"}, "recieved": ROW["received_on"]}])
    with pytest.raises(bulk.BulkError, match="not in the table: recieved; missing: received_on"):
        bulk.insert(store, "base_reports", wrong)
    with pytest.raises(bulk.BulkError, match="no table 'base_report'"):
        bulk.insert(store, "base_report", pd.DataFrame([ROW]))
    assert rawsql.scalar(store, "SELECT count(*) FROM base_reports") == 0
