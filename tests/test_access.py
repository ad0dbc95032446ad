"""Scoped access in the data layer, users and the `manage.py users` command line.

Everything runs on real DuckDB copies of the demo store with the demo users in it (one per role:
admin, leader, reviewer, park-softcity = park manager of 青岛软件城, enterprise = the first demo
firm of 青岛软件城). Expected counts come from SQL over the same store, never from a past run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from domain.access import SYSTEM, Identity, Role
from domain.credit_code import credit_code_problem, make_credit_code
from domain.periods import Period
from store import access, ingest, users
from store.access import AuthorizationError
from store.db import connect
from tests import rawsql
from tests.conftest import open_copy

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Tr4cker-test-passphrase"  # set for every demo user; long enough for MIN_PASSWORD_LENGTH
DEMO_NAMES = [name for name, *_ in users.DEMO_USERS] + ["enterprise"]
OWN_PARK = "qd-softcity"
OTHER_PARK = "qd-infovalley"
CITY = "qingdao"
OTHER_CITY = "hangzhou"
AS_OF = Period(2014, 4)


# ------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def users_db(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Path:
    """The demo store plus the demo users, each with PASSWORD (bcrypt is slow: built once)."""
    path = tmp_path_factory.mktemp("access") / "users.duckdb"
    shutil.copy(demo_db, path)
    con = connect(path)
    created = users.create_demo_users(con)
    assert sorted(created) == sorted(DEMO_NAMES)
    for name in DEMO_NAMES:
        users.reset_password(con, SYSTEM, name, PASSWORD)
    con.close()
    return path


@pytest.fixture
def con(tmp_path: Path, users_db: Path):
    """A private writable copy of the demo store with users."""
    yield from open_copy(users_db, tmp_path / "access.duckdb")


@pytest.fixture(scope="module")
def ro(users_db: Path):
    """Read-only connection for checks that cannot write (may_read / may_write)."""
    c = connect(users_db, read_only=True)
    yield c
    c.close()


def who(con, username: str) -> Identity:
    ident = users.identity(con, username)
    assert ident is not None, username
    return ident


def enterprises_under(con, org_id: str) -> list[str]:
    return [r[0] for r in con.execute(
        """SELECT o.org_id FROM orgs o JOIN org_closure c ON c.descendant_id = o.org_id
           WHERE c.ancestor_id = ? AND o.kind = 'enterprise' ORDER BY o.org_id""", [org_id]).fetchall()]


def targets(con) -> dict[str, str]:
    """The organisations every role is checked against, picked by SQL from the demo store."""
    own_ent = who(con, "enterprise").scope_org_id
    softcity = enterprises_under(con, OWN_PARK)
    infovalley = enterprises_under(con, OTHER_PARK)
    other_city = enterprises_under(con, OTHER_CITY)
    assert own_ent in softcity and len(softcity) >= 2 and infovalley and other_city
    assert rawsql.scalar(con, "SELECT kind FROM orgs WHERE org_id = ?", [CITY]) == "city"
    assert rawsql.scalar(con, "SELECT kind FROM orgs WHERE org_id = ?", [OTHER_PARK]) == "park"
    return {
        "own_park": OWN_PARK,
        "own_enterprise": own_ent,
        "sibling_enterprise": next(e for e in softcity if e != own_ent),  # same park, another firm
        "other_park": OTHER_PARK,
        "other_park_enterprise": infovalley[0],
        "city": CITY,
        "other_city_enterprise": other_city[0],
    }


def audit_rows_after(con, audit_id: int) -> pd.DataFrame:
    return rawsql.frame(con, "SELECT actor, action, object, detail FROM audit_log WHERE audit_id > ? ORDER BY audit_id",
                        [audit_id])


def last_audit_id(con) -> int:
    return rawsql.scalar(con, "SELECT coalesce(max(audit_id), 0) FROM audit_log")


def counts(con) -> tuple[int, int]:
    return (rawsql.scalar(con, "SELECT count(*) FROM observations"),
            rawsql.scalar(con, "SELECT count(*) FROM submissions"))


# ------------------------------------------------------------------- may_read / may_write table

ALL = ("own_park", "own_enterprise", "sibling_enterprise", "other_park", "other_park_enterprise", "city",
       "other_city_enterprise")
READS = {
    "admin": set(ALL),
    "leader": set(ALL),
    "reviewer": set(ALL),
    # its park and the park's firms; aggregates elsewhere (other parks, the city); never other firms
    "park-softcity": {"own_park", "own_enterprise", "sibling_enterprise", "other_park", "city"},
    "enterprise": {"own_enterprise"},
}
WRITES = {
    "admin": set(ALL),
    "leader": set(),
    "reviewer": set(),
    "park-softcity": {"own_park", "own_enterprise", "sibling_enterprise"},
    "enterprise": {"own_enterprise"},
}
CASES = [(user, target) for user in DEMO_NAMES for target in ALL]


@pytest.mark.parametrize(("username", "target"), CASES)
def test_may_read(ro, username, target):
    assert access.may_read(ro, who(ro, username), targets(ro)[target]) is (target in READS[username])


@pytest.mark.parametrize(("username", "target"), CASES)
def test_may_write(ro, username, target):
    assert access.may_write(ro, who(ro, username), targets(ro)[target]) is (target in WRITES[username])


def test_demo_identities_have_the_documented_roles_and_scopes(ro):
    assert {n: who(ro, n).role for n in DEMO_NAMES} == {
        "admin": Role.ADMIN, "leader": Role.LEADER, "reviewer": Role.REVIEWER,
        "park-softcity": Role.PARK_MANAGER, "enterprise": Role.ENTERPRISE}
    assert who(ro, "park-softcity").scope_org_id == OWN_PARK
    first_firm = rawsql.scalar(ro, "SELECT min(org_id) FROM orgs WHERE parent_id = ? AND kind = 'enterprise'", [OWN_PARK])
    assert who(ro, "enterprise").scope_org_id == first_firm


def test_unknown_org_is_not_readable_by_scoped_roles(ro):
    assert not access.may_read(ro, who(ro, "park-softcity"), "no-such-org")
    assert not access.may_read(ro, who(ro, "enterprise"), "no-such-org")
    assert not access.may_write(ro, who(ro, "park-softcity"), "no-such-org")


def test_visible_parks_per_role(ro):
    all_parks = rawsql.scalar(ro, "SELECT count(*) FROM orgs WHERE kind = 'park'")
    for name in ("admin", "leader", "reviewer"):
        assert len(access.visible_parks(ro, who(ro, name))) == all_parks
    assert list(access.visible_parks(ro, who(ro, "park-softcity")).org_id) == [OWN_PARK]
    assert access.visible_parks(ro, who(ro, "enterprise")).empty


# ----------------------------------------------------------------------- guarded page reads


def assert_one_denial(con, since: int, actor: str, obj: str) -> None:
    rows = audit_rows_after(con, since)
    assert len(rows) == 1, rows
    row = rows.iloc[0]
    assert (row.actor, row.action) == (actor, "access.denied")
    assert obj in row.object.split(",")
    assert json.loads(row.detail)["role"] == who(con, actor).role.value


def test_park_manager_is_refused_another_parks_enterprises_and_it_is_audited(con):
    pm = who(con, "park-softcity")
    since = last_audit_id(con)
    with pytest.raises(AuthorizationError, match=OTHER_PARK):
        access.enterprise_figures(con, pm, OTHER_PARK, AS_OF)
    assert_one_denial(con, since, "park-softcity", OTHER_PARK)


@pytest.mark.parametrize("wider", ["qd-base", CITY, "shandong", "cn"])
def test_park_manager_cannot_list_enterprises_through_a_wider_level(con, wider):
    """The levels above the park hold other parks' firms too: listing them is refused."""
    assert set(enterprises_under(con, wider)) - set(enterprises_under(con, OWN_PARK))  # precondition
    since = last_audit_id(con)
    with pytest.raises(AuthorizationError):
        access.enterprise_figures(con, who(con, "park-softcity"), wider, AS_OF)
    assert_one_denial(con, since, "park-softcity", wider)


