"""Streamlit entry: the router, the language switch and the demo-data badge.

Run with `streamlit run dashboard.py`; the store comes from $TRACKER_DB or data/tracker.duckdb and
is created with demo data on first start.
"""

import streamlit as st

from ui import data
from ui.i18n import LANGS, t

st.set_page_config(page_title="软件产业规划目标监测", layout="wide")
# A fixed bilingual label: a label that changed with the language would make a new widget.
lang = st.sidebar.radio("语言 / Language", list(LANGS), format_func=LANGS.get, key="lang", horizontal=True)
st.sidebar.title(t("app_title", lang))
if data.is_demo(data.data_version()):
    st.sidebar.warning(t("demo_badge", lang))

page = st.navigation([st.Page("pages/plans.py", title=t("plans", lang), icon="📋", url_path="plans", default=True)])
page.run()
