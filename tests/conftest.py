"""Shared fixtures: real DuckDB files in tmp paths, never mocks.

The demo store is built once per session (about two seconds) and opened read-only by tests that
only read it; tests that write get their own fresh store.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from store import demo, repo
from store.catalog import Catalog, load_catalog
from store.db import connect


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    con = connect(path)
    repo.sync_catalog(con, catalog)
    con.close()
    return path


@pytest.fixture
def store(tmp_path: Path, empty_db: Path):
    """An empty store with the catalog synced: orgs, indicators, plans, no observations.
    Copied from a session template: syncing the catalog costs more than copying a file."""
    path = tmp_path / "t.duckdb"
    shutil.copy(empty_db, path)
    con = connect(path)
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = connect(path)
    repo.sync_catalog(con, catalog)
    demo.load_demo(con, catalog)
    con.close()
    return path


@pytest.fixture
def demo_store(demo_db: Path):
    con = connect(demo_db, read_only=True)
    yield con
    con.close()
