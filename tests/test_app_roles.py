"""Sign-in and role-scoped pages, run server-side with AppTest from dashboard.py.

Each test gets a private copy of the demo store (TRACKER_DB) holding the demo users with known
passwords, signs in through the form (the two text inputs and the form's submit button) and checks
what the role is offered and shown. Expected rows come from SQL over the same store.

AppTest quirk worked around here (see `production_routing`): with a `pages/` folder next to
dashboard.py, Streamlit runs a script as a v1 multipage app (`_mpa_v1`: the page file itself, not
the entry script) as long as the class flag PagesManager.uses_pages_directory is set; the first
`st.navigation` call clears it for good, so a real server does this at most on its very first
run. AppTest resets the flag before every run, so a run whose requested page URL equals a file
name in pages/ ("park", "users", "plans") executes that file directly, *without* dashboard.py:
no sign-in gate, no sidebar, with whatever identity the previous run left in session_state (one
cause of sidebar elements vanishing after a rerun). The fixture keeps the flag at the value a
real server has after its first run, so every run here goes through dashboard.py as in
production. AppTest also has no public list of the navigation's pages: `page_files` reads the
registry AppTest's own switch_page() resolves against.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from domain.access import SYSTEM, Role
from domain.messages import text
from store import users
from tests import rawsql
from tests.apptest_helpers import APP_PASSWORD as PASSWORD
from tests.apptest_helpers import DEMO_NAMES, new_app, page_files, sign_in, signed_in

OWN_PARK, OTHER_PARK = "qd-softcity", "qd-infovalley"
BAD_PASSWORD = "用户名或密码错误"
LOCKED = "账户已锁定"
NOT_ALLOWED = "无权查看该园区的企业数据"

# Pages each role's navigation must offer, and pages it must never offer. Other pages may come
# and go; these are the access rules.
MUST = {
    "admin": {"plans.py", "park.py", "users.py", "entry.py", "review.py"},
    "leader": {"plans.py", "park.py", "reporting.py", "export.py"},
    "reviewer": {"plans.py", "park.py", "review.py"},
    "park-softcity": {"park.py", "plans.py", "entry.py", "export.py"},
    "enterprise": {"my_data.py", "entry.py"},
}
NEVER = {
    "admin": {"my_data.py"},
    "leader": {"users.py", "my_data.py", "entry.py", "review.py"},
    "reviewer": {"users.py", "my_data.py", "entry.py"},
    "park-softcity": {"users.py", "my_data.py", "review.py"},
    "enterprise": {"users.py", "review.py", "park.py", "plans.py", "overview.py", "plan.py", "reporting.py",
                   "export.py"},
}


# ------------------------------------------------------------------------------------ helpers
# The store (`app_db`: the demo store with every demo user, password PASSWORD) comes from conftest;
# starting a session and signing in through the form from tests/apptest_helpers.py.


def store():
    """A cursor on the app's own connection (the app keeps the file open; tests share it)."""
    from ui import queries

    return queries.cursor()


def read(sql: str, params: list | None = None):
    return rawsql.frame(store(), sql, params)


def headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def assert_pages_for(at: AppTest, username: str) -> None:
    offered = page_files(at)
    assert MUST[username] <= offered, offered
    if NEVER[username] is None:
        assert offered == MUST[username]
    else:
        assert not offered & NEVER[username], offered


def shows_user_table(at: AppTest) -> bool:
    return any("用户名" in d.value.columns for d in at.dataframe) or "用户管理" in headers(at)


def enterprise_table(at: AppTest):
    """The park page's table of enterprises (the one with the software-revenue column)."""
    (table,) = [d.value for d in at.dataframe if "软件业务收入（亿元）" in d.value.columns]
    return table


def signed_in_as(at: AppTest, username: str) -> bool:
    """The sidebar names the signed-in user and their role, as dashboard.py writes it."""
    who = users.identity(store(), username)
    return f"**{who.display_name}** · {text(f'role.{who.role.value}', 'zh')}" in [m.value for m in at.sidebar.markdown]


# ----------------------------------------------------------------------------- per role


@pytest.mark.parametrize("username", DEMO_NAMES)
def test_sign_in_offers_the_roles_pages_and_shows_who_is_signed_in(app_db, username):
    at = signed_in(username)
    who = users.identity(store(), username)
    assert_pages_for(at, username)
    assert signed_in_as(at, username)
    assert not shows_user_table(at)  # not even the admin lands on the user list
    assert headers(at), "the landing page has a header"
    landing = headers(at)[0]
    if who.role == Role.PARK_MANAGER:
        name = read("SELECT name_zh FROM orgs WHERE org_id = ?", [who.scope_org_id]).name_zh[0]
        assert landing == f"园区 · {name}"
    elif who.role == Role.ENTERPRISE:
        name = read("SELECT name_zh FROM orgs WHERE org_id = ?", [who.scope_org_id]).name_zh[0]
        assert landing == f"本企业数据 · {name}"
    else:
        assert not landing.startswith(("本企业数据", "用户管理"))
    # The run that accepts the password rendered the form before checking it, so AppTest still
    # sees the form above the landing page; in a browser the cookie component's reply reruns the
    # script at once and the form goes. The next run must show the page alone.
    at.run()
    assert not at.text_input
    assert signed_in_as(at, username)


