"""The quarterly work briefing of a decomposed plan (任务督办季度工作简报): every task with its lead
departments, due date, status and this quarter's progress notes, completion by section and by
department, overdue tasks and the departments that have not reported.

Built from the same task board the 任务督办 page shows (`service.inputs.TaskBoard`: the states and
their counts, judged once by `metrics.tasks`), rendered by `reports.render` to Excel, Word or PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from domain.messages import join, localized, words
from domain.models import DutyKind, Plan
from domain.programme import TaskStatus
from reports.model import Column, Document, Paragraph, Section, Table
from service.inputs import TaskBoard
from ui.programme import notes, quarter_label, status_word

if TYPE_CHECKING:
    from metrics.tasks import Completion, TaskState


def _completion(rows: Sequence[Completion], header: str, title: str, lang: str) -> Table:
    t = words(lang)
    statuses = (TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.DELAYED, TaskStatus.NOT_STARTED)
    return Table(
        title=title,
        columns=[Column(header=header, width=4), Column(header=t("task_count"), kind="integer"),
                 *(Column(header=status_word(s, lang), kind="integer") for s in statuses),
                 Column(header=t("overdue"), kind="integer"), Column(header=t("share_done"), kind="percent")],
        rows=[[r.name, r.total, r.done, r.in_progress, r.delayed, r.not_started, r.overdue, r.share_done] for r in rows],
    )


def task_briefing(plan: Plan, board: TaskBoard, lang: str = "zh", demo: bool = False) -> Document:
    """The quarter's briefing of every task of the plan, as a report document."""
    t = words(lang)
    quarter, states, total, missing, overdue = board.quarter, board.states, board.total, board.missing, board.overdue
    title = localized(plan, "title", lang)
    summary = t("task_report.summary", date=quarter.end_date, n=total.total, done=total.done,
                share=total.share_done or 0, progress=total.in_progress, delayed=total.delayed,
                idle=total.not_started, overdue=total.overdue, missing=len(missing))
    # On A4 the section column is left out (table 1 has the sections) and the task text gets the room.
    task_columns = [Column(header=t("task_no"), width=0.8), Column(header=t("section"), on_paper=False),
                    Column(header=t("task"), width=4), Column(header=t("department"), width=1.4),
                    Column(header=t("due"), width=1.1), Column(header=t("status"), width=0.8),
                    Column(header=t("overdue"), width=0.6), Column(header=t("progress_notes"), width=3)]

    def task_row(s: TaskState) -> list:
        return [s.task.task_id, s.task.section, s.task.text, join("join.list", s.task.departments, lang), s.task.due.isoformat(),
                status_word(s.status, lang), t("yes") if s.overdue else "", notes(s, lang)]

    overdue_blocks = ([Table(title=t("task_report.t_overdue"), columns=task_columns, rows=[task_row(s) for s in overdue],
                             sheet=t("task_report.sh_overdue"))]
                      if overdue else [Paragraph(text=t("task_report.none_overdue"))])
    missing_blocks = ([Table(title=t("task_report.t_missing"), sheet=t("task_report.sh_missing"),
                             columns=[Column(header=t("department")), Column(header=t("reports_owed"), kind="integer"),
                                      Column(header=t("task_no"))],
                             rows=[[m.department, len(m.task_ids), join("join.list", m.task_ids, lang)] for m in missing])]
                      if missing else [Paragraph(text=t("all_departments_reported"))])
    meta = [(t("plan"), title), (t("task_report.quarter"), quarter_label(quarter, lang)),
            (t("task_report.as_of"), quarter.end_date.isoformat())]
    # The plan's own briefing duty names who the briefing goes to (Shenzhen: 报送工业和信息化部、省经信委…).
    distribution = next((d.recipients for d in plan.duties if d.kind == DutyKind.BRIEFING and d.recipients), ())
    if distribution:
        meta.append((t("task_report.distribution"), join("join.list", distribution, lang)))
    if demo:
        meta.append((t("report.nature"), t("demo_badge")))
    return Document(
        title=t("task_report.title", plan=title),
        subtitle=quarter_label(quarter, lang),
        meta=meta,
        summary=[summary],
        sections=[
            Section(heading=t("task_report.s_overview"), blocks=[
                _completion(board.sections, t("section"), t("task_report.t_section"), lang),
                _completion(board.departments, t("department"), t("task_report.t_department"), lang)]),
            Section(heading=t("task_report.s_tasks"), blocks=[
                Table(title=t("task_report.t_tasks", quarter=quarter_label(quarter, lang)), columns=task_columns,
                      rows=[task_row(s) for s in states], sheet=t("task_report.sh_tasks"))]),
            Section(heading=t("task_report.s_overdue"), blocks=overdue_blocks),
            Section(heading=t("task_report.s_missing"), blocks=missing_blocks),
        ],
        footer=t("demo_badge") if demo else "",
        lang=lang,
        file_stem=f"{plan.plan_id}-tasks-{quarter}",
    )
