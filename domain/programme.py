"""Plans beyond revenue: Shenzhen's task list, Zhejiang's base programme, their inputs.

Task progress and base designations are entered by people, not read from statistical forms, so
their inputs are pydantic models (the boundary) with the vocabulary they share: a task's four
states, the three base types, the half-year reporting calendar, and the rule that names a lead
department the same way wherever the plan text abbreviates it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from domain.messages import Message, MessageError
from domain.models import ApplicationDeadline, Id, OneTypePerCounty, Plan, PublicityPeriod, Responsibility
from domain.periods import Period


class TaskStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DELAYED = "delayed"


class BaseType(StrEnum):
    DEMONSTRATION = "demonstration"  # 示范基地
    FEATURED = "featured"  # 特色基地
    STARTUP = "startup"  # 创业基地


# Shenzhen's text prefixes 市 only to the first department of a list (市财政委、科工贸信委): 科工贸信委
# and 市科工贸信委 are one department. Bodies that are not city bureaus keep their name as written.
_NOT_CITY_BUREAUS = ("市", "各区", "前海")


def canonical_department(name: str) -> str:
    """One name per lead department: '科工贸信委' → '市科工贸信委'; '前海管理局' stays as it is."""
    name = name.strip()
    return name if name.startswith(_NOT_CITY_BUREAUS) else "市" + name


def base_id_for(year: int, base_type: BaseType, county_id: str) -> str:
    """A designation's id: one base of a type per county and year (a county applies for one type a
    year), so recording the same county, type and year again is a correction of it."""
    return f"{year}-{base_type.value}-{county_id}"


def first_report_quarter(plan: Plan) -> Period:
    """The first quarter task reports are owed for: the plan's first phase, but not before it was
    issued (Shenzhen's first phase starts in May 2011; the plan was issued on 20 July 2011)."""
    start = min((p.start for p in plan.phases), default=plan.issued)
    return Period.containing(max(start, plan.issued))


def application_deadline(plan: Plan, year: int) -> ApplicationDeadline | None:
    """The deadline for applications of a designation year's round, where the plan gives one."""
    return next((r for r in plan.rules if isinstance(r, ApplicationDeadline) and r.round == year), None)


def publicity_days(plan: Plan, year: int) -> int | None:
    """How many days the round's list is published for objections before it is designated."""
    return next((r.days for r in plan.rules if isinstance(r, PublicityPeriod) and r.round in (None, year)), None)


def earliest_designation(plan: Plan, year: int) -> dt.date | None:
    """The first day a base of the year's round can be designated: after the application deadline
    and a full publicity period that cannot start before the day after it (2015-12-31 and 7 days:
    published 1–7 January 2016, designated from 8 January). None where the round has no deadline."""
    deadline = application_deadline(plan, year)
    if deadline is None:
        return None
    return deadline.due + dt.timedelta(days=(publicity_days(plan, year) or 0) + 1)


def one_type_per_county(plan: Plan, year: int) -> bool:
    """Whether a county may hold designations of one type only in the year's round."""
    return any(isinstance(r, OneTypePerCounty) and r.round in (None, year) for r in plan.rules)


def half_year_deadline(year: int, half: int) -> dt.date:
    """The half-year report is due by the end of June (half 1) and of December (half 2):
    每年6月底和12月底前报上一阶段情况. No grace period: the programme fixes the dates."""
    if half not in (1, 2):
        raise ValueError(f"half must be 1 or 2, not {half}")
    return dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)


def half_containing(day: dt.date) -> tuple[int, int]:
    return day.year, 1 if day.month <= 6 else 2


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TaskUpdateInput(_Input):
    """A lead department's status of one task for one quarter (a correction is a new revision)."""

    plan_id: Id
    task_id: Id
    department: Name
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)
    status: TaskStatus
    note: Text = ""


class DesignationInput(_Input):
    """A base the province designated: type, county, year, the one-off funding granted (万元) and the
    evidence its eligibility is checked against (start-up teams for a start-up base)."""

    plan_id: Id
    base_id: Id
    name: Name
    base_type: BaseType
    county_id: Id
    year: int = Field(ge=2000, le=2100)
    designated_on: dt.date
    funding: float = Field(ge=0, le=1e6)  # 万元
    startup_teams: int | None = Field(default=None, ge=0, le=100000)
    withdrawn: bool = False  # a revision that withdraws a designation entered in error
    note: Text = ""


class BaseReportInput(_Input):
    """A half-year progress report received from a base (the date it arrived)."""

    plan_id: Id
    base_id: Id
    year: int = Field(ge=2000, le=2100)
    half: Literal[1, 2]
    received_on: dt.date
    note: Text = ""


class ProgrammeInputError(MessageError):
    """A refused task update, designation or report."""


def validated(model: type[_Input], **fields: object) -> _Input:
    """Build an input model, turning pydantic's error into one naming the fields in both languages."""
    try:
        return model(**fields)
    except ValidationError as e:
        names = ", ".join(".".join(str(p) for p in err["loc"]) for err in e.errors())
        raise ProgrammeInputError(Message.of("programme.check_fields", fields=names)) from e


def responsibilities_for(plan: Plan, target_id: str) -> list[Responsibility]:
    """The plan's sentences making someone answerable for a target: those naming this target first,
    then those for the whole plan (catalog `responsibilities`)."""
    return ([r for r in plan.responsibilities if target_id in r.targets]
            + [r for r in plan.responsibilities if not r.targets])


def responsible_units(plan: Plan, target_id: str) -> tuple[str, ...]:
    """The departments the plan makes answerable for a target, in the order of
    `responsibilities_for`; a task's lead departments as the task list writes them (市 made
    explicit). Empty where the plan names none."""
    tasks = {t.task_id: t for t in plan.tasks}
    out: list[str] = []
    for r in responsibilities_for(plan, target_id):
        out += r.departments
        out += [canonical_department(d) for task in r.tasks for d in tasks[task].lead_departments]
    return tuple(dict.fromkeys(out))