def test_sidebar_survives_a_rerun(app_db):
    """With production routing a plain rerun still runs dashboard.py and keeps the sidebar."""
    at = signed_in("leader")
    landing = headers(at)
    at.run()
    assert signed_in_as(at, "leader")
    assert headers(at) == landing


def test_park_manager_sees_only_its_park(app_db):
    at = signed_in("park-softcity")
    (box,) = [s for s in at.selectbox if s.label == "园区"]
    assert box.options == ["青岛软件城（qd-softcity）"]
    assert box.value == OWN_PARK
    expected = read("SELECT count(*) AS n FROM orgs WHERE kind = 'enterprise' AND parent_id = ?",
                    [OWN_PARK]).n[0]
    table = enterprise_table(at)
    assert len(table) == expected > 0
    names = set(read("SELECT name_zh FROM orgs WHERE parent_id = ? AND kind = 'enterprise'",
                     [OWN_PARK]).name_zh)
    assert set(table["企业名称"]) == names


def test_park_manager_asking_for_another_park_in_the_url_is_refused(app_db):
    at = signed_in("park-softcity")
    since = int(read("SELECT max(audit_id) AS m FROM audit_log").m[0])
    at.query_params["park"] = OTHER_PARK
    at.run()
    assert not at.exception
    assert NOT_ALLOWED in errors(at)
    assert not at.dataframe
    denied = read("SELECT actor, object FROM audit_log WHERE audit_id > ? AND action = 'access.denied'",
                  [since])
    assert list(denied.actor) == ["park-softcity"] and OTHER_PARK in denied.object[0]


def test_park_manager_with_another_park_bookmarked_is_refused_at_sign_in(app_db):
    at = signed_in("park-softcity", query={"park": OTHER_PARK})
    assert NOT_ALLOWED in errors(at)
    assert not at.dataframe


def test_leader_reads_another_park_from_the_url(app_db):
    at = signed_in("leader")
    at.switch_page("pages/park.py")
    at.query_params["park"] = OTHER_PARK
    at.run()
    assert not at.exception
    assert NOT_ALLOWED not in errors(at)
    assert headers(at)[0].startswith("园区 · ")
    expected = read("SELECT name_zh FROM orgs WHERE kind = 'enterprise' AND parent_id = ?", [OTHER_PARK])
    assert sorted(enterprise_table(at)["企业名称"]) == sorted(expected.name_zh)


def test_enterprise_user_sees_only_its_own_figures(app_db):
    at = signed_in("enterprise")
    org = read("SELECT scope_org_id FROM users WHERE username = 'enterprise'").scope_org_id[0]
    assert_pages_for(at, "enterprise")
    assert not [s for s in at.selectbox if s.label == "园区"]
    as_of = at.session_state["as_of_period"]
    expected = read("""SELECT count(DISTINCT indicator_id) AS n FROM current_observations
                               WHERE org_id = ? AND quarter = ? AND year IN (?, ?)""",
                    [org, as_of.quarter, as_of.year, as_of.year - 1]).n[0]
    (table,) = at.dataframe
    assert len(table.value) == expected > 0
    own = read("SELECT value FROM current_observations WHERE org_id = ? AND year = ? AND quarter = ?",
               [org, as_of.year, as_of.quarter]).value
    assert sorted(table.value["本期累计"].dropna()) == sorted(own)  # its own figures, nobody else's
    # The as-of choices are the quarters in which the firm itself has figures.
    quarters = read("SELECT DISTINCT year, quarter FROM current_observations WHERE org_id = ?", [org])
    (box,) = [s for s in at.sidebar.selectbox if s.label == "数据截至"]
    assert len(box.options) == len(quarters)
    assert at.selectbox(key="phone-q").options == box.options  # the phone's copy at the page's top offers the same


def test_admin_reaches_the_user_list(app_db):
    at = signed_in("admin")
    at.switch_page("pages/users.py").run()
    assert not at.exception
    assert headers(at) == ["用户管理"]
    (table,) = at.dataframe
    assert sorted(table.value["用户名"]) == sorted(read("SELECT username FROM users").username)
    assert not any("$2b$" in str(v) for v in table.value.to_numpy().ravel())


