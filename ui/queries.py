"""Cached reads for the pages: the one place streamlit caching touches the store.

The app holds one DuckDB connection per process (DuckDB allows one writer process) and takes a
cursor per call. Cached results are keyed by a data version (the newest audit entry), so a
submission landing anywhere makes every page recompute without restarting the app.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from domain.access import Identity
from domain.config import settings
from domain.periods import Period
from metrics import bases, tasks, tracker
from service import queries
from store import access, audit, backup, demo, figures, orgs, users
from store import plans as plan_rows  # this module has a function named plans
from store import settings as stored_settings  # `settings` here is the process's settings object
from store.catalog import Catalog, default_catalog
from store.db import Con, connect, resolve_path


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> Con:
    """The process's one connection, opened once: the whole store is read first (a damaged file
    is refused now, with a clear page, not halfway through someone's work), and the nightly
    backup thread starts beside it when TRACKER_BACKUP_DIR is set."""
    _log_to_stderr()
    schedule = backup.schedule_from_env()  # a mistyped setting stops the start, before anything opens
    con = connect(path, verify=True)
    catalog = default_catalog()
    plan_rows.sync_catalog(con, catalog, actor="app-start")
    if not figures.has_data(con) and settings().demo:
        demo.load_demo(con, catalog)  # the embedded default: demo data on first start
        for name, password in users.create_demo_users(con).items():
            print(f"demo user {name}: password {password} (shown once)", flush=True)
    if schedule is not None:
        backup.start_nightly(con, schedule)
    return con


def _log_to_stderr() -> None:
    """Our log lines (nightly backups, a store that cannot be opened) go to stderr: journald
    under systemd. Streamlit configures only its own loggers."""
    logger = logging.getLogger("tracker")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def cursor() -> Con:
    return _connection(str(resolve_path())).cursor()


def catalog() -> Catalog:
    return default_catalog()


def data_version() -> int:
    """Grows with every write, so it invalidates every cached read below."""
    return audit.data_version(cursor())


@st.cache_data(show_spinner=False)
def plans(version: int) -> pd.DataFrame:
    return plan_rows.plans(cursor())


@st.cache_data(show_spinner=False)
def is_demo(version: int) -> bool:
    return stored_settings.setting(cursor(), "demo_data") == "true"


@st.cache_data(show_spinner=False)
def periods(version: int, under: str | None = None) -> list[Period]:
    """Every quarter with accepted data (within `under` and its descendants if given), oldest first."""
    return figures.periods(cursor(), under)


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
    return orgs.name_of(cursor(), org_id) or org_id


# ---------------------------------------------------------------- progress, charts, breakdowns


@st.cache_data(show_spinner=False)
def judgement(version: int, plan_id: str, as_of: Period) -> tracker.PlanJudgement:
    """The plan judged at the quarter: one read of the store, one pure judgment, cached per version."""
    return queries.plan_judgement(cursor(), catalog(), plan_id, as_of)


def progress(version: int, plan_id: str, as_of: Period) -> list[tracker.ProgressRow]:
    return judgement(version, plan_id, as_of).rows


def target_series(version: int, plan_id: str, target_id: str, as_of: Period) -> tracker.TargetSeries:
    return judgement(version, plan_id, as_of).series[target_id]


def park_breakdown(version: int, plan_id: str, target_id: str, as_of: Period) -> list[tracker.ParkShare]:
    return judgement(version, plan_id, as_of).parks[target_id]


def components(version: int, plan_id: str, target_id: str, as_of: Period) -> pd.DataFrame:
    """Software revenue's parts under a revenue target (an empty frame for any other target)."""
    return judgement(version, plan_id, as_of).components.get(target_id, pd.DataFrame(columns=tracker.COMPONENT_COLUMNS))


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


# ------------------------------------------------- plans beyond revenue: tasks, bases, incentives


@st.cache_data(show_spinner=False)
def task_states(version: int, who: Identity, plan_id: str, quarter: Period) -> list[tasks.TaskState]:
    """Every task of the plan at the end of the quarter (scoped read: leaders, reviewers, admins)."""
    con = cursor()
    infos, updates = tasks.from_frames(access.plan_tasks(con, who, plan_id), access.task_updates(con, who, plan_id))
    return tasks.task_states(infos, updates, quarter)


@st.cache_data(show_spinner=False)
def task_history(version: int, who: Identity, plan_id: str, task_id: str) -> pd.DataFrame:
    return access.task_updates(cursor(), who, plan_id, task_id)


@st.cache_data(show_spinner=False)
def latest_task_quarter(version: int, who: Identity, plan_id: str) -> Period | None:
    updates = access.task_updates(cursor(), who, plan_id)
    if updates.empty:
        return None
    return max(Period(int(y), int(q)) for y, q in zip(updates.year, updates.quarter, strict=True))


@st.cache_data(show_spinner=False)
def base_programme(version: int, who: Identity, plan_id: str, as_of: dt.date) -> bases.ProgrammeView:
    """The base programme as known on a date: counts, eligibility, half-year reports."""
    con = cursor()
    plan = catalog().plans[plan_id]
    register = bases.from_frame(access.designations(con, who, plan_id))
    years = sorted({d.year - 1 for d in register})
    figures = access.county_figures(con, who, plan.scope, "software_revenue", years)
    reports = bases.received(access.base_reports(con, who, plan_id))
    return bases.programme_view(plan, register, bases.county_values(figures), reports, as_of)


@st.cache_data(show_spinner=False)
def counties(version: int, who: Identity, province: str) -> pd.DataFrame:
    return access.counties(cursor(), who, province)


@st.cache_data(show_spinner=False)
def incentive_winners(version: int, who: Identity, plan_id: str, under: str, year: int) -> pd.DataFrame:
    """Firms under a city or park that newly qualify for the plan's rewards in `year` (scoped read:
    a park manager asking beyond their park is refused by the data layer)."""
    return queries.plan_winners(cursor(), who, catalog().plans[plan_id], under, year)

