"""Users of the embedded default: bcrypt-hashed passwords, roles, scopes and lock-out.

Failed sign-ins are counted in the store, not in a session, so a lock-out survives a page reload
or a second browser; it lifts by itself after LOCK_MINUTES, or at once with a password reset. A
password reset, a role or scope change, disabling and a lock-out also end every sign-in session
the user holds (store/sessions.py), in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import bcrypt
import pandas as pd

from domain import policy
from domain.access import Identity, Role
from domain.policy import LOCK_MINUTES, MAX_FAILED_ATTEMPTS, Permission
from domain.sso import normalise_email, valid_email
from store import access, sessions, sql
from store.audit import audit

MIN_PASSWORD_LENGTH = 10
# A username is typed at every sign-in and shown in the audit log: short, and of characters that
# read the same everywhere (an e-mail-like name is allowed). A display name is shown on every page.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
MAX_DISPLAY_NAME = 100


class UserError(ValueError):
    """A user command that cannot be carried out (unknown user, bad scope, weak password)."""


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode("ascii")


def new_password() -> str:
    """A random password strong enough to print once and hand over (about 95 bits)."""
    return secrets.token_urlsafe(12)


def normalise(username: str) -> str:
    """Usernames are case-insensitive: the sign-in form lowercases what people type."""
    return username.strip().lower()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password != password.strip():
        # The sign-in form strips what is typed, so such a password could never be used.
        raise UserError("password must not begin or end with a space")


def _now() -> dt.datetime:
    return dt.datetime.now()


def _check_scope(con: sql.Con, role: Role, scope: str | None) -> None:
    wanted = policy.scope(role)
    if wanted is None:
        if scope:
            raise UserError(f"role {role.value} is not scoped to an organisation; drop --scope")
        return
    if not scope:
        raise UserError(f"role {role.value} needs --scope (a {wanted.value} id)")
    kind = sql.scalar(con, "SELECT kind FROM orgs WHERE org_id = ?", [scope])
    if kind != wanted.value:
        raise UserError(f"scope {scope!r} is {'unknown' if kind is None else 'a ' + kind}; {role.value} needs a {wanted.value}")


def add_user(con: sql.Con, actor: Identity, username: str, display_name: str, role: Role,
             scope: str | None = None, password: str | None = None, email: str | None = None) -> str:
    """Create a user; returns the password (generated when none is given) to hand over once."""
    access.require(con, actor, Permission.MANAGE_USERS, "add a user", [f"user:{normalise(username)}"])
    username, display_name = _check_new(con, username, display_name, role, scope)
    email = _check_email(con, username, email)
    password = password or new_password()
    _check_password(password)
    with sql.transaction(con):
        con.execute(
            "INSERT INTO users (username, display_name, role, scope_org_id, password_hash, email) VALUES (?, ?, ?, ?, ?, ?)",
            [username, display_name or username, role.value, scope, hash_password(password), email],
        )
        audit(con, actor.username, "user.add", f"user:{username}", {"role": role.value, "scope": scope, "email": email})
    return password


def _check_new(con: sql.Con, username: str, display_name: str, role: Role, scope: str | None) -> tuple[str, str]:
    """A new user's username and display name as stored; UserError if either, or the scope, is refused."""
    username = normalise(username)
    if not username:
        raise UserError("username is empty")
    if not USERNAME.fullmatch(username):
        raise UserError("a username is 1-64 characters: letters a-z, digits and . _ @ - (starting with a letter or digit)")
    display_name = (display_name or "").strip()
    if len(display_name) > MAX_DISPLAY_NAME or any(unicodedata.category(c).startswith("C") for c in display_name):
        raise UserError(f"a display name is at most {MAX_DISPLAY_NAME} characters, without control characters")
    if sql.scalar(con, "SELECT count(*) FROM users WHERE username = ?", [username]):
        raise UserError(f"user {username!r} already exists")
    _check_scope(con, role, scope)
    return username, display_name


def list_users(con: sql.Con) -> pd.DataFrame:
    return sql.frame(
        con,
        """SELECT u.username, u.display_name, u.email, u.role, u.scope_org_id, o.name_zh AS scope_name,
                  u.failed_attempts, u.locked_until, u.disabled, u.created_at
           FROM users u LEFT JOIN orgs o ON o.org_id = u.scope_org_id ORDER BY u.role, u.username""",
    )


def _require(con: sql.Con, username: str) -> str:
    username = normalise(username)
    if not sql.scalar(con, "SELECT count(*) FROM users WHERE username = ?", [username]):
        raise UserError(f"no user {username!r}")
    return username


def set_role(con: sql.Con, actor: Identity, username: str, role: Role, scope: str | None = None) -> None:
    access.require(con, actor, Permission.MANAGE_USERS, "set the role of", [f"user:{normalise(username)}"])
    username = _require(con, username)
    _check_scope(con, role, scope)
    with sql.transaction(con):
        con.execute("UPDATE users SET role = ?, scope_org_id = ? WHERE username = ?", [role.value, scope, username])
        audit(con, actor.username, "user.set_role", f"user:{username}", {"role": role.value, "scope": scope})
        sessions.revoke(con, username, actor.username, "role_change")


