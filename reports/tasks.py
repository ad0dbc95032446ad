"""The quarterly work briefing of a decomposed plan (任务督办季度工作简报): every task with its lead
departments, due date, status and this quarter's progress notes, completion by section and by
department, overdue tasks and the departments that have not reported.

Built from the same task states the 任务督办 page shows (`metrics.tasks`), rendered by
`reports.render` to Excel, Word or PDF.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.models import Plan
from domain.periods import Period
from domain.programme import TaskStatus
from metrics import tasks
from reports import text
from reports.model import Column, Document, Paragraph, Section, Table
from ui.programme import notes, quarter_label, status_word

TEXT: dict[str, tuple[str, str]] = {
    "title": ("{plan}任务督办季度工作简报", "{plan}: quarterly task briefing"),
    "quarter": ("季度", "Quarter"),
    "as_of": ("进展截至", "Progress as of"),
    "recorded": ("各牵头单位报送", "Reported by the lead departments"),
    "summary": ("截至{date}，{n}项任务中已完成{done}项（{share}），推进中{progress}项，滞后{delayed}项，未启动{idle}项；"
                "已过完成时限仍未完成{overdue}项。本季度{missing}个牵头单位未报送进展。",
                "By {date}, {done} of {n} tasks are done ({share}), {progress} in progress, {delayed} delayed and {idle} "
                "not started; {overdue} are past their due date and not done. {missing} lead departments have not "
                "reported this quarter."),
    "s_overview": ("一、总体进展", "1. Overview"),
    "s_tasks": ("二、任务进展", "2. Tasks"),
    "s_overdue": ("三、逾期未完成任务", "3. Overdue tasks"),
    "s_missing": ("四、本季度未报送进展的牵头单位", "4. Departments that have not reported"),
    "t_section": ("表1  分部分完成情况", "Table 1. Completion by section"),
    "t_department": ("表2  分牵头单位完成情况", "Table 2. Completion by lead department"),
    "t_tasks": ("表3  任务进展（{quarter}）", "Table 3. Tasks ({quarter})"),
    "t_overdue": ("表4  逾期未完成任务", "Table 4. Overdue tasks"),
    "t_missing": ("表5  未报送进展的牵头单位", "Table 5. Departments not reported"),
    "none_overdue": ("无逾期未完成任务。", "No task is overdue."),
    "none_missing": ("各牵头单位均已报送本季度进展。", "Every lead department has reported this quarter."),
    "section": ("部分", "Section"),
    "department": ("牵头单位", "Lead department"),
    "tasks": ("任务数", "Tasks"),
    "overdue": ("逾期", "Overdue"),
    "share": ("完成率", "Share done"),
    "no": ("编号", "No."),
    "task": ("任务", "Task"),
    "due": ("完成时限", "Due"),
    "notes": ("本季度进展", "Progress this quarter"),
    "owed": ("未报送任务数", "Reports owed"),
    "yes": ("是", "yes"),
    "sh_tasks": ("任务进展", "Tasks"),
    "sh_overdue": ("逾期任务", "Overdue"),
    "sh_missing": ("未报送单位", "Not reported"),
}


_t = text.words(TEXT)


def _completion(rows: Sequence[tasks.Completion], header: str, title: str, lang: str) -> Table:
    statuses = (TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.DELAYED, TaskStatus.NOT_STARTED)
    return Table(
        title=title,
        columns=[Column(header=header, width=4), Column(header=_t("tasks", lang), kind="integer"),
                 *(Column(header=status_word(s, lang), kind="integer") for s in statuses),
                 Column(header=_t("overdue", lang), kind="integer"), Column(header=_t("share", lang), kind="percent")],
        rows=[[r.name, r.total, r.done, r.in_progress, r.delayed, r.not_started, r.overdue, r.share_done] for r in rows],
    )


def task_briefing(plan: Plan, quarter: Period, states: Sequence[tasks.TaskState], lang: str = "zh",
                  demo: bool = False) -> Document:
    """The quarter's briefing of every task of the plan, as a report document."""
    total = tasks.total(states)
    missing = tasks.missing_reports(states)
    overdue = [s for s in states if s.overdue]
    title = plan.title_zh if lang == "zh" else plan.title_en
    summary = _t("summary", lang).format(
        date=quarter.end_date, n=total.total, done=total.done, share=f"{(total.share_done or 0):.1%}",
        progress=total.in_progress, delayed=total.delayed, idle=total.not_started, overdue=total.overdue,
        missing=len(missing))
    # On A4 the section column is left out (table 1 has the sections) and the task text gets the room.
    task_columns = [Column(header=_t("no", lang), width=0.8), Column(header=_t("section", lang), on_paper=False),
                    Column(header=_t("task", lang), width=4), Column(header=_t("department", lang), width=1.4),
                    Column(header=_t("due", lang), width=1.1), Column(header=_t("status", lang), width=0.8),
                    Column(header=_t("overdue", lang), width=0.6), Column(header=_t("notes", lang), width=3)]

    def task_row(s: tasks.TaskState) -> list:
        return [s.task.task_id, s.task.section, s.task.text, "、".join(s.task.departments), s.task.due.isoformat(),
                status_word(s.status, lang), _t("yes", lang) if s.overdue else "", notes(s, lang)]

    overdue_blocks = ([Table(title=_t("t_overdue", lang), columns=task_columns, rows=[task_row(s) for s in overdue],
                             sheet=_t("sh_overdue", lang))]
                      if overdue else [Paragraph(text=_t("none_overdue", lang))])
    missing_blocks = ([Table(title=_t("t_missing", lang), sheet=_t("sh_missing", lang),
                             columns=[Column(header=_t("department", lang)), Column(header=_t("owed", lang), kind="integer"),
                                      Column(header=_t("no", lang))],
                             rows=[[m.department, len(m.task_ids), "、".join(m.task_ids)] for m in missing])]
                      if missing else [Paragraph(text=_t("none_missing", lang))])
    meta = [(_t("plan", lang), title), (_t("quarter", lang), quarter_label(quarter, lang)),
            (_t("as_of", lang), quarter.end_date.isoformat())]
    if demo:
        meta.append((_t("nature", lang), _t("demo", lang)))
    return Document(
        title=_t("title", lang).format(plan=title),
        subtitle=quarter_label(quarter, lang),
        meta=meta,
        summary=[summary],
        sections=[
            Section(heading=_t("s_overview", lang), blocks=[
                _completion(tasks.by_section(states), _t("section", lang), _t("t_section", lang), lang),
                _completion(tasks.by_department(states), _t("department", lang), _t("t_department", lang), lang)]),
            Section(heading=_t("s_tasks", lang), blocks=[
                Table(title=_t("t_tasks", lang).format(quarter=quarter_label(quarter, lang)), columns=task_columns,
                      rows=[task_row(s) for s in states], sheet=_t("sh_tasks", lang))]),
            Section(heading=_t("s_overdue", lang), blocks=overdue_blocks),
            Section(heading=_t("s_missing", lang), blocks=missing_blocks),
        ],
        footer=_t("demo", lang) if demo else "",
        lang="zh" if lang == "zh" else "en",
        file_stem=f"{plan.plan_id}-tasks-{quarter}",
    )
