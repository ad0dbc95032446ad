"""Operations seen from the app: the page shown when the store cannot be opened, and the
administrators' backups (made through the app's own connection, the only one there can be while
it runs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from domain.access import Identity
from service import commands
from service import queries as service
from store.backup import Entry, Schedule
from store.db import StoreError
from ui import queries
from ui.i18n import t

log = logging.getLogger("tracker.store")

_KINDS = {"locked": "store_locked", "corrupt": "store_corrupt", "newer": "store_newer", "foreign": "store_foreign"}


def store_problem() -> StoreError | None:
    """Why the store cannot be opened, or None. A failure is not cached, so once an
    administrator has put things right a reload tries again."""
    try:
        queries.cursor().close()
    except StoreError as e:
        log.error("the store cannot be opened: %s", e)
        return e
    return None


def store_unavailable(problem: StoreError, lang: str) -> None:
    """A plain page instead of a traceback. The technical reason (paths, DuckDB's words) goes to
    the service log only: this page is shown before anyone has signed in."""
    st.title(t("app_title", lang))
    st.error(t(_KINDS.get(problem.kind, "store_other"), lang))
    st.caption(t("store_log_hint", lang))


def schedule() -> Schedule | None:
    return service.backup_schedule()


def directory() -> Path:
    """Where backups go: TRACKER_BACKUP_DIR, else a backups folder beside the store."""
    return service.backup_directory()


def backups(who: Identity) -> list[Entry]:
    return service.backups(queries.cursor(), who, directory())


@dataclass(frozen=True)
class BackupMade:
    """A backup taken from the app: its folder's name and observation count, or why it failed."""

    name: str | None = None
    rows: int | None = None
    problem: str | None = None


def backup_now(who: Identity) -> BackupMade:
    """A backup made by an administrator, recorded in the audit log; a failure (a full disk, a
    folder that cannot be written) is returned for the page to show, a refusal is raised."""
    try:
        plan = schedule()
        path, manifest = commands.backup_now(queries.cursor(), who, directory(), keep=plan.keep if plan else None)
    except StoreError as e:
        return BackupMade(problem=str(e))
    return BackupMade(name=path.name, rows=manifest.tables["observations"].rows)


def verify_all(who: Identity) -> dict[str, str | None]:
    """Each backup's name and the problem found in it, None when it is intact."""
    return service.verify_backups(queries.cursor(), who, directory())


def backups_table(entries: list[Entry], checked: dict[str, str | None] | None, lang: str) -> pd.DataFrame:
    def state(entry: Entry) -> str:
        if entry.manifest is None:
            return t("backup_bad", lang)
        if checked is None or entry.path.name not in checked:
            return t("backup_unchecked", lang)
        return t("backup_ok", lang) if checked[entry.path.name] is None else t("backup_bad", lang)

    return pd.DataFrame({
        t("backup_name", lang): [e.path.name for e in entries],
        t("at", lang): [e.manifest.created_at if e.manifest else None for e in entries],
        t("by", lang): [e.manifest.created_by if e.manifest else "" for e in entries],
        t("backup_rows", lang): [e.manifest.tables["observations"].rows if e.manifest else None for e in entries],
        t("backup_schema", lang): [e.manifest.schema_version if e.manifest else None for e in entries],
        t("backup_size", lang): [round(e.size / 1e6, 1) for e in entries],
        t("backup_state", lang): [state(e) for e in entries],
    })
