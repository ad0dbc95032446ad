"""Single sign-on: the `[auth]` section's check, the e-mail mapping, and the whole flow end to end.

The end-to-end tests start a real OpenID Connect provider on loopback inside the test
(oidc-provider-mock: Flask and Authlib, RS256-signed ID tokens, a registered client whose secret
and redirect URI it checks), a real `streamlit run` whose secrets file points at it, and Debian's
chromium: the test types the subject on the provider's authorize page as a person would.
Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from app.cli import main as cli
from domain import sso
from domain.access import SYSTEM, Role
from domain.messages import render
from domain.policy import pages
from service import commands
from store import users
from store.db import connect
from tests import rawsql
from tests.browser import browser, chromium, free_port, idle, screenshot, sign_in, streamlit_server

SECRET = secrets.token_urlsafe(32)
VALID = {"redirect_uri": "https://tracker.example.gov.cn/oauth2callback", "cookie_secret": SECRET,
         "client_id": "tracker", "client_secret": "s3cret",
         "server_metadata_url": "https://idp.example.gov.cn/.well-known/openid-configuration"}


def codes(section) -> list[str]:
    return [p.code for p in sso.check_section(section).problems]


# ------------------------------------------------------------------------------ the section

@pytest.mark.parametrize(("section", "expected"), [
    ({}, ["sso.problem.empty"]),
    ("yes", ["sso.problem.not_table"]),
    ({k: v for k, v in VALID.items() if k != "cookie_secret"}, ["sso.problem.missing"]),
    ({k: v for k, v in VALID.items() if k != "redirect_uri"}, ["sso.problem.missing"]),
    ({k: v for k, v in VALID.items() if k != "client_secret"}, ["sso.problem.missing"]),
    (VALID | {"client_id": ""}, ["sso.problem.missing"]),
    (VALID | {"client_id": 42}, ["sso.problem.not_text"]),
    (VALID | {"cookie_secret": "x" * 31}, ["sso.problem.cookie_secret_short"]),
    (VALID | {"redirect_uri": "https://tracker.example.gov.cn/"}, ["sso.problem.redirect_uri"]),
    (VALID | {"redirect_uri": "tracker/oauth2callback"}, ["sso.problem.redirect_uri"]),
    (VALID | {"server_metadata_url": "http://idp.example.gov.cn/.well-known/openid-configuration"},
     ["sso.problem.metadata_url"]),
    (VALID | {"client_kwargs": {"scope": "openid profile"}}, ["sso.problem.scope"]),
    (VALID | {"client_kwargs": "openid"}, ["sso.problem.client_kwargs"]),
    (VALID | {"expose_tokens": ["id", "refresh"]}, ["sso.problem.expose_tokens"]),
    (VALID | {"idp": {"client_id": "a"}}, ["sso.problem.both"]),
    ({"redirect_uri": VALID["redirect_uri"], "cookie_secret": SECRET}, ["sso.problem.no_provider"]),
    ({"redirect_uri": VALID["redirect_uri"], "cookie_secret": SECRET, "a": {}, "b": {}}, ["sso.problem.many"]),
    ({"redirect_uri": VALID["redirect_uri"], "cookie_secret": SECRET, "my_idp": {}}, ["sso.problem.provider_name"]),
    ({"redirect_uri": "x", "cookie_secret": "short", "client_id": "a"},
     ["sso.problem.redirect_uri", "sso.problem.cookie_secret_short", "sso.problem.missing", "sso.problem.missing"]),
])
def test_a_wrong_section_is_refused_with_every_reason(section, expected):
    result = sso.check_section(section)
    assert result.present and result.provider is None
    assert sorted(codes(section)) == sorted(expected)
    for p in result.problems:  # each one worded in both languages, no secret echoed
        for lang in ("zh", "en"):
            assert SECRET not in render(p, lang) and "s3cret" not in render(p, lang)


@pytest.mark.parametrize(("section", "name", "argument"), [
    (VALID, "default", None),
    (VALID | {"redirect_uri": "http://localhost:{port}/oauth2callback", "client_kwargs": {"scope": "openid email"}},
     "default", None),
    ({"redirect_uri": VALID["redirect_uri"], "cookie_secret": SECRET,
      "gov": {k: VALID[k] for k in sso.PROVIDER_KEYS}}, "gov", "gov"),
    (VALID | {"server_metadata_url": "http://127.0.0.1:8080/.well-known/openid-configuration"}, "default", None),
])
def test_a_usable_section_names_its_provider(section, name, argument):
    result = sso.check_section(section)
    assert result.problems == ()
    assert (result.provider.name, result.provider.login_argument) == (name, argument)


def test_no_section_is_no_problem():
    assert sso.check_section(None) == sso.SsoCheck(present=False)


@pytest.mark.parametrize(("claims", "email", "refusal"), [
    ({"email": "Alice@Bureau.gov.cn", "email_verified": True}, "alice@bureau.gov.cn", None),
    ({"email": "alice@bureau.gov.cn", "email_verified": "true"}, "alice@bureau.gov.cn", None),
    ({"email": "alice@bureau.gov.cn"}, "alice@bureau.gov.cn", None),
    ({"email": "alice@bureau.gov.cn", "email_verified": False}, "alice@bureau.gov.cn", "sso.refused.unverified"),
    ({"email": "alice@bureau.gov.cn", "email_verified": "false"}, "alice@bureau.gov.cn", "sso.refused.unverified"),
    ({"sub": "alice"}, None, "sso.refused.no_email"),
    ({"email": "alice"}, None, "sso.refused.no_email"),
    ({"email": ["alice@bureau.gov.cn"]}, None, "sso.refused.no_email"),
])
def test_the_identity_is_a_verified_email(claims, email, refusal):
    found, why = sso.email_of(claims)
    assert found == email
    assert (why.code if why else None) == refusal


def test_metadata_must_name_the_endpoints():
    url = "https://idp/.well-known/openid-configuration"
    full = {k: f"https://idp/{k}" for k in sso.METADATA_KEYS}
    assert sso.metadata_problems(url, full) == []
    assert sso.metadata_problems(url, {**full, "jwks_uri": ""})[0].kwargs["missing"] == "jwks_uri"
    assert sso.metadata_problems(url, ["not", "a", "mapping"])[0].code == "sso.problem.metadata"


def test_secrets_files_merge_as_streamlit_does(tmp_path):
    first, second, broken = tmp_path / "a.toml", tmp_path / "b.toml", tmp_path / "c.toml"
    first.write_text('[auth]\nredirect_uri = "x"\n', encoding="utf-8")
    second.write_text('cookie_key = "k"\n[auth]\ncookie_secret = "y"\n', encoding="utf-8")
    broken.write_text("[auth\n", encoding="utf-8")
    section, problems = sso.section_from_files([first, second, tmp_path / "absent.toml", broken])
    assert section == {"cookie_secret": "y"}  # a later [auth] replaces an earlier one whole
    assert [p.code for p in problems] == ["sso.problem.unreadable"]


# ------------------------------------------------------------------------------ the mapping

def test_migration_7_keeps_the_users_of_an_older_store(tmp_path):
    old = rawsql.store_before(tmp_path / "old.duckdb", 7)
    old.execute("INSERT INTO users (username, display_name, role, password_hash) VALUES ('ann', 'Ann', 'leader', 'h')")
    old.close()
    con = connect(tmp_path / "old.duckdb")
    assert rawsql.first(con, "SELECT username, email FROM users") == ("ann", None)
    assert users.set_email(con, SYSTEM, "ann", "ann@bureau.gov.cn") == "ann@bureau.gov.cn"
    con.close()


def test_users_are_mapped_by_a_unique_email(store):
    users.add_user(store, SYSTEM, "alice", "Alice", Role.LEADER, email="Alice@Bureau.gov.cn")
    users.add_user(store, SYSTEM, "bob", "Bob", Role.REVIEWER)
    who, why = users.identity_by_email(store, "ALICE@bureau.gov.cn")
    assert (who.username, why) == ("alice", "ok")
    assert users.identity_by_email(store, "bob@bureau.gov.cn") == (None, "unmapped")
    with pytest.raises(users.UserError, match="already belongs to user 'alice'"):
        users.set_email(store, SYSTEM, "bob", "alice@bureau.gov.cn")
    with pytest.raises(users.UserError, match="not an e-mail address"):
        users.set_email(store, SYSTEM, "bob", "bob at bureau")
    assert users.set_email(store, SYSTEM, "bob", " Bob@Bureau.gov.cn ") == "bob@bureau.gov.cn"
    rawsql.first(store, "UPDATE users SET disabled = true WHERE username = 'bob'")
    assert users.identity_by_email(store, "bob@bureau.gov.cn") == (None, "disabled")
    assert users.set_email(store, SYSTEM, "alice", "") is None
    assert users.identity_by_email(store, "alice@bureau.gov.cn") == (None, "unmapped")
    actions = rawsql.frame(store, "SELECT action FROM audit_log WHERE action LIKE 'user.%' ORDER BY audit_id").action
    assert list(actions) == ["user.add", "user.add", "user.set_email", "user.set_email"]


@pytest.mark.parametrize("end", ["sign_out", "reset", "role", "lock"])
def test_an_identity_issued_before_the_users_sessions_ended_no_longer_signs_in(store, end):
    """Streamlit keeps the provider's identity in its own cookie, which the sessions table cannot
    hold; what ends it is the identity's issue time (`iat`) against when the user's sessions ended."""
    from service import queries

    users.add_user(store, SYSTEM, "alice", "Alice", Role.LEADER, email="alice@bureau.gov.cn")
    issued = time.time() - 60  # signed in through the provider a minute ago
    who, why = queries.identity_by_email(store, "alice@bureau.gov.cn", issued)
    assert (who.username, why) == ("alice", "ok")
    match end:
        case "sign_out":
            commands.end_sessions(store, who)
        case "reset":
            users.reset_password(store, SYSTEM, "alice")
        case "role":
            users.set_role(store, SYSTEM, "alice", Role.REVIEWER)
        case "lock":
            for _ in range(5):
                users.record_failed_attempt(store, "alice")
    assert queries.identity_by_email(store, "alice@bureau.gov.cn", issued) == (None, "ended")
    # A fresh sign-in through the provider (issued after the end) is a new identity, and signs in.
    again, why = queries.identity_by_email(store, "alice@bureau.gov.cn", time.time() + 1)
    assert (again.username, why) == ("alice", "ok")
    # An identity without a numeric issue time cannot be placed before or after: refused.
    for iat in (None, "1700000000", True):
        assert queries.identity_by_email(store, "alice@bureau.gov.cn", iat) == (None, "ended")


def test_a_sign_in_through_the_provider_leaves_the_lock_out_alone(store):
    users.add_user(store, SYSTEM, "alice", "Alice", Role.LEADER, email="alice@bureau.gov.cn")
    for _ in range(2):
        users.record_failed_attempt(store, "alice")
    users.record_sso_sign_in(store, "alice", "alice@bureau.gov.cn", "default")
    users.record_sso_refused(store, "eve@elsewhere.cn", "unmapped", "default")
    assert rawsql.scalar(store, "SELECT failed_attempts FROM users WHERE username = 'alice'") == 2
    rows = rawsql.frame(store, "SELECT actor, action, detail FROM audit_log WHERE action LIKE 'login.sso%' ORDER BY audit_id")
    assert list(rows.actor) == ["alice", "sso:eve@elsewhere.cn"]
    assert [json.loads(d) for d in rows.detail] == [{"email": "alice@bureau.gov.cn", "provider": "default"},
                                                     {"reason": "unmapped", "provider": "default"}]


def test_the_command_line_sets_and_clears_the_email(tmp_path, empty_db, capsys):
    db = tmp_path / "t.duckdb"
    shutil.copy(empty_db, db)
    assert cli(["users", "add", "alice", "--role", "leader", "--email", "alice@bureau.gov.cn", "--db", str(db)]) == 0
    assert cli(["users", "add", "bob", "--role", "leader", "--email", "alice@bureau.gov.cn", "--db", str(db)]) == 2
    assert "already belongs to user 'alice'" in capsys.readouterr().err
    assert cli(["users", "set-email", "alice", "", "--db", str(db)]) == 0
    assert "no longer maps" in capsys.readouterr().out
    assert cli(["users", "list", "--json", "--db", str(db)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["username"], u["email"]) for u in listed] == [("alice", None)]


def test_sso_check_says_what_is_wrong_in_both_languages(tmp_path, capsys):
    empty = tmp_path / "secrets.toml"
    empty.write_text("[auth]\n", encoding="utf-8")
    assert cli(["sso-check", "--secrets", str(empty)]) == 1
    out = capsys.readouterr().out
    assert "[auth] 段为空" in out and "the [auth] section is empty" in out
    none = tmp_path / "none.toml"
    none.write_text('cookie_key = "x"\n', encoding="utf-8")
    assert cli(["sso-check", "--secrets", str(none)]) == 0
    assert "single sign-on is off" in capsys.readouterr().out
    assert cli(["sso-check", "--secrets", str(tmp_path / "absent.toml")]) == 2


# ------------------------------------------------------------------------------ end to end

PASSWORD = "sso-test-password"
LEADER_EMAIL = "leader@bureau.gov.cn"
PEOPLE = {  # subject at the provider: its claims
    "leader-sub": {"email": "Leader@Bureau.gov.cn", "email_verified": True, "name": "Li Lingdao"},
    "stranger-sub": {"email": "stranger@elsewhere.cn", "email_verified": True},
    "unverified-sub": {"email": LEADER_EMAIL.replace("leader", "unchecked"), "email_verified": False},
}


@pytest.fixture(scope="module")
def provider():
    """A real OIDC provider on loopback: discovery, authorize page, token and JWKS endpoints; the
    client is registered with its redirect URI, so a wrong secret or redirect is refused."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(require_client_registration=True) as server:
        base = f"http://localhost:{server.server_port}"
        for sub, claims in PEOPLE.items():
            _request(f"{base}/users/{sub}", "PUT", claims)
        yield base


