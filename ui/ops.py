"""Operations seen from the app: the page shown when the store cannot be opened, and the table of
the administrators' backups. The reads behind them are ui/queries.py's (`store_problem`,
`backups`, `verify_backups`), the backup itself is ui/services.py's (`backup_now`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from ui.i18n import t

if TYPE_CHECKING:
    from ui.queries import BackupEntry

_KINDS = {"locked": "store_locked", "corrupt": "store_corrupt", "newer": "store_newer", "foreign": "store_foreign",
          "snapshot": "store_no_snapshot"}  # a reader process before the writer has published


def store_unavailable(kind: str, lang: str) -> None:
    """A plain page instead of a traceback, for a problem of `kind` (ui/queries.store_problem). The
    technical reason (paths, DuckDB's words) went to the service log only: this page is shown
    before anyone has signed in."""
    st.title(t("app_title", lang))
    st.error(t(_KINDS.get(kind, "store_other"), lang))
    st.caption(t("store_log_hint", lang))


def backups_table(entries: list[BackupEntry], checked: dict[str, str | None] | None, lang: str) -> pd.DataFrame:
    def state(entry: BackupEntry) -> str:
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
