"""Scoped access: every read or write of organisation-level data names its caller.

What each role may do is the policy table (domain/policy.py); this module applies it to
organisations. Leaders, reviewers and administrators read everything. A park manager reads and
writes their own park and its enterprises, and reads aggregates (other parks' totals, the city); an
enterprise user reads and writes its own figures only. A refusal raises AuthorizationError — never
an empty result that could pass for "no data" — and is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from domain import config, policy
from domain.access import AuthorizationError as AuthorizationError  # raised here; re-exported for callers
from domain.access import Identity
from domain.messages import Message, listed
from domain.models import OrgKind, Plan, ProgrammeCountTarget
from domain.periods import Period
from domain.policy import Permission
from domain.programme import (
    BaseReportInput,
    DesignationInput,
    ProgrammeInputError,
    TaskUpdateInput,
    application_deadline,
    canonical_department,
    earliest_designation,
    first_report_quarter,
    one_type_per_county,
    publicity_days,
)
from domain.review import BulkOutcome, checked_comment
from store import figures, orgs, placements, programme, reporting, settings, snapshots, sql
from store import submissions as subs  # access has a function named submissions
from store.audit import audit


def _within(con: sql.Con, ancestor: str, org_id: str) -> bool:
    return bool(sql.scalar(
        con, "SELECT count(*) FROM org_closure WHERE ancestor_id = ? AND descendant_id = ?", [ancestor, org_id]))


def _kind(con: sql.Con, org_id: str) -> str | None:
    return sql.scalar(con, "SELECT kind FROM orgs WHERE org_id = ?", [org_id])


def may_read(con: sql.Con, who: Identity, org_id: str) -> bool:
    """May `who` see figures recorded at `org_id` itself (not only aggregates over it)?"""
    if policy.may(who.role, Permission.READ_EVERYTHING):
        return True
    if policy.may(who.role, Permission.READ_SCOPE) and _in_scope(con, who, org_id):
        return True
    # beyond its scope, a reader of aggregates sees every level above the firms, never a firm
    return policy.may(who.role, Permission.READ_AGGREGATES) and _kind(con, org_id) not in ("enterprise", None)


def may_write(con: sql.Con, who: Identity, org_id: str) -> bool:
    if policy.may(who.role, Permission.WRITE_EVERYTHING):
        return True
    return policy.may(who.role, Permission.WRITE_SCOPE) and _in_scope(con, who, org_id)


def _in_scope(con: sql.Con, who: Identity, org_id: str) -> bool:
    """`org_id` is the caller's own organisation or lies under it (the comparison first: an
    enterprise user's own figures need no query)."""
    if who.scope_org_id is None:
        return False
    return org_id == who.scope_org_id or _within(con, who.scope_org_id, org_id)


def may_see_enterprises_of(con: sql.Con, who: Identity, park_id: str) -> bool:
    if policy.may(who.role, Permission.READ_EVERYTHING):
        return True
    return policy.may(who.role, Permission.LIST_FIRMS_IN_SCOPE) and _within(con, who.scope_org_id, park_id)


def require_enterprises_of(con: sql.Con, who: Identity, park_id: str, action: str) -> None:
    """Refuse (audited) a caller who may not see the firms of `park_id`."""
    if not may_see_enterprises_of(con, who, park_id):
        _refuse(con, who, action, [park_id])


def note_denied(con: sql.Con, who: Identity, action: str, objects: Iterable[str]) -> None:
    """Write the `access.denied` audit row of an attempt that is answered without an exception
    (an upload naming a firm outside the scope gets the row problem an unknown name gets)."""
    objects = sorted(set(objects))
    detail = {"action": action, "role": who.role.value, "scope": who.scope_org_id}
    if sql.read_only(con):  # a reader process's snapshot: the writer imports it (store/snapshots.py)
        snapshots.spool(config.settings().snapshot_folder(), who.username, "access.denied", ",".join(objects)[:500], detail)
        return
    with sql.transaction(con):
        audit(con, who.username, "access.denied", ",".join(objects)[:500], detail)


def _refuse(con: sql.Con, who: Identity, action: str, objects: Iterable[str]) -> None:
    objects = sorted(set(objects))
    note_denied(con, who, action, objects)
    raise AuthorizationError(f"{who.username} ({who.role.value}) may not {action}: {', '.join(objects)}")