@pytest.mark.parametrize("username", ["park-softcity", "leader", "reviewer", "enterprise"])
def test_others_cannot_open_the_user_list(app_db, username):
    at = signed_in(username)
    # Not in their navigation: AppTest refuses to switch to a page st.navigation did not register.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/users.py")
    at.run()
    assert not shows_user_table(at)


@pytest.mark.parametrize("username", ["park-softcity", "leader", "enterprise"])
def test_users_url_bookmarked_before_sign_in_lands_on_the_roles_own_page(app_db, username):
    """A typed or bookmarked /users URL: the signed-out run registers every page (hidden), so the
    switch is allowed; once signed in, st.navigation without that page falls back to the landing page."""
    at = new_app().run()
    at.switch_page("pages/users.py")
    sign_in(at, username)
    assert not at.exception
    assert not shows_user_table(at)
    assert_pages_for(at, username)


def test_admin_with_users_bookmarked_lands_on_the_user_list(app_db):
    at = new_app().run()
    at.switch_page("pages/users.py")
    sign_in(at, "admin")
    assert headers(at) == ["用户管理"]


# ------------------------------------------------------------------------- wrong passwords


def test_wrong_password_is_refused(app_db):
    at = sign_in(new_app(), "leader", PASSWORD + "-wrong")
    assert BAD_PASSWORD in errors(at)
    assert not at.header and not at.dataframe
    assert at.text_input  # the form is still there


def test_unknown_user_is_refused_like_a_wrong_password(app_db):
    at = sign_in(new_app(), "no-such-user", PASSWORD)
    assert BAD_PASSWORD in errors(at)
    assert not at.header


def test_lock_out_after_max_failed_attempts(app_db):
    at = new_app()
    for attempt in range(1, users.MAX_FAILED_ATTEMPTS + 1):
        sign_in(at, "reviewer", f"wrong-password-{attempt}")
        if attempt < users.MAX_FAILED_ATTEMPTS:
            assert BAD_PASSWORD in errors(at), attempt
    assert LOCKED in errors(at)
    locked = read("SELECT locked_until FROM users WHERE username = 'reviewer'").locked_until[0]
    assert locked is not None and str(locked) != "NaT"
    sign_in(at, "reviewer", PASSWORD)  # the right password, too late
    assert LOCKED in errors(at)
    assert not at.header and not at.dataframe and not signed_in_as(at, "reviewer")
    fresh = sign_in(new_app(), "reviewer", PASSWORD)  # another browser session: still locked
    assert LOCKED in errors(fresh)
    assert not fresh.header and not signed_in_as(fresh, "reviewer")


def test_password_reset_lifts_the_lock(app_db):
    at = new_app()
    for attempt in range(users.MAX_FAILED_ATTEMPTS):
        sign_in(at, "reviewer", f"wrong-password-{attempt}")
    assert LOCKED in errors(at)
    users.reset_password(store(), SYSTEM, "reviewer", "a-brand-new-password")
    fresh = sign_in(new_app(), "reviewer", "a-brand-new-password")
    assert LOCKED not in errors(fresh)
    assert signed_in_as(fresh, "reviewer") and fresh.header


def test_user_with_capitals_in_the_name_can_sign_in(app_db):
    # Regression: the sign-in form lowercases usernames, so the store keeps them lowercase too.
    users.add_user(store(), SYSTEM, "Zhang.Wei", "张伟", Role.LEADER, password=PASSWORD)
    assert users.verify_password(store(), "Zhang.Wei", PASSWORD)
    assert users.identity(store(), "ZHANG.WEI").username == "zhang.wei"
    at = sign_in(new_app(), "Zhang.Wei", PASSWORD)
    assert signed_in_as(at, "Zhang.Wei") and at.header


def test_password_with_surrounding_spaces_is_refused_when_set(app_db):
    # Regression: the form strips what is typed, so such a password could never be used; refuse it.
    with pytest.raises(users.UserError, match="space"):
        users.reset_password(store(), SYSTEM, "leader", " spaced passphrase ")


def test_park_manager_exports_only_their_own_park(app_db):
    at = signed_in("park-softcity")
    at.switch_page("pages/export.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.selectbox or all("简报范围" != s.label for s in at.selectbox)  # no choice of park
    captions = " ".join(c.value or "" for c in at.caption)
    own = read("SELECT name_zh FROM orgs WHERE org_id = ?", [OWN_PARK]).name_zh[0]
    assert f"{own}企业主要指标" in captions
    firms = next(df.value for df in at.dataframe if "企业名称" in df.value.columns)
    expected = set(read("SELECT name_zh FROM orgs WHERE parent_id = ? AND kind = 'enterprise'", [OWN_PARK]).name_zh)
    assert set(firms["企业名称"]) == expected
