"""任务督办: where each task of a decomposed plan stands at a quarter (Shenzhen's 42 tasks).

Each lead department reports its own status of a task every quarter. A task is done when every
lead department says so, delayed when any says delayed, in progress when any has started; a
department that never reported counts as not started. A task is overdue when its due date (its
own, else its phase's end) has passed by the end of the quarter and it is not done. A department owes a report for
every task it leads that it had not already reported done before the quarter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from domain.periods import Period
from domain.programme import TaskStatus, canonical_department


@dataclass(frozen=True)
class TaskInfo:
    task_id: str
    section: str
    text: str
    departments: tuple[str, ...]  # canonical names
    due: dt.date

    @classmethod
    def of(cls, task_id: str, section: str, text: str, departments: Iterable[str], due: dt.date) -> TaskInfo:
        """Departments as the plan writes them, made canonical (科工贸信委 = 市科工贸信委), order kept."""
        names = tuple(dict.fromkeys(canonical_department(d) for d in departments))
        return cls(task_id, section, text, names, due)


@dataclass(frozen=True)
class Update:
    task_id: str
    department: str
    period: Period
    revision: int
    status: TaskStatus
    note: str = ""
    entered_by: str = ""
    entered_at: dt.datetime | None = None


@dataclass(frozen=True)
class DepartmentState:
    department: str
    status: TaskStatus  # latest reported up to the quarter; NOT_STARTED when never reported
    reported_in: Period | None  # the quarter of that report
    reported_this_quarter: bool
    owes_report: bool  # had not reported DONE before this quarter
    note: str  # this quarter's note ("" when it did not report this quarter)
    overdue: bool


@dataclass(frozen=True)
class TaskState:
    task: TaskInfo
    status: TaskStatus
    overdue: bool
    departments: tuple[DepartmentState, ...]


@dataclass(frozen=True)
class Completion:
    """Tasks of one group (a section, a department) by status."""

    name: str
    total: int
    done: int
    in_progress: int
    delayed: int
    not_started: int
    overdue: int

    @property
    def share_done(self) -> float | None:
        return self.done / self.total if self.total else None


@dataclass(frozen=True)
class Missing:
    """A department that owes reports this quarter and has not filed them."""

    department: str
    task_ids: tuple[str, ...]


def current(updates: Iterable[Update]) -> dict[tuple[str, str, Period], Update]:
    """The newest revision of each (task, department, quarter): corrections replace, history stays."""
    out: dict[tuple[str, str, Period], Update] = {}
    for u in updates:
        key = (u.task_id, u.department, u.period)
        if key not in out or u.revision > out[key].revision:
            out[key] = u
    return out


def rollup(statuses: Sequence[TaskStatus]) -> TaskStatus:
    """A task's status from its lead departments' statuses."""
    if statuses and all(s == TaskStatus.DONE for s in statuses):
        return TaskStatus.DONE
    if TaskStatus.DELAYED in statuses:
        return TaskStatus.DELAYED
    if TaskStatus.IN_PROGRESS in statuses or TaskStatus.DONE in statuses:
        return TaskStatus.IN_PROGRESS
    return TaskStatus.NOT_STARTED


def is_past_due(due: dt.date, as_of: Period) -> bool:
    """The due date has passed by the end of the quarter (a task due on the last day is not late yet)."""
    return due < as_of.end_date


def task_states(tasks: Sequence[TaskInfo], updates: Iterable[Update], as_of: Period) -> list[TaskState]:
    """Every task's state at the end of the quarter, from the reports filed for it up to then."""
    latest: dict[tuple[str, str], Update] = {}  # newest quarter ≤ as_of per (task, department)
    before: dict[tuple[str, str], Update] = {}  # newest quarter < as_of
    for (task, dept, period), u in current(updates).items():
        if period.ordinal > as_of.ordinal:
            continue
        key = (task, dept)
        if key not in latest or period.ordinal > latest[key].period.ordinal:
            latest[key] = u
        if period.ordinal < as_of.ordinal and (key not in before or period.ordinal > before[key].period.ordinal):
            before[key] = u
    out = []
    for task in tasks:
        late = is_past_due(task.due, as_of)
        states = []
        for dept in task.departments:
            u = latest.get((task.task_id, dept))
            status = u.status if u else TaskStatus.NOT_STARTED
            now = u is not None and u.period == as_of
            prior = before.get((task.task_id, dept))
            states.append(DepartmentState(
                department=dept, status=status, reported_in=u.period if u else None, reported_this_quarter=now,
                owes_report=not (prior is not None and prior.status == TaskStatus.DONE),
                note=u.note if now else "", overdue=late and status != TaskStatus.DONE))
        status = rollup([s.status for s in states])
        out.append(TaskState(task=task, status=status, overdue=late and status != TaskStatus.DONE,
                             departments=tuple(states)))
    return out