def require_read(con: sql.Con, who: Identity, org_ids: Iterable[str], action: str = "read") -> None:
    denied = [o for o in set(org_ids) if not may_read(con, who, o)]
    if denied:
        _refuse(con, who, action, denied)


def require_write(con: sql.Con, who: Identity, org_ids: Iterable[str], action: str = "write") -> None:
    denied = [o for o in set(org_ids) if not may_write(con, who, o)]
    if denied:
        _refuse(con, who, action, denied)


def require(con: sql.Con, who: Identity, permission: Permission, action: str, objects: Iterable[str]) -> None:
    """Refuse (audited) a caller whose role lacks `permission`; `objects` name what was asked for."""
    if not policy.may(who.role, permission):
        _refuse(con, who, action, objects)


def require_aggregates(con: sql.Con, who: Identity, action: str, objects: Iterable[str]) -> None:
    """Refuse (audited) a caller who may read no aggregates — a plan's standing, park and city
    totals: READ_EVERYTHING's or READ_AGGREGATES', never an enterprise user's."""
    if not (policy.may(who.role, Permission.READ_EVERYTHING) or policy.may(who.role, Permission.READ_AGGREGATES)):
        _refuse(con, who, action, objects)


def require_admin(con: sql.Con, who: Identity, action: str) -> None:
    """The user list (MANAGE_USERS)."""
    require(con, who, Permission.MANAGE_USERS, action, ["users"])


# ------------------------------------------------------------------- guarded reads for pages


def visible_parks(con: sql.Con, who: Identity) -> pd.DataFrame:
    """The parks whose own page `who` may open: every park, or their own."""
    parks = orgs.parks(con)
    if policy.may(who.role, Permission.READ_EVERYTHING):
        return parks
    if policy.may(who.role, Permission.LIST_FIRMS_IN_SCOPE):
        return parks[parks.org_id == who.scope_org_id].reset_index(drop=True)
    return parks.iloc[0:0]


def searchable_firms(con: sql.Con, who: Identity) -> pd.DataFrame:
    """The firms `who` may list, with their park (the search box's firms): every firm for
    READ_EVERYTHING, a park manager's own park's, none for anyone else — a firm's name is shown
    only to whoever may open its park's page."""
    if policy.may(who.role, Permission.READ_EVERYTHING):
        return orgs.firms_in_parks(con, None)
    if policy.may(who.role, Permission.LIST_FIRMS_IN_SCOPE) and who.scope_org_id is not None:
        return orgs.firms_in_parks(con, who.scope_org_id)
    return orgs.firms_in_parks(con, None).iloc[0:0]


def enterprise_figures(con: sql.Con, who: Identity, park_id: str, as_of: Period) -> pd.DataFrame:
    """The park's enterprises with their latest figures; refused outside the caller's scope."""
    if not may_see_enterprises_of(con, who, park_id):
        _refuse(con, who, "read enterprise figures of", [park_id])
    return figures.enterprise_figures(con, park_id, as_of)


def firm_history(con: sql.Con, who: Identity, firm_id: str, up_to: Period) -> pd.DataFrame:
    """A firm's own figures over time, for whoever may list the firms of its park (every firm for
    READ_EVERYTHING, a park manager's own park's); anything else — another park's firm, an id that
    is no firm — is refused alike (audited), so an id typed into the URL tells nothing."""
    if _kind(con, firm_id) != OrgKind.ENTERPRISE.value or not may_see_enterprises_of(con, who, firm_id):
        _refuse(con, who, "read the figures over time of", [firm_id])
    return figures.org_history(con, firm_id, up_to)


def own_figures(con: sql.Con, who: Identity, org_id: str, as_of: Period) -> pd.DataFrame:
    require_read(con, who, [org_id], "read figures of")
    return figures.org_figures(con, org_id, as_of)


def history(con: sql.Con, who: Identity, org_id: str, indicator_id: str, year: int, quarter: int) -> pd.DataFrame:
    require_read(con, who, [org_id], "read the history of")
    return subs.history(con, org_id, indicator_id, year, quarter)


