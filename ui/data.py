"""Cached reads for the pages: the one place streamlit caching touches the store.

The app holds one DuckDB connection per process (DuckDB allows one writer process) and takes a
cursor per call. Cached results are keyed by a data version (the newest audit entry), so a
submission landing anywhere makes every page recompute without restarting the app.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from domain.access import Identity
from domain.periods import Period
from store import access, demo, repo, users
from store.catalog import Catalog, default_catalog
from store.db import connect, resolve_path


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> repo.Con:
    con = connect(path)
    catalog = default_catalog()
    repo.sync_catalog(con, catalog, actor="app-start")
    if not repo.has_data(con) and os.environ.get("TRACKER_DEMO", "1") == "1":
        demo.load_demo(con, catalog)  # the embedded default: demo data on first start
        for name, password in users.create_demo_users(con).items():
            print(f"demo user {name}: password {password} (shown once)", flush=True)
    return con


def cursor() -> repo.Con:
    return _connection(str(resolve_path())).cursor()


def catalog() -> Catalog:
    return default_catalog()


def data_version() -> int:
    """Grows with every write, so it invalidates every cached read below."""
    return int(repo.scalar(cursor(), "SELECT coalesce(max(audit_id), 0) FROM audit_log"))


def store_path() -> str:
    return str(resolve_path())


@st.cache_data(show_spinner=False)
def plans(version: int) -> pd.DataFrame:
    return repo.plans(cursor())


@st.cache_data(show_spinner=False)
def is_demo(version: int) -> bool:
    return repo.setting(cursor(), "demo_data") == "true"


@st.cache_data(show_spinner=False)
def periods(version: int, under: str | None = None) -> list[Period]:
    """Every quarter with accepted data (within `under` and its descendants if given), oldest first."""
    return repo.periods(cursor(), under)


# Scoped reads: the identity is part of the cache key, and the scope check runs inside, so a
# cached result is only ever returned to the identity it was computed for; refusals are not cached.


@st.cache_data(show_spinner=False)
def visible_parks(version: int, who: Identity) -> pd.DataFrame:
    return access.visible_parks(cursor(), who)


@st.cache_data(show_spinner=False)
def enterprise_figures(version: int, who: Identity, park_id: str, as_of: Period) -> pd.DataFrame:
    return access.enterprise_figures(cursor(), who, park_id, as_of)


@st.cache_data(show_spinner=False)
def own_figures(version: int, who: Identity, org_id: str, as_of: Period) -> pd.DataFrame:
    return access.own_figures(cursor(), who, org_id, as_of)


@st.cache_data(show_spinner=False)
def user_list(version: int) -> pd.DataFrame:
    return users.list_users(cursor())


def org_name(org_id: str) -> str:
    return repo.scalar(cursor(), "SELECT name_zh FROM orgs WHERE org_id = ?", [org_id]) or org_id