def _completion(name: str, statuses: Sequence[TaskStatus], overdue: int) -> Completion:
    return Completion(name=name, total=len(statuses), done=statuses.count(TaskStatus.DONE),
                      in_progress=statuses.count(TaskStatus.IN_PROGRESS), delayed=statuses.count(TaskStatus.DELAYED),
                      not_started=statuses.count(TaskStatus.NOT_STARTED), overdue=overdue)


def by_section(states: Sequence[TaskState]) -> list[Completion]:
    """Completion per section, in the order the sections first appear in the plan."""
    groups: dict[str, list[TaskState]] = {}
    for s in states:
        groups.setdefault(s.task.section, []).append(s)
    return [_completion(name, [s.status for s in g], sum(s.overdue for s in g)) for name, g in groups.items()]


def by_department(states: Sequence[TaskState]) -> list[Completion]:
    """Completion per lead department, judged on each department's own status of the tasks it leads;
    most tasks first."""
    groups: dict[str, list[DepartmentState]] = {}
    for s in states:
        for d in s.departments:
            groups.setdefault(d.department, []).append(d)
    rows = [_completion(name, [d.status for d in g], sum(d.overdue for d in g)) for name, g in groups.items()]
    return sorted(rows, key=lambda c: (-c.total, c.name))


def total(states: Sequence[TaskState]) -> Completion:
    return _completion("", [s.status for s in states], sum(s.overdue for s in states))


def missing_reports(states: Sequence[TaskState]) -> list[Missing]:
    """Departments that owe a report this quarter and have not filed it, with the tasks concerned."""
    owed: dict[str, list[str]] = {}
    for s in states:
        for d in s.departments:
            if d.owes_report and not d.reported_this_quarter:
                owed.setdefault(d.department, []).append(s.task.task_id)
    return [Missing(dept, tuple(ids)) for dept, ids in sorted(owed.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def reporting_quarters(first_day: dt.date, last: Period) -> list[Period]:
    """The quarters in which reports are owed: from the one the plan starts in to `last`."""
    out, p = [], Period.containing(first_day)
    while p.ordinal <= last.ordinal:
        out.append(p)
        p = p.next()
    return out


def from_frames(tasks: pd.DataFrame, updates: pd.DataFrame) -> tuple[list[TaskInfo], list[Update]]:
    """The store's rows (store.programme.plan_tasks, task_updates) as the values this module judges."""
    infos = [TaskInfo.of(r.task_id, r.section, r.text, list(r.lead_departments), _date(r.due))
             for r in tasks.itertuples(index=False)]
    ups = [Update(r.task_id, r.department, Period(int(r.year), int(r.quarter)), int(r.revision), TaskStatus(r.status),
                  r.note or "", r.entered_by, pd.Timestamp(r.entered_at).to_pydatetime())
           for r in updates.itertuples(index=False)]
    return infos, ups


def _date(value: object) -> dt.date:
    return pd.Timestamp(value).date()