def review(con: sql.Con, who: Identity, submission_id: int, decision: str, comment: str | None) -> bool:
    """Accept or return a pending submission (reviewers and administrators only); returning it
    needs a comment (CommentRequired), as its submitter must know why."""
    _require_reviewer(con, who, "review")
    comment = checked_comment(decision, comment)
    return subs.review_submission(con, submission_id, reviewer=who.username, decision=decision, comment=comment)


def reporting_status(con: sql.Con, who: Identity, under: str, period: Period, deadline_days: int) -> pd.DataFrame:
    """Who has and has not reported under an organisation; enterprise names are scoped like figures."""
    if not may_see_enterprises_of(con, who, under):
        _refuse(con, who, "read the reporting status of", [under])
    return reporting.reporting_status(con, under, period, period.deadline(deadline_days))


def reporting_timeliness(con: sql.Con, who: Identity, under: str, first: Period, last: Period) -> pd.DataFrame:
    """Each firm's quarters from `first` to `last` under an organisation — first report, returned,
    corrected — for the timeliness ranking; scoped like the reporting status (a park manager: its
    own park's firms; leaders, reviewers and administrators: any)."""
    if not may_see_enterprises_of(con, who, under):
        _refuse(con, who, "read the reporting timeliness of", [under])
    return reporting.timeliness_quarters(con, under, first, last)


def writable_orgs(con: sql.Con, who: Identity) -> pd.DataFrame:
    """The organisations `who` may enter figures for."""
    if policy.may(who.role, Permission.WRITE_EVERYTHING):
        return orgs.writable_orgs(con, None)
    if policy.may(who.role, Permission.WRITE_SCOPE):
        return orgs.writable_orgs(con, who.scope_org_id)
    return orgs.writable_orgs(con, None).iloc[0:0]  # leaders and reviewers enter nothing


def values_for(con: sql.Con, who: Identity, org_id: str, periods: list[Period]) -> dict:
    require_read(con, who, [org_id], "read figures of")
    return figures.values_for(con, org_id, periods)


def _require_reviewer(con: sql.Con, who: Identity, action: str) -> None:
    require(con, who, Permission.REVIEW, action, ["submissions"])


def submissions(con: sql.Con, who: Identity, status: str | None, limit: int = 200,
                org_id: str | None = None) -> pd.DataFrame:
    _require_reviewer(con, who, "list")
    return subs.submissions(con, status, limit, org_id)


def submission_rows(con: sql.Con, who: Identity, submission_id: int) -> pd.DataFrame:
    _require_reviewer(con, who, "read")
    return subs.submission_rows(con, submission_id)


# ---------------------------------------------------- the reviewer's reading, decisions on many


def submission(con: sql.Con, who: Identity, submission_id: int) -> dict | None:
    """One submission as the list shows it (None when there is no such id); reviewers only."""
    _require_reviewer(con, who, "read")
    return subs.submission(con, submission_id)


def submission_flags(con: sql.Con, who: Identity, submission_id: int) -> pd.DataFrame:
    """Every flag a submission's check raised; reviewers only."""
    _require_reviewer(con, who, "read")
    return subs.flags(con, submission_id)


def review_many(con: sql.Con, who: Identity, submission_ids: Iterable[int],
                comment: str | None) -> dict[int, BulkOutcome]:
    """Accept many pending submissions at once, each as its own review (its own transaction and
    audit row); one whose check raised a flag is refused, one no longer pending left alone. Each
    id's outcome, in the order given; reviewers and administrators only."""
    _require_reviewer(con, who, "review")
    comment = checked_comment("accepted", comment)
    return {int(i): subs.accept_unflagged(con, int(i), reviewer=who.username, comment=comment)
            for i in dict.fromkeys(submission_ids)}


def writable_ids(con: sql.Con, who: Identity) -> set[str] | None:
    """The organisations `who` may submit for, or None for all (an administrator)."""
    if policy.may(who.role, Permission.WRITE_EVERYTHING):
        return None
    return set(writable_orgs(con, who).org_id)


def set_report_deadline(con: sql.Con, who: Identity, days: int) -> None:
    require(con, who, Permission.SET_DEADLINE, "set the reporting deadline", ["users"])  # the audit row as ever
    with sql.transaction(con):
        settings.set_setting(con, "report_deadline_days", str(int(days)))
        audit(con, who.username, "settings.report_deadline_days", None, {"days": int(days)})


