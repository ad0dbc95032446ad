"""The audit log: who did what to which object, one row per write, and the data version the app's
caches are keyed by (the newest audit entry of a write that changes what pages show).

Every writer of the store calls `audit` inside the transaction of its write, so a change and its
audit row are committed together or not at all.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from store.sql import Con, first, scalar, transaction

# Audit rows that change nothing a page computes from the store — who came and went, who was refused,
# a backup taken, mail sent (the mail log is read uncached). Under load they are most of the log's
# rows (every sign-in, every refused URL), and each used to empty every cache of every session; the
# data version skips them. Every other action, present and future, counts as a change of the data.
QUIET = ("login.ok", "login.failed", "login.locked", "login.sso", "login.sso_refused", "access.denied",
         "session.revoked", "backup.created", "mail.reminders", "mail.accounts")
# Audit rows of writes that change no accepted figure: a submission waiting for review (the review
# queue, 我的报送 and 填报率 show it; progress, comparisons and conditions read accepted figures only).
# In a reporting week they are most of the data writes — every firm's send — and each emptied the
# cached judgments of every session: the figures version skips them too.
PENDING = ("submission.pending",)
# Audit ids come from a sequence, taken before their transaction commits: a write begun before a
# newer one may land just below it. Each look re-reads this many ids behind the newest seen.
LATE = 1024


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


@dataclass
class Watermark:
    """What a process last read of the log, so that the next look reads only the rows after it."""

    seen: int = 0  # the newest audit row read
    data: int = 0  # the newest of them that changes the data
    figures: int = 0  # the newest of them that changes an accepted figure (or anything but a pending submission)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


def data_version(con: Con, mark: Watermark | None = None) -> int:
    """Grows with every write that changes what pages show (every write is audited), so a cache
    keyed by it is never stale; a sign-in, a refusal or a backup leaves it alone. With `mark` (kept
    by the caller between calls) only the newest rows are read: the whole log grows with every
    sign-in, and the app asks on every run."""
    return _read(con, mark or Watermark()).data


def figures_version(con: Con, mark: Watermark | None = None) -> int:
    """Grows with every write that changes what the judgments read — accepted figures, the catalog,
    the register, tasks and bases — but not with a submission that waits for review: the key of the
    judgments, comparisons and conditions, which read accepted figures only."""
    return _read(con, mark or Watermark()).figures


def _read(con: Con, mark: Watermark) -> Watermark:
    seen, data, figures = first(
        con, """SELECT max(audit_id), max(audit_id) FILTER (WHERE NOT list_contains(?, action)),
                       max(audit_id) FILTER (WHERE NOT list_contains(?, action))
                FROM audit_log WHERE audit_id > ?""", [list(QUIET), [*QUIET, *PENDING], mark.seen - LATE])
    with mark.lock:
        mark.seen = max(mark.seen, seen or 0)
        mark.data = max(mark.data, data or 0)
        mark.figures = max(mark.figures, figures or 0)
        return Watermark(mark.seen, mark.data, mark.figures)


def audit_version(con: Con) -> int:
    """Grows with every audit row: for the one read that shows sign-in counters (the users list)."""
    return int(scalar(con, "SELECT coalesce(max(audit_id), 0) FROM audit_log"))
