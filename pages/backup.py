"""备份 — administrators' backups: list, back up now, verify; restoring is a server command."""

import streamlit as st

from ui import context, ops, queries, services
from ui.i18n import md, t

ctx = context.current()
st.header(t("backup", ctx.lang))
plan = queries.backup_schedule()
if plan:
    st.info(md("backup_schedule", ctx.lang, at=plan.at.strftime("%H:%M"), dir=plan.directory, keep=plan.keep))
else:
    st.info(md("backup_no_schedule", ctx.lang, dir=queries.backup_directory()))
now, check = st.columns(2)
if now.button(t("backup_now", ctx.lang), type="primary", width="stretch"):
    made = services.backup_now(ctx.who)
    if made.problem is None:
        st.success(md("backup_done", ctx.lang, name=made.name, rows=made.rows))
    else:
        st.error(t("backup_failed", ctx.lang))
        st.code(made.problem, language=None)
checked = queries.verify_backups(ctx.who) if check.button(t("backup_verify", ctx.lang), width="stretch") else None
st.subheader(t("backup_list", ctx.lang))
entries = queries.backups(ctx.who)
if entries:
    st.dataframe(ops.backups_table(entries, checked, ctx.lang), hide_index=True, placeholder="—", width="stretch")
    for problem in (checked or {}).values():
        if problem:
            st.code(problem, language=None)
else:
    st.info(t("no_backups", ctx.lang))
st.caption(t("backup_restore_help", ctx.lang))