def test_park_manager_sees_exactly_its_parks_enterprises(con):
    frame = access.enterprise_figures(con, who(con, "park-softcity"), OWN_PARK, AS_OF)
    expected = rawsql.scalar(con, "SELECT count(*) FROM orgs WHERE kind = 'enterprise' AND parent_id = ?", [OWN_PARK])
    assert expected > 0
    assert len(frame) == expected
    assert set(frame.org_id) == set(enterprises_under(con, OWN_PARK))


@pytest.mark.parametrize("username", ["leader", "reviewer", "admin"])
def test_reading_roles_see_every_parks_enterprises(con, username):
    reader = who(con, username)
    since = last_audit_id(con)
    parks = rawsql.frame(con, "SELECT org_id FROM orgs WHERE kind = 'park' ORDER BY org_id").org_id
    for park in parks:
        frame = access.enterprise_figures(con, reader, park, AS_OF)
        assert sorted(frame.org_id) == enterprises_under(con, park), park
    assert not (audit_rows_after(con, since).action == "access.denied").any()


def test_enterprise_user_may_not_list_even_its_own_park(con):
    since = last_audit_id(con)
    with pytest.raises(AuthorizationError):
        access.enterprise_figures(con, who(con, "enterprise"), OWN_PARK, AS_OF)
    assert_one_denial(con, since, "enterprise", OWN_PARK)


