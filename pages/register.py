"""报送单位名录 — the register of reporting units (administrators): the firms, loading a register file,
editing one firm and its dated events, and the firms' accounts."""

import streamlit as st

from ui import context, queries, register
from ui.i18n import t

ctx = context.current()
st.header(t("register_page", ctx.lang))
version = queries.data_version()
register.confirmation()
table_tab, import_tab, edit_tab, accounts_tab = st.tabs(
    [t(f"register.tab.{k}", ctx.lang) for k in ("table", "import", "edit", "accounts")])
with table_tab:
    register.table_section(ctx.who, version, ctx.lang)
with import_tab:
    register.import_section(ctx.who, version, ctx.lang)
with edit_tab:
    register.edit_section(ctx.who, version, ctx.lang)
    register.place_email_section(ctx.who, version, ctx.lang)
with accounts_tab:
    register.accounts_section(ctx.who, version, ctx.lang)