def _check_email(con: sql.Con, username: str, email: str | None) -> str | None:
    """The address as stored (lower case), or None for none; refused if malformed or another user's."""
    if email is None or not email.strip():
        return None
    email = normalise_email(email)
    if not valid_email(email):
        raise UserError(f"{email!r} is not an e-mail address")
    other = sql.scalar(con, "SELECT username FROM users WHERE email = ? AND username <> ?", [email, username])
    if other is not None:
        raise UserError(f"e-mail {email} already belongs to user {other!r}")
    return email


def set_email(con: sql.Con, actor: Identity, username: str, email: str | None) -> str | None:
    """Set (or with None or "" clear) the e-mail a single sign-on identity is mapped by; returns it
    as stored. Clearing it ends the user's single sign-on at their next page."""
    access.require(con, actor, Permission.MANAGE_USERS, "set the e-mail of", [f"user:{normalise(username)}"])
    username = _require(con, username)
    email = _check_email(con, username, email)
    with sql.transaction(con):
        con.execute("UPDATE users SET email = ? WHERE username = ?", [email, username])
        audit(con, actor.username, "user.set_email", f"user:{username}", {"email": email})
    return email


def reset_password(con: sql.Con, actor: Identity, username: str, password: str | None = None) -> str:
    """Set a new password (generated when none is given) and lift any lock-out."""
    access.require(con, actor, Permission.MANAGE_USERS, "reset the password of", [f"user:{normalise(username)}"])
    username = _require(con, username)
    password = password or new_password()
    _check_password(password)
    with sql.transaction(con):
        con.execute(
            "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL WHERE username = ?",
            [hash_password(password), username],
        )
        audit(con, actor.username, "user.reset_password", f"user:{username}")
        sessions.revoke(con, username, actor.username, "password_reset")
    return password


def set_disabled(con: sql.Con, actor: Identity, username: str, disabled: bool) -> None:
    """Disable an account (it can no longer sign in, and its sessions end) or enable it again."""
    access.require(con, actor, Permission.MANAGE_USERS, "disable" if disabled else "enable", [f"user:{normalise(username)}"])
    username = _require(con, username)
    with sql.transaction(con):
        con.execute("UPDATE users SET disabled = ? WHERE username = ?", [disabled, username])
        audit(con, actor.username, "user.disable" if disabled else "user.enable", f"user:{username}")
        if disabled:
            sessions.revoke(con, username, actor.username, "disabled")


def identity(con: sql.Con, username: str) -> Identity | None:
    username = normalise(username)
    row = sql.first(
        con, "SELECT username, display_name, role, scope_org_id FROM users WHERE username = ? AND NOT disabled",
        [username],
    )
    if row is None:
        return None
    return Identity(username=row[0], display_name=row[1], role=Role(row[2]), scope_org_id=row[3])


def identity_by_email(con: sql.Con, email: str) -> tuple[Identity | None, str]:
    """The user a single sign-on identity's (verified) e-mail names: (identity, "ok"), or
    (None, "unmapped") when no user has it, (None, "disabled") when that user is disabled."""
    row = sql.first(con, "SELECT username, disabled FROM users WHERE email = ?", [normalise_email(email)])
    if row is None:
        return None, "unmapped"
    if row[1]:
        return None, "disabled"
    who = identity(con, row[0])
    return (who, "ok") if who is not None else (None, "disabled")


def record_sso_sign_in(con: sql.Con, username: str, email: str, provider: str) -> None:
    """An audit row for a sign-in through the provider. The failed-attempt count and a lock-out are
    the password's and are left as they are: a sign-in some other way does not lift them."""
    with sql.transaction(con):
        audit(con, normalise(username), "login.sso", f"user:{normalise(username)}",
              {"email": normalise_email(email), "provider": provider})


def record_sso_refused(con: sql.Con, email: str, reason: str, provider: str) -> None:
    """An audit row for a provider's identity the app refused (unmapped, disabled, unverified …)."""
    with sql.transaction(con):
        audit(con, f"sso:{normalise_email(email) or '?'}", "login.sso_refused", None,
              {"reason": reason, "provider": provider})


def locked_until(con: sql.Con, username: str) -> dt.datetime | None:
    """When the user's lock-out ends, or None if they may try to sign in now."""
    username = normalise(username)
    until = sql.scalar(con, "SELECT locked_until FROM users WHERE username = ?", [username])
    return until if until is not None and until > _now() else None


