"""邮件记录 — every e-mail sent or failed (administrators)."""

import streamlit as st

from ui import context
from ui.i18n import t

ctx = context.current()
st.header(t("mail_page", ctx.lang))
st.info(t("page_coming", ctx.lang))
