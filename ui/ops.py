"""Operations seen from the app: the page shown when the store cannot be opened, and the
administrators' backups (made through the app's own connection, the only one there can be while
it runs).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import streamlit as st

from domain.access import Identity
from domain.policy import Permission
from store import access, audit, backup
from store.db import StoreError, resolve_path
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


def schedule() -> backup.Schedule | None:
    return backup.schedule_from_env()


def directory() -> Path:
    """Where backups go: TRACKER_BACKUP_DIR, else a backups folder beside the store."""
    plan = schedule()
    return plan.directory if plan else resolve_path().parent / "backups"


def backups(who: Identity) -> list[backup.Entry]:
    access.require(queries.cursor(), who, Permission.RUN_BACKUPS, "list backups", ["users"])  # the audit row as ever
    return backup.backups(directory())


def backup_now(who: Identity) -> tuple[Path, backup.Manifest]:
    """A backup made by an administrator, recorded in the audit log."""
    con = queries.cursor()
    access.require(con, who, Permission.RUN_BACKUPS, "back up the store", ["users"])
    plan = schedule()
    path, manifest = backup.create_in(con, directory(), actor=who.username,
                                      keep=plan.keep if plan else None)
    audit.record(con, who.username, "backup.created", str(path),
                 {"observations": manifest.tables["observations"].rows, "sha256": manifest.files})
    return path, manifest


def verify_all(who: Identity) -> dict[str, str | None]:
    """Each backup's name and the problem found in it, None when it is intact."""
    access.require(queries.cursor(), who, Permission.RUN_BACKUPS, "verify backups", ["users"])
    out = {}
    for entry in backup.backups(directory()):
        try:
            backup.verify(entry.path)
            out[entry.path.name] = None
        except StoreError as e:
            out[entry.path.name] = str(e)
    return out


def backups_table(entries: list[backup.Entry], checked: dict[str, str | None] | None, lang: str) -> pd.DataFrame:
    def state(entry: backup.Entry) -> str:
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