def _request(url: str, method: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as r:
        text = r.read()
    return json.loads(text) if text else {}


def _secrets(folder: Path, body: str) -> Path:
    path = folder / "secrets.toml"
    path.write_text(body, encoding="utf-8")
    return path


def _auth(port: int, metadata_url: str, client_id: str, client_secret: str) -> str:
    return (f'[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\ncookie_secret = "{SECRET}"\n'
            f'client_id = "{client_id}"\nclient_secret = "{client_secret}"\nserver_metadata_url = "{metadata_url}"\n')


@pytest.fixture(scope="module")
def app_db(tmp_path_factory, demo_db) -> Path:
    folder = tmp_path_factory.mktemp("sso")
    db = folder / "template.duckdb"
    shutil.copy(demo_db, db)
    con = connect(db)
    users.create_demo_users(con)
    users.reset_password(con, SYSTEM, "admin", PASSWORD)
    users.set_email(con, SYSTEM, "leader", LEADER_EMAIL)
    con.close()
    return db


def _server(tmp_path: Path, app_db: Path, secrets_body, port: int | None = None):
    db = tmp_path / "app.duckdb"
    shutil.copy(app_db, db)
    port = port or free_port()
    path = _secrets(tmp_path, secrets_body(port) if callable(secrets_body) else secrets_body)
    return db, streamlit_server(db, tmp_path / "streamlit.log", ["--secrets.files", str(path)], port=port)


def _through_provider(page, base: str, subject: str) -> None:
    """From the sign-in page through the provider's authorize page, typing the subject."""
    page.goto(base)
    button = page.get_by_role("button", name="统一身份认证登录")
    button.wait_for(timeout=30_000)
    idle(page)
    button.click()
    page.locator('input[name="sub"]').wait_for(timeout=30_000)  # the provider's own page
    assert page.url.startswith("http://localhost:")
    page.locator('input[name="sub"]').fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**", timeout=30_000)


@browser
def test_sign_in_through_a_real_provider(tmp_path, app_db, provider):
    client = _request(f"{provider}/oauth2/clients", "POST", {"redirect_uris": ["http://127.0.0.1:1/oauth2callback"]})
    port = free_port()
    registered = _request(f"{provider}/oauth2/clients", "POST",
                          {"redirect_uris": [f"http://127.0.0.1:{port}/oauth2callback"]})
    assert registered["client_id"] != client["client_id"]
    metadata = f"{provider}/.well-known/openid-configuration"
    db, server = _server(tmp_path, app_db, _auth(port, metadata, registered["client_id"], registered["client_secret"]),
                         port)
    with server as base, chromium() as page:
        # Mapped: the leader lands on the leader's first page, named in the sidebar.
        _through_provider(page, base, "leader-sub")
        landing = pages(Role.LEADER)[0]
        assert landing == "overview"
        page.get_by_role("heading", name="总览").first.wait_for(timeout=60_000)
        page.locator('[data-testid="stSidebar"]').get_by_text("领导小组（演示） · 领导小组").wait_for(timeout=30_000)
        assert any(c["name"] == "_streamlit_user" and c["httpOnly"] for c in page.context.cookies())
        screenshot(page, "sso-leader-signed-in")
        # Signing out clears Streamlit's identity cookie and passes by the provider's end-session page.
        page.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
        page.get_by_role("button", name="End session").click(timeout=30_000)
        page.get_by_role("button", name="统一身份认证登录").wait_for(timeout=30_000)
        assert not any(c["name"] == "_streamlit_user" for c in page.context.cookies())
        screenshot(page, "sso-signed-out")
        # Unmapped: refused with the reason, the password form still there.
        _through_provider(page, base, "stranger-sub")
        # The address is shown as text, not a mailto: link (ui/text.py breaks it up invisibly).
        page.get_by_text(re.compile("电子邮箱 stranger@\u200b?elsewhere\\.cn 未登记为本系统的用户")).wait_for(timeout=30_000)
        page.get_by_label("用户名").wait_for(timeout=30_000)
        assert page.locator("a[href^='mailto:']").count() == 0
        assert page.get_by_role("heading", name="总览").count() == 0
        screenshot(page, "sso-unmapped-refused")
        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("button", name="End session").click(timeout=30_000)
        # Unverified e-mail: refused too.
        _through_provider(page, base, "unverified-sub")
        page.get_by_text("身份提供方尚未验证电子邮箱").wait_for(timeout=30_000)
        screenshot(page, "sso-unverified-refused")
        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("button", name="End session").click(timeout=30_000)
        # The password form works beside it; once signed in, nothing of single sign-on stays on
        # the page, and an administrator is told of no problem (there is none).
        sign_in(page, base, "admin", PASSWORD)
        page.get_by_role("heading", name="总览").first.wait_for(timeout=60_000)
        idle(page)
        assert page.get_by_role("button", name="统一身份认证登录").count() == 0
        assert page.get_by_text("统一身份认证未启用").count() == 0
    con = connect(db, read_only=True)
    rows = rawsql.frame(con, "SELECT actor, action, detail FROM audit_log WHERE action LIKE 'login%' ORDER BY audit_id")
    con.close()
    assert list(zip(rows.actor, rows.action, strict=True)) == [
        ("leader", "login.sso"), ("sso:stranger@elsewhere.cn", "login.sso_refused"),
        ("sso:unchecked@bureau.gov.cn", "login.sso_refused"), ("admin", "login.ok")]
    assert [json.loads(d)["reason"] for d in rows.detail[1:3]] == ["unmapped", "unverified"]


def _admin_sees(page, base: str, *texts: str) -> None:
    sign_in(page, base, "admin", PASSWORD)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("统一身份认证未启用（仅管理员可见）").wait_for(timeout=30_000)
    for text in texts:
        sidebar.get_by_text(text).first.wait_for(timeout=10_000)
    sidebar.get_by_text(texts[-1]).first.scroll_into_view_if_needed()  # for the screenshot


@browser
@pytest.mark.parametrize(("case", "body", "shown"), [
    ("empty", "[auth]\n", "[auth] 段为空"),
    ("dead-provider", lambda port: _auth(port, f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration",
                                         "tracker", "s"), "无法连接身份提供方"),
])
def test_a_broken_section_leaves_the_password_form_and_tells_the_admin(tmp_path, app_db, case, body, shown):
    _, server = _server(tmp_path, app_db, body)
    with server as base, chromium() as page:
        page.goto(base)
        page.get_by_text("统一身份认证暂不可用，请使用用户名和密码登录").wait_for(timeout=30_000)
        assert page.get_by_role("button", name="统一身份认证登录").count() == 0
        screenshot(page, f"sso-{case}-sign-in-page")
        _admin_sees(page, base, shown)
        page.get_by_role("heading", name="总览").first.wait_for(timeout=60_000)
        screenshot(page, f"sso-{case}-admin")
    log = (tmp_path / "streamlit.log").read_text(encoding="utf-8")
    assert "single sign-on is off:" in log and "Traceback" not in log
