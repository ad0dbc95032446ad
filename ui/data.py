"""Cached reads for the pages: the one place streamlit caching touches the store.

The app holds one DuckDB connection per process (DuckDB allows one writer process) and takes a
cursor per call. Cached results are keyed by a data version (the newest audit entry), so a
submission landing anywhere makes every page recompute without restarting the app.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from store import demo, repo
from store.catalog import Catalog, default_catalog
from store.db import connect, resolve_path


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> repo.Con:
    con = connect(path)
    catalog = default_catalog()
    repo.sync_catalog(con, catalog, actor="app-start")
    if not repo.has_data(con) and os.environ.get("TRACKER_DEMO", "1") == "1":
        demo.load_demo(con, catalog)  # the embedded default: demo data on first start
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