@pytest.mark.parametrize("other", ["sibling_enterprise", "other_park_enterprise", "own_park"])
def test_enterprise_user_is_refused_other_figures(con, other):
    ent = who(con, "enterprise")
    org = targets(con)[other]
    since = last_audit_id(con)
    with pytest.raises(AuthorizationError, match=org):
        access.own_figures(con, ent, org, AS_OF)
    assert_one_denial(con, since, "enterprise", org)
    since = last_audit_id(con)
    with pytest.raises(AuthorizationError, match=org):
        access.history(con, ent, org, "software_revenue", AS_OF.year, AS_OF.quarter)
    assert_one_denial(con, since, "enterprise", org)


def test_enterprise_user_reads_its_own_figures_and_history(con):
    ent = who(con, "enterprise")
    org = ent.scope_org_id
    figures = access.own_figures(con, ent, org, AS_OF)
    expected = rawsql.scalar(
        con, """SELECT count(DISTINCT indicator_id) FROM current_observations
                WHERE org_id = ? AND quarter = ? AND year IN (?, ?)""",
        [org, AS_OF.quarter, AS_OF.year, AS_OF.year - 1])
    assert expected > 0
    assert len(figures) == expected
    history = access.history(con, ent, org, "software_revenue", AS_OF.year, AS_OF.quarter)
    revisions = rawsql.scalar(
        con, "SELECT count(*) FROM observations WHERE org_id = ? AND indicator_id = ? AND year = ? AND quarter = ?",
        [org, "software_revenue", AS_OF.year, AS_OF.quarter])
    assert revisions > 0
    assert len(history) == revisions


def test_park_manager_is_refused_another_parks_firm_but_reads_aggregates(con):
    pm = who(con, "park-softcity")
    t = targets(con)
    since = last_audit_id(con)
    with pytest.raises(AuthorizationError):
        access.own_figures(con, pm, t["other_park_enterprise"], AS_OF)
    assert_one_denial(con, since, "park-softcity", t["other_park_enterprise"])
    since = last_audit_id(con)
    with pytest.raises(AuthorizationError):
        access.history(con, pm, t["other_city_enterprise"], "software_revenue", AS_OF.year, AS_OF.quarter)
    assert_one_denial(con, since, "park-softcity", t["other_city_enterprise"])
    since = last_audit_id(con)
    for org in (OTHER_PARK, CITY, t["own_enterprise"], t["sibling_enterprise"]):
        access.own_figures(con, pm, org, AS_OF)  # aggregates and own firms: allowed, not audited
    assert audit_rows_after(con, since).empty


# ----------------------------------------------------------------------------- ingest scope

