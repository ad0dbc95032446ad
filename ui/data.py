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
from metrics import incentives, tracker
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
def user_list(version: int, who: Identity) -> pd.DataFrame:
    access.require_admin(cursor(), who, "list")
    return users.list_users(cursor())


def org_name(org_id: str) -> str:
    return repo.scalar(cursor(), "SELECT name_zh FROM orgs WHERE org_id = ?", [org_id]) or org_id


# ---------------------------------------------------------------- progress, charts, breakdowns


@st.cache_data(show_spinner=False)
def progress(version: int, plan_id: str, as_of: Period) -> list[tracker.ProgressRow]:
    return tracker.plan_progress(cursor(), catalog(), plan_id, as_of)


@st.cache_data(show_spinner=False)
def target_series(version: int, plan_id: str, target_id: str, as_of: Period) -> tracker.TargetSeries:
    return tracker.target_series(cursor(), catalog(), plan_id, target_id, as_of, progress(version, plan_id, as_of))


@st.cache_data(show_spinner=False)
def park_breakdown(version: int, plan_id: str, target_id: str, as_of: Period) -> list[tracker.ParkShare]:
    return tracker.park_breakdown(cursor(), catalog(), plan_id, target_id, as_of, progress(version, plan_id, as_of))


@st.cache_data(show_spinner=False)
def components(version: int, org_id: str, as_of: Period) -> pd.DataFrame:
    return tracker.components(cursor(), catalog(), org_id, "software_revenue", as_of)


def latest_period(version: int, org_id: str | None) -> Period | None:
    found = periods(version, org_id)
    return found[-1] if found else None


@st.cache_data(show_spinner=False)
def newly_qualified(version: int, who: Identity, park_id: str, year: int) -> pd.DataFrame:
    """Firms of the park that first reached an incentive threshold in `year` (scoped read)."""
    con = cursor()
    values = access.enterprise_annual(con, who, park_id, "software_revenue", year)  # the scope check comes first
    city = repo.city_of(con, park_id)
    rules = repo.incentives(con, [city] if city else [])
    if rules.empty:
        return pd.DataFrame(columns=["org_id", "name_zh", "incentive_id", "threshold", "value", "growth", "reward"])
    annual = {org: dict(zip(g.year, g.value, strict=True)) for org, g in values.groupby("org_id")}
    names = dict(zip(values.org_id, values.name_zh, strict=False))
    found = incentives.newly_qualified(annual, [
        incentives.Threshold(r.incentive_id, r.threshold, None if pd.isna(r.reward) else r.reward,
                             None if pd.isna(r.min_growth) else r.min_growth)
        for r in rules.itertuples()], year)
    return pd.DataFrame([(q.org_id, names.get(q.org_id, q.org_id), q.incentive_id, q.threshold, q.value, q.growth,
                          q.reward) for q in found],
                        columns=["org_id", "name_zh", "incentive_id", "threshold", "value", "growth", "reward"])


def visible_plans(who: Identity) -> list[str]:
    """Plans a user can open: all, or for a park manager the plans over their park."""
    cat = catalog()
    ordered = sorted(cat.plans, key=lambda pid: cat.plans[pid].issued)
    if who.role.reads_everything:
        return ordered
    if who.scope_org_id is None:
        return []
    chain, org = set(), cat.organisations.get(who.scope_org_id)  # enterprises are not in the catalog: none
    while org is not None:
        chain.add(org.org_id)
        org = cat.organisations.get(org.parent) if org.parent else None
    return [pid for pid in ordered if cat.plans[pid].scope in chain]
