"""Scoped access: every read or write of organisation-level data names its caller.

Leaders, reviewers and administrators read everything. A park manager reads and writes their own
park and its enterprises, and reads aggregates (other parks' totals, the city); an enterprise user
reads and writes its own figures only. A refusal raises AuthorizationError — never an empty
result that could pass for "no data" — and is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from domain.access import Identity, Role
from domain.periods import Period
from store import repo


class AuthorizationError(PermissionError):
    pass


def _within(con: repo.Con, ancestor: str, org_id: str) -> bool:
    return bool(repo.scalar(
        con, "SELECT count(*) FROM org_closure WHERE ancestor_id = ? AND descendant_id = ?", [ancestor, org_id]))


def _kind(con: repo.Con, org_id: str) -> str | None:
    return repo.scalar(con, "SELECT kind FROM orgs WHERE org_id = ?", [org_id])


def may_read(con: repo.Con, who: Identity, org_id: str) -> bool:
    """May `who` see figures recorded at `org_id` itself (not only aggregates over it)?"""
    if who.role.reads_everything:
        return True
    if who.role == Role.ENTERPRISE:
        return org_id == who.scope_org_id
    # park manager: anything in their park; elsewhere only aggregate levels, never an enterprise
    return _within(con, who.scope_org_id, org_id) or _kind(con, org_id) not in ("enterprise", None)


def may_write(con: repo.Con, who: Identity, org_id: str) -> bool:
    if who.role == Role.ADMIN:
        return True
    if who.role == Role.PARK_MANAGER:
        return _within(con, who.scope_org_id, org_id)
    if who.role == Role.ENTERPRISE:
        return org_id == who.scope_org_id
    return False  # leaders read; reviewers accept or return, they do not enter figures


def may_see_enterprises_of(con: repo.Con, who: Identity, park_id: str) -> bool:
    if who.role.reads_everything:
        return True
    return who.role == Role.PARK_MANAGER and _within(con, who.scope_org_id, park_id)


def _refuse(con: repo.Con, who: Identity, action: str, objects: Iterable[str]) -> None:
    objects = sorted(set(objects))
    with repo.transaction(con):
        repo.audit(con, who.username, "access.denied", ",".join(objects)[:500],
                   {"action": action, "role": who.role.value, "scope": who.scope_org_id})
    raise AuthorizationError(f"{who.username} ({who.role.value}) may not {action}: {', '.join(objects)}")


def require_read(con: repo.Con, who: Identity, org_ids: Iterable[str], action: str = "read") -> None:
    denied = [o for o in set(org_ids) if not may_read(con, who, o)]
    if denied:
        _refuse(con, who, action, denied)


def require_write(con: repo.Con, who: Identity, org_ids: Iterable[str], action: str = "write") -> None:
    denied = [o for o in set(org_ids) if not may_write(con, who, o)]
    if denied:
        _refuse(con, who, action, denied)


def require_admin(con: repo.Con, who: Identity, action: str) -> None:
    if who.role != Role.ADMIN:
        _refuse(con, who, action, ["users"])


# ------------------------------------------------------------------- guarded reads for pages


def visible_parks(con: repo.Con, who: Identity) -> pd.DataFrame:
    """The parks whose own page `who` may open: every park, or their own."""
    parks = repo.parks(con)
    if who.role.reads_everything:
        return parks
    if who.role == Role.PARK_MANAGER:
        return parks[parks.org_id == who.scope_org_id].reset_index(drop=True)
    return parks.iloc[0:0]


def enterprise_figures(con: repo.Con, who: Identity, park_id: str, as_of: Period) -> pd.DataFrame:
    """The park's enterprises with their latest figures; refused outside the caller's scope."""
    if not may_see_enterprises_of(con, who, park_id):
        _refuse(con, who, "read enterprise figures of", [park_id])
    return repo.enterprise_figures(con, park_id, as_of)


def own_figures(con: repo.Con, who: Identity, org_id: str, as_of: Period) -> pd.DataFrame:
    require_read(con, who, [org_id], "read figures of")
    return repo.org_figures(con, org_id, as_of)


def history(con: repo.Con, who: Identity, org_id: str, indicator_id: str, year: int, quarter: int) -> pd.DataFrame:
    require_read(con, who, [org_id], "read the history of")
    return repo.history(con, org_id, indicator_id, year, quarter)


def enterprise_annual(con: repo.Con, who: Identity, park_id: str, indicator_id: str, up_to_year: int) -> pd.DataFrame:
    if not may_see_enterprises_of(con, who, park_id):
        _refuse(con, who, "read enterprise figures of", [park_id])
    return repo.enterprise_annual(con, park_id, indicator_id, up_to_year)


def review(con: repo.Con, who: Identity, submission_id: int, decision: str, comment: str | None) -> bool:
    """Accept or return a pending submission (reviewers and administrators only)."""
    _require_reviewer(con, who, "review")
    return repo.review_submission(con, submission_id, reviewer=who.username, decision=decision, comment=comment)


def reporting_status(con: repo.Con, who: Identity, under: str, period: Period, deadline_days: int) -> pd.DataFrame:
    """Who has and has not reported under an organisation; enterprise names are scoped like figures."""
    if not (who.role.reads_everything or (who.role == Role.PARK_MANAGER and _within(con, who.scope_org_id, under))):
        _refuse(con, who, "read the reporting status of", [under])
    return repo.reporting_status(con, under, period, period.deadline(deadline_days))


def writable_orgs(con: repo.Con, who: Identity) -> pd.DataFrame:
    """The organisations `who` may enter figures for."""
    if who.role == Role.ADMIN:
        return repo.writable_orgs(con, None)
    if who.role in (Role.PARK_MANAGER, Role.ENTERPRISE):
        return repo.writable_orgs(con, who.scope_org_id)
    return repo.writable_orgs(con, None).iloc[0:0]  # leaders and reviewers enter nothing


def values_for(con: repo.Con, who: Identity, org_id: str, periods: list[Period]) -> dict:
    require_read(con, who, [org_id], "read figures of")
    return repo.values_for(con, org_id, periods)


def _require_reviewer(con: repo.Con, who: Identity, action: str) -> None:
    if who.role not in (Role.REVIEWER, Role.ADMIN):
        _refuse(con, who, action, ["submissions"])


def submissions(con: repo.Con, who: Identity, status: str | None, limit: int = 200) -> pd.DataFrame:
    _require_reviewer(con, who, "list")
    return repo.submissions(con, status, limit)


def submission_rows(con: repo.Con, who: Identity, submission_id: int) -> pd.DataFrame:
    _require_reviewer(con, who, "read")
    return repo.submission_rows(con, submission_id)


def writable_ids(con: repo.Con, who: Identity) -> set[str] | None:
    """The organisations `who` may submit for, or None for all (an administrator)."""
    if who.role == Role.ADMIN:
        return None
    return set(writable_orgs(con, who).org_id)


def set_report_deadline(con: repo.Con, who: Identity, days: int) -> None:
    require_admin(con, who, "set the reporting deadline")
    with repo.transaction(con):
        repo.set_setting(con, "report_deadline_days", str(int(days)))
        repo.audit(con, who.username, "settings.report_deadline_days", None, {"days": int(days)})


def all_orgs(con: repo.Con, who: Identity) -> pd.DataFrame:
    """Every enterprise and park, for reviewers browsing revision histories."""
    _require_reviewer(con, who, "list the organisations of")
    return repo.writable_orgs(con, None)
