"""我的报送 — an enterprise's or park's submissions, their status, the reviewer's comment, their
figures, and 更正 for a returned one (ui/submissions.py)."""

import streamlit as st

from ui import context, submissions
from ui.i18n import t

ctx = context.current()
st.header(t("my_submissions", ctx.lang))
submissions.my_submissions(ctx)
