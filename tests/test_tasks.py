"""任务督办: task states, completion, overdue and missing reports by hand; recording through the
access layer on a real store (revisions, refusals that write nothing, audit); the briefing export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from domain.access import Identity, Role
from domain.periods import Period
from domain.programme import (
    ProgrammeInputError,
    TaskStatus,
    TaskUpdateInput,
    canonical_department,
    first_report_quarter,
    validated,
)
from metrics import tasks
from reports import render
from reports.tasks import task_briefing
from service.inputs import TaskBoard
from store import access, programme
from store.access import AuthorizationError
from tests import rawsql

D, P, N, L = TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.NOT_STARTED, TaskStatus.DELAYED
DUE = dt.date(2012, 3, 31)
REVIEWER = Identity(username="rev", display_name="审核员", role=Role.REVIEWER)
LEADER = Identity(username="boss", display_name="领导", role=Role.LEADER)
ADMIN = Identity(username="root", display_name="管理员", role=Role.ADMIN)
TODAY = dt.date(2013, 1, 15)  # "today" for the store tests: 2013Q1 is the current quarter


def task(tid: str, section: str, *departments: str, due: dt.date = DUE) -> tasks.TaskInfo:
    return tasks.TaskInfo.of(tid, section, f"任务{tid}", departments, due)


def up(tid: str, dept: str, period: tuple[int, int], status: TaskStatus, rev: int = 1, note: str = "") -> tasks.Update:
    return tasks.Update(tid, dept, Period(*period), rev, status, note)


# Three tasks in two sections; t2 has two lead departments written as the plan writes them.
TASKS = [task("t1", "（一）政策", "市科工贸信委"), task("t2", "（一）政策", "市财政委", "科工贸信委"),
         task("t3", "（二）集聚", "市发展改革委")]
UPDATES = [
    up("t1", "市科工贸信委", (2011, 4), P), up("t1", "市科工贸信委", (2012, 1), D, note="已印发"),
    up("t2", "市财政委", (2011, 4), P), up("t2", "市财政委", (2012, 1), D),
    up("t2", "市科工贸信委", (2011, 4), P), up("t2", "市科工贸信委", (2012, 1), P),
    up("t3", "市发展改革委", (2011, 4), N),
    up("t3", "市发展改革委", (2012, 1), P),
    up("t3", "市发展改革委", (2012, 1), L, rev=2, note="更正：用地未批"),  # a correction of the same quarter
]


def test_department_names_are_made_canonical():
    assert canonical_department("科工贸信委") == "市科工贸信委"
    assert canonical_department("市财政委") == "市财政委"
    assert canonical_department("前海管理局") == "前海管理局"
    assert canonical_department("各区政府和新区管委会") == "各区政府和新区管委会"
    assert task("x", "s", "市科工贸信委", "科工贸信委").departments == ("市科工贸信委",)


@pytest.mark.parametrize(("statuses", "expected"), [
    ([D, D], D), ([D, P], P), ([D, L], L), ([P, L], L), ([N, D], P), ([N, N], N), ([], N),
])
def test_rollup(statuses, expected):
    assert tasks.rollup(statuses) == expected


def test_states_at_2012q1_by_hand():
    states = {s.task.task_id: s for s in tasks.task_states(TASKS, UPDATES, Period(2012, 1))}
    assert states["t1"].status == D
    assert states["t2"].status == P  # 财政委 done, 科工贸信委 still in progress
    assert states["t3"].status == L  # revision 2 replaces revision 1 of the same quarter
    assert states["t3"].departments[0].note == "更正：用地未批"
    # due 2012-03-31 is the quarter's last day: not yet past
    assert not any(s.overdue for s in states.values())


def test_overdue_once_the_due_date_has_passed():
    states = {s.task.task_id: s for s in tasks.task_states(TASKS, UPDATES, Period(2012, 2))}
    assert [k for k, s in states.items() if s.overdue] == ["t2", "t3"]  # t1 is done
    # no report in 2012Q2: each department's status is its latest (2012Q1) one
    assert states["t3"].status == L and states["t2"].status == P


def test_missing_reports_at_2012q2_by_hand():
    """In 2012Q2 nobody reported. Owed: every (task, department) not already reported done:
    市科工贸信委 on t2 (t1 it reported done in 2012Q1), 市发展改革委 on t3; 市财政委 owes nothing."""
    states = tasks.task_states(TASKS, UPDATES, Period(2012, 2))
    missing = tasks.missing_reports(states)
    assert [(m.department, m.task_ids) for m in missing] == [("市发展改革委", ("t3",)), ("市科工贸信委", ("t2",))]


def test_missing_reports_in_a_quarter_with_reports():
    """2011Q4: every department reported every task it leads, so nobody is missing; in 2012Q1 too."""
    assert tasks.missing_reports(tasks.task_states(TASKS, UPDATES, Period(2011, 4))) == []
    assert tasks.missing_reports(tasks.task_states(TASKS, UPDATES, Period(2012, 1))) == []


def test_reports_after_the_quarter_are_ignored():
    states = {s.task.task_id: s for s in tasks.task_states(TASKS, UPDATES, Period(2011, 4))}
    assert states["t1"].status == P and states["t3"].status == N


def test_completion_by_section_and_department_by_hand():
    states = tasks.task_states(TASKS, UPDATES, Period(2012, 2))
    sections = {c.name: c for c in tasks.by_section(states)}
    # （一）: t1 done, t2 in progress and overdue → 1 of 2 done; （二）: t3 delayed and overdue
    assert (sections["（一）政策"].total, sections["（一）政策"].done, sections["（一）政策"].in_progress,
            sections["（一）政策"].overdue) == (2, 1, 1, 1)
    assert sections["（一）政策"].share_done == pytest.approx(0.5)
    assert (sections["（二）集聚"].delayed, sections["（二）集聚"].overdue, sections["（二）集聚"].share_done) == (1, 1, 0)
    depts = {c.name: c for c in tasks.by_department(states)}
    # 市科工贸信委 leads t1 (done) and t2 (its own status: in progress, overdue)
    assert (depts["市科工贸信委"].total, depts["市科工贸信委"].done, depts["市科工贸信委"].overdue) == (2, 1, 1)
    assert (depts["市财政委"].total, depts["市财政委"].done, depts["市财政委"].overdue) == (1, 1, 0)
    assert list(depts)[0] == "市科工贸信委"  # most tasks first
    whole = tasks.total(states)
    assert (whole.total, whole.done, whole.in_progress, whole.delayed, whole.overdue) == (3, 1, 1, 1, 2)


def test_first_report_quarter_is_not_before_the_plan_was_issued(catalog):
    # Shenzhen: phase 1 starts 2011-05-01, the plan was issued 2011-07-20 → 2011Q3
    assert first_report_quarter(catalog.plans["shenzhen-2011"]) == Period(2011, 3)


# ------------------------------------------------------------------------------ the store


def record(con, who=REVIEWER, **kw):
    fields = dict(plan_id="shenzhen-2011", task_id="sz-t-02", department="财政委", year=2012, quarter=1,
                  status="in_progress", note="")
    fields.update(kw)
    return access.record_task_update(con, who, validated(TaskUpdateInput, **fields), today=TODAY)


def count(con) -> int:
    return rawsql.scalar(con, "SELECT count(*) FROM task_updates")


def test_recording_makes_revisions_and_audits(store):
    # sz-t-02: 制定软件产业政策、规划 led by 市科工贸信委 and 财政委 (= 市财政委)
    assert record(store, note="第一稿") == 1
    assert record(store, status="delayed", note="更正") == 2  # a correction: a new revision
    assert record(store, quarter=2, status="done") == 1
    rows = programme.task_updates(store, "shenzhen-2011", "sz-t-02")
    assert list(rows.department) == ["市财政委"] * 3  # stored under the canonical name
    assert list(zip(rows.quarter, rows.revision, rows.status, strict=True)) == [
        (1, 1, "in_progress"), (1, 2, "delayed"), (2, 1, "done")]
    log = rawsql.frame(store, "SELECT actor, action, object FROM audit_log WHERE action = 'task.update'")
    assert len(log) == 3 and set(log.actor) == {"rev"} and set(log.object) == {"task:shenzhen-2011/sz-t-02"}
    infos, ups = tasks.from_frames(programme.plan_tasks(store, "shenzhen-2011"), rows)
    state = next(s for s in tasks.task_states(infos, ups, Period(2012, 1)) if s.task.task_id == "sz-t-02")
    assert state.status == L and [d.department for d in state.departments] == ["市科工贸信委", "市财政委"]


@pytest.mark.parametrize(("fields", "reason"), [
    (dict(department="市教育局"), "不是任务"),  # not a lead department of sz-t-02
    (dict(task_id="sz-t-99"), "没有任务"),
    (dict(year=2011, quarter=2), "早于规划实施起始季度"),  # the plan was issued in 2011Q3
    (dict(year=2013, quarter=2), "尚未开始"),  # after the current quarter (2013Q1)
])
def test_bad_updates_are_refused_and_nothing_is_written(store, fields, reason):
    with pytest.raises(ProgrammeInputError) as e:
        record(store, **fields)
    assert reason in e.value.message("zh") and e.value.message("en")
    assert count(store) == 0


def test_malformed_input_names_the_field():
    with pytest.raises(ProgrammeInputError, match="status"):
        validated(TaskUpdateInput, plan_id="shenzhen-2011", task_id="sz-t-02", department="x", year=2012, quarter=1,
                  status="finished")


def test_leaders_read_but_may_not_record(store):
    with pytest.raises(AuthorizationError):
        record(store, who=LEADER)
    assert count(store) == 0
    denied = rawsql.frame(store, "SELECT actor, object FROM audit_log WHERE action = 'access.denied'")
    assert list(denied.actor) == ["boss"] and "sz-t-02" in denied.object[0]
    assert len(access.plan_tasks(store, LEADER, "shenzhen-2011")) == 42


def test_park_managers_may_not_read_tasks(store):
    pm = Identity(username="pm", display_name="pm", role=Role.PARK_MANAGER, scope_org_id="qd-softcity")
    with pytest.raises(AuthorizationError):
        access.task_updates(store, pm, "shenzhen-2011")


# ------------------------------------------------------------------------------ the export


def sheet(book, title_start: str):
    return next(ws for ws in book.worksheets if ws.title.startswith(title_start))


def data_rows(ws, first_header: str) -> list[tuple]:
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    return [r for r in rows[start + 1:] if any(v is not None for v in r)]


def test_briefing_workbook(store, catalog):
    record(store, note="=HYPERLINK(\"http://x\")", status="in_progress")  # 市财政委 on sz-t-02
    record(store, department="市科工贸信委", status="done")
    infos, ups = tasks.from_frames(programme.plan_tasks(store, "shenzhen-2011"),
                                   programme.task_updates(store, "shenzhen-2011"))
    states = tasks.task_states(infos, ups, Period(2012, 1))
    doc = task_briefing(catalog.plans["shenzhen-2011"], TaskBoard.of(Period(2012, 1), states), "zh", demo=False)
    book = load_workbook(io.BytesIO(render(doc, "xlsx")))
    tasks_rows = data_rows(sheet(book, "任务进展"), "编号")
    assert len(tasks_rows) == 42
    row = next(r for r in tasks_rows if r[0] == "sz-t-02")
    assert row[5] == "推进中"  # 财政委 in progress, 科工贸信委 done
    # each department's note after its name (a department without a note: its status word), as text
    assert row[7] == '市科工贸信委：已完成；市财政委：=HYPERLINK("http://x")'
    assert not any(isinstance(v, str) and v.startswith("=") for r in tasks_rows for v in r)
    sections = data_rows(sheet(book, "表1"), "部分")
    assert sum(r[1] for r in sections) == 42  # every task in exactly one section, counts as numbers
    # only sz-t-02 has reports: the other 41 tasks are not started, none is done
    assert sum(r[2] for r in sections) == 0 and sum(r[5] for r in sections) == 41
    missing = data_rows(sheet(book, "未报送单位"), "牵头单位")
    # everyone but the two departments of sz-t-02 owes every report: 市科工贸信委 leads 36 tasks and
    # reported one; its total owed is 35
    kgm = next(r for r in missing if r[0] == "市科工贸信委")
    assert kgm[1] == 35
