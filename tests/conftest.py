"""Shared fixtures: real DuckDB files in tmp paths, never mocks.

The demo store is built once per session (about two seconds) and opened read-only by tests that
only read it; tests that write get their own fresh store.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import demo, plans
from store.catalog import Catalog, load_catalog
from store.db import connect

BACKUP_KEY = "test-backup-key-" + "b" * 40


@pytest.fixture(autouse=True)
def backup_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test signs and checks backups with a fixed key (never data/secrets/ of the checkout);
    subprocesses inherit it through the environment."""
    monkeypatch.setenv("TRACKER_BACKUP_KEY", BACKUP_KEY)
    return BACKUP_KEY


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    con = connect(path)
    plans.sync_catalog(con, catalog)
    con.close()
    return path


def open_copy(template: Path, path: Path) -> Iterator:
    """A writable connection on a private copy of a store file, closed afterwards (for fixtures:
    copying a template costs less than building a store)."""
    shutil.copy(template, path)
    con = connect(path)
    yield con
    con.close()


@pytest.fixture
def store(tmp_path: Path, empty_db: Path):
    """An empty store with the catalog synced: orgs, indicators, plans, no observations."""
    yield from open_copy(empty_db, tmp_path / "t.duckdb")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = connect(path)
    plans.sync_catalog(con, catalog)
    demo.load_demo(con, catalog)
    con.close()
    return path


@pytest.fixture
def demo_store(demo_db: Path):
    con = connect(demo_db, read_only=True)
    yield con
    con.close()


LEADER_PASSWORD = "leader-password-1"


def demo_with_users(demo_db: Path, folder: Path, passwords: dict[str, str]) -> Path:
    """A copy of the demo store with the demo users, some with known passwords."""
    from domain.access import SYSTEM
    from store import users

    path = folder / "app-template.duckdb"
    shutil.copy(demo_db, path)
    con = connect(path)
    users.create_demo_users(con)
    for name, password in passwords.items():
        users.reset_password(con, SYSTEM, name, password)
    con.close()
    return path


@pytest.fixture
def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, production_routing):
    """Point the app at a private copy of a store, named by TRACKER_DB as in production, with a
    fixed cookie key (never data/secrets/), empty streamlit caches and no store open in the process
    before and after (the app keeps its connection outside the caches: ui.queries.close_stores)."""
    import streamlit as st

    from ui import queries

    def use(template: Path) -> Path:
        path = tmp_path / "app.duckdb"
        shutil.copy(template, path)
        monkeypatch.setenv("TRACKER_DB", str(path))
        monkeypatch.setenv("TRACKER_COOKIE_KEY", "test-cookie-key-" + "x" * 40)
        st.cache_data.clear()
        st.cache_resource.clear()
        queries.close_stores()
        return path

    yield use
    st.cache_data.clear()
    st.cache_resource.clear()
    queries.close_stores()


@pytest.fixture
def leader_app(tmp_path: Path, demo_db: Path, app_store):
    """The demo store for AppTest runs, with a known password for the leader."""
    return app_store(demo_with_users(demo_db, tmp_path, {"leader": LEADER_PASSWORD}))


@pytest.fixture(scope="session")
def users_template(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Path:
    """The demo store with every demo user, each with APP_PASSWORD (hashing is slow: once a session)."""
    from tests.apptest_helpers import APP_PASSWORD, DEMO_NAMES

    return demo_with_users(demo_db, tmp_path_factory.mktemp("app-users"), dict.fromkeys(DEMO_NAMES, APP_PASSWORD))


@pytest.fixture
def app_db(users_template: Path, app_store) -> Path:
    """The app on a private copy of `users_template` (TRACKER_DB as in production), caches cleared.
    Modules that need other users override this fixture."""
    return app_store(users_template)


@pytest.fixture
def production_routing(monkeypatch: pytest.MonkeyPatch):
    """Route every AppTest run through dashboard.py, as a real server does.

    With a pages/ folder beside dashboard.py, Streamlit runs a page file directly (skipping the
    entry script) until the process's first st.navigation call clears PagesManager's
    `uses_pages_directory`; AppTest resets that flag before every run, so without this fixture a
    rerun whose URL names a page file would bypass the sign-in gate and the sidebar."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False  # what st.navigation leaves behind on a server

    monkeypatch.setattr(PagesManager, "__init__", init)
