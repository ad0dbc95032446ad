"""规划录入 — adding a plan from its document, a mid-term adjustment of a plan in force, and plan
files in and out (administrators)."""

import streamlit as st

from ui import authoring, context
from ui.i18n import t

ctx = context.current()
st.header(t("authoring_page", ctx.lang))
authoring.confirmation(ctx.lang)
new_tab, adjust_tab, files_tab = st.tabs([t(f"authoring.tab.{k}", ctx.lang) for k in ("new", "adjust", "files")])
with new_tab:
    authoring.new_plan_section(ctx.who, ctx.lang)
with adjust_tab:
    authoring.adjust_section(ctx.who, ctx.lang)
with files_tab:
    authoring.files_section(ctx.who, ctx.lang)
