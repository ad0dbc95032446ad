"""报送单位名录 — the register of reporting units (administrators)."""

import streamlit as st

from ui import context
from ui.i18n import t

ctx = context.current()
st.header(t("register_page", ctx.lang))
st.info(t("page_coming", ctx.lang))