def all_orgs(con: sql.Con, who: Identity) -> pd.DataFrame:
    """Every enterprise and park, for reviewers browsing revision histories."""
    _require_reviewer(con, who, "list the organisations of")
    return orgs.writable_orgs(con, None)


# ------------------------------------------------------- the submitter's side: 我的报送 (issue 17)
# A submitter sees every submission holding a figure of an organisation it may write — its own
# firm, or its park and the park's firms — whoever made it, and of each only those figures.


def _submitter_orgs(con: sql.Con, who: Identity, action: str, objects: Iterable[str]) -> list[str]:
    """The organisations whose submissions `who` follows; refused (audited) without a scope to write."""
    require(con, who, Permission.WRITE_SCOPE, action, objects)
    return sorted(writable_ids(con, who) or ())


def my_submissions(con: sql.Con, who: Identity, limit: int = 100) -> pd.DataFrame:
    """The submissions touching the caller's organisations, newest first (park managers, enterprises)."""
    return subs.submissions_touching(con, _submitter_orgs(con, who, "list the submissions of", ["submissions"]), limit)


def my_submission_figures(con: sql.Con, who: Identity, submission_id: int) -> pd.DataFrame:
    """One submission's figures at the caller's organisations; a submission holding none of them —
    or none at all — is refused alike (audited), so an id typed in tells nothing."""
    mine = _submitter_orgs(con, who, "read the submission", [f"submission:{submission_id}"])
    found = subs.submission_figures(con, submission_id, mine)
    if found.empty:
        _refuse(con, who, "read the submission", [f"submission:{submission_id}"])
    return found


def answered_status(con: sql.Con, who: Identity, submission_id: int) -> str | None:
    """The status of the submission a correction by `who` answers (it must be 'returned' to be
    answered): refused (audited) unless it holds a figure of an organisation `who` may write."""
    if not policy.may(who.role, Permission.WRITE_EVERYTHING):
        mine = _submitter_orgs(con, who, "correct the submission", [f"submission:{submission_id}"])
        if subs.submission_figures(con, submission_id, mine).empty:
            _refuse(con, who, "correct the submission", [f"submission:{submission_id}"])
    return subs.submission_status(con, submission_id)


# ------------------------------------------------- plans beyond revenue: tasks, bases, incentives
# Task statuses, designations and half-year reports are recorded by reviewers and administrators
# (for the departments and bases that send them in); leaders read. Park managers see incentive
# candidates of their own park only. A record_* function checks its input and writes in one
# transaction; the role check comes first, outside it, so that a refusal's audit row is committed.


def _require_reader(con: sql.Con, who: Identity, action: str, obj: str) -> None:
    require(con, who, Permission.READ_EVERYTHING, action, [obj])


def _plan(con: sql.Con, plan_id: str) -> Plan:
    spec = sql.scalar(con, "SELECT spec FROM plans WHERE plan_id = ?", [plan_id])
    if spec is None:
        raise ProgrammeInputError(Message.of("programme.unknown_plan", plan=plan_id))
    return Plan.model_validate_json(spec)


def plan_tasks(con: sql.Con, who: Identity, plan_id: str) -> pd.DataFrame:
    _require_reader(con, who, "read the tasks of", f"plan:{plan_id}")
    return programme.plan_tasks(con, plan_id)


def task_updates(con: sql.Con, who: Identity, plan_id: str, task_id: str | None = None) -> pd.DataFrame:
    _require_reader(con, who, "read the task reports of", f"plan:{plan_id}")
    return programme.task_updates(con, plan_id, task_id)


def record_task_update(con: sql.Con, who: Identity, update: TaskUpdateInput, today: dt.date | None = None) -> int:
    """Record a lead department's quarterly status of a task; returns its revision.

    Refused (nothing written) when the task is unknown, the department does not lead it, or the
    quarter lies before the plan started or after the current one."""
    require(con, who, Permission.RECORD_TASKS, "record task status of", [f"task:{update.plan_id}/{update.task_id}"])
    with sql.transaction(con):  # checked and written in one transaction: no change in between
        return _record_task_update(con, who, update, today)