HEADER = ["org", "period", "indicator", "value", "unit"]
EXPLANATION = "restated unchanged"  # demo figures may move more than ±50 % a year (a warning, not an error)


def acceptable_row(con, catalog, org: str) -> list[str]:
    """A row that validates without errors for `org`: its current 2015Q4 software revenue, restated."""
    value = rawsql.scalar(
        con, """SELECT value FROM current_observations
                WHERE org_id = ? AND indicator_id = 'software_revenue' AND year = 2015 AND quarter = 4""", [org])
    assert value is not None
    return [org, "2015Q4", "software_revenue", f"{value:.1f}", catalog.indicators["software_revenue"].unit]


def table_of(rows: list[list[str]]) -> pd.DataFrame:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    table, problems = ingest.read_file("upload.csv", buf.getvalue().encode("utf-8"))
    assert not problems
    return table


def do_submit(con, catalog, tmp_path: Path, how: str, user: Identity, rows: list[list[str]]):
    """Write the rows through ingest.submit or ingest.import_file, as `user`."""
    if how == "submit":
        checked = ingest.validate_tidy(con, catalog, "form", table_of(rows))
        assert not checked.errors, checked.errors  # the rows themselves are fine
        return ingest.submit(con, checked, who=user, origin="form", status="accepted", explanation=EXPLANATION)
    path = tmp_path / "upload.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return ingest.import_file(con, catalog, path, who=user, explanation=EXPLANATION)


def refused_as(how: str, org: str):
    """What refusing a row for another firm raises: the data layer's AuthorizationError when checked
    rows reach `submit` directly; through a file, the row problem an unknown name gets (issue 16:
    an upload must not tell a registered firm outside the scope from an unknown one)."""
    if how == "submit":
        return pytest.raises(AuthorizationError, match=org)
    return pytest.raises(ingest.SubmissionRejected, match="unknown organisation, or one you may not submit figures for")


@pytest.mark.parametrize("how", ["submit", "import_file"])
def test_park_manager_cannot_write_another_parks_enterprise(con, catalog, tmp_path, how):
    t = targets(con)
    rows = [acceptable_row(con, catalog, t["own_enterprise"]),
            acceptable_row(con, catalog, t["other_park_enterprise"])]
    before, since = counts(con), last_audit_id(con)
    with refused_as(how, t["other_park_enterprise"]):
        do_submit(con, catalog, tmp_path, how, who(con, "park-softcity"), rows)
    assert counts(con) == before  # not even the own-park row landed
    assert_one_denial(con, since, "park-softcity", t["other_park_enterprise"])
    assert t["own_enterprise"] not in audit_rows_after(con, since).object.iloc[0]


@pytest.mark.parametrize("how", ["submit", "import_file"])
@pytest.mark.parametrize("target", ["own_enterprise", "other_park_enterprise", "other_city_enterprise"])
@pytest.mark.parametrize("username", ["leader", "reviewer"])
def test_reading_roles_cannot_write_anything(con, catalog, tmp_path, how, target, username):
    org = targets(con)[target]
    before, since = counts(con), last_audit_id(con)
    with pytest.raises(AuthorizationError):
        do_submit(con, catalog, tmp_path, how, who(con, username), [acceptable_row(con, catalog, org)])
    assert counts(con) == before
    assert_one_denial(con, since, username, org)


@pytest.mark.parametrize("how", ["submit", "import_file"])
def test_park_manager_writes_its_own_enterprise(con, catalog, tmp_path, how):
    org = targets(con)["own_enterprise"]
    (obs, subs) = counts(con)
    result = do_submit(con, catalog, tmp_path, how, who(con, "park-softcity"), [acceptable_row(con, catalog, org)])
    sub_id = result if how == "submit" else result[0]
    assert counts(con) == (obs + 1, subs + 1)
    assert rawsql.first(con, "SELECT submitted_by, row_count FROM submissions WHERE submission_id = ?",
                        [sub_id]) == ("park-softcity", 1)
    assert rawsql.scalar(con, "SELECT entered_by FROM observations WHERE submission_id = ?", [sub_id]) == "park-softcity"


