"""The one role-policy table (domain/policy.py): total, stated by the README, obeyed by the data layer.

The data-layer tests run every role against every gate on a private copy of the demo store: what
the table grants goes through, what it denies raises AuthorizationError and leaves an
`access.denied` row in the audit log. Identities are built here rather than read from the users
table, so no bcrypt hashing is needed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from domain import policy
from domain.access import Identity, Role
from domain.models import OrgKind
from domain.periods import Period
from domain.policy import PAGE_NEEDS, POLICY, Permission
from domain.programme import BaseReportInput, ProgrammeInputError, TaskStatus, TaskUpdateInput
from service import queries
from store import access, users
from store.access import AuthorizationError
from store.catalog import default_catalog
from tests.conftest import open_copy

ROOT = Path(__file__).resolve().parents[1]
OWN_PARK, OTHER_PARK, OTHER_CITY = "qd-softcity", "qd-infovalley", "hangzhou"
AS_OF = Period(2014, 4)


# ------------------------------------------------------------------------------ the table itself


def test_the_table_decides_every_role_and_every_permission():
    assert set(POLICY) == set(Role)
    for role in Role:
        for permission in Permission:
            assert isinstance(policy.may(role, permission), bool)
        assert policy.pages(role), f"{role} lands nowhere"


def test_every_permission_is_held_by_some_role():
    assert {p for entry in POLICY.values() for p in entry.may} == set(Permission)


def test_every_page_is_known_and_each_role_may_open_its_own():
    assert set(PAGE_NEEDS) == {p.stem for p in (ROOT / "pages").glob("*.py")}
    for role in Role:
        names = policy.pages(role)
        assert len(set(names)) == len(names), role
        for name in names:
            assert policy.may_open(role, name), f"{role} is offered {name} but holds none of {set(PAGE_NEEDS[name])}"


def test_scoped_permissions_go_to_scoped_roles_only():
    scoped = {Permission.READ_SCOPE, Permission.WRITE_SCOPE, Permission.LIST_FIRMS_IN_SCOPE}
    for role, entry in POLICY.items():
        if entry.scope is None:
            assert not entry.may & scoped, role
    assert policy.scope(Role.PARK_MANAGER) == OrgKind.PARK and policy.scope(Role.ENTERPRISE) == OrgKind.ENTERPRISE


def test_the_router_takes_its_pages_from_the_table():
    # tests/test_app_roles.py signs each role in, but checks only pages it must and must never see:
    # that the menu is exactly the table's is held here, on the router's source and registry.
    from app import router

    source = Path(router.__file__).read_text(encoding="utf-8")
    assert "policy.pages(who.role)" in source and "BY_ROLE" not in source
    assert set(router.SPEC) == set(PAGE_NEEDS)


# --------------------------------------------------------------------------- the README states it


def _rows(section: str, header: str) -> list[list[str]]:
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2:]:  # past the header and its |---| line
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def roles_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("\n## Signing in\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_pages_table_is_the_policy(roles_section):
    rows = _rows(roles_section, "| role | scoped to | pages |")
    assert [Role(role) for role, _, _ in rows] == list(Role)
    for role, scoped, pages in rows:
        assert (None if scoped == "—" else OrgKind(scoped)) == policy.scope(Role(role)), role
        assert tuple(pages.split(", ")) == policy.pages(Role(role)), role


def test_the_readme_permission_table_is_the_policy(roles_section):
    header = "| permission | " + " | ".join(role.value for role in Role) + " |"
    rows = _rows(roles_section, header)
    assert [re.match(r"`(\w+)`", row[0]).group(1) for row in rows] == [p.value for p in Permission]
    for row in rows:
        permission = Permission(re.match(r"`(\w+)`", row[0]).group(1))
        for role, cell in zip(Role, row[1:], strict=True):
            assert cell in ("✓", ""), cell
            assert (cell == "✓") == policy.may(role, permission), (role.value, permission.value)


# ---------------------------------------------------------------- the data layer refuses the same


@pytest.fixture
def con(tmp_path: Path, demo_db: Path):
    """A private writable copy of the demo store (a refusal writes its audit row)."""
    yield from open_copy(demo_db, tmp_path / "policy.duckdb")


def first_firm(con, park: str) -> str:
    return con.execute("SELECT org_id FROM orgs WHERE parent_id = ? AND kind = 'enterprise' ORDER BY org_id LIMIT 1",
                       [park]).fetchall()[0][0]


def identity(con, role: Role) -> Identity:
    """A user of `role`, scoped as the demo users are: the park manager to 青岛软件城, the
    enterprise user to that park's first firm."""
    scope = {OrgKind.PARK: OWN_PARK, OrgKind.ENTERPRISE: first_firm(con, OWN_PARK), None: None}[policy.scope(role)]
    return Identity(username=f"policy-{role.value}", display_name=role.value, role=role, scope_org_id=scope)


