"""用户管理 — the accounts and their roles (administrators only; changes via manage.py users)."""

import streamlit as st

from ui import context, queries, tables
from ui.i18n import t

ctx = context.current()
st.header(t("users", ctx.lang))
st.dataframe(tables.users_table(queries.user_list(queries.audit_version(), ctx.who), ctx.lang, queries.catalog()),
             hide_index=True, placeholder="—", width="stretch")
st.caption(t("sign_in_help", ctx.lang))