def _record_task_update(con: sql.Con, who: Identity, update: TaskUpdateInput, today: dt.date | None) -> int:
    plan = _plan(con, update.plan_id)
    task = next((t for t in plan.tasks if t.task_id == update.task_id), None)
    if task is None:
        raise ProgrammeInputError(Message.of("programme.unknown_task", task=update.task_id, plan=update.plan_id))
    leads = [canonical_department(d) for d in task.lead_departments]
    department = canonical_department(update.department)
    if department not in leads:
        raise ProgrammeInputError(Message.of("programme.not_a_lead", department=department, task=task.task_id,
                                             leads=listed(leads)))
    period = Period(update.year, update.quarter)
    start = first_report_quarter(plan)
    now = Period.containing(today or dt.date.today())
    if period.ordinal < start.ordinal:
        raise ProgrammeInputError(Message.of("programme.before_start", period=str(period), start=str(start)))
    if period.ordinal > now.ordinal:
        raise ProgrammeInputError(Message.of("programme.not_begun", period=str(period)))
    return programme.add_task_update(con, plan_id=update.plan_id, task_id=task.task_id, department=department,
                                     year=update.year, quarter=update.quarter, status=update.status.value,
                                     note=update.note, actor=who.username)


def designations(con: sql.Con, who: Identity, plan_id: str) -> pd.DataFrame:
    _require_reader(con, who, "read the designations of", f"plan:{plan_id}")
    return programme.base_designations(con, plan_id)


def designation_history(con: sql.Con, who: Identity, plan_id: str, base_id: str) -> pd.DataFrame:
    _require_reader(con, who, "read the designations of", f"plan:{plan_id}")
    return programme.designation_history(con, plan_id, base_id)


def record_designation(con: sql.Con, who: Identity, d: DesignationInput, today: dt.date | None = None) -> int:
    """Record a designation, or correct one (same base id: a new revision); returns the revision.

    Refused when the plan counts no designations of that type, the county is not a county of the
    plan's province, or the date is in the future or outside the designation year."""
    require(con, who, Permission.RECORD_BASES, "record a designation of", [f"base:{d.plan_id}/{d.base_id}"])
    with sql.transaction(con):  # checked and written in one transaction: no change in between
        return _record_designation(con, who, d, today)


def _record_designation(con: sql.Con, who: Identity, d: DesignationInput, today: dt.date | None) -> int:
    plan = _plan(con, d.plan_id)
    types = {t.designation_type for t in plan.targets if isinstance(t, ProgrammeCountTarget)}
    if d.base_type.value not in types:
        raise ProgrammeInputError(Message.of("programme.no_such_bases", plan=d.plan_id, base_type=d.base_type.value))
    county = sql.first(con, """SELECT g.kind FROM orgs g JOIN org_closure c ON c.descendant_id = g.org_id
                               WHERE g.org_id = ? AND c.ancestor_id = ?""", [d.county_id, plan.scope])
    if county is None or county[0] != OrgKind.DISTRICT.value:
        raise ProgrammeInputError(Message.of("programme.not_a_county", county=d.county_id, province=plan.scope))
    if d.designated_on > (today or dt.date.today()):
        raise ProgrammeInputError(Message.of("programme.designated_in_future", date=d.designated_on))
    if d.designated_on.year != d.year:
        raise ProgrammeInputError(Message.of("programme.designated_other_year", date=d.designated_on, year=d.year))
    earliest = earliest_designation(plan, d.year)
    if earliest is not None and d.designated_on < earliest:
        raise ProgrammeInputError(Message.of("programme.before_publicity_ends", date=d.designated_on, earliest=earliest,
                                             deadline=application_deadline(plan, d.year).due,
                                             days=publicity_days(plan, d.year) or 0))
    if not d.withdrawn and one_type_per_county(plan, d.year):
        # Any other base of the county in the round, in force: a county applies for one (选择…中的一项).
        other = sql.first(con, """SELECT base_id, base_type FROM current_base_designations
                                  WHERE plan_id = ? AND county_id = ? AND year = ? AND base_id <> ? AND NOT withdrawn""",
                          [d.plan_id, d.county_id, d.year, d.base_id])
        if other is not None:
            raise ProgrammeInputError(Message.of("programme.one_type_per_county", county=d.county_id, year=d.year,
                                                 base=other[0], base_type=Message.of(f"base_type.{other[1]}")))
    return programme.add_base_designation(con, plan_id=d.plan_id, base_id=d.base_id, name=d.name,
                                          base_type=d.base_type.value, county_id=d.county_id, year=d.year,
                                          designated_on=d.designated_on, funding=d.funding,
                                          startup_teams=d.startup_teams, withdrawn=d.withdrawn, note=d.note,
                                          actor=who.username)


