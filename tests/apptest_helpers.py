"""Driving dashboard.py with AppTest: start a session, sign in through the form, read the navigation.

The store behind a session is a fixture's business (conftest: `app_db`, `leader_app`); these
helpers only talk to the app the way a browser would.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from streamlit.testing.v1 import AppTest

from domain.periods import Period
from store import users

ROOT = Path(__file__).resolve().parents[1]
APP_PASSWORD = "Tr4cker-app-passphrase"  # every demo user's password in `users_template` (conftest)
DEMO_NAMES = [name for name, *_ in users.DEMO_USERS] + ["enterprise"]  # create_demo_users adds the firm's user


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)


def sign_in(at: AppTest, username: str, password: str = APP_PASSWORD) -> AppTest:
    """Fill the sign-in form's two labelled inputs and press its submit button."""
    if not at.text_input:  # not run yet: render the form first
        at.run()
    fields = {w.label: w for w in at.text_input}
    fields["用户名"].input(username)
    fields["密码"].input(password)
    at.form_submit_button[0].click()
    return at.run()


def sign_in_any_language(at: AppTest, username: str, password: str = APP_PASSWORD) -> AppTest:
    """Sign in through the form by its fields' positions (user name, then password), whatever the
    language its labels are in (the URL's or the session's); the run must show no exception."""
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.form_submit_button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at

def signed_in(username: str, password: str = APP_PASSWORD, *, query: Mapping[str, str] | None = None,
              state: Mapping[str, object] | None = None) -> AppTest:
    """A signed-in session. `query` is the URL's query string (a bookmark); `state` is put in
    session state before the first run, for sidebar choices (AppTest drops sidebar elements after
    a rerun under st.navigation, so they cannot be set by widget afterwards)."""
    at = new_app()
    at.query_params.update(query or {})
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    sign_in(at, username, password)
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_files(at: AppTest) -> set[str]:
    """The page files the last run's st.navigation offered.

    AppTest has no public accessor for the navigation; `_registered_pages` is what its own
    switch_page() resolves against (the pages st.navigation registered in the last run)."""
    return {Path(info["script_path"]).name for info in at._registered_pages.values() if info.get("script_path")}


# The two sidebar states every page walk (tests/test_no_raw_values.py) reads: the first plan as the
# sidebar starts, and a plan with data in every quarter of the demo (Qingdao) mid-plan; both reach
# the tables' missing-value paths (year-ago figures, targets).
WALK_STATES = {
    "first-plan": {},
    "qingdao-2014q3": {"plan_id": "qingdao-2012", "as_of-qingdao": Period(2014, 3)},
}


def signed_in_with(username: str, state: Mapping[str, object]) -> AppTest:
    """A session with `state` (the language among it) set before the first run, signed in through
    the form by position (its labels follow the language)."""
    at = new_app()
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    return sign_in_any_language(at, username)
