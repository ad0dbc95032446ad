"""Sign-in sessions that can be ended: a random token in the browser's cookie, its keyed digest here.

The cookie holds nothing but the token (`secrets.token_urlsafe(32)`, 256 random bits): no name, no
role, nothing to forge or decode. The `sessions` table keeps the token's HMAC-SHA256 under the
cookie key (a copy of the store or of a backup gives no usable cookie, and changing the key ends
every session), the user, when it was issued, when it expires — a fixed lifetime from the password
sign-in, not extended by use — when it was last seen, and the user's session version at issue.

A token signs in only while it has not expired, its version equals the user's current
`session_version`, and the user is enabled and not locked out. `revoke` bumps that version, so
every cookie the user holds, in every browser, stops working at once; sign-out, a password reset,
a role or scope change, disabling and a lock-out call it (store/users.py), each audited. Resuming a
session never touches the failed-attempt count: only a password proves the person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import time

from store import sql
from store.audit import audit

TOKEN_BYTES = 32
# What secrets.token_urlsafe(32) gives: 43 URL-safe characters. Anything else in a cookie is
# refused before it is hashed or looked up (a 10 KB value, a JWT, non-ASCII text).
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def _now() -> dt.datetime:
    return dt.datetime.now()  # naive local time, as users.locked_until is stored


def well_formed(token: object) -> bool:
    return isinstance(token, str) and TOKEN_SHAPE.fullmatch(token) is not None


def digest(token: str, key: str) -> str:
    return hmac.new(key.encode("utf-8"), token.encode("ascii"), hashlib.sha256).hexdigest()


def fingerprint(con: sql.Con) -> tuple[int, object]:
    """The number of sessions and the newest one's issue time: it moves whenever a session is issued
    or dropped (a reader process's snapshot must follow both, store/snapshots.py), not when a
    cookie's last use is recorded."""
    count, newest = sql.first(con, "SELECT count(*), max(issued_at) FROM sessions")
    return int(count), newest


def issue(con: sql.Con, username: str, lifetime: dt.timedelta, key: str, now: dt.datetime | None = None) -> str:
    """A new session for an enabled user (after a password sign-in); returns its token, which only
    the cookie keeps. Expired rows of anyone are dropped on the way."""
    now = now or _now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with sql.transaction(con):
        version = sql.scalar(con, "SELECT session_version FROM users WHERE username = ? AND NOT disabled", [username])
        if version is None:
            raise ValueError(f"no enabled user {username!r}")
        con.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])
        con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                    [digest(token, key), username, version, now, now + lifetime, now])
    return token


def resume(con: sql.Con, token: object, key: str, now: dt.datetime | None = None, touch: bool = False) -> str | None:
    """The user a cookie's token signs in, or None: malformed, unknown, expired, issued before the
    user's sessions were last ended, or the user disabled or locked out. With `touch` (a cookie
    sign-in, once per browser connection) its last-seen time is recorded — and nothing else."""
    if not well_formed(token):
        return None
    now = now or _now()
    key_digest = digest(str(token), key)
    username = sql.scalar(
        con,
        """SELECT u.username FROM sessions s JOIN users u ON u.username = s.username
           WHERE s.token_digest = ? AND s.expires_at > ? AND s.version = u.session_version
             AND NOT u.disabled AND (u.locked_until IS NULL OR u.locked_until <= ?)""",
        [key_digest, now, now],
    )
    # On a reader process's read-only snapshot the touch is skipped (store/snapshots.py says why).
    if username is not None and touch and not sql.read_only(con):
        with sql.transaction(con):  # not audited: it changes no data a page shows, only when a cookie was last used
            con.execute("UPDATE sessions SET last_seen = ? WHERE token_digest = ?", [now, key_digest])
    return username


def revoke(con: sql.Con, username: str, actor: str, reason: str) -> None:
    """End every session of the user: bump their session version (no earlier cookie matches it
    again), drop their rows, and audit why (sign_out, password_reset, role_change, disabled, locked)."""
    with sql.transaction(con):
        con.execute("UPDATE users SET session_version = session_version + 1 WHERE username = ?", [username])
        con.execute("DELETE FROM sessions WHERE username = ?", [username])
        # `at` in epoch seconds: a single sign-on cookie (Streamlit's, which this table cannot hold)
        # says when its identity was issued, and is over if that came before (see ended_since).
        audit(con, actor, "session.revoked", f"user:{username}", {"reason": reason, "at": time.time()})


def ended_since(con: sql.Con, username: str, issued_at: object) -> bool:
    """Whether the user's sessions were ended (sign-out, reset, role change, disabling, lock-out)
    at or after `issued_at` (epoch seconds, as an OIDC token's `iat`): a single sign-on made before
    then is over. An issue time that is not a number cannot be trusted, and counts as ended."""
    if isinstance(issued_at, bool) or not isinstance(issued_at, int | float):
        return True
    last = sql.scalar(
        con,
        """SELECT max(CAST(json_extract_string(detail, '$.at') AS DOUBLE)) FROM audit_log
           WHERE action = 'session.revoked' AND object = ?""",
        [f"user:{username}"],
    )
    return last is not None and last >= float(issued_at)


def active(con: sql.Con, username: str, now: dt.datetime | None = None) -> int:
    """How many unexpired sessions of the user's current version there are (for the user list and tests)."""
    return int(sql.scalar(
        con,
        """SELECT count(*) FROM sessions s JOIN users u ON u.username = s.username
           WHERE s.username = ? AND s.expires_at > ? AND s.version = u.session_version""",
        [username, now or _now()],
    ))