def record_failed_attempt(con: sql.Con, username: str) -> bool:
    """Count a failed sign-in; returns True when this attempt locked the account."""
    username = normalise(username)
    row = sql.first(con, "SELECT failed_attempts FROM users WHERE username = ?", [username])
    with sql.transaction(con):
        audit(con, username, "login.failed", f"user:{username}", {"known_user": row is not None})
        if row is None:
            return False
        attempts = row[0] + 1
        lock = attempts >= MAX_FAILED_ATTEMPTS
        con.execute(
            "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE username = ?",
            [0 if lock else attempts, _now() + dt.timedelta(minutes=LOCK_MINUTES) if lock else None, username],
        )
        if lock:
            audit(con, username, "login.locked", f"user:{username}", {"minutes": LOCK_MINUTES})
            # Someone is guessing the password: a cookie already out there may be theirs too.
            sessions.revoke(con, username, username, "locked")
    return lock


def record_sign_in(con: sql.Con, username: str) -> None:
    """A sign-in proved by the password (never by a cookie): the failed-attempt count starts again."""
    username = normalise(username)
    with sql.transaction(con):
        con.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = ?", [username])
        audit(con, username, "login.ok", f"user:{username}")


def sign_in(con: sql.Con, username: str, password: str, lifetime: dt.timedelta, key: str) -> str | None:
    """A right password opens a session: the sign-in is recorded and a session issued in one
    transaction, and its token returned (for the cookie only). A wrong one returns None and
    changes nothing: the caller counts it (record_failed_attempt) after checking the lock-out."""
    if not verify_password(con, username, password):
        return None
    username = normalise(username)
    with sql.transaction(con):
        record_sign_in(con, username)
        return sessions.issue(con, username, lifetime, key)


@functools.cache
def _nobody() -> bytes:
    """Checked against when the user is unknown, so that a wrong name takes as long as a wrong
    password and the time of an answer does not tell who is registered (made on first use: it
    costs as much as a password check)."""
    return bcrypt.hashpw(b"no such user", bcrypt.gensalt(rounds=12))


def verify_password(con: sql.Con, username: str, password: str) -> bool:
    """Check a password against the stored hash (what the sign-in form checks)."""
    username = normalise(username)
    stored = sql.scalar(con, "SELECT password_hash FROM users WHERE username = ? AND NOT disabled", [username])
    if stored is None:
        bcrypt.checkpw(password.encode("utf-8"), _nobody())
        return False
    return bcrypt.checkpw(password.encode("utf-8"), stored.encode("ascii"))


DEMO_USERS = (
    ("admin", "系统管理员（演示）", Role.ADMIN, None),
    ("leader", "领导小组（演示）", Role.LEADER, None),
    ("reviewer", "审核员（演示）", Role.REVIEWER, None),
    ("park-softcity", "青岛软件城管理员（演示）", Role.PARK_MANAGER, "qd-softcity"),
)


def create_demo_users(con: sql.Con) -> dict[str, str]:
    """One demo user per role (the enterprise user on the first demo firm in 青岛软件城).

    Returns {username: password} for the new users, to be printed once; existing ones are kept.
    """
    first_firm = sql.scalar(
        con, "SELECT org_id FROM orgs WHERE parent_id = 'qd-softcity' AND kind = 'enterprise' ORDER BY org_id LIMIT 1"
    )
    wanted = [*DEMO_USERS, ("enterprise", "企业填报员（演示）", Role.ENTERPRISE, first_firm)]
    created = {}
    for username, name, role, scope in wanted:
        if scope is None and policy.scope(role) is not None:
            continue
        if identity(con, username) is None:
            created[username] = add_user(con, Identity(username="system", display_name="system", role=Role.ADMIN),
                                         username, name, role, scope)
    return created


def add_users(con: sql.Con, actor: Identity, accounts: list[tuple[str, str, Role, str | None, str]]) -> None:
    """Many users at once, all or nothing: (username, display name, role, scope, password) each,
    checked as `add_user` checks one, audited one row each. The passwords are hashed before the
    write begins, on threads (bcrypt leaves the interpreter lock), so the store's one write lock is
    held for the inserts only, not for a second per account."""
    access.require(con, actor, Permission.MANAGE_USERS, "add users", ["users"])
    checked = []
    for username, display_name, role, scope, password in accounts:
        username, display_name = _check_new(con, username, display_name, role, scope)
        _check_password(password)
        checked.append((username, display_name or username, role, scope))
    if len({c[0] for c in checked}) != len(checked):
        raise UserError("the same username twice")
    with ThreadPoolExecutor() as pool:
        hashes = list(pool.map(hash_password, [a[4] for a in accounts]))
    with sql.transaction(con):
        for (username, display_name, role, scope), hashed in zip(checked, hashes, strict=True):
            con.execute("INSERT INTO users (username, display_name, role, scope_org_id, password_hash) VALUES (?, ?, ?, ?, ?)",
                        [username, display_name, role.value, scope, hashed])
            audit(con, actor.username, "user.add", f"user:{username}", {"role": role.value, "scope": scope, "email": None})
