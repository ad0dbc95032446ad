"""Sign-in sessions that can be ended, and nothing anonymous reaching work (issue 16, items 4 and 5).

Three levels, each on real parts:
- the store (store/sessions.py, store/users.py) on a private DuckDB copy of the demo store with its
  users: tokens, digests, expiry, every event that ends a user's sessions, forged tokens;
- the app under AppTest: a session open in a browser stops at its next run once ended elsewhere,
  and sign-out ends the user's other sessions;
- `streamlit run dashboard.py` on loopback: cookies written by the page in Debian's chromium are
  captured and replayed over the websocket (tests/stream.py) after sign-out, a lock-out, a password
  reset and a role change; forged cookies a browser would never send; `clear_cache` sent by an
  anonymous client, which must start no work.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from websockets.exceptions import InvalidHandshake

from domain.access import SYSTEM, Role
from service import commands
from service import queries as service
from store import sessions, users
from store.audit import data_version
from store.db import connect
from tests import rawsql
from tests.apptest_helpers import APP_PASSWORD, new_app, signed_in
from tests.apptest_helpers import sign_in as form_sign_in
from tests.browser import CHROMIUM, CHROMIUM_ARGS, browser, idle, sign_in, streamlit_server
from tests.conftest import open_copy
from tests.stream import Stream

ROOT = Path(__file__).resolve().parents[1]
KEY = "session-test-key-" + "x" * 40
SERVER_KEY = "k" * 48  # what tests/browser.py streamlit_server gives the app
HOUR = dt.timedelta(hours=1)
ENDED = "登录已失效，请重新登录。"
DEMO_BADGE = "演示数据，非官方统计"
COOKIE = "tracker_auth"


def now() -> dt.datetime:
    # Real time, not a fixed date: the lock-out is stored against the clock.
    return dt.datetime.now().replace(microsecond=0)


@pytest.fixture
def con(tmp_path: Path, users_template: Path, monkeypatch: pytest.MonkeyPatch):
    """A private copy of the demo store with every demo user (password APP_PASSWORD)."""
    monkeypatch.setenv("TRACKER_COOKIE_KEY", KEY)  # what the service layer keys digests with
    yield from open_copy(users_template, tmp_path / "sessions.duckdb")


def counters(con, username: str) -> tuple:
    return rawsql.first(con, "SELECT failed_attempts, locked_until FROM users WHERE username = ?", [username])


def actions(con, since: int, action: str) -> list[dict]:
    """The audit rows of `action` since `since`, without when a revocation happened (`at`, which
    single sign-on compares its identities' issue times with: checked in tests/test_sso.py)."""
    rows = rawsql.frame(con, "SELECT actor, object, detail FROM audit_log WHERE audit_id > ? AND action = ? "
                             "ORDER BY audit_id", [since, action])
    out = []
    for r in rows.itertuples():
        detail = json.loads(r.detail)
        if action == "session.revoked":
            assert abs(detail.pop("at") - time.time()) < 300  # epoch seconds, now
        out.append({"actor": r.actor, "object": r.object, **detail})
    return out


def jwt(header: dict, payload: dict, key: str | None, digest=hashlib.sha256) -> str:
    """A JSON web token made by hand (no library): the shapes an attacker would try."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    signing = f"{part(json.dumps(header).encode())}.{part(json.dumps(payload).encode())}"
    signature = part(hmac.new(key.encode(), signing.encode(), digest).digest()) if key else ""
    return f"{signing}.{signature}"


CLAIMS = {"username": "admin", "exp_date": 4102444800.0}  # the old library's cookie: a name and an expiry
FORGED = {  # a cookie value a client may send, and what it is
    "random": secrets.token_urlsafe(32),  # well formed, never issued
    "alg_none": jwt({"alg": "none", "typ": "JWT"}, CLAIMS, None),
    "hs512": jwt({"alg": "HS512", "typ": "JWT"}, CLAIMS, SERVER_KEY, hashlib.sha512),
    "hs256_old_format": jwt({"alg": "HS256", "typ": "JWT"}, CLAIMS, SERVER_KEY),  # validly signed, old kind
    "ten_kb": "A" * 10_240,
    "four_kb": "A" * 4_000,  # about the most a browser keeps in one cookie
    "non_ascii": "管理员令牌" * 9,
    "almost": secrets.token_urlsafe(32)[:-1] + "=",
    "sql": "' OR 1=1 --" + "x" * 32,
}


# ------------------------------------------------------------------------------------ the store


def test_the_cookie_holds_a_random_token_and_the_store_only_its_keyed_digest(con):
    first = sessions.issue(con, "leader", HOUR, KEY)
    second = sessions.issue(con, "leader", HOUR, KEY)
    assert first != second and sessions.well_formed(first) and len(first) == 43
    assert sessions.resume(con, first, KEY) == sessions.resume(con, second, KEY) == "leader"
    stored = rawsql.frame(con, "SELECT token_digest, username, version FROM sessions ORDER BY issued_at")
    assert set(stored.token_digest) == {hmac.new(KEY.encode(), t.encode(), hashlib.sha256).hexdigest()
                                        for t in (first, second)}
    columns = rawsql.frame(con, "SELECT table_name, column_name FROM information_schema.columns "
                                "WHERE data_type = 'VARCHAR' AND table_schema = 'main'")
    for table, column in columns.itertuples(index=False):
        found = rawsql.scalar(con, f'SELECT count(*) FROM "{table}" WHERE contains("{column}", ?)', [first])
        assert found == 0, (table, column)
    # Another key (a changed TRACKER_COOKIE_KEY) matches no stored digest: everyone is signed out.
    assert sessions.resume(con, first, KEY + "-changed") is None


@pytest.mark.parametrize("value", [*FORGED.values(), "", None, 42, b"bytes"], ids=[*FORGED, "empty", "none", "int",
                                                                                   "bytes"])
def test_a_forged_token_resumes_nothing_and_raises_nothing(con, value):
    sessions.issue(con, "admin", HOUR, KEY)
    assert sessions.resume(con, value, KEY, touch=True) is None
    assert service.session_identity(con, value) is None
    assert commands.resume_session(con, value) is None


@pytest.mark.parametrize(("after", "resumes"), [
    (dt.timedelta(0), True),
    (dt.timedelta(minutes=59, seconds=59), True),
    (HOUR, False),  # expires_at is the first moment it no longer works
    (dt.timedelta(days=3), False),
])
def test_a_session_lasts_its_lifetime_from_the_sign_in(con, after, resumes):
    start = now()
    token = sessions.issue(con, "leader", HOUR, KEY, now=start)
    assert (sessions.resume(con, token, KEY, now=start + after) == "leader") is resumes


def test_use_does_not_extend_a_session_and_expired_rows_are_dropped(con):
    start = now()
    token = sessions.issue(con, "leader", HOUR, KEY, now=start)
    assert sessions.resume(con, token, KEY, now=start + dt.timedelta(minutes=50), touch=True) == "leader"
    assert sessions.resume(con, token, KEY, now=start + HOUR) is None  # fixed: 60 minutes after the sign-in
    sessions.issue(con, "reviewer", HOUR, KEY, now=start + HOUR)  # any new session drops expired rows
    assert rawsql.scalar(con, "SELECT count(*) FROM sessions WHERE username = 'leader'") == 0


def test_a_cookie_sign_in_records_when_it_was_seen_and_nothing_else(con):
    users.record_failed_attempt(con, "leader")
    users.record_failed_attempt(con, "leader")
    start = now()
    token = sessions.issue(con, "leader", HOUR, KEY, now=start)
    version = data_version(con)
    seen = start + dt.timedelta(minutes=7)
    assert sessions.resume(con, token, KEY, now=seen, touch=True) == "leader"
    assert rawsql.scalar(con, "SELECT last_seen FROM sessions") == seen
    assert counters(con, "leader") == (2, None)  # the failed attempts stand: a cookie proves no password
    assert data_version(con) == version  # no audit row, so no page recomputes


def lock_out(con, username: str) -> None:
    for _ in range(users.MAX_FAILED_ATTEMPTS):
        users.record_failed_attempt(con, username)


EVENTS: dict[str, tuple[str, Callable]] = {  # what ends sessions: (the user it concerns, the event)
    "sign_out": ("leader", lambda con: commands.end_sessions(con, users.identity(con, "leader"))),
    "password_reset": ("leader", lambda con: users.reset_password(con, SYSTEM, "leader", "a-new-passphrase-1")),
    "role_change": ("leader", lambda con: users.set_role(con, SYSTEM, "leader", Role.REVIEWER)),
    "scope_change": ("park-softcity",
                     lambda con: users.set_role(con, SYSTEM, "park-softcity", Role.PARK_MANAGER, "qd-infovalley")),
    "disabled": ("leader", lambda con: users.set_disabled(con, SYSTEM, "leader", True)),
    "locked": ("leader", lambda con: lock_out(con, "leader")),
}
REASONS = {"scope_change": "role_change"}


@pytest.mark.parametrize("event", EVENTS)
def test_each_event_ends_every_session_of_that_user_and_only_theirs(con, event):
    username, happen = EVENTS[event]
    mine = [sessions.issue(con, username, HOUR, KEY) for _ in range(2)]  # two browsers
    other = sessions.issue(con, "reviewer" if username != "reviewer" else "admin", HOUR, KEY)
    since = rawsql.scalar(con, "SELECT max(audit_id) FROM audit_log")
    happen(con)
    assert [sessions.resume(con, token, KEY) for token in mine] == [None, None]
    assert sessions.resume(con, other, KEY) is not None
    assert sessions.active(con, username) == 0
    actor = username if event in ("sign_out", "locked") else "system"
    assert actions(con, since, "session.revoked") == [
        {"actor": actor, "object": f"user:{username}", "reason": REASONS.get(event, event)}]


def test_after_a_reset_a_new_password_sign_in_works_and_old_cookies_stay_dead(con):
    old = sessions.issue(con, "leader", HOUR, KEY)
    users.reset_password(con, SYSTEM, "leader", "a-new-passphrase-1")
    new = users.sign_in(con, "leader", "a-new-passphrase-1", HOUR, KEY)
    assert sessions.resume(con, new, KEY) == "leader" and sessions.resume(con, old, KEY) is None
    assert users.sign_in(con, "leader", APP_PASSWORD, HOUR, KEY) is None  # the old password is gone too


def test_a_cookie_on_a_locked_account_is_refused_and_leaves_the_counters_alone(con):
    token = sessions.issue(con, "leader", HOUR, KEY)
    for _ in range(users.MAX_FAILED_ATTEMPTS - 1):
        users.record_failed_attempt(con, "leader")
    assert commands.resume_session(con, token).username == "leader"  # not locked yet: the cookie works
    assert counters(con, "leader") == (users.MAX_FAILED_ATTEMPTS - 1, None)  # and resets nothing
    # A lock without the revocation (a store written by the release before): the lock alone refuses.
    until = now() + dt.timedelta(minutes=10)
    con.execute("UPDATE users SET locked_until = ? WHERE username = 'leader'", [until])
    since = rawsql.scalar(con, "SELECT max(audit_id) FROM audit_log")
    assert commands.resume_session(con, token) is None
    assert service.session_identity(con, token) is None
    assert counters(con, "leader") == (users.MAX_FAILED_ATTEMPTS - 1, until)
    assert actions(con, since, "login.ok") == []


def test_a_disabled_user_cookie_stays_refused_after_enabling(con):
    token = sessions.issue(con, "leader", HOUR, KEY)
    users.set_disabled(con, SYSTEM, "leader", True)
    assert users.sign_in(con, "leader", APP_PASSWORD, HOUR, KEY) is None
    users.set_disabled(con, SYSTEM, "leader", False)
    assert sessions.resume(con, token, KEY) is None
    assert users.sign_in(con, "leader", APP_PASSWORD, HOUR, KEY) is not None


def test_password_sign_in_resets_the_counters_and_a_wrong_one_writes_nothing(con):
    users.record_failed_attempt(con, "leader")
    before = (data_version(con), rawsql.scalar(con, "SELECT count(*) FROM sessions"))
    assert users.sign_in(con, "leader", APP_PASSWORD + "-wrong", HOUR, KEY) is None
    assert users.sign_in(con, "nobody", APP_PASSWORD, HOUR, KEY) is None
    assert (data_version(con), rawsql.scalar(con, "SELECT count(*) FROM sessions")) == before
    since = before[0]
    token = commands.sign_in_with_password(con, "  LEADER ", APP_PASSWORD)
    assert service.session_identity(con, token) == users.identity(con, "leader")
    assert counters(con, "leader") == (0, None)
    assert [a["actor"] for a in actions(con, since, "login.ok")] == ["leader"]


def test_the_lifetime_is_the_setting(con, monkeypatch):
    monkeypatch.setenv("TRACKER_SESSION_HOURS", "3")
    commands.sign_in_with_password(con, "leader", APP_PASSWORD)
    issued, expires = rawsql.first(con, "SELECT issued_at, expires_at FROM sessions")
    assert expires - issued == dt.timedelta(hours=3)


def test_the_command_line_ends_sessions(tmp_path, con):
    tokens = {name: sessions.issue(con, name, HOUR, KEY) for name in ("leader", "reviewer", "admin")}
    path = Path(rawsql.scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"))
    con.close()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TRACKER_COOKIE_KEY": KEY}
    for args in (("users", "reset-password", "leader"), ("users", "disable", "reviewer")):
        r = subprocess.run([sys.executable, "manage.py", *args, "--db", str(path)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert "ended" in r.stdout
    again = connect(path)
    try:
        assert [sessions.resume(again, tokens[n], KEY) for n in ("leader", "reviewer", "admin")] == [None, None,
                                                                                                       "admin"]
    finally:
        again.close()


# ------------------------------------------------------------------------------- the app (AppTest)


def app_store():
    from ui import queries

    return queries.cursor()


def signed_in_sidebar(at, username: str) -> bool:
    who = users.identity(app_store(), username)
    return who is not None and any(m.value.startswith(f"**{who.display_name}**") for m in at.sidebar.markdown)


@pytest.mark.parametrize("event", ["password_reset", "role_change", "disabled", "locked"])
def test_an_open_page_stops_at_its_next_run_once_its_session_is_ended(app_db, event):
    at = signed_in("leader")
    assert signed_in_sidebar(at, "leader")
    EVENTS[event][1](app_store())
    at.run()
    assert not at.exception
    assert {w.label for w in at.text_input} == {"用户名", "密码"}
    assert ENDED in [i.value for i in at.info]
    assert not signed_in_sidebar(at, "leader") and not at.header
    at.run()  # said once: the next run shows the form alone
    assert ENDED not in [i.value for i in at.info]


def test_sign_out_ends_the_users_sessions_in_every_browser(app_db):
    first, second = signed_in("leader"), signed_in("leader")
    since = rawsql.scalar(app_store(), "SELECT max(audit_id) FROM audit_log")
    (button,) = [b for b in first.button if b.label == "退出登录"]
    button.click().run()
    assert {w.label for w in first.text_input} == {"用户名", "密码"} and not first.exception
    assert ENDED not in [i.value for i in first.info]  # signing out is not "your sign-in has ended"
    second.run()
    assert ENDED in [i.value for i in second.info] and not signed_in_sidebar(second, "leader")
    assert actions(app_store(), since, "session.revoked") == [
        {"actor": "leader", "object": "user:leader", "reason": "sign_out"}]


def test_only_the_password_counts_as_a_sign_in(app_db):
    at = signed_in("reviewer")
    for _ in range(3):
        at.run()
    logins = rawsql.scalar(app_store(), "SELECT count(*) FROM audit_log WHERE action = 'login.ok'")
    assert logins == 1
    locked = new_app()
    for attempt in range(users.MAX_FAILED_ATTEMPTS):
        form_sign_in(locked, "admin", f"wrong-{attempt}")
    assert "账户已锁定" in " ".join(e.value for e in locked.error)
    assert not locked.exception


# ---------------------------------------------------------------------- a real server, real clients



def server_store(tmp_path: Path, users_template: Path) -> Path:
    db = tmp_path / "server.duckdb"
    shutil.copy(users_template, db)
    return db


def count_in(db: Path, sql: str, params: list | None = None) -> int:
    c = connect(db, read_only=True)
    try:
        return int(rawsql.scalar(c, sql, params))
    finally:
        c.close()


def test_anonymous_clear_cache_starts_no_work(tmp_path, users_template):
    db = server_store(tmp_path, users_template)
    syncs = "SELECT count(*) FROM audit_log WHERE action = 'catalog.sync' AND actor = 'app-start'"
    before = count_in(db, syncs)
    log = tmp_path / "server.log"
    with streamlit_server(db, log, env={"TRACKER_BACKUP_DIR": str(tmp_path / "backups")}) as base:
        with Stream(base) as early:  # before any script of its own has run
            for _ in range(5):
                early.clear_cache()
            first = early.run()
        with Stream(base) as anonymous:
            shown = anonymous.run()
            for _ in range(5):
                anonymous.clear_cache()
            again = anonymous.run()
        assert first.sign_in_form and shown.sign_in_form and again.sign_in_form
        assert not (first.exceptions or shown.exceptions or again.exceptions)
        text = log.read_text()
    assert count_in(db, syncs) == before + 1  # the catalog synced once, by the one start
    assert len(re.findall(r"tracker\.store: store .* opened", text)) == 1  # one connection
    assert len(re.findall(r"tracker\.backup: nightly backups to", text)) == 1  # one backup thread
    assert text.count("clear_cache refused") >= 5
    assert "Traceback" not in text


@browser
def test_cookies_are_strict_and_end_with_sign_out_lock_out_reset_and_role_change(tmp_path, users_template):
    from playwright.sync_api import sync_playwright

    db = server_store(tmp_path, users_template)
    log = tmp_path / "server.log"
    cookies: dict[str, str] = {}

    def still_signed_in(base: str, name: str) -> bool:
        with Stream(base, cookie=f"{COOKIE}={cookies[name]}") as s:
            run = s.run()
        assert not run.exceptions, run.exceptions
        signed = any(m.startswith("**") and "** · " in m for m in run.markdown)
        assert signed != run.sign_in_form, run
        if not signed:
            assert ENDED in run.alerts  # refused, and told no more than that
        return signed

    with streamlit_server(db, log) as base, sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        pages = {}
        # The leader's page is the server's very first script run: its sign-in must land too
        # (app/router.py leaves Streamlit's pages-directory mode before drawing the form).
        for name in ("leader", "reviewer", "park-softcity", "enterprise", "admin"):
            context = chrome.new_context(locale="zh-CN")
            pages[name] = context.new_page()
            sign_in(pages[name], base, name, APP_PASSWORD)
            (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE]
            assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and not cookie["secure"]
            lifetime = cookie["expires"] - dt.datetime.now().timestamp()
            assert 12 * 3600 - 120 < lifetime <= 12 * 3600, lifetime  # TRACKER_SESSION_HOURS' default
            cookies[name] = cookie["value"]
            assert sessions.well_formed(cookie["value"])
        # Behind nginx (X-Forwarded-Proto: https) the cookie is Secure too.
        tls = chrome.new_context(locale="zh-CN", extra_http_headers={"X-Forwarded-Proto": "https"})
        sign_in(tls.new_page(), base, "admin", APP_PASSWORD)
        assert [c["secure"] for c in tls.cookies() if c["name"] == COOKIE] == [True]
        assert all(still_signed_in(base, name) for name in cookies)

        # Sign-out in the page: the leader's cookie, replayed, no longer signs in.
        leader = pages["leader"]
        idle(leader)
        leader.get_by_role("button", name="退出登录").click()
        leader.get_by_label("用户名").wait_for(timeout=30_000)
        assert not still_signed_in(base, "leader")
        # A lock-out reached from another browser ends the enterprise user's cookie.
        attacker = chrome.new_context(locale="zh-CN").new_page()
        attacker.goto(base)
        for attempt in range(users.MAX_FAILED_ATTEMPTS):
            attacker.get_by_label("用户名").fill("enterprise")
            attacker.get_by_label("密码").fill(f"guess-{attempt}")
            attacker.get_by_role("button", name="登录").click()
            idle(attacker)
        attacker.get_by_text("账户已锁定", exact=False).wait_for(timeout=30_000)
        assert not still_signed_in(base, "enterprise")
        chrome.close()
    # The command line needs the store to itself: reset a password and change a role, then start again.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TRACKER_COOKIE_KEY": SERVER_KEY}
    for args in (("users", "reset-password", "reviewer"),
                 ("users", "set-role", "park-softcity", "park_manager", "--scope", "qd-infovalley")):
        r = subprocess.run([sys.executable, "manage.py", *args, "--db", str(db)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
    with streamlit_server(db, log.with_suffix(".2.log")) as base:
        assert [still_signed_in(base, n) for n in ("reviewer", "park-softcity", "admin")] == [False, False, True]
    c = connect(db, read_only=True)
    try:
        assert counters(c, "enterprise")[0] == 0 and counters(c, "enterprise")[1] is not None  # still locked
        # Password sign-ins only: five pages and the TLS one, none of the replays.
        assert rawsql.scalar(c, "SELECT count(*) FROM audit_log WHERE action = 'login.ok'") == 6
    finally:
        c.close()
    assert "Traceback" not in log.read_text() + log.with_suffix(".2.log").read_text()


def test_forged_cookies_get_the_form_and_no_traceback(tmp_path, users_template):
    db = server_store(tmp_path, users_template)
    log = tmp_path / "server.log"
    values: dict[str, bytes | str] = {**{name: f"{COOKIE}={value}" for name, value in FORGED.items()},
                                      "non_ascii_bytes": "tracker_auth=令牌".encode(), "latin1": b"tracker_auth=\xff\xfe",
                                      "empty": f"{COOKIE}=", "quoted": f'{COOKIE}="a;b\\"c"',
                                      "twice": f"{COOKIE}=x; {COOKIE}={FORGED['random']}"}
    with streamlit_server(db, log) as base:
        for name, header in values.items():
            try:
                with Stream(base, cookie=header, open_timeout=15) as s:
                    run = s.run()
            except (TimeoutError, OSError, InvalidHandshake):
                # Refused before the app: the server's websocket layer keeps header lines under
                # 8 KB. Nothing ran, and the server goes on serving others.
                assert name == "ten_kb", name
                with Stream(base) as s:
                    assert s.run().sign_in_form
                continue
            assert run.sign_in_form, name
            assert not run.exceptions, (name, run.exceptions)
            assert not any(m.startswith("**") for m in run.markdown), name  # nobody is signed in
            assert set(run.alerts) <= {ENDED, DEMO_BADGE}, (name, run.alerts)
            assert (ENDED in run.alerts) is (name != "empty"), name  # told to sign in again, nothing more
    text = log.read_text()
    assert "Traceback" not in text and "Error" not in text, text[-2000:]
    assert count_in(db, "SELECT count(*) FROM audit_log WHERE action = 'login.ok'") == 0
