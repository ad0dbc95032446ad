"""The one role-policy table: per role, its pages (landing page first), what it may do, and what it is scoped to.

The router (app/router.py) takes each role's pages from here, pages ask `may` before offering a
form, and the data layer (store/access.py, store/users.py) refuses — audited — whatever the table
denies; nobody else names roles to decide anything. Permissions are what the code checks, not
job titles: a check says `policy.may(role, Permission.REVIEW)`, never "is a reviewer or an
administrator". A scoped permission (…_SCOPE, LIST_FIRMS_IN_SCOPE) reaches the role's own
organisation and what lies under it; README.md's roles tables state this table
(tests/test_policy.py holds them equal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.access import Role
from domain.models import OrgKind


class Permission(StrEnum):
    READ_EVERYTHING = "read_everything"  # every plan, park and firm; tasks, bases, county figures
    READ_AGGREGATES = "read_aggregates"  # totals of parks, cities and up anywhere, never one firm's figures
    READ_SCOPE = "read_scope"  # the figures of its own organisation and of everything under it
    LIST_FIRMS_IN_SCOPE = "list_firms_in_scope"  # its park's firms, reporting status and reward candidates
    WRITE_EVERYTHING = "write_everything"  # enter figures for any organisation
    WRITE_SCOPE = "write_scope"  # enter figures for its own organisation and everything under it
    REVIEW = "review"  # list, read, accept or return submissions; browse any organisation's revisions
    RECORD_TASKS = "record_tasks"  # record the lead departments' quarterly task status
    RECORD_BASES = "record_bases"  # record base designations and their half-year reports
    MANAGE_USERS = "manage_users"  # the user list
    SET_DEADLINE = "set_deadline"  # the reporting deadline
    RUN_BACKUPS = "run_backups"  # list, make and verify backups from the app
    EXPORT_BRIEFINGS = "export_briefings"  # the quarterly briefing (a scoped role gets its own park's)
    CLEAR_CACHES = "clear_caches"  # empty the app's caches for every session (the menu's "Clear cache")
    MANAGE_REGISTER = "manage_register"  # the register of reporting units: firms, contacts, events, their accounts
    SEND_REMINDERS = "send_reminders"  # e-mail the organisations that have not reported (催报)
    READ_MAIL_LOG = "read_mail_log"  # every e-mail the product sent or failed to send
    MANAGE_PLANS = "manage_plans"  # add a plan from its text, adjust one mid-term, import and export plan files


@dataclass(frozen=True)
class RolePolicy:
    pages: tuple[str, ...]  # names of app/router.py's SPEC, the landing page first
    may: frozenset[Permission]
    scope: OrgKind | None  # the kind of organisation a user of the role is bound to, if any


P = Permission
_READERS = {P.READ_EVERYTHING, P.READ_AGGREGATES, P.EXPORT_BRIEFINGS}

POLICY: Mapping[Role, RolePolicy] = {
    Role.ADMIN: RolePolicy(
        ("overview", "plan", "park", "tasks", "bases", "incentives", "entry", "review", "reporting", "export", "plans",
         "compare", "authoring", "register", "users", "mail", "backup"),
        frozenset(_READERS | {P.WRITE_EVERYTHING, P.REVIEW, P.RECORD_TASKS, P.RECORD_BASES, P.MANAGE_USERS,
                              P.SET_DEADLINE, P.RUN_BACKUPS, P.CLEAR_CACHES, P.MANAGE_REGISTER, P.SEND_REMINDERS,
                              P.READ_MAIL_LOG, P.MANAGE_PLANS}),
        None),
    Role.LEADER: RolePolicy(
        ("overview", "plan", "park", "tasks", "bases", "incentives", "reporting", "export", "plans", "compare"),
        frozenset(_READERS),
        None),
    Role.REVIEWER: RolePolicy(
        ("review", "reporting", "overview", "plan", "park", "tasks", "bases", "incentives", "export", "plans",
         "compare"),
        frozenset(_READERS | {P.REVIEW, P.RECORD_TASKS, P.RECORD_BASES, P.SEND_REMINDERS}),
        None),
    Role.PARK_MANAGER: RolePolicy(
        ("park", "entry", "my_submissions", "reporting", "incentives", "export", "overview", "plan", "plans",
         "compare"),
        frozenset({P.READ_AGGREGATES, P.READ_SCOPE, P.LIST_FIRMS_IN_SCOPE, P.WRITE_SCOPE, P.EXPORT_BRIEFINGS}),
        OrgKind.PARK),
    Role.ENTERPRISE: RolePolicy(
        ("my_data", "entry", "my_submissions"),
        frozenset({P.READ_SCOPE, P.WRITE_SCOPE}),
        OrgKind.ENTERPRISE),
}

# What a page shows or does, as the permissions any one of which lets a role open it: a role's
# pages must be among these (tests/test_policy.py), so a page is never offered to a role whose
# data layer would refuse everything on it.
PAGE_NEEDS: Mapping[str, frozenset[Permission]] = {
    "overview": frozenset({P.READ_AGGREGATES}),
    "plan": frozenset({P.READ_AGGREGATES}),
    "plans": frozenset({P.READ_AGGREGATES}),
    "compare": frozenset({P.READ_AGGREGATES}),  # cities' totals side by side: aggregates only
    "park": frozenset({P.READ_EVERYTHING, P.LIST_FIRMS_IN_SCOPE}),
    "incentives": frozenset({P.READ_EVERYTHING, P.LIST_FIRMS_IN_SCOPE}),
    "reporting": frozenset({P.READ_EVERYTHING, P.LIST_FIRMS_IN_SCOPE}),
    "tasks": frozenset({P.READ_EVERYTHING}),
    "bases": frozenset({P.READ_EVERYTHING}),
    "my_data": frozenset({P.READ_SCOPE}),
    "entry": frozenset({P.WRITE_EVERYTHING, P.WRITE_SCOPE}),
    "review": frozenset({P.REVIEW}),
    "export": frozenset({P.EXPORT_BRIEFINGS}),
    "users": frozenset({P.MANAGE_USERS}),
    "backup": frozenset({P.RUN_BACKUPS}),
    "my_submissions": frozenset({P.WRITE_SCOPE}),
    "register": frozenset({P.MANAGE_REGISTER}),
    "mail": frozenset({P.READ_MAIL_LOG}),
    "authoring": frozenset({P.MANAGE_PLANS}),
}


# The sign-in lock-out: this many failed attempts in a row lock an account for LOCK_MINUTES. The
# store counts and enforces it (store/users.py); the sign-in form tells the library the same number.
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15


def may(role: Role, permission: Permission) -> bool:
    """Whether the role holds the permission (within its scope, for a scoped one)."""
    return permission in POLICY[role].may


def pages(role: Role) -> tuple[str, ...]:
    """The role's pages in menu order; the first is where it lands."""
    return POLICY[role].pages


def scope(role: Role) -> OrgKind | None:
    """The kind of organisation a user of the role must be bound to, or None for an unscoped role."""
    return POLICY[role].scope


def may_open(role: Role, page: str) -> bool:
    return bool(PAGE_NEEDS[page] & POLICY[role].may)
