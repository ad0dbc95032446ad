"""The audit log: who did what to which object, one row per write, and the data version the app's
caches are keyed by (the newest audit entry, which grows with every write).

Every writer of the store calls `audit` inside the transaction of its write, so a change and its
audit row are committed together or not at all.
"""

from __future__ import annotations

import json

from store.sql import Con, scalar, transaction


def audit(con: Con, actor: str, action: str, obj: str | None = None, detail: dict | None = None) -> None:
    con.execute(
        "INSERT INTO audit_log (actor, action, object, detail) VALUES (?, ?, ?, ?)",
        [actor, action, obj, json.dumps(detail or {}, ensure_ascii=False, default=str)],
    )


def record(con: Con, actor: str, action: str, obj: str | None = None, detail: dict | None = None) -> None:
    """An audit row as a write of its own, for an action the store did not write itself (a backup
    taken from the app)."""
    with transaction(con):
        audit(con, actor, action, obj, detail)


def data_version(con: Con) -> int:
    """Grows with every write (every write is audited), so a cache keyed by it is never stale."""
    return int(scalar(con, "SELECT coalesce(max(audit_id), 0) FROM audit_log"))
