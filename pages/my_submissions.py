"""我的报送 — an enterprise's or park's submissions, their status and the reviewer's comment."""

import streamlit as st

from ui import context
from ui.i18n import t

ctx = context.current()
st.header(t("my_submissions", ctx.lang))
st.info(t("page_coming", ctx.lang))
