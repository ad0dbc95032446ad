"""任务督办 — a decomposed plan's tasks at a quarter: completion by section and department, overdue
tasks, departments that have not reported, each task's history; reviewers record statuses."""

import functools

import streamlit as st

from domain.policy import Permission, may
from domain.programme import ProgrammeInputError, TaskStatus, TaskUpdateInput, validated
from reports import MIME
from reports.apart import render_apart
from reports.tasks import task_briefing
from ui import charts, components, context, media, processes, programme, programme_figures, queries, services
from ui.i18n import md_message, t
from ui.text import escape

ctx = context.current()
version = queries.data_version()
cat = queries.catalog()
plan = components.page_plan(ctx, cat, queries.visible_plans(ctx.who), lambda plan: bool(plan.tasks), "tasks_page", "no_task_plan")
plan_id = plan.plan_id

# Quarters from the plan's start to the latest report (at least to the quarter of the last due date).
quarters = queries.task_quarters(version, ctx.who, plan_id)
default = quarters.index(ctx.as_of) if ctx.plan_id == plan_id and ctx.as_of in quarters else 0
quarter = st.selectbox(t("quarter", ctx.lang), quarters, index=default, key=f"task-quarter-{plan_id}",
                       format_func=lambda p: programme.quarter_label(p, ctx.lang))
board = queries.task_board(version, ctx.who, plan_id, quarter)
states, total, missing = board.states, board.total, board.missing

cells = st.columns(5)
cells[0].metric(t("task_count", ctx.lang), total.total)
cells[1].metric(programme.status_word(TaskStatus.DONE, ctx.lang), total.done,
                help=f"{(total.share_done or 0):.1%}")
cells[2].metric(programme.status_word(TaskStatus.DELAYED, ctx.lang), total.delayed)
cells[3].metric(t("overdue_tasks", ctx.lang), total.overdue)
cells[4].metric(t("departments_missing", ctx.lang), len(missing))

doc = task_briefing(plan, board, ctx.lang, demo=queries.is_demo(version))
st.caption(escape(doc.summary[0]))
components.download_buttons(functools.partial(render_apart, doc), doc.file_stem, MIME, key="task-briefing")

percent = {t("share_done", ctx.lang): st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100)}
labels = [t("by_task", ctx.lang), t("by_section", ctx.lang), t("by_department", ctx.lang), t("overdue_tasks", ctx.lang),
          t("departments_missing", ctx.lang), t("task_history", ctx.lang)]
if plan.duties:
    labels.append(t("duties", ctx.lang))
by_task, by_section, by_dept, late, silent, history, *rest = st.tabs(labels)
with by_task:
    st.dataframe(programme.task_table(states, ctx.lang), hide_index=True, placeholder="—", width="stretch")
with by_section:
    st.plotly_chart(charts.shared(programme_figures.completion_bars, board.sections, ctx.lang), key="section-bars")
    st.dataframe(programme.completion_table(board.sections, t("section", ctx.lang), ctx.lang), hide_index=True, placeholder="—",
                 width="stretch", column_config=percent)
with by_dept:
    st.dataframe(programme.completion_table(board.departments, t("department", ctx.lang), ctx.lang),
                 hide_index=True, placeholder="—", width="stretch", column_config=percent)
with late:
    if board.overdue:
        st.dataframe(programme.task_table(board.overdue, ctx.lang), hide_index=True, placeholder="—", width="stretch")
    else:
        st.caption(t("none_overdue", ctx.lang))
with silent:
    if missing:
        st.dataframe(programme.missing_table(missing, ctx.lang), hide_index=True, placeholder="—", width="stretch")
    else:
        st.caption(t("all_departments_reported", ctx.lang))
with history:
    texts = {s.task.task_id: s.task.text for s in states}
    chosen = st.selectbox(t("task", ctx.lang), list(texts), key="history-task",
                          format_func=lambda i: f"{i} {texts[i][:40]}")
    media.grid(programme.task_history_table(queries.task_history(version, ctx.who, plan_id, chosen), ctx.lang), ctx.lang)

if rest:  # the plan's duties beside its tasks (reports, briefings, evaluation steps, awards)
    with rest[0]:
        st.dataframe(programme.duty_table(plan, quarter, ctx.lang), hide_index=True, placeholder="—", width="stretch")

if may(ctx.who.role, Permission.RECORD_TASKS) and not processes.elsewhere("tasks", ctx.lang):
    st.subheader(t("record_task", ctx.lang))
    by_id = {s.task.task_id: s.task for s in states}
    a, b = st.columns([3, 2])
    task_id = a.selectbox(t("task", ctx.lang), list(by_id), key="record-task",
                          format_func=lambda i: f"{i} {by_id[i].text[:40]}")
    department = b.selectbox(t("department", ctx.lang), by_id[task_id].departments, key="record-department")
    c, d = st.columns(2)
    status = c.selectbox(t("status", ctx.lang), list(TaskStatus), key="record-status",
                         format_func=lambda s: programme.status_word(s, ctx.lang))
    period = d.selectbox(t("quarter", ctx.lang), quarters, index=quarters.index(quarter), key="record-quarter",
                         format_func=lambda p: programme.quarter_label(p, ctx.lang))
    note = st.text_area(t("progress_note", ctx.lang), max_chars=2000, key="record-note")
    if st.button(t("record", ctx.lang), type="primary", key="record-submit"):
        try:
            revision = services.record_task_update(ctx.who, validated(
                TaskUpdateInput, plan_id=plan_id, task_id=task_id, department=department, year=period.year,
                quarter=period.quarter, status=status, note=note))
        except ProgrammeInputError as e:
            st.error(md_message(e.reason, ctx.lang))
        else:
            st.session_state["task-recorded"] = t("recorded", ctx.lang, revision=revision)
            st.rerun()  # the tables above read the store again
    if message := st.session_state.pop("task-recorded", None):
        st.success(message)
