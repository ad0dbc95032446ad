"""The store's key-value settings table: what an administrator sets in the app (the reporting
deadline) and what a load marks on the store (`demo_data`). Settings of the process itself
(paths, schedules, secrets) come from the environment, not from here.
"""

from __future__ import annotations

from store.sql import Con, first


def set_setting(con: Con, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])


def setting(con: Con, key: str) -> str | None:
    row = first(con, "SELECT value FROM settings WHERE key = ?", [key])
    return row[0] if row else None