@pytest.mark.parametrize("how", ["submit", "import_file"])
def test_enterprise_user_writes_only_itself(con, catalog, tmp_path, how):
    t = targets(con)
    ent = who(con, "enterprise")
    before = counts(con)
    with refused_as(how, t["sibling_enterprise"]):
        do_submit(con, catalog, tmp_path, how, ent, [acceptable_row(con, catalog, t["sibling_enterprise"])])
    assert counts(con) == before
    do_submit(con, catalog, tmp_path, how, ent, [acceptable_row(con, catalog, t["own_enterprise"])])
    assert counts(con) == (before[0] + 1, before[1] + 1)


# ----------------------------------------------------------------------------------- users


def text_columns(con) -> list[tuple[str, str]]:
    return [(t, c) for t, c in con.execute(
        """SELECT c.table_name, c.column_name FROM information_schema.columns c
           JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
           WHERE t.table_type = 'BASE TABLE' AND c.table_schema = 'main'
             AND (c.data_type IN ('VARCHAR', 'JSON') OR c.data_type LIKE 'VARCHAR%')
           ORDER BY 1, 2""").fetchall()]


def hits(con, needle: str) -> list[tuple[str, str]]:
    """Every (table, column) of text type in which `needle` occurs anywhere."""
    found = []
    for table, column in text_columns(con):
        n = con.execute(f'SELECT count(*) FROM "{table}" WHERE contains(CAST("{column}" AS VARCHAR), ?)',
                        [needle]).fetchall()[0][0]
        if n:
            found.append((table, column))
    return found


def test_no_password_is_stored_in_plain_text(con):
    fresh = {"new-leader": "plain-text-canary-7f3a1", "new-pm": "another-canary-pw-9d2b"}
    users.add_user(con, SYSTEM, "new-leader", "New leader", Role.LEADER, password=fresh["new-leader"])
    users.add_user(con, SYSTEM, "new-pm", "New PM", Role.PARK_MANAGER, OWN_PARK, password=fresh["new-pm"])
    generated = users.add_user(con, SYSTEM, "gen-user", "Generated", Role.REVIEWER)  # returns a new password
    reset = users.reset_password(con, SYSTEM, "new-pm", "reset-canary-pw-41c8")
    users.record_failed_attempt(con, "new-leader")
    users.record_sign_in(con, "new-leader")
    assert ("users", "password_hash") in text_columns(con) and ("audit_log", "detail") in text_columns(con)
    assert hits(con, "new-leader")  # the search does find what is stored
    for password in [*fresh.values(), generated, reset, PASSWORD]:
        assert hits(con, password) == [], password
    stored = rawsql.frame(con, "SELECT username, password_hash FROM users")
    assert stored.password_hash.str.startswith("$2b$").all()
    assert len(set(stored.password_hash)) == len(stored)  # salted: the same PASSWORD hashes differently


def test_verify_password(con):
    assert users.verify_password(con, "leader", PASSWORD)
    assert not users.verify_password(con, "leader", PASSWORD + "x")
    assert not users.verify_password(con, "leader", "")
    assert not users.verify_password(con, "no-such-user", PASSWORD)
    con.execute("UPDATE users SET disabled = true WHERE username = 'leader'")
    assert not users.verify_password(con, "leader", PASSWORD)
    assert users.identity(con, "leader") is None


def test_lock_out_after_max_failed_attempts_and_reset_lifts_it(con):
    name = "park-softcity"
    for _ in range(users.MAX_FAILED_ATTEMPTS - 1):
        assert users.record_failed_attempt(con, name) is False
        assert users.locked_until(con, name) is None
    since = last_audit_id(con)
    assert users.record_failed_attempt(con, name) is True
    assert users.locked_until(con, name) is not None
    assert rawsql.scalar(con, "SELECT locked_until FROM users WHERE username = ?", [name]) is not None
    assert "login.locked" in set(audit_rows_after(con, since).action)
    users.reset_password(con, SYSTEM, name, "after-the-lock-out")
    assert users.locked_until(con, name) is None
    assert rawsql.first(con, "SELECT failed_attempts, locked_until FROM users WHERE username = ?", [name]) == (0, None)
    assert users.verify_password(con, name, "after-the-lock-out")
    assert not users.verify_password(con, name, PASSWORD)


