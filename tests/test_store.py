"""The store file: migrations, refusal of newer schemas, history never overwritten."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from store import figures, plans, programme, settings, submissions
from store.db import StoreError, connect, migrate, schema_version
from store.schema import LATEST_VERSION
from store.sql import transaction  # the writers' transaction, which this file tests
from tests import rawsql


def test_migrate_is_idempotent(tmp_path, catalog):
    path = tmp_path / "s.duckdb"
    con = connect(path)
    plans.sync_catalog(con, catalog)
    assert schema_version(con) == LATEST_VERSION
    assert migrate(con) == []  # nothing left to apply
    plans.sync_catalog(con, catalog)  # syncing twice keeps one copy of everything
    assert rawsql.scalar(con, "SELECT count(*) FROM targets") == sum(len(p.targets) for p in catalog.plans.values())
    con.close()


def test_a_store_from_a_newer_release_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    con = connect(path)
    con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [LATEST_VERSION + 1])
    con.close()
    with pytest.raises(StoreError, match="newer"):
        connect(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "junk.duckdb"
    path.write_bytes(b"this is not a duckdb file" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        connect(path)


def test_env_variable_names_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "env.duckdb"))
    connect().close()
    assert (tmp_path / "env.duckdb").exists()


def test_a_failed_write_leaves_nothing(store):
    before = rawsql.scalar(store, "SELECT count(*) FROM submissions")
    bad = pd.DataFrame([("qingdao", "software_revenue", 2011, 9, 1.0, 1.0, "万元", None)],
                       columns=submissions.REQUIRED_COLUMNS)  # quarter 9 violates the CHECK constraint
    with pytest.raises(duckdb.Error):
        submissions.write_submission(store, bad, actor="t", origin="test", status="accepted")
    assert rawsql.scalar(store, "SELECT count(*) FROM submissions") == before
    assert figures.observation_count(store) == 0


def test_every_write_is_audited(store):
    rows = pd.DataFrame([("qingdao", "software_revenue", 2011, 4, 1.0, 1.0, "万元", None)],
                        columns=submissions.REQUIRED_COLUMNS)
    sub = submissions.write_submission(store, rows, actor="alice", origin="test", status="accepted")
    log = rawsql.frame(store, "SELECT actor, action, object FROM audit_log WHERE actor = 'alice'")
    assert log.to_dict(orient="records") == [{"actor": "alice", "action": "submission.accepted",
                                              "object": f"submission:{sub}"}]


def test_nested_transactions_commit_once_and_fail_whole(store):
    """An inner transaction joins the outer one: its rows land only with the outer commit, and an
    error anywhere rolls back both."""
    before = rawsql.scalar(store, "SELECT count(*) FROM settings")
    with transaction(store):
        settings.set_setting(store, "outer", "1")
        with transaction(store):
            settings.set_setting(store, "inner", "1")
    assert rawsql.scalar(store, "SELECT count(*) FROM settings") == before + 2
    with pytest.raises(RuntimeError, match="boom"), transaction(store):
        settings.set_setting(store, "outer2", "1")
        with transaction(store):
            settings.set_setting(store, "inner2", "1")
        raise RuntimeError("boom")
    assert settings.setting(store, "outer2") is None and settings.setting(store, "inner2") is None
    other = store.cursor()
    with pytest.raises(RuntimeError, match="connection of the outer one"), transaction(store), \
            transaction(other):
        pass


def test_a_failed_demo_load_leaves_nothing(store, catalog, monkeypatch):
    """The demo set is one transaction: a failure after its organisations and figures were written
    (here, in the programme rows) leaves neither, so the next start loads it whole."""
    from store import demo

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(programme, "load_programme_rows", fail)
    orgs = rawsql.scalar(store, "SELECT count(*) FROM orgs")
    with pytest.raises(RuntimeError, match="disk full"):
        demo.load_demo(store, catalog)
    assert rawsql.scalar(store, "SELECT count(*) FROM orgs") == orgs
    assert rawsql.scalar(store, "SELECT count(*) FROM observations") == 0
    assert rawsql.scalar(store, "SELECT count(*) FROM current_figures") == 0
    monkeypatch.undo()
    assert demo.load_demo(store, catalog) > 0