def base_reports(con: sql.Con, who: Identity, plan_id: str) -> pd.DataFrame:
    _require_reader(con, who, "read the base reports of", f"plan:{plan_id}")
    return programme.base_reports(con, plan_id)


def record_base_report(con: sql.Con, who: Identity, r: BaseReportInput, today: dt.date | None = None) -> int:
    """Record that a base's half-year report arrived (a correction is a new revision).

    Refused when the base is not designated (or withdrawn), the half-year lies outside its
    three-year construction period, or the date is in the future or before the designation."""
    require(con, who, Permission.RECORD_BASES, "record a report of", [f"base:{r.plan_id}/{r.base_id}"])
    with sql.transaction(con):  # checked and written in one transaction: a base withdrawn meanwhile is seen
        return _record_base_report(con, who, r, today)


def _record_base_report(con: sql.Con, who: Identity, r: BaseReportInput, today: dt.date | None) -> int:
    base = sql.first(con, """SELECT year, designated_on, withdrawn FROM current_base_designations
                             WHERE plan_id = ? AND base_id = ?""", [r.plan_id, r.base_id])
    if base is None or base[2]:
        raise ProgrammeInputError(Message.of("programme.not_a_base", base=r.base_id))
    year, designated_on, _ = base
    if not year <= r.year < year + 3:
        raise ProgrammeInputError(Message.of("programme.outside_construction", year=r.year, first=year, last=year + 2))
    if r.received_on > (today or dt.date.today()):
        raise ProgrammeInputError(Message.of("programme.received_in_future", date=r.received_on))
    if r.received_on < designated_on:
        raise ProgrammeInputError(Message.of("programme.received_before_designation", date=r.received_on,
                                             designated=designated_on))
    return programme.add_base_report(con, plan_id=r.plan_id, base_id=r.base_id, year=r.year, half=r.half,
                                     received_on=r.received_on, note=r.note, actor=who.username)


def county_figures(con: sql.Con, who: Identity, province: str, indicator_id: str, years: list[int]) -> pd.DataFrame:
    """Official annual figures of the counties of a province (aggregates, not firms' figures)."""
    _require_reader(con, who, "read the county figures of", province)
    return figures.org_annual(con, province, OrgKind.DISTRICT.value, indicator_id, years)


def counties(con: sql.Con, who: Identity, province: str) -> pd.DataFrame:
    _require_reader(con, who, "list the counties of", province)
    return orgs.orgs_of_kind(con, province, OrgKind.DISTRICT.value)


def incentive_firms(con: sql.Con, who: Identity, under: str, indicator_id: str, up_to_year: int) -> pd.DataFrame:
    """Every enterprise's annual figures under a city or park, with its park: the input to the
    incentive list. A park manager may ask for their own park only; a city is refused."""
    if not may_see_enterprises_of(con, who, under):
        _refuse(con, who, "read enterprise figures of", [under])
    return figures.enterprise_annual_by_park(con, under, indicator_id, up_to_year)


def admission_firms(con: sql.Con, who: Identity, under: str, indicator_id: str, up_to: Period) -> pd.DataFrame:
    """The firms under `under` that report `indicator_id` (land of their own), each checked against a
    plan's conditions of admission beside the parks. A firm's figures are its own, so only the firms
    `who` may see are listed (a park manager: their own park's); the parks' rows are aggregates."""
    firms = figures.reporters(con, under, OrgKind.ENTERPRISE.value, indicator_id, up_to)
    if policy.may(who.role, Permission.READ_EVERYTHING):
        return firms
    seen = {park: may_see_enterprises_of(con, who, park) for park in firms.parent_id.dropna().unique()}
    return firms[[seen.get(park, False) for park in firms.parent_id]].reset_index(drop=True)


# ------------------------------------------------------------ issue 17: survey population


def survey_population(con: sql.Con, who: Identity, under: str, year: int) -> placements.SurveyPopulation:
    """How many firms were reporting units under an organisation in a year (a count: an aggregate,
    read by whoever may read the organisation's figures)."""
    require_read(con, who, [under], "read the survey population of")
    return placements.survey_population(con, under, year)