def test_failed_attempts_of_an_unknown_user_are_audited_but_lock_nothing(con):
    since = last_audit_id(con)
    assert users.record_failed_attempt(con, "nobody") is False
    assert list(audit_rows_after(con, since).action) == ["login.failed"]


def test_sign_in_clears_the_failed_attempt_count(con):
    users.record_failed_attempt(con, "leader")
    users.record_sign_in(con, "leader")
    assert rawsql.scalar(con, "SELECT failed_attempts FROM users WHERE username = 'leader'") == 0


@pytest.mark.parametrize(("username", "role", "scope", "password", "why"), [
    ("pm-city", Role.PARK_MANAGER, CITY, "long-enough-pw", "city"),
    ("pm-firm", Role.PARK_MANAGER, "@own_enterprise", "long-enough-pw", "enterprise"),
    ("pm-none", Role.PARK_MANAGER, None, "long-enough-pw", "needs --scope"),
    ("ent-park", Role.ENTERPRISE, OWN_PARK, "long-enough-pw", "park"),
    ("ent-unknown", Role.ENTERPRISE, "no-such-org", "long-enough-pw", "unknown"),
    ("leader-scoped", Role.LEADER, OWN_PARK, "long-enough-pw", "not scoped"),
    ("admin", Role.ADMIN, None, "long-enough-pw", "already exists"),
    ("  leader  ", Role.LEADER, None, "long-enough-pw", "already exists"),
    ("", Role.LEADER, None, "long-enough-pw", "empty"),
    ("short-pw", Role.LEADER, None, "x" * (users.MIN_PASSWORD_LENGTH - 1), "at least"),
])
def test_add_user_refuses(con, username, role, scope, password, why):
    if scope == "@own_enterprise":
        scope = targets(con)["own_enterprise"]
    before = rawsql.frame(con, "SELECT * FROM users ORDER BY username")
    with pytest.raises(users.UserError, match=why):
        users.add_user(con, SYSTEM, username, username, role, scope, password)
    pd.testing.assert_frame_equal(rawsql.frame(con, "SELECT * FROM users ORDER BY username"), before)


def test_add_user_accepts_valid_scopes(con):
    own_ent = targets(con)["own_enterprise"]
    users.add_user(con, SYSTEM, "pm2", "PM 2", Role.PARK_MANAGER, OTHER_PARK, "long-enough-pw")
    users.add_user(con, SYSTEM, "ent2", "Ent 2", Role.ENTERPRISE, own_ent, "long-enough-pw")
    assert who(con, "pm2").scope_org_id == OTHER_PARK
    assert who(con, "ent2") == Identity(username="ent2", display_name="Ent 2", role=Role.ENTERPRISE,
                                        scope_org_id=own_ent)


# ------------------------------------------------------------------------------------- CLI


