"""本企业数据 — an enterprise user's own figures for the quarter."""

import streamlit as st

from ui import components, context, queries, tables
from ui.i18n import t
from ui.text import escape

ctx = context.current()
org = ctx.who.scope_org_id
st.header(f"{t('my_data', ctx.lang)} · {escape(queries.org_name(org, ctx.lang))}")
if ctx.as_of is None:
    st.info(t("no_reports", ctx.lang, period="—"))
    st.stop()
frame = queries.own_figures(queries.data_version(), ctx.who, org, ctx.as_of)
st.caption(components.period_label(ctx.as_of, ctx.lang))
st.dataframe(tables.figures_table(frame, ctx.lang), hide_index=True, placeholder="—", width="stretch",
             column_config=tables.figures_column_config(ctx.lang))