# Each gate of the data layer: what it does, the permissions any one of which lets it through
# (for this caller and these organisations), and the call. A call let through may still refuse its
# input (ProgrammeInputError): that is not a refusal of the caller.
Gate = tuple[str, set[Permission], Callable[..., object]]
GATES: list[Gate] = [
    ("judge a plan (its progress table, charts, park totals)", {Permission.READ_EVERYTHING, Permission.READ_AGGREGATES},
     lambda con, who, own, other: queries.plan_judgement(con, default_catalog(), who, "qingdao-2012", AS_OF)),
    ("read another city's totals", {Permission.READ_EVERYTHING, Permission.READ_AGGREGATES},
     lambda con, who, own, other: access.own_figures(con, who, OTHER_CITY, AS_OF)),
    ("read a firm of another park", {Permission.READ_EVERYTHING},
     lambda con, who, own, other: access.own_figures(con, who, other, AS_OF)),
    ("read a firm of its park", {Permission.READ_EVERYTHING, Permission.READ_SCOPE},
     lambda con, who, own, other: access.history(con, who, own, "software_revenue", 2014, 4)),
    ("list a park's firms", {Permission.READ_EVERYTHING, Permission.LIST_FIRMS_IN_SCOPE},
     lambda con, who, own, other: access.enterprise_figures(con, who, OWN_PARK, AS_OF)),
    ("list another park's firms", {Permission.READ_EVERYTHING},
     lambda con, who, own, other: access.enterprise_figures(con, who, OTHER_PARK, AS_OF)),
    ("read a park's reporting status", {Permission.READ_EVERYTHING, Permission.LIST_FIRMS_IN_SCOPE},
     lambda con, who, own, other: access.reporting_status(con, who, OWN_PARK, AS_OF, 20)),
    ("read a plan's tasks", {Permission.READ_EVERYTHING},
     lambda con, who, own, other: access.plan_tasks(con, who, "hangzhou-2012")),
    ("read the county figures", {Permission.READ_EVERYTHING},
     lambda con, who, own, other: access.counties(con, who, "zhejiang")),
    ("write a firm of its park", {Permission.WRITE_EVERYTHING, Permission.WRITE_SCOPE},
     lambda con, who, own, other: access.require_write(con, who, [own])),
    ("write a firm of another park", {Permission.WRITE_EVERYTHING},
     lambda con, who, own, other: access.require_write(con, who, [other])),
    ("list submissions", {Permission.REVIEW},
     lambda con, who, own, other: access.submissions(con, who, "pending")),
    ("record a task status", {Permission.RECORD_TASKS},
     lambda con, who, own, other: access.record_task_update(con, who, TaskUpdateInput(
         plan_id="hangzhou-2012", task_id="no-such-task", department="nobody", year=2013, quarter=1,
         status=next(iter(TaskStatus))))),
    ("record a base report", {Permission.RECORD_BASES},
     lambda con, who, own, other: access.record_base_report(con, who, BaseReportInput(
         plan_id="zhejiang-2015", base_id="no-such-base", year=2016, half=1, received_on=dt.date(2016, 7, 1)))),
    ("list the users", {Permission.MANAGE_USERS},
     lambda con, who, own, other: access.require_admin(con, who, "list")),
    ("add a user", {Permission.MANAGE_USERS},
     lambda con, who, own, other: users.add_user(con, who, "policy-new", "new", Role.LEADER,
                                                 password="policy-new-password")),
    ("set the reporting deadline", {Permission.SET_DEADLINE},
     lambda con, who, own, other: access.set_report_deadline(con, who, 20)),
]


def _denials(con) -> list[tuple]:
    return con.execute("SELECT actor, detail FROM audit_log WHERE action = 'access.denied' ORDER BY audit_id").fetchall()


@pytest.mark.parametrize("role", list(Role))
def test_each_gate_lets_through_exactly_what_the_table_grants(con, role):
    who = identity(con, role)
    own, other = first_firm(con, OWN_PARK), first_firm(con, OTHER_PARK)
    wrong = []
    for what, grants, call in GATES:
        allowed = any(policy.may(role, p) for p in grants)
        before = len(_denials(con))
        try:
            call(con, who, own, other)
            refused = False
        except AuthorizationError:
            refused = True
        except ProgrammeInputError:
            refused = False
        denials = _denials(con)[before:]
        if refused == allowed or len(denials) != int(refused):
            wrong.append((what, "allowed" if allowed else "denied", "refused" if refused else "let through", denials))
        elif refused:
            assert denials[0][0] == who.username and f'"{role.value}"' in denials[0][1]
    assert not wrong, wrong


@pytest.mark.parametrize("role", list(Role))
def test_require_refuses_every_permission_the_role_lacks(con, role):
    who = identity(con, role)
    for permission in Permission:
        before = len(_denials(con))
        if policy.may(role, permission):
            access.require(con, who, permission, "test", ["thing"])
        else:
            with pytest.raises(AuthorizationError):
                access.require(con, who, permission, "test", ["thing"])
        assert len(_denials(con)) - before == (0 if policy.may(role, permission) else 1), permission


@pytest.mark.parametrize("role", list(Role))
def test_the_writable_organisations_follow_the_table(con, role):
    who = identity(con, role)
    ids = set(access.writable_orgs(con, who).org_id)
    if policy.may(role, Permission.WRITE_EVERYTHING):
        assert access.writable_ids(con, who) is None and first_firm(con, OTHER_PARK) in ids
    elif policy.may(role, Permission.WRITE_SCOPE):
        assert who.scope_org_id in ids and first_firm(con, OTHER_PARK) not in ids
    else:
        assert ids == set()


@pytest.mark.parametrize("role", list(Role))
def test_a_users_scope_is_the_kind_the_table_names(con, role):
    wanted = policy.scope(role)
    admin = identity(con, Role.ADMIN)
    if wanted is None:
        with pytest.raises(users.UserError, match="not scoped"):
            users.add_user(con, admin, "scoped", "s", role, OWN_PARK, "long-enough-pw")
        users.add_user(con, admin, "unscoped", "u", role, None, "long-enough-pw")
    else:
        with pytest.raises(users.UserError, match=f"needs --scope \\(a {wanted.value} id\\)"):
            users.add_user(con, admin, "unscoped", "u", role, None, "long-enough-pw")
        other = OWN_PARK if wanted == OrgKind.ENTERPRISE else first_firm(con, OWN_PARK)
        with pytest.raises(users.UserError, match=f"needs a {wanted.value}"):
            users.add_user(con, admin, "misscoped", "m", role, other, "long-enough-pw")