def cli(tmp_path: Path, *args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACKER_DB": str(tmp_path / "never-used-env.duckdb"), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "manage.py", *args, "--db", str(db)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def open_ro(db: Path):
    return connect(db, read_only=True)


def check_password(db: Path, username: str, password: str) -> bool:
    c = open_ro(db)
    try:
        return users.verify_password(c, username, password)
    finally:
        c.close()


def identity_of(db: Path, username: str) -> Identity | None:
    c = open_ro(db)
    try:
        return users.identity(c, username)
    finally:
        c.close()


def test_cli_users_add_list_set_role_reset_password(tmp_path):
    db = tmp_path / "cli.duckdb"
    assert cli(tmp_path, "init", db=db).returncode == 0

    r = cli(tmp_path, "users", "add", "alice", "--role", "leader", "--name", "Alice", "--password",
            "alice-long-password", db=db)
    assert r.returncode == 0, r.stderr
    assert "alice-long-password" not in r.stdout  # a chosen password is not echoed
    assert check_password(db, "alice", "alice-long-password")

    r = cli(tmp_path, "users", "add", "bob", "--role", "park_manager", "--scope", OWN_PARK, db=db)
    assert r.returncode == 0, r.stderr
    generated = re.search(r"password \(shown once\): (\S+)", r.stdout).group(1)
    assert len(generated) >= users.MIN_PASSWORD_LENGTH
    assert check_password(db, "bob", generated)

    r = cli(tmp_path, "users", "list", "--json", db=db)
    assert r.returncode == 0, r.stderr
    listed = {u["username"]: u for u in json.loads(r.stdout)}
    assert set(listed) == {"alice", "bob"}
    assert (listed["alice"]["role"], listed["alice"]["display_name"]) == ("leader", "Alice")
    assert (listed["bob"]["role"], listed["bob"]["scope_org_id"]) == ("park_manager", OWN_PARK)
    assert "$2b$" not in r.stdout and "password" not in r.stdout  # no hashes, no passwords

    r = cli(tmp_path, "users", "set-role", "alice", "park_manager", "--scope", OTHER_PARK, db=db)
    assert r.returncode == 0, r.stderr
    assert identity_of(db, "alice") == Identity(username="alice", display_name="Alice", role=Role.PARK_MANAGER,
                                                scope_org_id=OTHER_PARK)

    r = cli(tmp_path, "users", "reset-password", "bob", db=db)
    assert r.returncode == 0, r.stderr
    new = re.search(r"new password \(shown once\): (\S+)", r.stdout).group(1)
    assert new != generated
    assert check_password(db, "bob", new) and not check_password(db, "bob", generated)

    r = cli(tmp_path, "users", "reset-password", "bob", "--password", "bob-chosen-password", db=db)
    assert r.returncode == 0 and "bob-chosen-password" not in r.stdout
    assert check_password(db, "bob", "bob-chosen-password")

    c = open_ro(db)
    try:
        for password in ("alice-long-password", generated, new, "bob-chosen-password"):
            assert hits(c, password) == []
        actions = [a for (a,) in c.execute("SELECT action FROM audit_log WHERE action LIKE 'user.%' ORDER BY audit_id")
                   .fetchall()]
    finally:
        c.close()
    assert actions == ["user.add", "user.add", "user.set_role", "user.reset_password", "user.reset_password"]


@pytest.fixture(scope="module")
def cli_with_dave(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made by `init` holding one user, dave (leader), made by `users add`."""
    tmp = tmp_path_factory.mktemp("cli-users")
    db = tmp / "cli.duckdb"
    assert cli(tmp, "init", db=db).returncode == 0
    assert cli(tmp, "users", "add", "dave", "--role", "leader", "--password", "dave-long-password",
               db=db).returncode == 0
    return db


@pytest.mark.parametrize(("args", "message"), [
    (("users", "add", "carol", "--role", "park_manager", "--scope", CITY), "city"),
    (("users", "add", "carol", "--role", "park_manager"), "needs --scope"),
    (("users", "add", "carol", "--role", "leader", "--password", "short"), "at least"),
    (("users", "add", "dave", "--role", "leader", "--password", "dave-long-password"), "already exists"),
    (("users", "set-role", "dave", "enterprise", "--scope", OWN_PARK), "park"),
    (("users", "set-role", "nobody", "leader"), "no user"),
    (("users", "reset-password", "nobody"), "no user"),
])
def test_cli_users_refusals(tmp_path, cli_with_dave, args, message):
    db = tmp_path / "cli.duckdb"
    shutil.copy(cli_with_dave, db)
    r = cli(tmp_path, *args, db=db)
    assert r.returncode == 2
    assert message in r.stderr
    c = open_ro(db)
    try:
        assert c.execute("SELECT username, role, scope_org_id FROM users").fetchall() == [("dave", "leader", None)]
    finally:
        c.close()


DEMO_LINE = re.compile(r"^\s+(\S+)\s+(\S+)\s+role=(\S+)(?: scope=(\S+))?\s*$")


def test_cli_init_demo_prints_each_demo_password_once(tmp_path):
    db = tmp_path / "demo.duckdb"
    first = cli(tmp_path, "init", "--demo", db=db)
    assert first.returncode == 0, first.stderr
    lines = [m.groups() for line in first.stdout.splitlines() if (m := DEMO_LINE.match(line))]
    assert sorted(name for name, *_ in lines) == sorted(DEMO_NAMES)  # one line per demo user
    passwords = {name: password for name, password, _, _ in lines}
    for name, password, role, scope in lines:
        ident = identity_of(db, name)
        assert (ident.role.value, ident.scope_org_id) == (role, scope)
        assert check_password(db, name, password)
    c = open_ro(db)
    try:
        for password in passwords.values():
            assert hits(c, password) == []
    finally:
        c.close()

    second = cli(tmp_path, "init", "--demo", db=db)
    assert second.returncode == 0, second.stderr
    assert not [line for line in second.stdout.splitlines() if DEMO_LINE.match(line)]
    for password in passwords.values():
        assert password not in second.stdout
    for name, password in passwords.items():  # the second run kept the users and their passwords
        assert check_password(db, name, password)


def test_validation_never_quotes_another_parks_figures(con, catalog, tmp_path):
    """Regression: validating a file used to compare rows with stored figures before the scope
    check, so its messages quoted another firm's numbers. Now another park's firm is not even
    found: its row gets the unknown-organisation problem, and the attempt is audited."""
    t = targets(con)
    other = t["other_park_enterprise"]
    # a value 10⁴ off and a part above its total would both quote the stored figures
    rows = [[other, "2016Q4", "software_products", "999999999", "万元"]]
    since = last_audit_id(con)
    checked = ingest.validate_tidy(con, catalog, "probe.csv", table_of(rows), who=who(con, "park-softcity"))
    assert [p.reason.code for p in checked.problems] == ["validation.org_unknown"]
    assert checked.rows.empty
    denied = rawsql.frame(con, "SELECT actor, object FROM audit_log WHERE audit_id > ? AND action = 'access.denied'",
                          [since])
    assert denied.to_dict(orient="records") == [{"actor": "park-softcity", "object": other}]


def unregistered_credit_code(con) -> str:
    """A unified social credit code with a valid check character that no organisation holds."""
    taken = set(rawsql.frame(con, "SELECT credit_code FROM orgs WHERE credit_code IS NOT NULL").credit_code)
    code = next(c for n in range(100) if (c := make_credit_code(f"91370200MA{n:07d}")) not in taken)
    assert credit_code_problem(code) is None
    return code


@pytest.mark.parametrize("username", ["park-softcity", "enterprise"])
def test_an_organisation_outside_the_scope_gets_the_answer_an_unknown_one_gets(con, catalog, username):
    """Another park's firm named by id, registered name or credit code, and names nobody registered:
    each row's problem is the same (code, column, words in both languages); only the forbidden
    ones leave an access.denied row for the administrator."""
    t = targets(con)
    other = t["other_park_enterprise"]
    name, code = rawsql.first(con, "SELECT name_zh, credit_code FROM orgs WHERE org_id = ?", [other])
    assert code, "the demo firm has a credit code"
    forbidden = [other, name, code]
    unknown = ["ent-no-such-firm", "没有这家企业有限公司", unregistered_credit_code(con)]
    user = who(con, username)
    answers = {}
    for typed in forbidden + unknown:
        since = last_audit_id(con)
        row = [typed, "2015Q4", "software_revenue", "100", "万元"]
        checked = ingest.validate_tidy(con, catalog, "probe.csv", table_of([row]), who=user)
        (problem,) = checked.problems
        answers[typed] = (problem.row, problem.column, problem.severity, problem.reason,
                          problem.reason.render("zh"), problem.reason.render("en"))
        denied = audit_rows_after(con, since)
        if typed in forbidden:
            assert_one_denial(con, since, username, other)
        else:
            assert denied.empty, denied
    assert len(set(answers.values())) == 1, answers
    assert answers[other][4] == "未知单位或无权为该单位填报：请填写本单位（或本园区企业）的编号、登记全称或统一社会信用代码"
